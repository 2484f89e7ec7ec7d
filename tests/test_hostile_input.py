"""Hostile and careless input, generated from the URL configuration and the OpenAPI schema (rule 7 of the house:
bad input gets a clear error, never a 500): every GET page is opened with hostile strings in its search and
filter parameters, and every write API route gets them in each of its string fields. Run on SQLite and on
PostgreSQL (NUL bytes are refused by PostgreSQL's text type; numbers past 2^31 by its integer columns)."""

import json

import pytest

from tests import test_access_matrix as matrix
from tests.test_access_matrix import api_operations, page_routes
from zhanggui.core.services import create_api_token

samples, browser = matrix.samples, matrix.browser  # the access matrix's fixtures: sample objects, one client

HOSTILE = [
    "a\x00b",  # NUL: PostgreSQL refuses it in text
    "\u202e\u200f订单\U0001f600' OR '1'='1\"; DROP TABLE x;--<script>alert(1)</script>%00{{7*7}}",
    "长" * 5000 + "x" * 5000,
]
SEARCH_PARAMS = ["q", "tab", "state", "status", "supplier", "warehouse", "shop", "date_from", "date_to", "page", "sort"]


def test_every_page_survives_hostile_search_and_filters(world, samples, browser):
    manager = world.people["manager"]
    client = browser.as_user(manager)
    failures = []
    for route in page_routes():
        if route.method != "GET" or route.access is None or route.name in ("logout",):
            continue
        try:
            url = route.url(samples.fill(route.kwargs, manager))
        except Exception:
            continue
        for text in HOSTILE:
            response = client.get(url, {name: text for name in SEARCH_PARAMS})
            if response.status_code >= 500:
                failures.append(f"GET {url} with {text[:12]!r}…: {response.status_code}")
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
    assert not failures, "\n".join(failures)


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _sample(schema, node, text, depth=0):
    """A body where every string is `text`: numbers 1, booleans false, lists of one item."""
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if _resolve(schema, o).get("type") != "null"] or node[key]
            return _sample(schema, options[0], text, depth)
    kind = node.get("type")
    if "enum" in node:
        return node["enum"][0]
    if kind == "object" or "properties" in node:
        if depth > 4:
            return {}
        return {k: _sample(schema, v, text, depth + 1) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema, node.get("items", {}), text, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if node.get("format") in ("date", "date-time"):
        return text  # a hostile date is a 422, never a 500
    return text


def json_write_routes(samples, user):
    """Every API route that writes a JSON body, with its URL filled for `user` and its body's schema: (op, url,
    schema). File uploads are left out (core.uploads and core.sheets have their own tests)."""
    for op in api_operations():
        if op.method == "GET" or "requestBody" not in op.spec:
            continue
        content = op.spec["requestBody"].get("content", {})
        if "application/json" not in content:
            continue
        try:
            url = op.url(samples.fill(op.path_params, user))
        except Exception:
            continue
        yield op, url, content["application/json"]["schema"]


@pytest.mark.parametrize("text", HOSTILE, ids=["nul", "mixed", "long"])
def test_every_write_route_survives_hostile_strings(world, samples, browser, text):
    from zhanggui.api import api

    schema = api.get_openapi_schema()
    manager = world.people["manager"]
    _token, key = create_api_token(manager, "hostile")
    client = browser.as_user(None)
    failures = []
    for op, url, body_schema in json_write_routes(samples, manager):
        body = _sample(schema, body_schema, text)
        response = client.generic(
            op.method,
            url,
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        if response.status_code >= 500:
            failures.append(f"{op.label}: {response.status_code} {response.content[:200]!r}")
        elif response.status_code >= 400 and not response["Content-Type"].startswith("application/json"):
            failures.append(f"{op.label}: {response.status_code} answered {response['Content-Type']}, not JSON")
    assert not failures, "\n".join(failures)
