"""The demo company: 杭州青禾服饰 with one shop per platform, a full team and believable buyers.

Everything goes through the services (so the timeline is real) and is idempotent: running it again
creates nothing twice. Each app's `demo` module loads its own part; this one runs them in layer order and hands
them what they need (people, the buyers' names and addresses from data/buyers.json), so no app's demo imports
another's orchestration.
"""

import datetime as dt
import json
import os
import random
from pathlib import Path

from django.db import transaction

from zhanggui.aftersales.demo import load_aftersales
from zhanggui.analytics.demo import load_analytics
from zhanggui.catalog.demo import load_catalog
from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.crm.models import Customer
from zhanggui.crm.services import create_customer
from zhanggui.finance.demo import load_finance
from zhanggui.finance.funds_demo import load_funds
from zhanggui.fulfilment.demo import load_fulfilment
from zhanggui.inventory.demo import load_inventory
from zhanggui.orders.demo import Buyers, load_orders
from zhanggui.purchasing.demo import load_purchasing
from zhanggui.shops import services as shops
from zhanggui.shops.models import OpeningChecklist, Shop
from zhanggui.shops.settings_store import update_settings
from zhanggui.team import services as team
from zhanggui.team.models import Duty, Staff

_BUYERS = json.loads((Path(__file__).parent / "data" / "buyers.json").read_text(encoding="utf-8"))
ADDRESSES = [tuple(a) for a in _BUYERS["addresses"]]  # (province, city, district, street)
FAMILY = _BUYERS["family"]  # one family name per character
GIVEN = _BUYERS["given"]
TAGS = _BUYERS["tags"]

DEMO_PASSWORD = os.environ.get("ZHANGGUI_DEMO_PASSWORD", "zhanggui-demo")

SHOPS = [
    {
        "code": "tb-qinghe",
        "platform": "taobao",
        "name": "青禾原创女装",
        "shop_type": "enterprise",
        "category": "女装/连衣裙",
        "style": "文艺简约",
        "target_customers": "25–35 岁都市女性",
        "price_band": "¥129–¥399",
        "service_hours": "09:00–23:00",
        "reply_promise": "旺旺 30 秒内回复，留言与邮件 8 小时内回复",
        "announcement": "双12 预热中：全店满 299 减 30，12 月 10 日前付款当天发货。",
        "buyer_notice": "1. 16:00 前付款当天发货，默认申通，偏远地区请联系客服。\n"
        "2. 支持 7 天无理由退换，退货运费由买家承担。\n"
        "3. 尺码不确定请先咨询客服，告知身高体重。",
    },
    {
        "code": "tm-qinghe",
        "platform": "tmall",
        "name": "青禾旗舰店",
        "shop_type": "flagship",
        "category": "女装",
        "style": "轻通勤",
        "target_customers": "一二线城市白领",
        "price_band": "¥199–¥699",
        "service_hours": "08:30–24:00",
        "reply_promise": "在线客服 15 秒内响应，邮件 8 小时内回复",
        "announcement": "天猫官方旗舰店，正品保障，支持运费险。",
        "buyer_notice": "发票随货寄出；定制款不支持无理由退货。",
    },
    {
        "code": "jd-qinghe",
        "platform": "jd",
        "name": "青禾女装京东旗舰店",
        "shop_type": "pop",
        "category": "女装/外套",
        "style": "简约",
        "target_customers": "注重品质与时效的买家",
        "price_band": "¥199–¥599",
        "service_hours": "09:00–22:00",
        "reply_promise": "咚咚 1 分钟内回复",
    },
    {
        "code": "pdd-qinghe",
        "platform": "pdd",
        "name": "青禾优选",
        "shop_type": "enterprise",
        "category": "女装/T恤",
        "style": "基础百搭",
        "target_customers": "价格敏感的年轻女性",
        "price_band": "¥39–¥129",
        "service_hours": "08:00–23:00",
        "reply_promise": "3 分钟内回复",
    },
    {
        "code": "own-hz",
        "platform": "own",
        "name": "青禾杭州门店",
        "shop_type": "offline",
        "category": "女装",
        "style": "文艺简约",
        "target_customers": "门店与微信老客",
        "price_band": "¥129–¥699",
        "service_hours": "10:00–21:00",
        "reply_promise": "微信 10 分钟内回复",
    },
]

