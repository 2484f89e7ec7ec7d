"""Hostile numbers, generated from the pages' own forms and the OpenAPI schema (rule 7 of the house; the bounds of
core.bounds): 2^31 (past PostgreSQL's integer), 2^63 (past SQLite's), -1 and 10^30 go into every numeric field of
every form a page shows and of every write API route. None may answer 500, and none may write anything — a typo
is refused whole, with its Chinese message, before it reaches the database. Run on SQLite and on PostgreSQL.

Forms are read from the HTML a manager sees (tests/page_forms.py), so a new form is covered without editing this
file; the few numbers that only a page's script posts (the packing station's scale) are listed in SCRIPTED, and
`test_every_post_page_is_covered` fails for a POST page that neither a form nor SCRIPTED reaches."""

import datetime as dt
import json
import re
import uuid
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.urls import resolve, reverse

from tests import test_access_matrix as matrix
from tests.page_forms import page_forms
from tests.test_access_matrix import page_routes
from tests.test_hostile_input import _resolve, json_write_routes
from zhanggui.core.services import create_api_token

samples, browser = matrix.samples, matrix.browser
# 2^31 − 1 fits every column: only the services' business bounds (core.bounds) can refuse it.
HOSTILE = [2**31, 2**63, -1, 10**30, 2**31 - 1]
IDS = ["2^31", "2^63", "-1", "10^30", "2^31-1"]
# A box for a number, by its name: the last word (before a row number) is a quantity, money, weight or count.
NUMBER_NAME = re.compile(
    r"(^|[_.-])(qty|quantity|counted|faulty|count|price|amount|postage|discount|transport|cost|fee|weight|\w+_g|"
    r"\w+_yuan|min_qty|max_qty|lead_time_days|first_order_sets|year|percent|vip)([_-]\d+)?$"
)
NUMERIC_VALUE = re.compile(r"^-?\d+(\.\d+)?$")
# Fields where -1 is a meaning, not a typo: a stock adjustment takes away (INV-2), a count scan takes back one
# piece scanned too many (INV-6).
NEGATIVE_MEANS_SOMETHING = {("POST", "/api/v1/stock-adjustments", "qty"), ("POST", "inventory:stocktake_scan", "qty")}
# Tables a request writes whatever its input: the session, a token's last use.
VOLATILE_TABLES = {"django_session", "core_apitoken"}
# Pages whose numbers only a script posts (no <form> to read): url name → (URL kwargs, numeric fields, other
# fields); a value naming a sample object ("package_id") is that object's id.
SCRIPTED = {
    "fulfilment:scan_weigh": ((), ["weight"], {"package": "package_id", "reason": ""}),  # the packing scale
    "inventory:stocktake_scan": (("stocktake_id",), ["qty"], {"code": "sku_code"}),  # the count scanner
    # INV-5: the inspection form shows only after a scan found the case (tests/aftersales/test_returns_pages.py
    # sends these numbers to a case waiting for its return too)
    "aftersales:return_receive": (("case_id",), ["intact_1", "damaged_1", "wrong_1", "missing_1"], {"version": ""}),
    # AS-4: the claim forms show only on a 丢件/破损 case (the matrix's sample case is a return)
    "aftersales:claim": (("case_id",), ["claimed"], {"reason": "lost", "waybill_no": "ZT1"}),
    "aftersales:claim_move": (("case_id",), ["paid"], {"claim": "claim_id", "to": "paid"}),
}
# POST-only pages no form of the walk reaches (their buttons show in other states), and why no typed number.
NO_NUMBERS = {
    "aftersales:take_back": "a button: the case's version only",
    "aftersales:unclaimed_keep": "INV-5: shown after an unknown scan; a waybill (text), a shop id and photos",
    "aftersales:step": "a button: the step's name and a note (AS-4, only on a 丢件/破损 case)",
    "catalog:image_sold_out": "a button: image ids",
    "finance:cost_delete": "a button: the cost entry in the URL (FIN-2)",
    "fulfilment:message_sent": "a button: a message id",
    "fulfilment:scan_code": "a scanned code (text) and the package id",
    "fulfilment:ship": "package checkboxes: ids",
    "inventory:stocktake_approve": "a button: the stocktake's note",
    "inventory:stocktake_send_back": "a button: the stocktake's note",
    "inventory:stocktake_start": "a button",
    "job_resume": "a button: the job in the URL",
    "orders:custom_step": "buttons and text: the order's version",
    "orders:custom_upload": "a file (core.uploads has its own tests)",
    "orders:new_address": "the address preview: text",
    "purchasing:order_problem_resolve": "text and the version",
    "purchasing:order_quote_choose": "a button: the quote id and the version",
    "purchasing:receipt_post": "a button: the slip's version",
    "purchasing:receipt_reopen": "a button: the slip's version",
    "purchasing:supplier_contact_remove": "a button: a contact id",
    "purchasing:supplier_evaluate": "scores chosen from 1 to 5 (the service refuses others) and text",
    "purchasing:supplier_product_preferred": "a button: an item id",
    "purchasing:supplier_product_remove": "a button: an item id",
    "revoke_token": "a button: the token in the URL",
    "shops:opening_start": "a button",
    "team:task_done": "a button and a note",
    "team:unlock": "a button",
}


