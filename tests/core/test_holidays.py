"""Business days need the official calendar of the year (rule 5 of the house; SHIP-2's cut-off, PROD-9's holiday
events): chinese-calendar 1.11.0 knows years up to 2026 only, so the manager enters a year it does not know from
the State Council's notice, and the home page warns while the coming year has no calendar."""

import datetime as dt
import re

import pytest

from zhanggui.catalog.rules_pricing import check_price
from zhanggui.core import clock, holidays
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.core.models import OfficialCalendar

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
FORM = {
    "year": "2027",
    "holidays": "元旦 2027-01-01\n国庆节 2027-10-01~2027-10-07",
    "workdays": "2027-09-26, 2027-10-09",
    "source": NOTICE,
}


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    clock.forget_entered()
    yield
    clock.forget_entered()


def test_the_package_does_not_know_2027_so_only_weekends_are_off(db):
    assert not clock.package_knows(2027) and not clock.calendar_known(2027)
    assert clock.is_business_day(D(2027, 10, 1))  # a Friday: nothing says it is 国庆节 yet
    assert clock.calendar_known(2026)


def test_the_home_page_warns_the_manager_when_the_coming_year_has_no_calendar(world, client_for, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2026, 12, 7))
    home = client_for(world.people["manager"]).get("/").content.decode()
    assert 'id="calendar-missing"' in home and "2027 年的法定节假日安排尚未录入" in home
    assert "/company/holidays/?year=2027" in home
    assert 'id="calendar-missing"' not in client_for(world.people["cs"]).get("/").content.decode()
    monkeypatch.setattr(clock, "today", lambda: D(2026, 6, 1))  # before the notice is due: no warning
    assert 'id="calendar-missing"' not in client_for(world.people["manager"]).get("/").content.decode()


def test_the_manager_enters_2027_and_business_days_follow_it(world, client_for, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2026, 12, 7))
    manager = client_for(world.people["manager"])
    assert manager.get("/company/holidays/").status_code == 200
    assert client_for(world.people["cs"]).get("/company/holidays/").status_code == 403
    assert manager.post("/company/holidays/", FORM).status_code == 302
    assert not clock.is_business_day(D(2027, 10, 1)) and clock.holiday_name(D(2027, 10, 4)) == "National Day"
    assert clock.is_business_day(D(2027, 9, 26)) and D(2027, 9, 26).weekday() == 6  # 调休: a Sunday worked
    assert not clock.is_business_day(D(2027, 1, 1))
    assert clock.add_business_days(D(2027, 9, 30), 1) == D(2027, 10, 8)
    calendar = OfficialCalendar.objects.get(year=2027)
    assert NOTICE in timeline_for(calendar).get().note and calendar.source == NOTICE
    assert 'id="calendar-missing"' not in manager.get("/").content.decode()
    # PROD-9: the holiday sale event 国庆 runs on the entered days.
    assert check_price(10000, 5000, 0, 70, 10, "国庆", "国庆", on=D(2027, 10, 3)).ok
    assert check_price(10000, 5000, 0, 70, 10, "国庆", "国庆", on=D(2027, 10, 12)).refused
    # The form shows what was entered.
    page = manager.get("/company/holidays/?year=2027").content.decode()
    assert "国庆 2027-10-01~2027-10-07" in page and NOTICE in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": "2026"}, "2026 年的节假日已由 chinese-calendar 提供"),
        ({"source": ""}, "This field is required|这个字段是必填项"),
        ({"holidays": "国庆节 10月1日"}, "第 1 行格式不对"),
        ({"holidays": "店庆 2027-09-01"}, "“店庆”不是法定节日"),
        ({"workdays": "2027-10-02"}, "既是放假又是调休上班"),
    ],
)
def test_a_wrong_calendar_is_refused_in_chinese(world, client_for, changes, message):
    response = client_for(world.people["manager"]).post("/company/holidays/", {**FORM, **changes})
    assert response.status_code == 400
    assert re.search(message, response.content.decode())
    assert not OfficialCalendar.objects.exists()


def test_save_year_replaces_the_year(world):
    holidays.save_year(world.people["manager"], 2027, "国庆 2027-10-01~2027-10-07", "", NOTICE)
    holidays.save_year(world.people["manager"], 2027, "国庆 2027-10-02~2027-10-08", "", NOTICE + "（更正）")
    assert clock.is_business_day(D(2027, 10, 1)) and not clock.is_business_day(D(2027, 10, 8))
    with pytest.raises(DomainError, match="请注明来源"):
        holidays.save_year(world.people["manager"], 2027, "国庆 2027-10-01", "", " ")
