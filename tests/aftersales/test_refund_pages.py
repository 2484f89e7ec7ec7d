"""The refund-list import from the page, the API and the CLI (AS-2), and postage recorded per case (AS-3)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import policy
from zhanggui.channels import refund_samples as samples
from zhanggui.shops.settings_store import update_settings

from .setup import open_case

pytestmark = pytest.mark.django_db


def _file(asw, refund_id="W1", amount="50.00", status="退款成功"):
    row = {"id": refund_id, "order": asw.shipped.platform_order_no, "amount": amount, "status": status}
    return samples.taobao([row])


def test_the_page_imports_shows_the_result_and_the_bad_rows(asw, client_for):
    client = client_for(asw.cs)
    page = client.get("/aftersales/refunds/import/")
    assert page.status_code == 200 and "refund-import-form" in page.content.decode()
    assert "refund-import-link" in client.get("/aftersales/").content.decode()
    data = samples.taobao([
        {"id": "W1", "order": asw.shipped.platform_order_no, "amount": "50.00", "status": "退款成功"},
        {"id": "W2", "order": asw.shipped.platform_order_no, "amount": "999.00", "status": "等待卖家同意"},
    ])  # fmt: skip
    upload = SimpleUploadedFile("退款管理.csv", data)
    resp = client.post("/aftersales/refunds/import/", {"shop": asw.world.shop_a.pk, "files": [upload]})
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-count="created">1<' in html
    assert "超过了实付金额" in html and "refund-import-errors" in html
    template = client.get("/aftersales/refunds/template/")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_the_page_refuses_a_shop_outside_the_scope(asw, client_for):
    outsider = asw.world.outsider  # works for shop_b only
    resp = client_for(outsider).post(
        "/aftersales/refunds/import/", {"shop": asw.world.shop_a.pk, "files": [SimpleUploadedFile("a.csv", _file(asw))]}
    )
    assert resp.status_code == 400 and "请选择要导入的店铺" in resp.content.decode()
    assert not Case.objects.filter(platform_refund_id="W1").exists()


def test_the_warehouse_cannot_import_refunds(asw, client_for):
    assert client_for(asw.world.people["warehouse"]).get("/aftersales/refunds/import/").status_code == 403


def test_the_api_imports_with_the_same_scope(asw, client_for):
    client = client_for(asw.cs)
    resp = client.post(
        "/api/v1/aftersales/refund-imports",
        {"shop_id": asw.world.shop_a.pk, "files": [SimpleUploadedFile("a.csv", _file(asw))]},
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["created"] == 1 and body["failed"] == 0 and body["formats"] == ["淘宝/天猫 退款管理导出"]
    again = client.post(
        "/api/v1/aftersales/refund-imports",
        {"shop_id": asw.world.shop_a.pk, "files": [SimpleUploadedFile("a.csv", _file(asw))]},
    )
    assert again.json()["unchanged"] == 1 and again.json()["created"] == 0
    other = client_for(asw.world.outsider).post(
        "/api/v1/aftersales/refund-imports",
        {"shop_id": asw.world.shop_a.pk, "files": [SimpleUploadedFile("a.csv", _file(asw))]},
    )
    assert other.status_code == 404
    case = Case.objects.get(platform_refund_id="W1")
    detail = client.get(f"/api/v1/aftersales/cases/{case.pk}").json()
    assert detail["platform_status"] == "退款成功" and detail["platform_refund_id"] == "W1"


def test_the_cli_prints_a_json_summary_last(asw, tmp_path):
    path = tmp_path / "退款管理.csv"
    path.write_bytes(_file(asw))
    out = io.StringIO()
    call_command("import-refunds", "--shop", "tb-a", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert json.loads(lines[-1]) == {"created": 1, "updated": 0, "unchanged": 0, "failed": 0, "orders_closed": 0,
                                     "rows": 1}  # fmt: skip
    out = io.StringIO()
    call_command("import-refunds", "--shop", "tb-a", str(path), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["unchanged"] == 1
    with pytest.raises(CommandError, match="找不到店铺"):
        call_command("import-refunds", "--shop", "nope", str(path), stdout=io.StringIO())


def test_as3_postage_defaults_recorded_per_case_and_shown(asw, client_for):
    """AS-3: returns paid by the buyer, exchanges split half and half — recorded on the case when opened."""
    ret = open_case(asw, kind="return_refund")
    exchange = open_case(asw, kind="exchange")
    assert (ret.postage_payer, exchange.postage_payer) == ("buyer", "split")
    refund = open_case(asw, kind="refund_shipped", requested_refund_fen=100)
    assert refund.postage_payer == ""
    page = client_for(asw.cs).get(f"/aftersales/{ret.pk}/").content.decode()
    assert "case-postage" in page and "AS-3" in page
    assert client_for(asw.cs).get(f"/api/v1/aftersales/cases/{exchange.pk}").json()["postage_payer"] == "split"


def test_as3_shop_setting_feeds_a_new_shops_policy_and_the_case_keeps_its_payer(asw):
    from zhanggui.shops.services import create_shop

    shop = create_shop(None, code="tb-new", platform="taobao", name="新店")
    update_settings(None, shop, {"aftersales.return_postage": "seller"})
    assert policy.ensure_policy(shop).return_postage == "seller"
    case = open_case(asw, kind="return_refund")
    first = case.postage_payer
    current = policy.ensure_policy(asw.world.shop_a)
    policy.save_policy(asw.manager, asw.world.shop_a, text=current.text, return_window_days=7,
                       clauses="吊牌完好", return_postage="seller", exchange_postage="split",
                       repair_terms="", note="改", version=current.number)  # fmt: skip
    case.refresh_from_db()
    assert policy.postage_payer(case) == first == "buyer"