def _is_reference(field: str) -> bool:
    """An id or a version: a wrong one finds nothing (404, 409) or nothing to do; only a 500 or a write is wrong."""
    return field in ("version", "orders", "0") or field.endswith("_id") or field.isdigit()


def fingerprint() -> dict:
    """Every row of every table (but the volatile ones): what "nothing written" compares."""
    tables = sorted(set(connection.introspection.table_names()) - VOLATILE_TABLES)
    quote = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            out[table] = sorted(map(repr, cursor.fetchall()))
    return out


def changed(before: dict, after: dict) -> list[str]:
    return [t for t in after if before.get(t) != after[t]]


@pytest.fixture
def extra(world, samples):
    """States that show more forms than the access samples: a bank transfer waiting for finance (ORD-5), a purchase
    order comparing quotes and one placed (PUR-2 quotes, PUR-3 payments), a supplier's products page."""
    from zhanggui.catalog.models import Sku
    from zhanggui.orders.services.manual import create_manual_order
    from zhanggui.purchasing.models import PurchaseOrder, Supplier
    from zhanggui.purchasing.services import orders as po_svc

    manager = world.people["manager"]
    sku = Sku.objects.get(pk=samples.shared["sku_id"])
    from zhanggui.inventory.services.stock import receive_stock

    receive_stock(manager, sku, None, 50)
    create_manual_order(
        manager,
        world.shop_a,
        kind="normal",
        receiver_name="王五",
        receiver_phone="13900001111",
        address="浙江省杭州市西湖区文三路 8 号",
        lines=[(sku.code, 1, 5000)],
        paid=True,
        payment_method="bank",
    )
    quoting = po_svc.create_order(manager, lines=[(sku, 2, 100)], reason="比价")
    placed = po_svc.create_order(
        manager, lines=[(sku, 2, 100)], reason="已下单", supplier=Supplier.objects.get(pk=samples.shared["supplier_id"])
    )
    from django.db import transaction

    with transaction.atomic():
        po_svc.transition(po_svc.lock(quoting), PurchaseOrder.State.QUOTING, manager)
    with transaction.atomic():
        po_svc.transition(po_svc.lock(placed), PurchaseOrder.State.ORDERED, manager)
    supplier = samples.shared["supplier_id"]
    return [
        f"/purchasing/{quoting.pk}/",
        f"/purchasing/{placed.pk}/",
        f"/purchasing/suppliers/{supplier}/?section=products",
        "/orders/payments/",
    ]


def _plausible(samples, world) -> dict:
    """What a person types into the boxes a form needs besides the number under test."""
    from zhanggui.catalog.models import Sku

    sku_code = Sku.objects.get(pk=samples.shared["sku_id"]).code
    return {
        "sku": sku_code,
        "code": sku_code,
        "style_code": "NUM-NEW-1",
        "colours": "黑色",
        "sizes": "M",
        "shop": str(world.shop_a.pk),
        "supplier": str(samples.shared["supplier_id"]),
        "receiver_name": "王五",
        "receiver_phone": "13900001111",
        "address": "浙江省杭州市西湖区文三路 8 号",
        "name": "数字测试",
        "title": "数字测试",
        "bank": "工商银行",
        "price": "10",
        "qty": "1",
        "quantity": "1",
        "min_qty": "1",
        "lines": f"{sku_code} 1 10",
        "add_lines": f"{sku_code} 1 10",
        "parts": f"{sku_code}*1",
        "reason": "测试",
        "description": "测试",
        "first_yuan": "5",
        "step_yuan": "2",
        "province_code": "33",
        "start": "1",
    }


