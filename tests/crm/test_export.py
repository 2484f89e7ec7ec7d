"""TEAM-5: exports of personal data are permission-checked and logged. The export runs as a background job whose
file only its creator can download; without the right the file is masked and nothing is logged."""

import csv
import io
import logging

import pytest

from zhanggui.core.models import Event, Job

FULL_PHONE = "13812341234"
MASKED_PHONE = "138****1234"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def export(client, django_capture_on_commit_callbacks, **data):
    """POST the export button; the job runs inline (no broker) once the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/export/", data)
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response.url == f"/me/jobs/{job.pk}/"
    job.refresh_from_db()
    return job


def download(client, job):
    response = client.get(f"/me/jobs/{job.pk}/download/")
    assert response.status_code == 200
    # Consuming the content closes the file (the test client's wrapper); closing again would end the
    # request a second time and drop the test's database connection on PostgreSQL.
    return b"".join(response.streaming_content).decode("utf-8-sig")


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_export_without_the_right_is_masked_and_logs_nothing_TEAM_5(
    world, client_for, caplog, django_capture_on_commit_callbacks
):
    warehouse = world.people["warehouse"]
    client = client_for(warehouse)
    with caplog.at_level(logging.DEBUG):
        job = export(client, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE
    assert job.result["personal_data"] is False
    text = download(client, job)
    assert FULL_PHONE not in text
    assert "科技园南路" not in text
    table = rows(text)
    assert len(table) == 2  # header + buyer_a (shop_b is outside the warehouse person's scope)
    assert table[1][1:5] == ["buyer_a", "张**", MASKED_PHONE, "广东省深圳市南山区****"]
    assert not Event.objects.filter(kind="pii_export").exists()
    assert FULL_PHONE not in caplog.text


def test_export_with_the_right_is_full_and_logged_TEAM_5_TEAM_3(world, client_for, django_capture_on_commit_callbacks):
    manager = world.people["manager"]
    client = client_for(manager)
    job = export(client, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE
    assert job.result == {"file": job.result_file, "rows": 2, "personal_data": True}
    assert (job.done, job.total, job.percent) == (2, 2, 100)
    text = download(client, job)
    assert FULL_PHONE in text
    assert "13987654321" in text
    assert len(rows(text)) == 3
    event = Event.objects.get(kind="pii_export")
    assert event.actor_number == manager.number
    assert event.data == {"count": 2}
    job_page = client.get(f"/me/jobs/{job.pk}/").content.decode()
    assert 'data-status="done"' in job_page


def test_export_follows_the_shop_switcher_and_the_search_SHOP_1(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.people["manager"])
    client.post("/scope/", {"shop": "jd-b"})
    job = export(client, django_capture_on_commit_callbacks)
    assert [r[1] for r in rows(download(client, job))[1:]] == ["buyer_b"]
    client.post("/scope/", {"shop": ""})
    job = export(client, django_capture_on_commit_callbacks, q="buyer_a")
    assert [r[1] for r in rows(download(client, job))[1:]] == ["buyer_a"]


def test_customer_service_sees_but_may_not_export_personal_data_TEAM_5(
    world, client_for, django_capture_on_commit_callbacks
):
    """Seeing a phone to answer a buyer is not the right to take every phone home in a file."""
    client = client_for(world.people["cs"])
    job = export(client, django_capture_on_commit_callbacks)
    text = download(client, job)
    assert MASKED_PHONE in text
    assert FULL_PHONE not in text
    assert not Event.objects.filter(kind="pii_export").exists()


def test_an_export_is_only_for_its_creator_TEAM_5(world, client_for, django_capture_on_commit_callbacks):
    job = export(client_for(world.people["manager"]), django_capture_on_commit_callbacks)
    for other in (world.people["cs"], world.people["warehouse"], world.outsider):
        client = client_for(other)
        for url in (f"/me/jobs/{job.pk}/download/", f"/me/jobs/{job.pk}/", f"/api/v1/jobs/{job.pk}"):
            response = client.get(url)
            assert response.status_code == 404, (other.number, url)
            assert FULL_PHONE not in response.content.decode()
        assert str(job.title) not in client.get("/me/jobs/").content.decode()


def test_export_needs_the_customer_right_TEAM_1(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.people["designer"]).post("/customers/export/")
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_job_file_outside_the_media_folder_is_never_served(world, client_for):
    manager = world.people["manager"]
    job = Job.objects.create(
        kind="customers_export", title="x", created_by=manager, status=Job.Status.DONE, result_file="../../etc/passwd"
    )
    assert client_for(manager).get(f"/me/jobs/{job.pk}/download/").status_code == 404
