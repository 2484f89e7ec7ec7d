# ruff: noqa: F811
# (test functions take the imported `po` fixture as a parameter)
"""Purchasing pages and API for suppliers and purchase orders (PUR-1..3): lists with tabs, counts and filters,
the new-order form with per-row Chinese errors, the order page's moves, quotes, payments and problems through
the page forms, two editors on one page, the supplier page and its XLSX statement, and who may do what (manager
everything, finance payments only, warehouse reads, cs/designer nothing)."""

import io
import json

import pytest
from openpyxl import load_workbook

from zhanggui.purchasing.models import Payment, Problem, PurchaseOrder, Quote, Supplier, SupplierProduct
from zhanggui.purchasing.services import orders, payments
from zhanggui.purchasing.services import suppliers as sup_svc

from .orders_setup import (
    State,
    fresh,
    new_order,
    ordered,
    po,  # noqa: F401 (the fixture)
    receive,
)

pytestmark = pytest.mark.django_db


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []


def tabs_of(response) -> dict:
    return {key: n for key, _label, n, _href in response.context["tabs"]}


# ---- who may do what --------------------------------------------------------------------------------------------


def test_pages_render_for_manager_and_are_403_for_cs_and_designer_PUR_1_PUR_2(po, client_for, world):
    order = ordered(po)
    urls = [
        "/purchasing/",
        "/purchasing/new/",
        f"/purchasing/{order.pk}/",
        "/purchasing/suppliers/",
        "/purchasing/suppliers/new/",
        f"/purchasing/suppliers/{po.hz.pk}/",
        f"/purchasing/suppliers/{po.hz.pk}/?section=documents",
        f"/purchasing/suppliers/{po.hz.pk}/edit/",
    ]
    manager = client_for(world.people["manager"])
    for url in urls:
        assert manager.get(url).status_code == 200, url
    for role in ("cs", "designer"):
        client = client_for(world.people[role])
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        assert client.get("/api/v1/purchase-orders").status_code == 403
        assert client.get("/api/v1/suppliers").status_code == 403