def _fill(form, name, value, plausible):
    """The form as a person fills it, with `value` in `name`: empty required boxes get something plausible so the
    number reaches the service (a form refused for its empty name proves nothing about its number)."""
    data = form.data()
    for key, values in data.items():
        if key == name:
            data[key] = [str(value), *values[1:]]
        elif key == "submit_key":
            data[key] = [uuid.uuid4().hex]  # a new form each time: a double-submit key would answer the first one
        elif values and values[0] == "" and (key in plausible or key.startswith("quote_")):
            data[key] = [plausible.get(key, "10"), *values[1:]]  # quote_<line>: a supplier's unit price
    return data


def _numeric_fields(form):
    """[(name, role)] of the form's numbers: "number" — a quantity, price, weight… typed by a person (refused whole
    when absurd: nothing written); "version" — the optimistic lock (a wrong one refuses); "reference" — an id
    in a hidden box or a list (a wrong one finds nothing: only a 500 is wrong)."""
    found = {}
    for f in form.fields:
        if f.name in found or f.name == "csrfmiddlewaretoken":
            continue
        typed = f.kind in ("number", "text", "textarea") and (
            f.kind == "number"
            or f.attrs.get("inputmode") in ("numeric", "decimal")
            or NUMBER_NAME.search(f.name)
            or NUMERIC_VALUE.match(f.value.strip())
        )
        if typed:
            found[f.name] = "number"
        elif f.name == "version":
            found[f.name] = "version"
        elif f.kind in ("hidden", "select", "checkbox", "radio") and f.value.isdigit():
            found[f.name] = "reference"
    return list(found.items())


def _page_forms(client, urls):
    """{(method, action path, field names): (page url, form)} of every form on `urls`."""
    found = {}
    for url in urls:
        for key, form in _forms_of(client, url).items():
            found.setdefault(key, (url, form))
    return found


def _forms_of(client, url) -> dict:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    forms = {}
    for form in page_forms(response.content.decode(), "http://127.0.0.1" + url):
        forms.setdefault((form.method, urlparse(form.action).path, tuple(sorted({f.name for f in form.fields}))), form)
    return forms


def _page_urls(samples, manager):
    urls = []
    for route in page_routes():
        if route.method != "GET" or route.access is None or route.name == "logout":
            continue
        try:
            urls.append(route.url(samples.fill(route.kwargs, manager)))
        except Exception:
            continue
    return urls


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_every_page_form_refuses_hostile_numbers(world, samples, browser, extra, value):
    manager = world.people["manager"]
    client = browser.as_user(manager)
    client.raise_request_exception = False  # a crash is a 500 in the list, not the end of the walk
    plausible = _plausible(samples, world)
    failures, tried = [], 0
    for key, (url, form) in sorted(_page_forms(client, _page_urls(samples, manager) + extra).items()):
        method, action, _names = key
        for name, role in _numeric_fields(form):
            if "version" in form.data():  # the version the page shows now: a stale one would refuse first
                form = _forms_of(client, url).get(key, form)
            before = fingerprint()
            send = client.post if method == "post" else client.get
            response = send(form.action, _fill(form, name, value, plausible))
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            tried += 1
            where = f"{method.upper()} {action} {name}={value}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif role != "reference" and (written := changed(before, fingerprint())):
                failures.append(f"{where}: wrote {written}")
    for name, (kwargs, numbers, others) in SCRIPTED.items():
        url = reverse(name, kwargs=samples.fill(kwargs, manager))
        base = {k: plausible["sku"] if v == "sku_code" else samples.shared.get(v, v) for k, v in others.items()}
        for field in numbers:
            before = fingerprint()
            response = client.post(url, {**base, field: str(value)})
            tried += 1
            if value == -1 and ("POST", name, field) in NEGATIVE_MEANS_SOMETHING:
                assert response.status_code < 500, response
                continue
            if response.status_code >= 500 or changed(before, fingerprint()):
                failures.append(
                    f"POST {name} {field}={value}: {response.status_code}, wrote {changed(before, fingerprint())}"
                )
    assert tried > 100, tried
    assert not failures, "\n".join(failures)


