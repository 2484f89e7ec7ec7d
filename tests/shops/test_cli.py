"""`zhanggui shop add|list` (SHOP-1): the same service as the pages, with clear errors."""

import io

import pytest
from django.core.management import CommandError, call_command

from zhanggui.core.models import Event
from zhanggui.shops.models import Shop


def run(*args):
    out = io.StringIO()
    call_command("shop", *args, stdout=out)
    return out.getvalue()


def test_shop_add_creates_the_shop_SHOP_1(db):
    output = run("add", "--code", "tb-main", "--platform", "taobao", "--name", "我的淘宝店")
    shop = Shop.objects.get(code="tb-main")
    assert (shop.platform_id, shop.name) == ("taobao", "我的淘宝店")
    assert "tb-main" in output
    assert Event.objects.filter(shop=shop, kind="created", actor__isnull=True).exists()


def test_shop_add_with_a_type(db):
    run("add", "--code", "tm-main", "--platform", "tmall", "--name", "旗舰店", "--type", "flagship")
    assert Shop.objects.get(code="tm-main").shop_type == "flagship"
    with pytest.raises(CommandError) as info:
        run("add", "--code", "tm-two", "--platform", "tmall", "--name", "店", "--type", "personal")
    assert "旗舰店" in str(info.value)  # lists the types that exist on Tmall


def test_duplicate_shop_code_is_a_clear_command_error_SHOP_1(db):
    run("add", "--code", "tb-main", "--platform", "taobao", "--name", "我的淘宝店")
    with pytest.raises(CommandError) as info:
        run("add", "--code", "tb-main", "--platform", "jd", "--name", "另一个")
    assert "tb-main" in str(info.value)
    assert Shop.objects.get(code="tb-main").platform_id == "taobao"


def test_unknown_platform_is_a_command_error_listing_the_platforms_SHOP_1(db):
    with pytest.raises(CommandError) as info:
        run("add", "--code", "dy-1", "--platform", "douyin", "--name", "抖音店")
    message = str(info.value)
    assert "douyin" in message
    assert "taobao" in message and "pdd" in message
    assert not Shop.objects.filter(code="dy-1").exists()


def test_shop_list_prints_code_platform_name_lines_SHOP_1(db):
    run("add", "--code", "tb-main", "--platform", "taobao", "--name", "我的淘宝店")
    run("add", "--code", "jd-main", "--platform", "jd", "--name", "京东店")
    lines = run("list").splitlines()
    assert lines == ["jd-main\tjd\t京东店", "tb-main\ttaobao\t我的淘宝店"]


def test_shop_list_of_no_shops_prints_nothing(db):
    assert run("list") == ""
