"""Pages speak the shop's language (rule 6, rule 9): the demo company, crawled from the manager's home page, shows
no stored code (payment method, waybill source, tracking source, e-waybill service, platform status keys, document
keys like order:2406, money in fen on the timeline) and no bare rule ID (SHIP-3) — each reaches the page through
its Chinese label or the rule's plain name (the ID stays in a tooltip)."""

from django.test import Client

from zhanggui.catalog.models import Sku
from zhanggui.orders.models import Order
from zhanggui.orders.services.manual import create_manual_order
from zhanggui.shops.models import OpeningStep, Shop
from zhanggui.shops.services import update_opening_step
from zhanggui.team.models import Staff
from zhanggui.team.services import sync_roles
from zhanggui.workbench.demo import load_demo

from .page_text import codes_shown, crawl, rule_ids_shown, stored_codes


def _extras(manager) -> list[str]:
    """What the demo does not hold yet: a manual order paid by Alipay, deposits edited on opening checklists."""
    own = Shop.objects.get(code="own-hz")
    sku = Sku.objects.filter(is_combo=False, stock_levels__on_hand__gte=5).order_by("pk").first()
    order = create_manual_order(
        manager,
        own,
        receiver_name="张三",
        receiver_phone="13800001111",
        address="浙江省杭州市西湖区文三路 1 号",
        lines=[(sku, 1, 9900)],
        payment_method="alipay",
    )
    urls = [f"/orders/{order.pk}/"]
    for step in OpeningStep.objects.filter(amount_fen__gt=0).select_related("checklist__shop"):
        update_opening_step(manager, step, amount_fen=step.amount_fen // 2)  # e.g. 1000000 → 500000 (fen)
        urls.append(f"/shops/{step.checklist.shop_id}/")
    return urls


def test_the_demo_pages_show_labels_not_codes_nor_rule_ids_rule_6_rule_9(db):
    """Rule 9 / INV-2 / SHIP-1 / SHIP-4 / ORD-5: payment method, waybill source, tracking source, e-waybill service,
    platform status keys, document keys and money in fen reach the pages through their Chinese labels; rule 6:
    settings, pricing and to-dos name the rule in plain Chinese (the ID stays in a tooltip). One demo load, one
    crawl as the manager A001 (the demo takes a while to build)."""
    sync_roles()
    load_demo()
    manager = Staff.objects.get(number="A001")
    starts = ["/", *_extras(manager)]
    assert Order.objects.filter(payment_method="alipay").exists()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    pages = crawl(client, starts)
    codes = stored_codes()

    urls = {url for url, _text in pages}
    main = ("/", "/orders/", "/stock/ledger/", "/shipping/waybills/", "/shipping/tracking/", "/shops/platforms/")
    assert set(main) <= urls, sorted(urls)
    assert len(pages) >= 80
    assert {"alipay", "pool", "file", "cainiao", "paid"} <= codes

    found = codes_shown(pages, codes)
    assert not found, "\n".join(f"{code}: {sorted(where)[:3]}" for code, where in sorted(found.items()))
    rules = rule_ids_shown(pages)
    assert not rules, "\n".join(f"{rule}: {sorted(where)[:4]}" for rule, where in sorted(rules.items()))
