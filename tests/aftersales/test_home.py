"""The 售后 role's home page (AS-6, AS-7): the after-sales queues with counts and the age of the oldest, each linking
to the queue tab listing exactly those rows; a count registered by another part (the 中差评 queue) appears in the
block; the home page stays within its query budget."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.aftersales import queues
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import cases
from zhanggui.aftersales.services import review_imports as imp
from zhanggui.core import clock

from .setup import open_case

State = Case.State


def _count(html, key) -> str:
    import re

    return re.search(rf'data-count="aftersales:{key}">([^<]*)<', html).group(1).strip()


def test_the_cs_home_shows_the_after_sales_queues_with_counts_as_6(asw, client_for):
    open_case(asw)  # new
    cases.move(asw.cs, open_case(asw, kind=Case.Kind.EXCHANGE), State.WAITING_RETURN)
    late = open_case(asw, kind=Case.Kind.CONSULT, lines=[])
    Case.objects.filter(pk=late.pk).update(follow_up_at=clock.now() - dt.timedelta(hours=2),
                                           escalated_at=clock.now())  # fmt: skip
    html = client_for(asw.cs).get("/").content.decode()
    assert 'id="block-aftersales"' in html or 'data-block="aftersales"' in html
    counts = {k: _count(html, k) for k in ("new", "waiting_buyer", "waiting_return", "overdue", "escalated")}
    assert counts == {"new": "2", "waiting_buyer": "0", "waiting_return": "1", "overdue": "1", "escalated": "1"}
    assert "/aftersales/?tab=pending&amp;state=new" in html and "/aftersales/?tab=escalated" in html
    # the figure is the number of rows the link lists
    listed = client_for(asw.cs).get("/aftersales/?tab=pending&state=new").content.decode()
    assert listed.count('name="case"') == 2


def test_a_registered_count_such_as_bad_reviews_joins_the_block_as_7(asw, client_for):
    registered = queues._REGISTERED.get("bad_reviews")
    queues.register_home_count("bad_reviews", "中差评待处理", count=lambda user, shops: 7, url="/aftersales/",
                               perm="aftersales.view_case", position=60)  # fmt: skip
    try:
        html = client_for(asw.cs).get("/").content.decode()
        assert _count(html, "bad_reviews") == "7" and "中差评待处理" in html
    finally:
        queues._REGISTERED["bad_reviews"] = registered


def test_the_home_counts_the_bad_reviews_still_to_handle_as_7(asw, client_for):
    """AS-7: the 中差评 imported and not yet handled are a figure of the 售后 home, linked to their queue; a review
    changed to positive leaves it."""
    from .test_reviews import tb_csv, tb_rows

    imp.import_files(None, asw.world.shop_a, [("评价.csv", tb_csv(asw, tb_rows(asw)))])  # one 差评, one 中评
    html = client_for(asw.cs).get("/").content.decode()
    assert _count(html, "bad_reviews") == "2" and "/aftersales/reviews/" in html
    imp.import_files(None, asw.world.shop_a, [("评价.csv", tb_csv(asw, tb_rows(asw, bad="好评")))])
    assert _count(client_for(asw.cs).get("/").content.decode(), "bad_reviews") == "1"


def test_the_block_costs_one_query_whatever_the_number_of_cases_as_6(asw):
    for _ in range(3):
        open_case(asw, kind=Case.Kind.CONSULT, lines=[])
        cases.move(asw.cs, Case.objects.filter(state=State.NEW).first(), State.DONE)
    with CaptureQueriesContext(connection) as ctx:
        rows = queues.home_counts(asw.cs, [asw.world.shop_a])
    assert len(ctx.captured_queries) <= 2 and [r.key for r in rows][:5] == [
        "new", "waiting_buyer", "waiting_return", "overdue", "escalated"]  # fmt: skip
