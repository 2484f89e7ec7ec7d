"""AS-7 reviews: the tolerant import of the platforms' review exports (idempotent, re-rating moves the review), the
taobao.traderates.get shape, the 中差评 moves, replies with templates and batch assign."""

import io
import json

import pytest

from zhanggui.aftersales.models import ReplyTemplate, Review
from zhanggui.aftersales.services import review_imports as imp
from zhanggui.aftersales.services import reviews as svc
from zhanggui.aftersales.services.errors import CaseInputError
from zhanggui.channels.formats import reviews as fmt
from zhanggui.core.errors import DomainError

TB_HEADER = "评价时间,评价结果,评价内容,会员名,宝贝标题,订单编号,商家编码,解释内容"


def tb_csv(asw, rows, encoding="utf-8-sig") -> bytes:
    body = "\n".join([TB_HEADER, *rows]) + "\n"
    return body.encode(encoding)


def tb_rows(asw, bad="差评"):
    no = asw.shipped.platform_order_no
    return [
        f"2026-11-20 10:00:00,{bad},裙子起球了,tb_买家,碎花连衣裙,{no},D-黑-M,",
        f"2026-11-20 11:00:00,好评,很好,tb_买家,纯棉T恤,{no},T-灰-M,谢谢亲",
        "2026-11-21 09:00:00,中评,一般,路人甲,纯棉T恤,9999000011112222,,",
    ]


def test_as7_import_taobao_export_creates_reviews_matched_to_order_lines(asw):
    result = imp.import_files(None, asw.world.shop_a, [("评价.csv", tb_csv(asw, tb_rows(asw)))])
    assert (result.created, result.failed) == (3, 0)
    bad = Review.objects.get(text="裙子起球了")
    assert (bad.rating, bad.state, bad.order_id) == ("bad", "to_contact", asw.shipped.pk)
    assert bad.order_line.outer_code == "D-黑-M"
    good = Review.objects.get(text="很好")
    assert (good.state, good.reply_text) == ("", "谢谢亲")
    assert Review.objects.get(text="一般").order_id is None  # unknown order: kept, not matched


def test_as7_same_file_twice_creates_nothing(asw):
    data = tb_csv(asw, tb_rows(asw))
    imp.import_files(None, asw.world.shop_a, [("a.csv", data)])
    again = imp.import_files(None, asw.world.shop_a, [("a.csv", data)])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Review.objects.count() == 3


def test_as7_gbk_and_xlsx_variants_are_read(asw):
    result = imp.import_files(None, asw.world.shop_a, [("gbk.csv", tb_csv(asw, tb_rows(asw), "gb18030"))])
    assert result.created == 3
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(fmt.TEMPLATE_HEADERS))
    ws.append(["R-1", asw.shipped.platform_order_no, "T-灰-M", "纯棉T恤", "差评", "色差", "tb_买家",
               "2026-11-22 08:00", "", ""])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    result = imp.import_files(None, asw.world.shop_a, [("模板.xlsx", out.getvalue())])
    assert result.created == 1
    assert Review.objects.get(platform_review_id="R-1").order_line.outer_code == "T-灰-M"


def test_as7_rating_changed_to_good_moves_to_changed_and_back(asw):
    shop = asw.world.shop_a
    imp.import_files(None, shop, [("a.csv", tb_csv(asw, tb_rows(asw)))])
    review = Review.objects.get(text="裙子起球了")
    svc.move(asw.cs, review, "contacted")
    result = imp.import_files(None, shop, [("b.csv", tb_csv(asw, tb_rows(asw, bad="好评")))])
    assert (result.created, result.updated) == (0, 1)
    review.refresh_from_db()
    assert (review.rating, review.first_rating, review.state) == ("good", "bad", "changed")
    assert review.closed_at is not None
    imp.import_files(None, shop, [("c.csv", tb_csv(asw, tb_rows(asw, bad="差评")))])
    review.refresh_from_db()
    assert (review.rating, review.state) == ("bad", "to_contact")


def test_as7_bad_rows_reported_by_line_good_rows_kept(asw):
    rows = [*tb_rows(asw), "2026-11-21 09:00:00,超好,?,x,x,123,,", "昨天,差评,?,x,x,124,,", "2026-11-21,差评,?,x,x,,,"]
    result = imp.import_files(None, asw.world.shop_a, [("a.csv", tb_csv(asw, rows))])
    assert (result.created, result.failed) == (3, 3)
    assert "第 5 行" in result.errors[0] and "评价结果“超好”无法识别" in result.errors[0]
    assert "第 6 行" in result.errors[1] and "评价时间" in result.errors[1]
    assert "第 7 行" in result.errors[2] and "缺少评价ID和订单编号" in result.errors[2]