def test_every_post_page_is_covered(world, samples, browser, extra):
    """A POST-only page is reached by a form of the walk, or listed in SCRIPTED (its numbers come from a script) or
    in NO_NUMBERS (with the reason it takes none): a new page cannot slip past the hostile numbers unseen."""
    manager = world.people["manager"]
    reached = {
        resolve(action).view_name
        for _m, action, _n in _page_forms(browser.as_user(manager), _page_urls(samples, manager) + extra)
    }
    missing = [
        route.name
        for route in page_routes()
        if route.method == "POST"
        and route.access is not None
        and route.name not in reached
        and route.name not in SCRIPTED
        and route.name not in NO_NUMBERS
    ]
    assert not missing, f"POST pages no form reaches: add them to SCRIPTED or NO_NUMBERS: {sorted(missing)}"


def _with_value(body, path, value):
    """A copy of `body` with the leaf at `path` ("lines.0.quantity") set to `value`."""
    body = json.loads(json.dumps(body))
    node, keys = body, path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


def _sample(schema, node, named, depth=0, path=""):
    """(body, [paths of its numbers]): required fields only, filled by name from `named`, else a plausible value."""
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if _resolve(schema, o).get("type") != "null"] or node[key]
            return _sample(schema, options[0], named, depth, path)
    kind = node.get("type")
    name = path.rsplit(".", 1)[-1]
    if "enum" in node:
        return node["enum"][0], []
    if kind == "object" or "properties" in node:
        if depth > 4:
            return {}, []
        body, numbers = {}, []
        for key, child in node.get("properties", {}).items():
            value, inner = _sample(schema, child, named, depth + 1, f"{path}.{key}".lstrip("."))
            numbers += inner
            if key in node.get("required", []) or inner or key in named:
                body[key] = value
        return body, numbers
    if kind == "array":
        if name in named:
            return named[name], []
        value, inner = _sample(schema, node.get("items", {}), named, depth + 1, f"{path}.0")
        return [value], inner
    if kind in ("integer", "number"):
        return named.get(name, 1), [path]
    if kind == "boolean":
        return False, []
    if node.get("format") == "date":
        return dt.date.today().isoformat(), []
    return named.get(name, "测试"), []


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_every_write_route_refuses_hostile_numbers(world, samples, browser, value):
    from zhanggui.api import api
    from zhanggui.catalog.models import Sku

    schema = api.get_openapi_schema()
    manager = world.people["manager"]
    _token, key = create_api_token(manager, "numbers")
    client = browser.as_user(None)
    client.raise_request_exception = False
    sku = Sku.objects.get(pk=samples.shared["sku_id"])
    named = {
        "sku": sku.code,
        "sku_code": sku.code,
        "code": sku.code,
        "sku_id": sku.pk,
        "shop_id": world.shop_a.pk,
        "product_id": samples.shared["product_id"],
        "warehouse_id": samples.shared["warehouse_id"],
        "supplier_id": samples.shared["supplier_id"],
        "title": "数字测试",
        "name": "数字测试",
        "style_code": "NUM-001",
        "colours": ["黑色"],
        "sizes": ["M"],
        "province": "33",
        "bank": "工商银行",
        "reason": "测试",
        "paid_on": dt.date.today().isoformat(),
    }
    failures, tried = [], 0
    for op, url, body_schema in json_write_routes(samples, manager):
        body, numbers = _sample(schema, body_schema, named)
        for path in numbers:
            sent = _with_value(body, path, value)
            before = fingerprint()
            response = client.generic(
                op.method,
                url,
                json.dumps(sent),
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}"},
            )
            tried += 1
            where = f"{op.label} {path}={value}"
            import os

            if os.environ.get("SHOW"):
                print("API", where, response.status_code, response.content[:300].decode("utf-8", "replace"))
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code} {response.content[:200]!r}")
                continue
            field = path.rsplit(".", 1)[-1]
            if value == -1 and (op.method, op.path, field) in NEGATIVE_MEANS_SOMETHING:
                continue  # a legitimate value: only the 500 matters
            if response.status_code >= 400 and not response["Content-Type"].startswith("application/json"):
                failures.append(f"{where}: {response.status_code} answered {response['Content-Type']}")
            elif response.status_code < 400 and not _is_reference(field):
                failures.append(f"{where}: accepted ({response.status_code})")
            if written := changed(before, fingerprint()):
                failures.append(f"{where}: wrote {written}")
    assert tried > 40, tried
    assert not failures, "\n".join(failures)
