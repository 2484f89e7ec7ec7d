"""FIN-3 fund arrival pages, CLI and API: finance imports a statement and sees the queues; other roles and other
shops are refused."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.finance.test_funds import order, statement
from zhanggui.finance.models import StatementEntry


@pytest.fixture
def shop(world):
    s = world.shop_a
    order(s, "4000000000000001", 12900)
    order(s, "4000000000000002", 9900, refund=2000)
    order(s, "4000000000000003", 5000)
    order(s, "4000000000000004", 6600, done_days=28)
    return s


def test_finance_imports_a_statement_on_the_page_and_sees_the_mismatches_FIN_3(shop, world, client_for):
    client = client_for(world.people["finance"])
    upload = SimpleUploadedFile("账务明细.csv", statement(), content_type="text/csv")
    answer = client.post("/finance/funds/import/", {"shop": shop.code, "files": [upload]})
    page = answer.content.decode()
    assert answer.status_code == 200 and 'data-count="created">8<' in page
    funds = client.get("/finance/funds/").content.decode()
    assert "已付款未到账" in funds and "4000000000000004" in funds and "¥66.00" in funds
    assert 'data-count="mismatch">1<' in funds and 'data-count="unmatched">1<' in funds
    mism = client.get("/finance/funds/?tab=mismatch").content.decode()
    assert "4000000000000003" in mism and "-¥10.00" in mism
    unm = client.get(f"/finance/funds/?tab=unmatched&shop={shop.code}").content.decode()
    assert "T200P4999999999999999" in unm


def test_the_page_refuses_a_shop_outside_the_scope_FIN_3(shop, world, client_for):
    client = client_for(world.people["finance"])
    upload = SimpleUploadedFile("a.csv", statement(), content_type="text/csv")
    answer = client.post("/finance/funds/import/", {"shop": world.shop_b.code, "files": [upload]})
    assert answer.status_code == 400 and not StatementEntry.objects.exists()


@pytest.mark.parametrize("role", ["cs", "warehouse", "marketing"])
def test_other_roles_may_not_see_fund_arrival_FIN_3(world, client_for, role):
    client = client_for(world.people[role])
    assert client.get("/finance/funds/").status_code == 403
    assert client.get("/api/v1/finance/funds").status_code in (401, 403)


def test_cli_imports_and_ends_with_a_json_summary_FIN_3(shop, tmp_path):
    path = tmp_path / "账务明细.csv"
    path.write_bytes(statement())
    out = io.StringIO()
    call_command("import-statement", str(path), shop=shop.code, stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["created"] == 8 and summary["mismatch"] == 1 and summary["unmatched"] == 1
    out = io.StringIO()
    call_command("import-statement", str(path), shop=shop.code, stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 0


def test_api_imports_and_lists_the_queues_in_scope_FIN_3(shop, world, client_for):
    client = client_for(world.people["finance"])
    upload = SimpleUploadedFile("a.csv", statement(), content_type="text/csv")
    answer = client.post("/api/v1/finance/statements", {"shop": shop.code, "files": [upload]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 8
    body = client.get("/api/v1/finance/funds?tab=mismatch").json()
    assert body["counts"] == {"no_arrival": 1, "mismatch": 1, "unmatched": 1}
    assert body["rows"][0]["difference_fen"] == -1000
    assert client.get(f"/api/v1/finance/funds?shop={world.shop_b.code}").status_code == 404
    upload = SimpleUploadedFile("a.csv", statement(), content_type="text/csv")
    assert client.post("/api/v1/finance/statements", {"shop": world.shop_b.code, "files": [upload]}).status_code == 404


def test_the_finance_home_lists_fund_arrival_beside_the_courier_bills_FIN_3(world, client_for):
    page = client_for(world.people["finance"]).get("/finance/").content.decode()
    assert "资金到账" in page
