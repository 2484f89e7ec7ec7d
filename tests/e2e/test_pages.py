"""End-to-end: the demo company in a real browser (Debian Chromium + Playwright), at 1366×768.

Each test logs in through the real login form of the live server and leaves full-page screenshots
in test-artifacts/screenshots/ for a human to look at.
"""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CJK = re.compile(r"[\u4e00-\u9fff]")
MASKED_PHONE = re.compile(r"^(1\d\d\*\*\*\*\d{4}|0\d\d\*+\d{4})$")  # mobiles; landlines keep area code, last 4
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def assert_chinese(text: str, what: str) -> None:
    assert CJK.search(text), f"{what} is not in Chinese (is the zh_Hans catalogue compiled?): {text!r}"


def submit_and_wait(page, selector: str):
    with page.expect_navigation():
        page.click(selector)
    return page


def test_manager_home_switch_shop_and_settings(demo, page, login, shot):
    """店长: real figures, the shop switcher scopes the lists, settings validate in Chinese and land in the timeline."""
    from zhanggui.core.models import Event
    from zhanggui.crm.models import Customer
    from zhanggui.shops.models import Shop
    from zhanggui.shops.settings_store import get_setting

    page.goto("/login/")
    assert_chinese(page.locator("form").inner_text(), "the login form")
    shot(page, "login")

    login(page, "A001")
    assert page.url.endswith("/")
    sales = page.locator("#sales tbody tr")
    assert sales.count() == Shop.objects.count()  # the day's sales per shop (ui.md: the manager's home)
    assert_chinese(page.locator("#block-sales").inner_text(), "the home figures")
    shot(page, "home-manager")

    # The shop switcher: choosing a shop reloads the page, which then shows that shop.
    shop = Shop.objects.get(code="jd-qinghe")
    with page.expect_navigation():
        page.select_option("#shop-select", shop.code)
    assert page.locator("#shop-select").input_value() == shop.code
    assert shop.name in page.locator("#shop-select option:checked").inner_text()
    assert page.locator("#sales tbody tr").count() == 1
    assert page.locator("#sales tbody tr").get_attribute("data-shop") == shop.code

    page.goto("/customers/")
    assert page.locator("#shop-select").input_value() == shop.code
    assert page.locator(".zg-side .nav-item.active").count() == 1
    assert page.locator(".zg-side .nav-item.active").get_attribute("href") == "/customers/"
    rows = page.locator("#customer-table tbody tr")
    expected = Customer.objects.filter(shop=shop).count()
    assert expected and rows.count() == min(expected, 50)  # 50 a page: the demo's buyers come from its orders (CRM-1)
    shop_cells = rows.locator("td:first-child").all_inner_texts()
    assert all(text.strip().endswith(shop.name) for text in shop_cells), shop_cells
    other = Customer.objects.exclude(shop=shop).exclude(buyer_nick="").values_list("buyer_nick", flat=True)
    table_text = page.locator("#customer-table").inner_text()
    assert not [nick for nick in other if nick in table_text]

    # The settings page of the selected shop, reached from the shop tabs.
    page.goto("/shops/")
    shot(page, "shops")
    page.click(f".status-tabs a[href='/shops/{shop.pk}/settings/']")
    page.wait_for_load_state()
    assert page.url.endswith(f"/shops/{shop.pk}/settings/")
    field = page.locator("[name='service.hours_start']")
    assert field.input_value() == "09:00"

    # An impossible time: a Chinese error right next to the field, nothing saved (the demo's own setting changes,
    # such as finance's packaging cost, stay as they were).
    changes_before = Event.objects.filter(shop=shop, kind="setting_changed").count()
    field.fill("25:99")
    submit_and_wait(page, "#settings-form button:not([type=button])")
    cell = page.locator("td", has=page.locator("[name='service.hours_start']"))
    error = cell.locator("[data-error-for='service.hours_start']")
    assert error.is_visible()
    assert_chinese(error.inner_text(), "the error next to the field")
    assert "is-invalid" in (field.get_attribute("class") or "")
    assert field.input_value() == "25:99"
    assert_chinese(page.locator(".alert-danger").first.inner_text(), "the error message at the top")
    assert get_setting(shop, "service.hours_start") == "09:00"
    assert Event.objects.filter(shop=shop, kind="setting_changed").count() == changes_before
    shot(page, "settings-invalid")

    # A valid time: saved, confirmed, and visible in the timeline on the same page.
    field.fill("08:30")
    submit_and_wait(page, "#settings-form button:not([type=button])")
    assert page.url.endswith(f"/shops/{shop.pk}/settings/")
    success = page.locator(".alert-success")
    assert success.is_visible()
    assert_chinese(success.inner_text(), "the success message")
    assert page.locator("[name='service.hours_start']").input_value() == "08:30"
    assert get_setting(shop, "service.hours_start") == "08:30"
    entry = page.locator("#timeline li").first
    assert "A001" in entry.inner_text()
    assert entry.locator("del").inner_text() == "09:00"
    assert entry.locator("ins").inner_text() == "08:30"
    assert Event.objects.filter(shop=shop, kind="setting_changed").count() == changes_before + 1
    shot(page, "settings-saved")


