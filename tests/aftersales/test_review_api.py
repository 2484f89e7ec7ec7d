"""AS-7 API: /api/v1/aftersales/reviews list with tabs, detail masked per role, move and reply with the same
rules as the pages; another shop's review is 404."""

import json

from zhanggui.aftersales.models import Review
from zhanggui.aftersales.services import review_imports as imp
from zhanggui.aftersales.services import reviews as svc

from .test_reviews import tb_csv, tb_rows

URL = "/api/v1/aftersales/reviews"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _bad(asw) -> Review:
    imp.import_files(None, asw.world.shop_a, [("a.csv", tb_csv(asw, tb_rows(asw)))])
    return Review.objects.get(text="裙子起球了")


def test_as7_api_list_detail_move_reply(asw, client_for):
    review = _bad(asw)
    svc.save_template(asw.manager, name="致歉", text="{买家}，抱歉")
    client = client_for(asw.cs)
    listing = client.get(URL, {"tab": "to_contact"}).json()
    assert listing["tabs"]["to_contact"] == 2 and listing["count"] == 2
    detail = client.get(f"{URL}/{review.pk}").json()
    assert detail["templates"][0]["text"] == "tb_买家，抱歉" and detail["receiver"]["phone"] == "13912345678"
    moved = _post(client, f"{URL}/{review.pk}/moves", {"to": "contacted", "version": detail["version"]})
    assert moved.status_code == 200 and moved.json()["state"] == "contacted"
    refused = _post(client, f"{URL}/{review.pk}/moves", {"to": "unchangeable"})
    assert refused.status_code == 422 and "无法改评请写明原因" in refused.json()["message"]
    replied = _post(client, f"{URL}/{review.pk}/reply", {"reply": "抱歉", "then": "changed"})
    assert replied.json()["state"] == "changed" and replied.json()["timeline"][0]["actor_number"] == asw.cs.number
    illegal = _post(client, f"{URL}/{review.pk}/moves", {"to": "contacted"})
    assert illegal.status_code == 409


def test_as7_api_masks_and_scopes(asw, client_for):
    review = _bad(asw)
    finance = client_for(asw.world.people["finance"]).get(f"{URL}/{review.pk}").json()
    assert finance["receiver"]["phone"] != "13912345678"
    assert client_for(asw.world.outsider).get(f"{URL}/{review.pk}").status_code == 404
    assert client_for(asw.world.people["warehouse"]).get(URL).status_code == 403
    assert (
        _post(client_for(asw.world.people["finance"]), f"{URL}/{review.pk}/moves", {"to": "contacted"}).status_code
        == 403
    )