ONLINE = ["tb-qinghe", "tm-qinghe", "jd-qinghe", "pdd-qinghe"]
STAFF = [
    {"number": "A001", "name": "王丽", "roles": ["manager"], "shops": []},
    {"number": "A002", "name": "陈静", "roles": ["cs"], "shops": ["tb-qinghe", "tm-qinghe"]},
    {"number": "A003", "name": "刘洋", "roles": ["cs"], "shops": ["jd-qinghe", "pdd-qinghe", "own-hz"]},
    {"number": "A004", "name": "赵敏", "roles": ["designer"], "shops": ONLINE},
    {"number": "A005", "name": "郑晓", "roles": ["editor", "designer"], "shops": ONLINE},
    {"number": "A006", "name": "孙浩", "roles": ["marketing"], "shops": ONLINE},
    {"number": "A007", "name": "周强", "roles": ["warehouse"], "shops": [s["code"] for s in SHOPS]},
    {"number": "A008", "name": "吴芳", "roles": ["finance"], "shops": [s["code"] for s in SHOPS]},
    # DATA-6: the agency's client (代运营客户) of the Taobao shop: its weekly reports and dashboard, nothing else
    {"number": "A009", "name": "林总（客户）", "roles": ["client"], "shops": ["tb-qinghe"]},
]
# Duties deliberately left without an owner so the TEAM-2 page has something to show.
UNOWNED = {"站外推广（论坛、群、微博）", "客户回访"}

OPENING_DONE = {"tb-qinghe": None, "tm-qinghe": 4, "jd-qinghe": None, "pdd-qinghe": 3, "own-hz": None}