def test_warehouse_reads_but_cannot_change_PUR_2(po, client_for, world):
    order = new_order(po)
    keeper = client_for(world.people["warehouse"])
    page = keeper.get(f"/purchasing/{order.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="order-actions"' not in body and 'id="lines-form"' not in body
    assert keeper.post(f"/purchasing/{order.pk}/action/", {"to": "ordered"}).status_code == 403
    assert keeper.get("/purchasing/new/").status_code == 403
    assert fresh(order).state == State.DRAFT


def test_finance_records_payments_but_cannot_change_lines_PUR_2_PUR_3(po, client_for, world):
    order = ordered(po)
    finance = client_for(world.people["finance"])
    page = finance.get(f"/purchasing/{order.pk}/")
    body = page.content.decode()
    assert 'id="payment-form"' in body and 'id="lines-form"' not in body and 'id="order-actions"' not in body
    resp = finance.post(
        f"/purchasing/{order.pk}/payments/",
        {"amount": "200.50", "method": "alipay", "paid_on": "", "note": "定金", "version": order.version},
    )
    assert resp.status_code == 302
    payment = Payment.objects.get(order=order)
    assert (payment.amount_fen, payment.method, payment.actor) == (20050, "alipay", world.people["finance"])
    line = order.lines.first()
    assert finance.post(f"/purchasing/{order.pk}/lines/", {f"qty_{line.pk}": "99"}).status_code == 403
    assert finance.post(f"/purchasing/{order.pk}/edit/", {"transport": "5"}).status_code == 403
    assert finance.post(f"/purchasing/{order.pk}/action/", {"to": "cancelled"}).status_code == 403
    assert fresh(order).lines.get(pk=line.pk).quantity == 10
    api = post_json(finance, f"/api/v1/purchase-orders/{order.pk}/payments", {"amount_fen": 100})
    assert api.status_code == 201
    assert post_json(finance, f"/api/v1/purchase-orders/{order.pk}/transitions", {"to": "cancelled"}).status_code == 403


# ---- the list ---------------------------------------------------------------------------------------------------


def test_list_tabs_counts_filters_and_money_columns_PUR_2(po, client_for, world):
    draft = new_order(po, reason="新款首单")
    a = ordered(po)
    payments.add_payment(po.buyer, a, amount_fen=10000)
    gz = ordered(po, supplier="gz", lines={"T-灰-M": (8, 2000)})
    receive(gz, {"T-灰-M": (2, 0)})
    cancelled = orders.cancel_order(po.buyer, new_order(po))
    PurchaseOrder.objects.filter(pk=a.pk).update(expected_on="2020-01-01")  # late
    client = client_for(world.people["manager"])
    resp = client.get("/purchasing/")
    assert tabs_of(resp) == {
        "all": 4,
        "draft": 1,
        "quoting": 0,
        "ordered": 1,
        "partial": 1,
        "received": 0,
        "closed": 0,
        "cancelled": 1,
    }
    rows = {o.number: (f.amount, f.paid, f.owed, late, f.received_pct) for o, f, late in resp.context["rows"]}
    assert rows[a.number] == (55000, 10000, 45000, True, 0)
    assert rows[gz.number][4] == 25
    body = resp.content.decode()
    assert "¥550.00" in body and "data-late" in body and po.buyer.number in body
    by_tab = client.get("/purchasing/?tab=partial").context["rows"]
    assert [o.number for o, _f, _l in by_tab] == [gz.number]
    by_supplier = client.get(f"/purchasing/?supplier={po.gz.pk}")
    assert tabs_of(by_supplier)["all"] == 1
    by_sku = client.get("/purchasing/?q=T-灰")
    assert [o.number for o, _f, _l in by_sku.context["rows"]] == [gz.number]
    assert [o.number for o, _f, _l in client.get("/purchasing/?late=1").context["rows"]] == [a.number]
    assert {o.number for o, _f, _l in client.get("/purchasing/?q=新款").context["rows"]} == {draft.number}
    assert cancelled.state == State.CANCELLED


# ---- create -----------------------------------------------------------------------------------------------------


def test_create_from_typed_lines_and_per_row_errors_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    bad = client.post(
        "/purchasing/new/",
        {
            "supplier": po.hz.pk,
            "warehouse": po.warehouse.pk,
            "lines": "D-黑-S 10 35\nXX-1 2\nD-白-M -3",
            "reason": "补货",
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "第 2 行：商家编码或条码 XX-1 不存在" in body and "第 3 行：数量应在 1 到 1,000,000 之间（现为 -3）" in body
    assert "D-黑-S 10 35" in body  # what was typed stays in the box
    assert not PurchaseOrder.objects.exists()
    ok = client.post(
        "/purchasing/new/",
        {
            "supplier": po.hz.pk,
            "warehouse": po.warehouse.pk,
            "lines": "D-黑-S 10 35\nD-白-M 4 40.5",
            "reason": "补货",
            "transport": "12",
            "expected_on": "2030-05-01",
        },
    )
    assert ok.status_code == 302
    order = PurchaseOrder.objects.get()
    assert ok["Location"] == f"/purchasing/{order.pk}/"
    assert (order.state, order.supplier, order.transport_cost_fen, str(order.expected_on)) == (
        "draft",
        po.hz,
        1200,
        "2030-05-01",
    )
    assert {ln.sku.code: (ln.quantity, ln.unit_cost_fen) for ln in order.lines.select_related("sku")} == {
        "D-黑-S": (10, 3500),
        "D-白-M": (4, 4050),
    }
    assert order.buyer == world.people["manager"]


# ---- the order page ---------------------------------------------------------------------------------------------


def test_order_page_shows_allowed_moves_and_receiving_links_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    draft = new_order(po)
    actions = [a["to"] for a in client.get(f"/purchasing/{draft.pk}/").context["actions"]]
    assert actions == ["quoting", "ordered", "cancelled"]
    order = ordered(po)
    receive(order, {"D-黑-S": (3, 1)})
    page = client.get(f"/purchasing/{order.pk}/")
    assert [a["to"] for a in page.context["actions"]] == ["closed"]
    body = page.content.decode()
    assert 'data-line="D-黑-S"' in body
    receipt_number = order.receipts.get().number
    assert receipt_number in body
    lines = {ln.sku.code: (ln.quantity, ln.received_qty, ln.faulty_qty, ln.outstanding) for ln in page.context["lines"]}
    assert lines == {"D-黑-S": (10, 3, 1, 7), "D-白-M": (5, 0, 0, 5)}


def test_moves_through_the_page_with_the_page_version_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    order = new_order(po)
    resp = client.post(f"/purchasing/{order.pk}/action/", {"to": "ordered", "version": order.version})
    assert resp.status_code == 302 and fresh(order).state == State.ORDERED
    # A second tab still showing version 1 tries to cancel: refused, the order stays ordered.
    stale = client.post(f"/purchasing/{order.pk}/action/", {"to": "cancelled", "version": order.version}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    assert fresh(order).state == State.ORDERED
    illegal = client.post(f"/purchasing/{order.pk}/action/", {"to": "closed"}, follow=True)
    assert "不能改为" in illegal.content.decode()


def test_edit_lines_and_header_through_the_page_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    order = new_order(po)
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    resp = client.post(
        f"/purchasing/{order.pk}/lines/",
        {
            f"qty_{black.pk}": "12",
            f"price_{black.pk}": "36",
            f"qty_{white.pk}": "5",
            f"price_{white.pk}": "40.00",
            f"remove_{white.pk}": "1",
            "add_lines": "T-灰-M 6 20",
            "version": order.version,
        },
    )
    assert resp.status_code == 302
    assert {ln.sku.code: (ln.quantity, ln.unit_cost_fen) for ln in fresh(order).lines.select_related("sku")} == {
        "D-黑-S": (12, 3600),
        "T-灰-M": (6, 2000),
    }
    bad = client.post(
        f"/purchasing/{order.pk}/lines/", {f"qty_{black.pk}": "0", "version": fresh(order).version}, follow=True
    )
    assert "D-黑-S：采购数量应在 1 到 1,000,000 之间（现为 0）" in bad.content.decode()  # rule 7: core.bounds
    resp = client.post(
        f"/purchasing/{order.pk}/edit/",
        {
            "supplier": po.gz.pk,
            "warehouse": po.warehouse.pk,
            "expected_on": "2030-02-03",
            "transport": "8.5",
            "reason": "双11备货",
            "note": "",
            "version": fresh(order).version,
        },
    )
    order = fresh(order)
    assert (order.supplier, order.transport_cost_fen, order.reason) == (po.gz, 850, "双11备货")


def test_quotes_recorded_compared_and_chosen_on_the_page_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    order = orders.submit_for_quotes(po.buyer, new_order(po, supplier=None))
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    for supplier, prices, transport in ((po.hz, ("33", "42"), "30"), (po.gz, ("34", "38"), "")):
        resp = client.post(
            f"/purchasing/{order.pk}/quotes/",
            {
                "supplier": supplier.pk,
                f"quote_{black.pk}": prices[0],
                f"quote_{white.pk}": prices[1],
                "transport": transport,
                "lead_time_days": "6",
                "version": fresh(order).version,
            },
        )
        assert resp.status_code == 302
    page = client.get(f"/purchasing/{order.pk}/")
    cheapest = [c["quote"].supplier.code for c in page.context["comparison"]["quotes"] if c["cheapest"]]
    assert cheapest == ["GZ"]
    assert 'class="num quote-best" data-total="GZ"' in page.content.decode()
    quote = Quote.objects.get(order=order, supplier=po.gz)
    resp = client.post(f"/purchasing/{order.pk}/quotes/choose/", {"quote": quote.pk, "version": fresh(order).version})
    assert resp.status_code == 302
    order = fresh(order)
    assert order.supplier == po.gz
    assert order.lines.get(pk=black.pk).unit_cost_fen == 3400 and order.lines.get(pk=white.pk).unit_cost_fen == 3800
    missing = client.post(
        f"/purchasing/{order.pk}/quotes/",
        {"supplier": po.hz.pk, f"quote_{black.pk}": "1", "version": order.version},
        follow=True,
    )
    assert "请填写单价" in missing.content.decode()


def test_problem_blocks_closing_on_the_page_until_resolved_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    order = ordered(po)
    receive(order, {"D-黑-S": (10, 0), "D-白-M": (5, 0)})
    client.post(
        f"/purchasing/{order.pk}/problems/",
        {"kind": "quality", "description": "色差明显", "version": fresh(order).version},
    )
    problem = Problem.objects.get(order=order)
    refused = client.post(
        f"/purchasing/{order.pk}/action/", {"to": "closed", "version": fresh(order).version}, follow=True
    )
    assert "未解决的问题" in refused.content.decode() and fresh(order).state == State.RECEIVED
    client.post(
        f"/purchasing/{order.pk}/problems/resolve/",
        {"problem": problem.pk, "resolution": "退换 3 件，下单时附色卡", "version": fresh(order).version},
    )
    client.post(f"/purchasing/{order.pk}/action/", {"to": "closed", "version": fresh(order).version})
    assert fresh(order).state == State.CLOSED


def test_overpayment_refused_on_the_page_PUR_2(po, client_for, world):
    order = ordered(po)  # ¥550 due
    finance = client_for(world.people["finance"])
    resp = finance.post(
        f"/purchasing/{order.pk}/payments/", {"amount": "550.01", "version": order.version}, follow=True
    )
    assert "付款超出应付" in resp.content.decode()
    assert not Payment.objects.exists()


# ---- suppliers --------------------------------------------------------------------------------------------------


def test_supplier_list_quality_columns_sorted_by_defect_rate_and_owed_total_PUR_1_PUR_3(po, client_for, world):
    hz_order, gz_order = ordered(po), ordered(po, supplier="gz")
    receive(hz_order, {"D-黑-S": (10, 1)})  # 10 %
    receive(gz_order, {"D-黑-S": (10, 3)})  # 30 %
    payments.add_payment(po.buyer, gz_order, amount_fen=55000)  # gz fully paid
    sup_svc.create_supplier(po.buyer, code="NB", name="宁波针织")  # nothing received: last
    client = client_for(world.people["finance"])
    resp = client.get("/purchasing/suppliers/?sort=defect")
    assert [s.code for s, _rec, _owed in resp.context["rows"]] == ["GZ", "HZ", "NB"]
    assert [s.code for s, _r, _o in client.get("/purchasing/suppliers/?sort=-defect").context["rows"]] == [
        "HZ",
        "GZ",
        "NB",
    ]
    assert resp.context["total_owed"] == 55000
    body = resp.content.decode()
    assert "30.0" in body and "¥550.00" in body
    inactive = client.get("/purchasing/suppliers/?tab=inactive")
    assert list(inactive.context["rows"]) == []
    assert [s.code for s, _r, _o in client.get("/purchasing/suppliers/?q=杭州").context["rows"]] == ["HZ"]


def test_create_and_edit_supplier_through_the_form_PUR_1(po, client_for, world):
    client = client_for(world.people["manager"])
    taken = client.post("/purchasing/suppliers/new/", {"code": "HZ", "name": "重复", "lead_time_days": 7})
    assert taken.status_code == 400 and "供应商编码 HZ 已被使用" in taken.content.decode()
    resp = client.post(
        "/purchasing/suppliers/new/",
        {"code": "NB", "name": "宁波针织", "lead_time_days": 4, "wechat": "nb-knit", "is_active": "on"},
    )
    nb = Supplier.objects.get(code="NB")
    assert resp.status_code == 302 and resp["Location"] == f"/purchasing/suppliers/{nb.pk}/"
    client.post(f"/purchasing/suppliers/{nb.pk}/contacts/", {"name": "李哥", "role": "老板", "phone": "139"})
    client.post(f"/purchasing/suppliers/{nb.pk}/evaluations/", {"quality": 5, "delivery": 4, "price": 4, "service": 5})
    client.post(f"/purchasing/suppliers/{nb.pk}/products/", {"style_code": "D", "price": "31.5", "min_order_qty": "10"})
    item = SupplierProduct.objects.get(supplier=nb)
    assert (item.unit_cost_fen, item.min_order_qty, item.is_preferred) == (3150, 10, True)
    for section in ("profile", "products", "quality"):
        page = client.get(f"/purchasing/suppliers/{nb.pk}/?section={section}")
        assert page.status_code == 200
    assert "李哥" in client.get(f"/purchasing/suppliers/{nb.pk}/").content.decode()
    assert client.get(f"/purchasing/suppliers/{nb.pk}/?section=quality").context["record"].score == 4.5
    # Preferred swap from the page.
    gz_item = sup_svc.set_supplier_product(po.buyer, po.gz, po.dress, unit_cost_fen=3000)
    client.post(f"/purchasing/suppliers/{po.gz.pk}/products/preferred/", {"item": gz_item.pk})
    assert sup_svc.preferred_supplier(po.dress) == po.gz
    editor = client_for(world.people["finance"])
    assert editor.post(f"/purchasing/suppliers/{nb.pk}/edit/", {"code": "NB", "name": "x"}).status_code == 403


def test_supplier_documents_page_and_xlsx_export_PUR_3(po, client_for, world):
    a = ordered(po)
    payments.add_payment(po.buyer, a, amount_fen=30000)
    client = client_for(world.people["finance"])
    page = client.get(f"/purchasing/suppliers/{po.hz.pk}/?section=documents")
    assert page.context["totals"] == {"amount": 55000, "transport": 0, "paid": 30000, "owed": 25000}
    assert 'id="statement-totals"' in page.content.decode()
    resp = client.get(f"/purchasing/suppliers/{po.hz.pk}/statement.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[3][1] == a.number and rows[3][3:] == (550, 0, 300, 250)
    empty = client.get(f"/purchasing/suppliers/{po.hz.pk}/statement.xlsx?date_to=2000-01-01")
    assert list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))[-1][3:] == (0, 0, 0, 0)


# ---- API --------------------------------------------------------------------------------------------------------


def test_api_create_move_pay_and_illegal_moves_409_PUR_2(po, client_for, world):
    client = client_for(world.people["manager"])
    bad = post_json(
        client, "/api/v1/purchase-orders", {"supplier_id": po.hz.pk, "lines": [{"sku": "NOPE", "quantity": 1}]}
    )
    assert bad.status_code == 400 and bad.json()["details"] == ["第 1 行：商家编码或条码 NOPE 不存在"]
    created = post_json(
        client,
        "/api/v1/purchase-orders",
        {
            "supplier_id": po.hz.pk,
            "lines": [{"sku": "D-黑-S", "quantity": 10, "unit_cost_fen": 3500}],
            "transport_cost_fen": 500,
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["amount_fen"], body["transport_fen"], body["next_states"]) == (
        "draft",
        35000,
        500,
        ["quoting", "ordered", "cancelled"],
    )
    oid, version = body["id"], body["version"]
    moved = post_json(client, f"/api/v1/purchase-orders/{oid}/transitions", {"to": "ordered", "version": version})
    assert moved.status_code == 200 and moved.json()["state"] == "ordered"
    stale = post_json(client, f"/api/v1/purchase-orders/{oid}/transitions", {"to": "cancelled", "version": version})
    assert stale.status_code == 400 and stale.json()["code"] == "stale_version"
    illegal = post_json(client, f"/api/v1/purchase-orders/{oid}/transitions", {"to": "closed"})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    by_receiving = post_json(client, f"/api/v1/purchase-orders/{oid}/transitions", {"to": "received"})
    assert by_receiving.status_code == 409
    over = post_json(client, f"/api/v1/purchase-orders/{oid}/payments", {"amount_fen": 35501})
    assert over.status_code == 400 and over.json()["code"] == "overpaid"
    paid = post_json(client, f"/api/v1/purchase-orders/{oid}/payments", {"amount_fen": 35500, "method": "wechat"})
    assert paid.status_code == 201
    detail = client.get(f"/api/v1/purchase-orders/{oid}").json()
    assert (detail["paid_fen"], detail["owed_fen"], len(detail["payments"])) == (35500, 0, 1)
    listing = client.get(f"/api/v1/purchase-orders?state=ordered&supplier_id={po.hz.pk}").json()
    assert listing["count"] == 1 and listing["tabs"]["ordered"] == 1 and listing["items"][0]["id"] == oid


def test_api_suppliers_list_detail_and_create_PUR_1_PUR_3(po, client_for, world):
    order = ordered(po)
    receive(order, {"D-黑-S": (10, 1)})
    client = client_for(world.people["manager"])
    rows = {s["code"]: s for s in client.get("/api/v1/suppliers").json()}
    assert rows["HZ"]["quality"]["defect_rate"] == 10.0 and rows["HZ"]["owed_fen"] == 55000
    detail = client.get(f"/api/v1/suppliers/{po.hz.pk}").json()
    assert detail["statement"]["owed_fen"] == 55000 and detail["statement"]["rows"][0]["number"] == order.number
    created = post_json(client, "/api/v1/suppliers", {"code": "NB", "name": "宁波针织", "lead_time_days": 3})
    assert created.status_code == 201 and created.json()["lead_time_days"] == 3
    dup = post_json(client, "/api/v1/suppliers", {"code": "nb", "name": "另一家"})
    assert dup.status_code == 400 and dup.json()["field"] == "code"
    keeper = client_for(world.people["warehouse"])
    assert post_json(keeper, "/api/v1/suppliers", {"code": "X", "name": "X"}).status_code == 403


def test_lists_use_a_fixed_number_of_queries_PUR_1_PUR_2(po, client_for, world):
    """Bulk paths: the order and supplier lists cost the same number of queries for 2 or 8 orders."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.people["manager"])

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        receive(ordered(po), {"D-黑-S": (1, 0)})
    few = (queries("/purchasing/"), queries("/purchasing/suppliers/"))
    for n in range(6):
        order = ordered(po, supplier="gz" if n % 2 else "hz")
        payments.add_payment(po.buyer, order, amount_fen=100)
    assert (queries("/purchasing/"), queries("/purchasing/suppliers/")) == few
