"""Dropship orders (PROD-10): queued per supplier, exported to the supplier (PII, TEAM-5), tracking numbers imported
back from the supplier's file; pages and API per shop.

The world: 甲厂 supplies the dropship dress DS-A (item code JA-01), 乙厂 the dropship hat DS-B; DS-C is dropship
without a supplier; OWN is an own-stock product. shop_a's order TB-1 holds a dress and a hat.
"""

import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanggui.catalog.services.products import create_product
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.purchasing.models import DropshipOrder, Supplier, SupplierProduct
from zhanggui.purchasing.services import dropship as ds

PHONE = "13812341234"
STREET = "科技园南路 1 号"
ADDRESS = f"广东省深圳市南山区{STREET}"


@dataclass
class DsWorld:
    jia: object
    yi: object
    dress: object
    hat: object
    orphan: object
    own: object


def _product(code, name, sourcing="dropship", supplier_name="某厂"):
    return create_product(
        None,
        style_code=code,
        name=name,
        colours=["黑"],
        sizes=["M"],
        sourcing=sourcing,
        supplier_name=supplier_name if sourcing == "dropship" else "",
    )


@pytest.fixture
def dw(world):
    jia = Supplier.objects.create(code="JIA", name="甲厂", lead_time_days=2)
    yi = Supplier.objects.create(code="YI", name="乙厂", lead_time_days=2)
    dress, hat = _product("DS-A", "代发连衣裙"), _product("DS-B", "代发帽子")
    orphan, own = _product("DS-C", "没供应商"), _product("OWN", "自有款", sourcing="own")
    SupplierProduct.objects.create(supplier=jia, product=dress, supplier_item_code="JA-01")
    SupplierProduct.objects.create(supplier=yi, product=hat, supplier_item_code="YB-77")
    return DsWorld(
        jia=jia,
        yi=yi,
        dress=dress.skus.get(),
        hat=hat.skus.get(),
        orphan=orphan.skus.get(),
        own=own.skus.get(),
    )


def queue(world, dw, reference="TB-1", shop=None, lines=None, **receiver):
    values = {"receiver_name": "张三丰", "receiver_phone": PHONE, "receiver_address": ADDRESS, **receiver}
    return ds.queue_dropship(
        world.people["cs"],
        shop or world.shop_a,
        reference,
        lines if lines is not None else [(dw.dress, 2), (dw.hat, 1)],
        buyer_note="请用顺丰",
        **values,
    )


def gbk_csv(rows) -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode("gbk")


# ---- queueing --------------------------------------------------------------------------------------------------


def test_queue_groups_lines_by_preferred_supplier_PROD_10(world, dw):
    orders = queue(world, dw)
    assert [o.supplier.name for o in orders] == ["甲厂", "乙厂"]
    by_supplier = {o.supplier_id: o for o in orders}
    assert [(ln.sku_id, ln.quantity) for ln in by_supplier[dw.jia.pk].lines.all()] == [(dw.dress.pk, 2)]
    assert [(ln.sku_id, ln.quantity) for ln in by_supplier[dw.yi.pk].lines.all()] == [(dw.hat.pk, 1)]
    for o in orders:
        assert o.state == "pending" and o.shop == world.shop_a and o.reference == "TB-1"
        assert o.receiver_phone == PHONE and o.buyer_note == "请用顺丰"
        assert Event.objects.filter(object_id=str(o.pk), kind="dropship_queued").count() == 1


def test_requeue_is_idempotent_and_changes_nothing_PROD_10(world, dw):
    first = queue(world, dw)
    again = queue(world, dw, receiver_name="别人", lines=[(dw.dress, 9), (dw.hat, 9)])
    assert [o.pk for o in again] == [o.pk for o in first]
    assert DropshipOrder.objects.count() == 2
    dress_order = DropshipOrder.objects.get(supplier=dw.jia)
    assert dress_order.receiver_name == "张三丰" and dress_order.lines.get().quantity == 2
    # The same order number in another shop is another order.
    assert len(queue(world, dw, shop=world.shop_b)) == 2 and DropshipOrder.objects.count() == 4


def test_queue_refuses_own_stock_and_supplierless_products_and_writes_nothing_PROD_10(world, dw):
    with pytest.raises(DomainError) as err:
        queue(world, dw, lines=[(dw.dress, 1), (dw.own, 1)])
    assert err.value.code == "not_dropship" and dw.own.code in err.value.message
    with pytest.raises(DomainError) as err:
        queue(world, dw, lines=[(dw.dress, 1), (dw.orphan, 1)])
    assert err.value.code == "no_supplier" and "DS-C" in err.value.message
    with pytest.raises(DomainError) as err:
        queue(world, dw, receiver_phone="  ")
    assert err.value.field == "receiver_phone"
    assert not DropshipOrder.objects.exists()