def test_as7_another_platforms_export_or_not_a_review_file_is_refused_whole(asw):
    jd = "评论ID,订单号,商品名称,商品评分,评价内容,用户昵称,评价时间\nJ1,1,裙,1,差,u,2026-11-20 10:00\n".encode()
    with pytest.raises(DomainError, match="京东的评价导出"):
        imp.import_files(None, asw.world.shop_a, [("ok.csv", tb_csv(asw, tb_rows(asw))), ("jd.csv", jd)])
    assert Review.objects.count() == 0  # the good file was not half-imported either
    with pytest.raises(DomainError, match="缺少“评价结果、评价时间”列"):
        imp.import_files(None, asw.world.shop_a, [("x.csv", "订单编号,金额\n1,2\n".encode())])


def test_as7_jd_stars_map_to_ratings(asw):
    rows = "评论ID,订单号,商品名称,商品评分,评价内容,用户昵称,评价时间\n" + "\n".join(
        f"J{s},{asw.other_shop.platform_order_no},裙,{s},t,u,2026-11-20 10:00" for s in range(1, 6)
    )
    imp.import_files(None, asw.world.shop_b, [("jd.csv", rows.encode("gb18030"))])
    got = dict(Review.objects.values_list("platform_review_id", "rating"))
    assert got == {"J1": "bad", "J2": "neutral", "J3": "neutral", "J4": "good", "J5": "good"}


def test_as7_traderates_api_shape(asw):
    payload = {"traderates_get_response": {"trade_rates": {"trade_rate": [
        {"tid": asw.shipped.platform_order_no, "oid": "O1", "result": "bad", "content": "慢", "nick": "n",
         "created": "2026-11-20 10:00:00", "item_title": "碎花连衣裙"},
        {"tid": "", "result": "good", "created": "2026-11-20 10:00:00"},
    ]}}}  # fmt: skip
    good, bad = fmt.parse_traderates(json.loads(json.dumps(payload)))
    assert len(good) == 1 and bad[0].line == 2
    imp.import_parsed(None, asw.world.shop_a, good)
    review = Review.objects.get(platform_review_id="O1")
    assert (review.rating, review.state, review.order_line.title) == ("bad", "to_contact", "碎花连衣裙")


def _one_bad(asw) -> Review:
    imp.import_files(None, asw.world.shop_a, [("a.csv", tb_csv(asw, tb_rows(asw)))])
    return Review.objects.get(text="裙子起球了")


def test_as7_moves_on_the_timeline_with_staff_number(asw):
    from zhanggui.core.events import timeline_for

    review = _one_bad(asw)
    svc.move(asw.cs, review, "contacted", note="电话联系")
    with pytest.raises(CaseInputError, match="无法改评请写明原因"):
        svc.move(asw.cs, review, "unchangeable")
    with pytest.raises(DomainError, match="不能改为"):
        svc.move(asw.cs, review, "to_contact")
    svc.move(asw.cs, review, "unchangeable", note="买家不回复")
    events = list(timeline_for(review))
    assert events[0].actor == asw.cs and events[0].to_state == "无法改评"


def test_as7_reply_with_template_variables_and_close(asw):
    review = _one_bad(asw)
    tpl = svc.save_template(asw.manager, name="致歉", text="{买家}您好，{商品}（订单{订单号}）给您添麻烦了 {x}")
    text = svc.render(tpl.text, review)
    assert text == f"tb_买家您好，碎花连衣裙（订单{asw.shipped.platform_order_no}）给您添麻烦了 {{x}}"
    svc.reply(asw.cs, review, text, then="changed")
    review.refresh_from_db()
    assert (review.reply_text, review.state) == (text, "changed") and review.replied_at
    with pytest.raises(CaseInputError, match="已有名为"):
        svc.save_template(asw.manager, name="致歉", text="x")
    assert ReplyTemplate.objects.count() == 1


def test_as7_stale_version_refused(asw):
    review = _one_bad(asw)
    svc.move(asw.cs, review, "contacted")
    with pytest.raises(DomainError, match="已被他人修改"):
        svc.reply(asw.cs, review, "hi", version=1)


def test_as7_batch_assign_only_to_staff_of_the_shop(asw):
    review = _one_bad(asw)
    assert svc.assign(asw.manager, [review.pk], asw.cs, shops=[asw.world.shop_a]) == 1
    with pytest.raises(CaseInputError, match="不负责店铺"):
        svc.assign(asw.manager, [review.pk], asw.world.outsider, shops=[asw.world.shop_a])
    review.refresh_from_db()
    assert review.owner == asw.cs


def test_as7_whoever_works_an_unassigned_review_takes_it(asw):
    review = _one_bad(asw)
    assert review.owner is None
    svc.move(asw.cs, review, "contacted")
    review.refresh_from_db()
    assert review.owner == asw.cs
