"""The scheduled work without a broker: the web process runs CELERY_BEAT_SCHEDULE itself.

With a broker, `celery beat` sends the schedule to the workers. Without one (`make run`, a broker-less gunicorn)
nothing would ever fire, so the WSGI application (zhanggui.wsgi — runserver and gunicorn load it) starts this
scheduler: one daemon thread per web process that, every ZHANGGUI_SCHEDULER_TICK_SECONDS, runs each entry that is
due (the same entries and schedules beat uses: seconds, timedelta or crontab). Every entry runs once when the process
starts, then on its schedule; entries must be idempotent (they are: a listing schedule is claimed by a conditional
UPDATE, a stocktake reminder is once per warehouse and window, stale jobs are reaped by conditional UPDATEs), so
several web processes each running the scheduler never repeat a change. ZHANGGUI_SCHEDULER=0 turns it off.
"""

import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

_lock = threading.Lock()
_running: "Scheduler | None" = None


class Scheduler:
    def __init__(self, entries: dict, tick: float):
        from celery import current_app
        from celery.schedules import maybe_schedule

        self.tick, self.stop_event = tick, threading.Event()
        self.entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"], app=current_app), entry)
            for name, entry in entries.items()
        }
        self.last_run: dict = dict.fromkeys(self.entries)  # None: not run yet in this process → due now
        self.thread = threading.Thread(target=self.loop, name="zhanggui-scheduler", daemon=True)

    def due(self) -> list[str]:
        due = []
        for name, (_task, schedule, _entry) in self.entries.items():
            last = self.last_run[name]
            if last is None or schedule.is_due(last).is_due:
                due.append(name)
        return due

    def run_due(self) -> list[str]:
        """Run the entries that are due, one after the other, in this thread; returns their names."""
        from celery import current_app

        ran = self.due()
        for name in ran:
            task_name, _schedule, entry = self.entries[name]
            self.last_run[name] = current_app.now()
            try:
                import_string(task_name)(*entry.get("args", ()), **entry.get("kwargs", {}))
            except Exception:  # one failing entry never stops the others; the next tick tries again
                log.exception("scheduled task %s (%s) failed", name, task_name)
        return ran

    def loop(self) -> None:
        try:
            while not self.stop_event.is_set():
                try:
                    self.run_due()
                finally:
                    connection.close()  # no connection held between ticks (the database may restart)
                self.stop_event.wait(self.tick)
        except Exception:
            log.exception("the in-process scheduler stopped")


def start(*, force: bool = False) -> "Scheduler | None":
    """Start this process's scheduler once, when there is no broker (beat does the work then) and it is not
    turned off; `force` starts it regardless (tests). Returns the running scheduler, if any."""
    global _running
    if not force and (settings.CELERY_BROKER_URL or not settings.ZHANGGUI_SCHEDULER):
        return None
    with _lock:
        if _running is None:
            _running = Scheduler(settings.CELERY_BEAT_SCHEDULE, settings.ZHANGGUI_SCHEDULER_TICK_SECONDS)
            _running.thread.start()
            log.info("in-process scheduler started: %s", ", ".join(_running.entries))
        return _running


def stop() -> None:
    global _running
    with _lock:
        if _running is not None:
            _running.stop_event.set()
            _running.thread.join(timeout=30)
            _running = None


def running() -> "Scheduler | None":
    return _running
