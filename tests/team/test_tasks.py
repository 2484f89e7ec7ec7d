"""PUR-4 receivers: 我的待办 — tasks of the user's roles on /team/tasks/ and on the home page; done once."""

from zhanggui.team.models import Task
from zhanggui.team.tasks_service import assign_to_roles


def test_pur4_task_shows_to_the_editor_not_to_cs_and_can_be_done(world, client_for):
    (task,) = assign_to_roles(
        world.people["warehouse"],
        ["editor"],
        title="补货与上批不同：D",
        detail="面料变薄",
        url="/products/1/",
        source="receipt:99",
        rule="PUR-4",
    )
    editor, cs = client_for(world.people["editor"]), client_for(world.people["cs"])
    html = editor.get("/team/tasks/").content.decode()
    assert "补货与上批不同：D" in html and "面料变薄" in html and f'data-task="{task.pk}"' in html
    assert "补货与上批不同：D" in editor.get("/").content.decode()  # the home-page card
    assert "补货与上批不同：D" not in cs.get("/team/tasks/").content.decode()
    assert "补货与上批不同：D" not in cs.get("/").content.decode()
    assert cs.post(f"/team/tasks/{task.pk}/done/").status_code == 404  # not theirs
    assert Task.objects.get(pk=task.pk).done_at is None
    resp = editor.post(f"/team/tasks/{task.pk}/done/")
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.done_by == world.people["editor"]
    assert f'data-task="{task.pk}"' not in editor.get("/team/tasks/").content.decode()
    assert f'data-task="{task.pk}"' in editor.get("/team/tasks/?tab=done").content.decode()
    editor.post(f"/team/tasks/{task.pk}/done/")  # twice: refused with a message, nothing changes
    assert Task.objects.get(pk=task.pk).done_by == world.people["editor"]


def test_home_card_shows_five_newest_and_links_to_all(world, client_for):
    for n in range(7):
        assign_to_roles(None, ["designer"], title=f"待办{n}号", source=f"t:{n}")
    html = client_for(world.people["designer"]).get("/").content.decode()
    card = html[html.index('id="my-tasks"') :]
    card = card[: card.index("</ul>")]
    assert card.count("data-task=") == 5 and "待办6号" in card and "待办0号" not in card
    assert "/team/tasks/" in card and "(7)" in card