def test_warehouse_sees_masked_phones_and_no_settings(demo, new_page, login, shot):
    """库管: phones masked, no full number anywhere, settings refused with a Chinese 403; 店长 sees the number."""
    from zhanggui.crm.models import Customer
    from zhanggui.shops.models import Shop

    page = login(new_page(), "A007")
    page.goto("/customers/")
    assert page.locator("#masked-note").is_visible()
    phones = [p.strip() for p in page.locator("#customer-table td[data-phone]").all_inner_texts()]
    assert phones, "the warehouse keeper sees no customers"
    bad = [p for p in phones if not MASKED_PHONE.fullmatch(p)]
    assert not bad, f"unmasked phones shown to the warehouse: {bad}"
    body = page.locator("body").inner_text()
    assert not FULL_MOBILE.search(body), "a full mobile number is visible to the warehouse keeper"
    shot(page, "customers-warehouse-masked")

    # a buyer with a platform account (the newest customers may be PDD buyers, known by their receiver only)
    customer = Customer.objects.exclude(buyer_nick="").order_by("pk").first()
    nick = customer.buyer_nick
    page.goto(f"/customers/?q={nick}")
    first_row = page.locator("#customer-table tbody tr").first
    masked = first_row.locator("td[data-phone]").inner_text().strip()
    assert masked == f"{customer.phone[:3]}****{customer.phone[-4:]}"

    shop = Shop.objects.get(code="tb-qinghe")
    response = page.goto(f"/shops/{shop.pk}/settings/")
    assert response.status == 403
    refusal = page.locator("main .alert").inner_text()
    assert_chinese(refusal, "the 403 page")
    assert page.locator("[name='service.hours_start']").count() == 0
    shot(page, "forbidden-warehouse")

    manager = login(new_page(), "A001")
    manager.goto(f"/customers/?q={nick}")
    row = manager.locator("#customer-table tbody tr", has_text=nick)
    assert row.count() == 1
    assert row.locator("td[data-phone]").inner_text().strip() == customer.phone
    assert manager.locator("#masked-note").count() == 0
    manager.goto("/customers/")
    shot(manager, "customers-manager")


def test_wrong_password_five_times_locks_the_login(demo, page, login, shot):
    """Five wrong passwords lock the staff number on this computer; even the right one is refused then."""
    from axes.models import AccessAttempt

    for attempt in range(1, 5):
        login(page, "A002", "wrong-password", expect_home=False)
        assert page.locator("#id_password").is_visible(), f"attempt {attempt} did not return to the form"
        assert_chinese(page.locator(".alert-danger").inner_text(), "the wrong-password message")
    login(page, "A002", "wrong-password", expect_home=False)
    assert page.locator("#id_password").count() == 0
    locked = page.locator(".alert-danger").inner_text()
    assert_chinese(locked, "the locked message")
    assert "15" in locked
    shot(page, "login-locked")
    login(page, "A002", expect_home=False)
    assert page.locator("#whoami").count() == 0, "a locked staff number could still log in"
    assert AccessAttempt.objects.filter(username="A002").exists()


def test_api_token_created_once_then_revoked(demo, page, login, shot):
    """API tokens: the key is shown once after creating it, then the token can be revoked."""
    from zhanggui.core.models import ApiToken

    login(page, "A001")
    page.goto("/me/tokens/")
    page.fill("#id_name", "ERP 同步脚本")
    submit_and_wait(page, "form:has(#id_name) button")
    key = page.locator("#new-token .key-once").inner_text().strip()
    token = ApiToken.objects.get(user__number="A001", name="ERP 同步脚本")
    assert key.startswith(token.prefix) and len(key) > len(token.prefix)
    row = page.locator("#token-table tbody tr", has_text="ERP 同步脚本")
    assert row.count() == 1
    shot(page, "tokens")

    page.goto("/me/tokens/")
    assert page.locator("#new-token").count() == 0
    assert key not in page.content(), "the key is shown a second time"

    page.once("dialog", lambda dialog: dialog.accept())
    submit_and_wait(page, "#token-table tbody tr:has-text('ERP 同步脚本') button")
    assert_chinese(page.locator(".alert-success").inner_text(), "the revoke message")
    token.refresh_from_db()
    assert not token.is_active
    assert page.locator("#token-table tbody tr", has_text="ERP 同步脚本").locator("button").count() == 0
    shot(page, "tokens-revoked")


def test_manager_team_duties_page(demo, page, login, shot):
    """The duties page shows the duties the demo leaves without an owner (TEAM-2)."""
    from zhanggui.team.models import Duty
    from zhanggui.workbench.demo import UNOWNED

    login(page, "A001")
    page.goto("/team/duties/")
    alert = page.locator("#unowned-duties")
    for title in UNOWNED:
        assert title in alert.inner_text()
    shot(page, "duties")

    # Give one of them an owner by ticking the person and saving that row.
    title = "客户回访"
    row = page.locator("tr", has=page.get_by_text(title, exact=True))
    row.locator("label", has_text="A003").click()
    submit_and_wait(page, f"tr:has(td:text-is('{title}')) button")
    assert page.locator(".alert-success").is_visible()
    assert title not in page.locator("#unowned-duties").inner_text()
    duty = Duty.objects.get(title=title)
    assert list(duty.owners.values_list("number", flat=True)) == ["A003"]