# ---- export ----------------------------------------------------------------------------------------------------


def test_export_has_full_receiver_and_supplier_codes_and_marks_sent_PROD_10_TEAM_5(world, dw):
    queue(world, dw)
    queue(world, dw, reference="TB-2", lines=[(dw.dress, 1)])
    manager = world.people["manager"]
    content = ds.export_for_supplier(manager, dw.jia)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == ds.EXPORT_HEADERS
    assert rows[0][-2:] == ["快递公司", "快递单号"]
    assert sorted(r[0] for r in rows[1:]) == ["TB-1", "TB-2"]  # 甲厂's orders only: no hat
    row = next(r for r in rows[1:] if r[0] == "TB-1")
    assert row[1:12] == [
        "甲店",
        "张三丰",
        PHONE,
        ADDRESS,
        dw.dress.code,
        "JA-01",
        "代发连衣裙",
        "黑",
        "M",
        2,
        "请用顺丰",
    ]
    assert row[12:] == ["", ""]
    assert set(DropshipOrder.objects.filter(supplier=dw.jia).values_list("state", flat=True)) == {"sent"}
    assert DropshipOrder.objects.get(supplier=dw.yi).state == "pending"
    sent = DropshipOrder.objects.filter(supplier=dw.jia).first()
    assert sent.sent_at and Event.objects.filter(object_id=str(sent.pk), kind="dropship_sent").exists()
    pii = Event.objects.get(kind="pii_export", actor=manager)
    assert pii.data["count"] == 2 and "甲厂" in pii.note and PHONE not in pii.note
    with pytest.raises(DomainError) as err:  # nothing pending any more
        ds.export_for_supplier(manager, dw.jia)
    assert err.value.code == "nothing_to_export"
    again = ds.export_for_supplier(manager, dw.jia, state="sent")  # the supplier lost the file
    assert len(list(openpyxl.load_workbook(io.BytesIO(again)).active.iter_rows())) == 3


