"""INV-3 pages and API: the slip list, a new slip, the counting page, print, check, post — by role."""

import io
import re

from pypdf import PdfReader

from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.purchasing.models import Receipt
from zhanggui.purchasing.services import receiving

from .receiving_setup import checked, count, receiving_world  # noqa: F401 (the rw fixture)


def test_inv3_pages_forbidden_for_cs(rw, world, client_for):
    receipt = Receipt.objects.create(number="RK-X", warehouse=rw.warehouse)
    cs = client_for(world.people["cs"])
    for url in (
        "/purchasing/receipts/",
        "/purchasing/receipts/new/",
        f"/purchasing/receipts/{receipt.pk}/",
        f"/purchasing/receipts/{receipt.pk}/slip.pdf",
        "/purchasing/exchanges/",
        "/purchasing/exchanges/list.pdf",
    ):
        assert cs.get(url).status_code == 403, url
    assert cs.post(f"/purchasing/receipts/{receipt.pk}/post/", {"version": 1}).status_code == 403


def test_inv3_keeper_creates_counts_and_manager_checks_and_posts(rw, world, client_for):
    keeper = client_for(rw.keeper)
    page = keeper.get(f"/purchasing/receipts/new/?order={rw.order.pk}")
    assert page.status_code == 200 and rw.order.number in page.content.decode()
    resp = keeper.post("/purchasing/receipts/new/", {"order": rw.order.pk})
    receipt = Receipt.objects.get(order=rw.order)
    assert resp.status_code == 302 and resp["Location"] == f"/purchasing/receipts/{receipt.pk}/"
    html = keeper.get(resp["Location"]).content.decode()
    assert 'id="scan-box"' in html and "autofocus" in html
    # 分码分色: the rows come sorted by colour then size.
    assert re.findall(r'data-code="(D-[^"]+)"', html) == ["D-黑-S", "D-黑-M", "D-白-L"]
    assert 'id="check-btn"' not in html  # the 库管 cannot check
    lines = {ln.sku.code: ln for ln in receipt.lines.select_related("sku")}
    form = {"version": receipt.version, "line": [ln.pk for ln in lines.values()]}
    for code, (counted, faulty) in {"D-黑-S": (10, 1), "D-黑-M": (6, 0), "D-白-L": (0, 0)}.items():
        pk = lines[code].pk
        form |= {
            f"counted_{pk}": counted,
            f"faulty_{pk}": faulty,
            f"bin_{pk}": "",
            f"note_{pk}": "线头" if faulty else "",
        }
    form["difference_note"] = ""
    resp = keeper.post(f"/purchasing/receipts/{receipt.pk}/counts/", form)
    assert resp.status_code == 302
    receipt.refresh_from_db()
    assert receipt.counted_by == rw.keeper
    # A scan from the box (no JavaScript): the code is counted on the server.
    resp = keeper.post(f"/purchasing/receipts/{receipt.pk}/counts/", {"version": receipt.version, "scan": "D-白-L"})
    assert resp.status_code == 302 and "scan=ok" in resp["Location"]
    assert receipt.lines.get(sku=rw.skus["D-白-L"]).counted_qty == 1
    # The slip prints.
    pdf = keeper.get(f"/purchasing/receipts/{receipt.pk}/slip.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert receipt.number in text and "D-黑-S" in text and "次品" in text
    # The manager (进货人员) checks, then posts.
    manager = client_for(rw.manager)
    receipt.refresh_from_db()
    html = manager.get(f"/purchasing/receipts/{receipt.pk}/").content.decode()
    assert 'id="check-btn"' in html and 'id="post-btn"' not in html
    manager.post(f"/purchasing/receipts/{receipt.pk}/check/", {"version": receipt.version})
    receipt.refresh_from_db()
    assert receipt.state == Receipt.State.CHECKED
    resp = manager.post(f"/purchasing/receipts/{receipt.pk}/post/", {"version": receipt.version})
    assert resp.status_code == 302
    receipt.refresh_from_db()
    assert receipt.state == Receipt.State.POSTED
    assert StockLevel.objects.get(sku=rw.skus["D-黑-S"], warehouse=rw.warehouse).on_hand == 9
    # The list shows it under 已入库.
    html = keeper.get("/purchasing/receipts/?tab=posted").content.decode()
    assert receipt.number in html


def test_inv3_refused_counts_keep_what_was_typed_and_name_the_row(rw, client_for):
    keeper = client_for(rw.keeper)
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    line = receipt.lines.get(sku=rw.skus["D-黑-M"])
    resp = keeper.post(
        f"/purchasing/receipts/{receipt.pk}/counts/",
        {"version": receipt.version, "line": [line.pk], f"counted_{line.pk}": "2", f"faulty_{line.pk}": "5"},
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "第 2 行 D-黑-M：次品 5 件多于实到 2 件" in html
    assert f'name="faulty_{line.pk}" value="5"' in html
    assert receipt.lines.get(pk=line.pk).faulty_qty == 0


def test_inv3_post_without_version_changes_nothing(rw, client_for):
    receipt = checked(rw, receiving.create_receipt(rw.keeper, order=rw.order), {"D-黑-S": (3, 0)})
    before = LedgerEntry.objects.count()
    resp = client_for(rw.manager).post(f"/purchasing/receipts/{receipt.pk}/post/", {})
    assert resp.status_code == 302
    assert LedgerEntry.objects.count() == before
    assert Receipt.objects.get(pk=receipt.pk).state == Receipt.State.CHECKED


def test_inv3_api_lists_shows_and_posts_receipts(rw, client_for):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (4, 1, "污渍")})
    api = client_for(rw.keeper)
    listing = api.get("/api/v1/receipts", {"state": "checked"}).json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == receipt.number
    assert listing["items"][0]["counted_qty"] == 4 and listing["items"][0]["faulty_qty"] == 1
    detail = api.get(f"/api/v1/receipts/{receipt.pk}").json()
    assert [ln["sku_code"] for ln in detail["lines"]] == ["D-黑-S", "D-黑-M", "D-白-L"]
    stale = api.post(
        f"/api/v1/receipts/{receipt.pk}/post", {"version": receipt.version - 1}, content_type="application/json"
    )
    assert stale.status_code == 400 and stale.json()["code"] == "stale_version"
    ok = api.post(f"/api/v1/receipts/{receipt.pk}/post", {"version": receipt.version}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "posted"
    again = api.post(
        f"/api/v1/receipts/{receipt.pk}/post", {"version": ok.json()["version"]}, content_type="application/json"
    )
    assert again.status_code == 409 and "不能重复入库" in again.json()["message"]


def test_inv3_count_helper_and_list_filters(rw, client_for):
    a = receiving.create_receipt(rw.keeper, order=rw.order)
    count(rw.keeper, a, {"D-黑-S": (1, 0)})
    free = receiving.create_receipt(rw.keeper)
    keeper = client_for(rw.keeper)
    html = keeper.get("/purchasing/receipts/", {"supplier": rw.supplier.pk}).content.decode()
    assert a.number in html and free.number not in html
    html = keeper.get("/purchasing/receipts/", {"q": rw.order.number}).content.decode()
    assert a.number in html and free.number not in html
