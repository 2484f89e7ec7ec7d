"""Background jobs with progress: with no broker (CELERY_TASK_ALWAYS_EAGER) the task runs inline after commit and
reaches `done` with its total; a failing body marks the job `failed` with its message. Jobs serve their creator only."""

import pytest
from celery import shared_task
from django.conf import settings

from zhanggui.core.jobs import job_task, report, start_job
from zhanggui.core.models import Job

ROWS = 7


@shared_task
@job_task
def count_rows(job):
    report(job, 0, ROWS)
    for done in range(1, ROWS):
        report(job, done, message=f"第 {done} 行")
    return {"rows": ROWS}


@shared_task
@job_task
def broken_import(job):
    report(job, 2, 10)
    raise ValueError("第 3 行：金额格式不正确")


def run(user, task, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user, kind="test", title="测试任务", task=task, **kwargs)
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing runs before the commit
    job.refresh_from_db()
    return job


def test_tasks_run_inline_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER


def test_a_job_reaches_done_with_its_total(world, django_capture_on_commit_callbacks):
    job = run(
        world.people["manager"], count_rows, django_capture_on_commit_callbacks, params={"x": 1}, shop=world.shop_a
    )
    assert job.status == Job.Status.DONE
    assert (job.done, job.total, job.percent) == (ROWS, ROWS, 100)
    assert job.result == {"rows": ROWS}
    assert job.finished_at is not None
    assert job.message == f"第 {ROWS - 1} 行"
    assert (job.params, job.shop_id) == ({"x": 1}, world.shop_a.pk)


def test_a_failing_job_is_marked_failed_with_its_message(world, django_capture_on_commit_callbacks):
    job = run(world.people["manager"], broken_import, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert job.message == "第 3 行：金额格式不正确"
    assert job.finished_at is not None
    assert (job.done, job.total) == (2, 10)
    assert job.percent == 20


def test_job_pages_and_api_show_progress_to_the_creator_only(world, client_for, django_capture_on_commit_callbacks):
    manager = world.people["manager"]
    job = run(manager, broken_import, django_capture_on_commit_callbacks)
    mine = client_for(manager)
    page = mine.get(f"/me/jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in page
    assert "金额格式不正确" in page
    fragment = mine.get(f"/me/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="job-progress"')
    assert "<html" not in fragment
    body = mine.get(f"/api/v1/jobs/{job.pk}").json()
    assert (body["status"], body["message"], body["percent"]) == ("failed", "第 3 行：金额格式不正确", 20)
    assert "测试任务" in mine.get("/me/jobs/").content.decode()
    other = client_for(world.people["cs"])
    assert other.get(f"/me/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert other.get(f"/me/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.parametrize("status", [Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.FAILED])
def test_unfinished_jobs_have_nothing_to_download(world, client_for, status):
    manager = world.people["manager"]
    job = Job.objects.create(kind="x", title="x", created_by=manager, status=status, result_file="x.csv")
    assert client_for(manager).get(f"/me/jobs/{job.pk}/download/").status_code == 404