def test_export_is_refused_without_the_right_to_see_buyer_data_TEAM_5_PROD_10(world, dw, client_for):
    queue(world, dw)
    keeper = world.people["warehouse"]  # may change dropship orders, may not see buyer data
    with pytest.raises(ds.PiiForbidden):
        ds.export_for_supplier(keeper, dw.jia)
    client = client_for(keeper)
    resp = client.post("/purchasing/dropship/export/", {"supplier": dw.jia.pk})
    assert resp.status_code == 302
    assert "买家信息" in client.get(resp["Location"]).content.decode()
    assert set(DropshipOrder.objects.values_list("state", flat=True)) == {"pending"}
    assert not Event.objects.filter(kind="pii_export").exists()
    api = client.post("/api/v1/dropship-orders/export", {"supplier_id": dw.jia.pk}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "pii_forbidden"


def test_export_page_downloads_the_file_for_the_manager_PROD_10(world, dw, client_for):
    queue(world, dw)
    resp = client_for(world.people["manager"]).post("/purchasing/dropship/export/", {"supplier": dw.yi.pk})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "dropship-YI-" in resp["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in sheet[2]][6] == "YB-77"
    assert DropshipOrder.objects.get(supplier=dw.yi).state == "sent"


# ---- tracking import -------------------------------------------------------------------------------------------


def test_import_gbk_csv_with_reordered_and_extra_columns_PROD_10(world, dw):
    queue(world, dw)
    queue(world, dw, reference="TB-2", lines=[(dw.dress, 1)])
    ds.export_for_supplier(world.people["manager"], dw.jia)
    data = gbk_csv(
        [
            ["备注", "快递单号", "收件人", "订单号", "快递公司"],
            ["已发", "SF1234567890", "张三丰", "TB-1", "顺丰速运"],
            ["", "YT9876543210", "张三丰", "TB-2", "圆通"],
        ]
    )
    result = ds.import_tracking(world.people["warehouse"], dw.jia, data, "回单.csv")
    assert (result.rows, result.updated, result.unchanged, result.errors) == (2, 2, 0, [])
    tb1 = DropshipOrder.objects.get(reference="TB-1", supplier=dw.jia)
    assert (tb1.state, tb1.carrier, tb1.tracking_no) == ("shipped", "顺丰速运", "SF1234567890")
    assert tb1.shipped_at and Event.objects.filter(object_id=str(tb1.pk), kind="dropship_shipped").exists()
    assert DropshipOrder.objects.get(reference="TB-1", supplier=dw.yi).state == "pending"  # 乙厂's, not in file
    again = ds.import_tracking(world.people["warehouse"], dw.jia, data, "回单.csv")
    assert (again.updated, again.unchanged, again.errors) == (0, 2, [])


def test_import_reports_a_missing_column_by_name_PROD_10(world, dw):
    data = gbk_csv([["订单号", "快递公司", "备注"], ["TB-1", "顺丰", ""]])
    with pytest.raises(DomainError) as err:
        ds.import_tracking(world.people["warehouse"], dw.jia, data, "回单.csv")
    assert err.value.code == "missing_column" and "快递单号" in err.value.message


def test_import_keeps_good_rows_and_reports_each_bad_row_with_its_line_PROD_10(world, dw):
    queue(world, dw)  # TB-1: 甲厂 (dress) and 乙厂 (hat)
    queue(world, dw, reference="TB-2", lines=[(dw.dress, 1)])
    queue(world, dw, reference="TB-3", lines=[(dw.dress, 1)])
    queue(world, dw, reference="TB-4", lines=[(dw.dress, 1)])
    manager = world.people["manager"]
    ds.export_for_supplier(manager, dw.jia)
    ds.import_tracking(
        manager, dw.jia, gbk_csv([["订单号", "快递公司", "快递单号"], ["TB-3", "中通", "ZT000111222"]]), "a.csv"
    )
    ds.cancel_dropship(manager, DropshipOrder.objects.get(reference="TB-4"))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [
        ["店铺", "订单号", "快递公司", "快递单号"],
        ["甲店", "TB-1", "顺丰", "SF1111111111"],  # line 2: good
        ["甲店", "NOPE-9", "顺丰", "SF2222222222"],  # line 3: unknown
        ["甲店", "TB-2", "顺丰", ""],  # line 4: empty tracking
        ["甲店", "TB-3", "中通", "ZT999999999"],  # line 5: shipped with another number
        ["甲店", "TB-4", "顺丰", "SF3333333333"],  # line 6: cancelled
        ["甲店", "TB-2", "韵达", 4312345678901.0],  # line 7: good (a number cell)
    ]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    result = ds.import_tracking(manager, dw.jia, out.getvalue(), "回单.xlsx")
    assert (result.rows, result.updated, result.unchanged) == (6, 2, 0)
    lines = dict(result.errors)
    assert sorted(lines) == [3, 4, 5, 6]
    assert "NOPE-9" in lines[3] and "不是 甲厂 的代发订单" in lines[3]
    assert "快递单号为空" in lines[4]
    assert "已发货" in lines[5] and "ZT000111222" in lines[5]
    assert "已取消" in lines[6]
    assert DropshipOrder.objects.get(reference="TB-1", supplier=dw.jia).tracking_no == "SF1111111111"
    assert DropshipOrder.objects.get(reference="TB-2").tracking_no == "4312345678901"
    assert DropshipOrder.objects.get(reference="TB-3").tracking_no == "ZT000111222"  # not overwritten


def test_import_does_not_reach_orders_of_another_supplier_or_shop_PROD_10(world, dw):
    queue(world, dw, shop=world.shop_b, reference="JD-1")
    data = gbk_csv([["订单号", "快递公司", "快递单号"], ["JD-1", "顺丰", "SF5555555555"]])
    cs_a = world.people["warehouse"]  # shop_a only
    result = ds.import_tracking(cs_a, dw.jia, data, "x.csv")
    assert result.updated == 0 and result.errors[0][0] == 2
    result = ds.import_tracking(world.people["manager"], dw.yi, data, "x.csv")  # 乙厂's order is the hat
    assert result.updated == 1
    assert DropshipOrder.objects.get(supplier=dw.jia).state == "pending"


# ---- pages and API ---------------------------------------------------------------------------------------------


def test_page_masks_receivers_for_roles_without_buyer_data_TEAM_5_PROD_10(world, dw, client_for):
    (dress_order, _hat) = queue(world, dw)
    keeper = client_for(world.people["warehouse"]).get("/purchasing/dropship/")
    assert keeper.status_code == 200
    body = keeper.content.decode()
    assert "138****1234" in body and "广东省深圳市南山区****" in body and "张**" in body
    assert PHONE not in body and STREET not in body
    assert "TB-1" in body
    detail = client_for(world.people["warehouse"]).get(f"/purchasing/dropship/{dress_order.pk}/").content.decode()
    assert PHONE not in detail and "138****1234" in detail and "JA-01" in detail
    cs = client_for(world.people["cs"]).get("/purchasing/dropship/").content.decode()  # cs may see buyer data
    assert PHONE in cs and STREET in cs
    api = client_for(world.people["warehouse"]).get("/api/v1/dropship-orders").json()
    assert api["items"][0]["receiver_phone"] == "138****1234" and api["items"][0]["masked"] is True
    assert client_for(world.people["designer"]).get("/purchasing/dropship/").status_code == 403


def test_outsider_does_not_see_another_shops_dropship_orders_PROD_10(world, dw, client_for):
    (dress_order, _hat) = queue(world, dw)
    queue(world, dw, shop=world.shop_b, reference="JD-7", lines=[(dw.hat, 1)])
    outsider = client_for(world.outsider)
    body = outsider.get("/purchasing/dropship/").content.decode()
    assert "JD-7" in body and "TB-1" not in body
    assert outsider.get(f"/purchasing/dropship/{dress_order.pk}/").status_code == 404
    api = outsider.get("/api/v1/dropship-orders").json()
    assert [i["reference"] for i in api["items"]] == ["JD-7"]
    assert outsider.get(f"/api/v1/dropship-orders/{dress_order.pk}").status_code == 404


def test_page_tabs_and_the_import_result_with_row_errors_PROD_10(world, dw, client_for):
    queue(world, dw)
    client = client_for(world.people["warehouse"])
    page = client.get("/purchasing/dropship/")
    assert {k: n for k, _l, n, _h in page.context["tabs"]} == {"pending": 2, "sent": 0, "shipped": 0, "cancelled": 0}
    upload = SimpleUploadedFile(
        "回单.csv",
        gbk_csv([["订单号", "快递单号", "快递公司"], ["TB-1", "SF1234567890", "顺丰"], ["TB-9", "SF1", "顺丰"]]),
    )
    resp = client.post("/purchasing/dropship/import/", {"supplier": dw.jia.pk, "file": upload})
    assert resp.status_code == 302
    page = client.get(resp["Location"])
    result = page.context["result"]
    assert (result["updated"], result["failed"]) == (1, 1) and result["errors"][0][0] == 3
    assert "TB-9" in page.content.decode()
    shipped = client.get("/purchasing/dropship/?state=shipped")
    assert [r["order"].reference for r in shipped.context["rows"]] == ["TB-1"]
    assert client.get("/purchasing/dropship/").context["result"] is None  # shown once
    # The missing-column error comes back as the result, not a crash.
    bad = SimpleUploadedFile("x.csv", gbk_csv([["订单号", "物流"], ["TB-1", "x"]]))
    page = client.get(client.post("/purchasing/dropship/import/", {"supplier": dw.jia.pk, "file": bad})["Location"])
    assert "快递公司" in page.context["result"]["error"]
    assert client_for(world.people["cs"]).post("/purchasing/dropship/import/", {}).status_code == 403


def test_cancel_from_the_order_page_PROD_10(world, dw, client_for):
    (dress_order, _hat) = queue(world, dw)
    client = client_for(world.people["warehouse"])
    resp = client.post(f"/purchasing/dropship/{dress_order.pk}/cancel/", {"note": "买家退款"})
    assert resp.status_code == 302
    dress_order.refresh_from_db()
    assert dress_order.state == "cancelled"
    assert Event.objects.filter(object_id=str(dress_order.pk), kind="dropship_cancelled", note="买家退款").exists()
    with pytest.raises(DomainError):
        ds.cancel_dropship(world.people["warehouse"], dress_order)
    outsider = client_for(world.outsider)
    assert outsider.post(f"/purchasing/dropship/{dress_order.pk}/cancel/").status_code == 403


def test_api_import_tracking_multipart_PROD_10(world, dw, client_for):
    queue(world, dw)
    client = client_for(world.people["manager"])
    upload = SimpleUploadedFile("r.csv", "订单号,快递公司,快递单号\nTB-1,顺丰,SF1234567890\n".encode())
    resp = client.post("/api/v1/dropship-orders/import-tracking", {"supplier_id": dw.jia.pk, "file": upload})
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"rows": 1, "updated": 1, "unchanged": 0, "failed": 0, "errors": []}


def test_receiver_address_is_masked_to_the_district_only_TEAM_5(world, dw):
    order = queue(world, dw)[0]
    shown = ds.present_receiver(order, world.people["warehouse"])
    assert shown["masked"] and shown["address"] == "广东省深圳市南山区****"
    assert ds.present_receiver(order, world.people["manager"])["address"] == order.receiver_address


def test_import_page_and_api_refuse_a_png_renamed_xlsx_PROD_10(world, dw, client_for):
    import io as _io

    from PIL import Image

    out = _io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    queue(world, dw)
    client = client_for(world.people["manager"])
    hostile = SimpleUploadedFile("回单.xlsx", out.getvalue())
    page = client.get(client.post("/purchasing/dropship/import/", {"supplier": dw.jia.pk, "file": hostile})["Location"])
    assert page.context["result"]["error"].startswith("不是有效的 XLSX 文件")
    api = client.post(
        "/api/v1/dropship-orders/import-tracking",
        {"supplier_id": dw.jia.pk, "file": SimpleUploadedFile("回单.xlsx", out.getvalue())},
    )
    assert api.status_code == 400 and api.json()["message"].startswith("不是有效的 XLSX 文件")
    assert not DropshipOrder.objects.filter(state="shipped").exists()
