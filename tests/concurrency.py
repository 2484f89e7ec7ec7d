"""Racing threads for the PostgreSQL concurrency tests: `race(work, threads)` releases every thread at once and
returns what succeeded and the DomainError codes of what was refused; any other error fails the test."""

import threading

from django.db import connection

from zhanggui.core.errors import DomainError


def race(work, threads: int = 8) -> tuple[list, list]:
    """Run work(n) in `threads` threads released together; (results, DomainError codes); other errors fail."""
    start = threading.Barrier(threads)
    lock = threading.Lock()
    results, refused, errors = [], [], []

    def run(n):
        try:
            start.wait()
            try:
                value = work(n)
            except DomainError as exc:
                with lock:
                    refused.append(exc.code)
            else:
                with lock:
                    results.append(value)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors
    return results, refused