def load_demo(stdout=None) -> dict:
    """Create the demo company (once). Returns the logins to print."""
    rng = random.Random(20261123)
    with transaction.atomic():
        created_shops = []
        for spec in SHOPS:
            if not Shop.objects.filter(code=spec["code"]).exists():
                created_shops.append(shops.create_shop(None, **spec))
        by_code = {s.code: s for s in Shop.objects.all()}

        for spec in STAFF:
            if not Staff.objects.filter(number=spec["number"]).exists():
                team.create_staff(
                    None,
                    number=spec["number"],
                    name=spec["name"],
                    roles=spec["roles"],
                    shops=[by_code[c] for c in spec["shops"]],
                    password=DEMO_PASSWORD,
                    phone=f"1390571{spec['number'][1:]:0>4}",
                )
        manager = Staff.objects.get(number="A001")

        for duty in Duty.objects.select_related("role__group").prefetch_related("owners"):
            if duty.title in UNOWNED or duty.owners.exists():
                continue
            holders = list(Staff.objects.filter(groups=duty.role.group, is_active=True).order_by("number")[:1])
            if holders:
                team.set_duty_owners(manager, duty, holders)

        today = clock.today()
        for code, done_steps in OPENING_DONE.items():
            shop = by_code[code]
            if OpeningChecklist.objects.filter(shop=shop).exists():
                continue
            started = today - dt.timedelta(days=40 if done_steps is None else 12)
            checklist = shops.start_opening_checklist(manager, shop, started_on=started)
            steps = list(checklist.steps.all())
            for step in steps[: len(steps) if done_steps is None else done_steps]:
                shops.complete_opening_step(manager, step, done_on=min(step.due_on, today))

        if created_shops:
            update_settings(
                manager, by_code["tm-qinghe"], {"service.hours_start": "08:30", "service.hours_end": "23:59"}
            )
            update_settings(manager, by_code["pdd-qinghe"], {"service.reply_promise_hours": "4"})

        now = clock.now()
        for shop in by_code.values():
            existing = set(Customer.objects.filter(shop=shop).values_list("buyer_nick", flat=True))
            for n in range(14):
                # Draw every value before the existence check so a re-run draws the same sequence.
                nick = f"{shop.platform_id}_{rng.choice('abcdefghjkmnpqrstuvwxyz')}{rng.randint(1000, 9999)}"
                province, city, district, street = rng.choice(ADDRESSES)
                name = rng.choice(FAMILY) + rng.choice(GIVEN)
                phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
                tags = rng.choice(TAGS)
                hours = rng.randint(0, 12)
                if nick in existing:
                    continue
                customer = create_customer(
                    manager,
                    shop,
                    buyer_nick=nick,
                    name=name,
                    phone=phone,
                    province=province,
                    city=city,
                    district=district,
                    address=street,
                    tags=tags,
                )
                # Spread sign-up dates over the past weeks so lists and charts look like a running business.
                when = now - dt.timedelta(days=(n * 2) % 28, hours=hours)
                Customer.objects.filter(pk=customer.pk).update(created_at=when)
                Event.objects.filter(object_id=str(customer.pk), kind="created", content_type__model="customer").update(
                    at=when
                )

        # The catalogue (PROD-1): a few hundred products with their SKU grids and a few 组合装, created by the
        # editor A005 in bulk.
        catalog = load_catalog(Staff.objects.get(number="A005"))

        # Stock (INV-1, INV-2, INV-4): two warehouses with bins, home bins and the opening balance, posted by the
        # warehouse keeper A007 through the stock services.
        inventory = load_inventory(Staff.objects.get(number="A007"))

        # Purchasing (PUR-1..4, INV-3, INV-5, INV-6, PROD-10): suppliers, purchase orders in every state, slips
        # received through the quality check, exchanges, last month's stocktake, returns and dropship orders.
        purchasing = load_purchasing(*(Staff.objects.get(number=n) for n in ("A001", "A007", "A008")))

        # Orders (ORD-1..9): ~3,000 orders imported from generated export files of the four marketplace shops, in
        # every state and exception queue, then reviewed, shipped, held, closed, remarked and flagged by the team;
        # a phone order, a 补发 and a bank transfer waiting for finance.
        orders = load_orders(
            *(Staff.objects.get(number=n) for n in ("A001", "A002", "A003", "A008")),
            buyers=Buyers(addresses=ADDRESSES, family=FAMILY, given=GIVEN),
        )

        # Shipping (SHIP-1..5): carrier accounts with number pools; the approved orders' packages printed in a
        # batch, scanned and weighed, shipped, tracked and billed by the warehouse keeper A007.
        shipping = load_fulfilment(Staff.objects.get(number="A001"), Staff.objects.get(number="A007"))

        # After-sales (AS-1..AS-6): a policy per marketplace shop and ~25 cases in every type and state, worked by
        # customer service A002 (Taobao, Tmall) and A003 (JD, PDD); the overdue ones escalated to the manager.
        aftersales = load_aftersales(*(Staff.objects.get(number=n) for n in ("A001", "A002", "A003")))

        # Sales facts (DATA-2): the dashboard's daily figures per shop and SKU, from the orders above; the weekly
        # reports of the last four weeks (DATA-6).
        analytics = load_analytics()

        # Finance (FIN-1, FIN-2): commission rates, packaging per shop, costs of the last months, one month closed.
        load_finance(Staff.objects.get(number="A001"))
        # Fund arrival (FIN-3): an Alipay statement of the first Taobao shop with three mismatches for finance.
        funds = load_funds(Staff.objects.get(number="A001"))

    return {
        "password": DEMO_PASSWORD,
        "logins": [
            (s.number, s.name, "、".join(s.groups.values_list("name", flat=True)))
            for s in Staff.objects.filter(number__in=[p["number"] for p in STAFF]).order_by("number")
        ],
        "shops": Shop.objects.count(),
        "customers": Customer.objects.count(),
        "products": catalog["products"],
        "skus": catalog["skus"],
        "stock_levels": inventory["levels"],
        "suppliers": purchasing["suppliers"],
        "orders": orders["orders"],
        "packages": shipping["packages"],
        "cases": aftersales["cases"],
        "shop_days": analytics["shop_days"],
        "statement_lines": funds["statement_lines"],
        "traffic_days": analytics["traffic_days"],
        "targets": analytics["targets"],
    }
