"""A POST-only address opened in the browser answers with the site's own Chinese page (TEAM-1 pages are Chinese).

Generated from the URL configuration: every POST-only page route is opened with GET as the manager."""

from tests.test_access_matrix import Samples, page_routes, samples  # noqa: F401  (samples is a fixture)

TITLE = "此地址不能直接打开"


def test_every_post_only_page_answers_get_with_the_chinese_405_page(world, samples, client_for):  # noqa: F811
    manager = world.people["manager"]
    routes = [r for r in page_routes() if r.method == "POST" and r.access is not None]
    assert len(routes) >= 10, [r.label for r in routes]
    client = client_for(manager)
    failures = []
    for route in routes:
        url = route.url(samples.fill(route.kwargs, manager))
        resp = client.get(url)
        if route.name == "logout":
            client = client_for(manager)
        body = resp.content.decode()
        if resp.status_code != 405 or TITLE not in body or "POST" not in resp.get("Allow", ""):
            failures.append(f"GET {url}: {resp.status_code}, {body[:80]!r}")
    assert not failures, "\n".join(failures)


def test_the_405_page_for_anonymous_is_chinese_too(client):
    resp = client.get("/logout/")
    assert resp.status_code == 405
    assert TITLE in resp.content.decode()
    assert "登录" in resp.content.decode()  # a link to the login page


def test_the_api_keeps_its_own_405_answer(world, client_for):
    resp = client_for(world.people["manager"]).get("/api/v1/stock-adjustments")
    assert resp.status_code == 405
    assert TITLE not in resp.content.decode()
