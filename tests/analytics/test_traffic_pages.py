"""DATA-1, DATA-3, DATA-4 on the pages and the API: the traffic page (import, manual entry, table with shares),
the targets page (manager), the dashboard's conversion, UV/PV cards, target bars and diagnosis — same permissions
and shop scope everywhere."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.analytics.test_diagnosis import MARCH, _load
from tests.analytics.test_traffic import SYCM
from zhanggui.analytics.models import ShopDayFact, ShopDayTraffic, Target
from zhanggui.core import clock
from zhanggui.core.services import create_api_token

RANGE = {"from": "2026-03-01", "to": "2026-03-02"}


def _upload(text=SYCM, name="流量.csv"):
    return SimpleUploadedFile(name, text.encode("gbk"))


def test_data1_marketing_imports_on_the_page_and_again_changes_nothing(world, client_for):
    client = client_for(world.people["marketing"])
    url = reverse("analytics:traffic") + "?from=2026-03-01&to=2026-03-02"
    html = client.post(url, {"action": "import", "shop": world.shop_a.pk, "file": _upload()}).content.decode()
    assert 'data-count="created">2<' in html and "生意参谋" in html
    html = client.post(url, {"action": "import", "shop": world.shop_a.pk, "file": _upload()}).content.decode()
    assert 'data-count="unchanged">2<' in html
    assert 'data-day="2026-03-01"' in html  # shares of the day: paid 253 of 432 = 58.6 %
    assert "58.6%" in html


def test_data1_page_refuses_other_platform_and_other_shop(world, client_for):
    client = client_for(world.people["marketing"])
    pdd = "日期,商品浏览量,商品访客数\n2026-03-01,100,50\n"
    answer = client.post(reverse("analytics:traffic"), {"action": "import", "shop": world.shop_a.pk,
                                                        "file": _upload(pdd)})  # fmt: skip
    assert answer.status_code == 400 and "整份文件未导入" in answer.content.decode()
    answer = client.post(reverse("analytics:traffic"), {"action": "import", "shop": world.shop_b.pk,
                                                        "file": _upload()})  # fmt: skip
    assert answer.status_code == 400 and "请选择店铺" in answer.content.decode()  # not their shop
    assert not ShopDayTraffic.objects.exists()


def test_data1_manual_entry_on_the_page(world, client_for):
    client = client_for(world.people["manager"])
    form = {"action": "manual", "shop": world.shop_a.pk, "day": "2026-03-05", "pv": "900", "uv": "400",
            "returning_permille": "11.12", "paid": "120"}  # fmt: skip
    assert client.post(reverse("analytics:traffic"), form).status_code == 302
    row = ShopDayTraffic.objects.get()
    assert (row.uv, row.returning_permille, row.paid, row.source) == (400, 111, 120, "manual")
    answer = client.post(reverse("analytics:traffic"), {**form, "uv": "-5"})
    assert answer.status_code == 400 and "访客数" in answer.content.decode()
    assert ShopDayTraffic.objects.get().uv == 400


def test_data1_who_sees_and_who_edits(world, client_for):
    assert client_for(world.people["cs"]).get(reverse("analytics:traffic")).status_code == 403
    html = client_for(world.people["finance"]).get(reverse("analytics:traffic")).content.decode()
    assert 'id="traffic-table"' in html and "traffic-import-form" not in html  # finance reads, does not import
    assert client_for(world.people["finance"]).get(reverse("analytics:traffic_template")).status_code == 403
    template = client_for(world.people["marketing"]).get(reverse("analytics:traffic_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_data3_manager_sets_targets_and_absurd_values_are_refused(world, client_for):
    client = client_for(world.people["manager"])
    answer = client.post(reverse("analytics:targets"), {"shop": world.shop_a.pk, "month-sales": "50000",
                                                        "year-uv": "-5"})  # fmt: skip
    html = answer.content.decode()
    assert answer.status_code == 400 and "年度访客数目标" in html and "is-invalid" in html
    assert not Target.objects.exists()  # nothing half-written
    answer = client.post(reverse("analytics:targets"), {"shop": world.shop_a.pk, "month-sales": "50000"})
    assert answer.status_code == 302 and Target.objects.get().value == 5_000_000
    marketing = client_for(world.people["marketing"])  # reads the targets, cannot set them
    html = marketing.get(reverse("analytics:targets")).content.decode()
    assert "disabled" in html and "targets-save" not in html
    assert (
        marketing.post(reverse("analytics:targets"), {"shop": world.shop_a.pk, "month-sales": "1"}).status_code == 403
    )
    assert client_for(world.people["cs"]).get(reverse("analytics:targets")).status_code == 403


def test_data2_data3_data4_dashboard_conversion_targets_and_diagnosis(world, client_for):
    today = clock.today()
    first = today.replace(day=1)
    for k in range((today - first).days + 1):
        day = first + dt.timedelta(days=k)
        ShopDayFact.objects.create(shop=world.shop_a, day=day, orders=3, buyers=3, gmv_fen=30000)
        ShopDayTraffic.objects.create(shop=world.shop_a, day=day, pv=150, uv=100, paid=70, free=20, direct=10)
    Target.objects.create(shop=world.shop_a, period="month", first_day=first, measure="sales", value=10**9)
    client = client_for(world.people["manager"])
    query = {"shop": "tb-a", "from": first.isoformat(), "to": today.isoformat()}
    html = client.get(reverse("analytics:home"), query).content.decode()
    assert 'data-value="conversion">3.00%<' in html  # orders ÷ UV
    assert 'data-value="uv">' in html and 'data-kpi="pv"' in html
    assert 'data-target="month-sales" data-behind="1"' in html and "bg-danger" in html
    assert 'data-rule="paid_over_half"' in html and 'data-rule="low_pages_per_visit"' in html


def test_data1_data3_data4_api_same_rights_and_scope(world, client):
    _load(world.shop_a)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(world.people['marketing'], 'bi')[1]}"}
    rows = client.get("/api/v1/analytics/traffic", {"from": "2026-03-01", "to": "2026-03-29"}, **auth).json()
    assert len(rows) == 29 and rows[0]["shop"] == "tb-a" and rows[0]["uv"] == 432
    assert client.get("/api/v1/analytics/traffic", {"shop": "jd-b"}, **auth).status_code == 404
    posted = client.post("/api/v1/analytics/traffic", {"shop_id": world.shop_a.pk, "file": _upload()}, **auth)
    assert posted.status_code == 200 and posted.json()["updated"] == 2, posted.content  # S1 days replaced
    other = client.post("/api/v1/analytics/traffic", {"shop_id": world.shop_b.pk, "file": _upload()}, **auth)
    assert other.status_code == 404
    found = client.get("/api/v1/analytics/diagnosis", {"from": MARCH[0], "to": MARCH[-1]}, **auth).json()
    assert [f["rule"] for f in found] == ["low_pages_per_visit", "uv_flat_after_paid", "paid_over_half",
                                          "low_free_share"]  # fmt: skip
    body = {"shop": "tb-a", "targets": [{"period": "month", "measure": "sales", "value": "1000"}]}
    assert client.put("/api/v1/analytics/targets", body, content_type="application/json", **auth).status_code == 403
    boss = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(world.people['manager'], 'bi')[1]}"}
    answer = client.put("/api/v1/analytics/targets", body, content_type="application/json", **boss)
    assert answer.status_code == 200 and answer.json()["progress"][0]["target"] == 100000
    bad = {"shop": "tb-a", "targets": [{"period": "month", "measure": "sales", "value": "-5"}]}
    answer = client.put("/api/v1/analytics/targets", bad, content_type="application/json", **boss)
    assert answer.status_code == 400 and "销售额目标" in answer.json()["message"]
    assert client.get("/api/v1/analytics/targets", **auth).json()["progress"][0]["measure"] == "sales"
    cs = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(world.people['cs'], 'x')[1]}"}
    assert client.get("/api/v1/analytics/diagnosis", **cs).status_code == 403
