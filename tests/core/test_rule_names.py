"""Rule 6: pages name a rule in plain Chinese; its ID (SHIP-3) stays in the code and in a tooltip."""

import re

from zhanggui.core.registry import all_definitions
from zhanggui.core.rules import RULE_NAMES, rule_name

BARE = re.compile(r">[^<]*\b(SHIP|SHOP|ORD|PROD|INV|PUR)-\d+\b[^<]*<")  # an ID in text, not in an attribute


def test_every_setting_rule_has_a_plain_name_rule_6():
    assert {d.rule for d in all_definitions()} <= set(RULE_NAMES)
    assert rule_name("SHIP-3") == "快递选择"
    assert rule_name("PROD-7 · PROD-8") == "商品定位 · 生命周期"


def test_settings_and_pricing_pages_show_names_with_the_id_as_tooltip_rule_6(world, client_for):
    manager = client_for(world.people["manager"])
    body = manager.get(f"/shops/{world.shop_a.pk}/settings/").content.decode()
    assert 'title="SHIP-3">快递选择<' in body
    assert not BARE.search(body), BARE.search(body).group(0)
    company = manager.get("/shops/company-settings/").content.decode()
    assert not BARE.search(company), BARE.search(company).group(0)
