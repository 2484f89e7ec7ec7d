"""Imports and exports run as background jobs in every configuration (ORD-1: a big import must not be cut short by a
request timeout): without a broker a background thread runs the job and the request returns at once; a job whose
process died is marked failed with the reason (heartbeat lease), shown on its page, and can be started again; a
process forked for part of a job dies with its parent."""

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from celery import shared_task
from django.utils import timezone

from zhanggui.core.jobs import job_task, reap_stale_jobs, report, start_job
from zhanggui.core.models import Job

RELEASE = threading.Event()


@shared_task
@job_task
def waits_for_release(job):
    report(job, 1, 2, message="正在导入")
    if not RELEASE.wait(10):
        raise RuntimeError("never released")
    return {"rows": 2}


@shared_task
@job_task
def counts_three(job):
    report(job, 3, 3)
    return {"rows": 3}


def wait_for(check, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_ord1_without_a_broker_a_job_runs_in_the_background_not_in_the_request(settings):
    """The `make run` / broker-less gunicorn configuration: start_job returns while the job still runs, and its
    heartbeat keeps it alive for the reaper however long it takes."""
    settings.ZHANGGUI_JOBS = "thread"
    settings.ZHANGGUI_JOB_HEARTBEAT_SECONDS = 0.1
    settings.ZHANGGUI_JOB_LEASE_SECONDS = 2
    RELEASE.clear()
    started = time.monotonic()
    job = start_job(None, kind="test", title="后台任务", task=waits_for_release)
    assert time.monotonic() - started < 2  # the request is not held by the job
    try:
        assert Job.objects.get(pk=job.pk).status in {Job.Status.QUEUED, Job.Status.RUNNING}
        assert wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING)
        time.sleep(2.5)  # longer than the lease: the heartbeat thread keeps it fresh
        assert reap_stale_jobs() == 0
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    finally:
        RELEASE.set()
    assert wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
    done = Job.objects.get(pk=job.pk)
    assert done.result == {"rows": 2} and done.task == waits_for_release.name and done.worker


def test_ord1_a_job_whose_process_died_is_failed_with_the_reason_and_can_start_again(
    world, client_for, django_capture_on_commit_callbacks
):
    manager = world.people["manager"]
    lost = Job.objects.create(
        kind="test",
        title="订单导入：甲店",
        created_by=manager,
        task=counts_three.name,
        status=Job.Status.RUNNING,
        done=900,
        total=1000,
        worker="web-1:4242",
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10),
    )
    alive = Job.objects.create(
        kind="test", title="活着的任务", created_by=manager, status=Job.Status.RUNNING, heartbeat_at=timezone.now()
    )
    mine = client_for(manager)
    page = mine.get(f"/me/jobs/{lost.pk}/").content.decode()  # looking at it is enough to see it failed
    lost.refresh_from_db()
    assert lost.status == Job.Status.FAILED and lost.resumable and lost.finished_at
    assert "web-1:4242" in lost.message and "900/1000" in lost.message
    assert 'data-status="failed"' in page and 'id="job-failure"' in page
    assert "失败原因" in page and "进程已停止" in page and 'id="job-resume"' in page
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING
    assert mine.get("/api/v1/jobs/" + str(lost.pk)).json()["status"] == "failed"

    assert client_for(world.people["cs"]).post(f"/me/jobs/{lost.pk}/resume/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        mine.post(f"/me/jobs/{lost.pk}/resume/")
    lost.refresh_from_db()
    assert (lost.status, lost.result, lost.resumable) == (Job.Status.DONE, {"rows": 3}, False)
    mine.post(f"/me/jobs/{lost.pk}/resume/")  # a finished job cannot be started again
    lost.refresh_from_db()
    assert lost.status == Job.Status.DONE


def test_ord1_an_ordinary_failure_shows_its_reason_and_is_not_resumable(world, client_for):
    failed = Job.objects.create(
        kind="test",
        title="导入",
        created_by=world.people["manager"],
        status=Job.Status.FAILED,
        message="第 3 行：金额错",
    )
    page = client_for(world.people["manager"]).get(f"/me/jobs/{failed.pk}/").content.decode()
    assert "失败原因：第 3 行：金额错" in page and 'id="job-resume"' not in page


def _process_state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(line.split()[1] for line in status if line.startswith("State:"))
    except FileNotFoundError:
        return "gone"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux")
def test_ord1_a_forked_child_dies_with_its_parent(tmp_path):
    """The big order import forks a second process (orders.services.imports.import_stream); a killed parent must
    not leave it running."""
    script = textwrap.dedent(
        """
        import multiprocessing as mp, sys, time
        from zhanggui.core.processes import die_with_parent

        def child(parent):
            die_with_parent(parent)
            time.sleep(60)

        if __name__ == "__main__":
            p = mp.get_context("fork").Process(target=child, args=(mp.current_process().pid,), daemon=True)
            p.start()
            print(p.pid, flush=True)
            time.sleep(60)
        """
    )
    (tmp_path / "parent.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], stdout=subprocess.PIPE, env=env)
    try:
        child = int(parent.stdout.readline())
        time.sleep(0.5)
        assert _process_state(child) in {"S", "R"}
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert wait_for(lambda: _process_state(child) in {"gone", "Z", "X"}, seconds=10)
    finally:
        parent.kill()
