"""The bench harness: its own database, Django set up on it, timing helpers, the table and results.json.

The benchmarks never see the user's data:
- default: a fresh SQLite file var/bench/zhanggui.sqlite3 (deleted and re-created each run, same WAL
  settings as `make run`);
- ``--postgres``: a dedicated database ``zhanggui_bench`` on 127.0.0.1:5432 (user postgres), created
  at the start and dropped at the end;
- ``BENCH_DATABASE_URL=postgres://…/…bench…``: that database, migrated and emptied (``flush``) first.
"""

import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_VAR_DIR = PROJECT_DIR / "var" / "bench"
RESULTS_FILE = Path(__file__).resolve().parent / "results.json"

PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_BENCH_DB = "zhanggui_bench"


class Setup:
    """Which database this run uses and how to clean up after it."""

    def __init__(self, kind: str, url: str = "", drop_after: bool = False, flush: bool = False):
        self.kind, self.url, self.drop_after, self.flush = kind, url, drop_after, flush


def _pg_admin(url: str):
    """An autocommit connection to the maintenance database of the server in `url`."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    return psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _same_database(a: str, b: str) -> bool:
    import dj_database_url

    pa, pb = dj_database_url.parse(a), dj_database_url.parse(b)
    return all(pa.get(k) == pb.get(k) for k in ("ENGINE", "HOST", "PORT", "NAME"))


def choose_database(postgres: bool) -> Setup:
    """Point the environment at the bench database, before django.setup() reads the settings."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhanggui.settings"
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory; measure what production runs
    os.environ["ZHANGGUI_LOG_LEVEL"] = "WARNING"  # no INFO lines (e.g. axes on force_login) in the table
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    # Media and the SQLite file live under var/bench/, never in the user's var/.
    os.environ["ZHANGGUI_VAR_DIR"] = str(BENCH_VAR_DIR)
    os.environ["ZHANGGUI_MEDIA_ROOT"] = str(BENCH_VAR_DIR / "media")
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    users_db = os.environ.pop("DATABASE_URL", "").strip()

    bench_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if bench_url:
        import dj_database_url

        name = str(dj_database_url.parse(bench_url).get("NAME") or "")
        if "bench" not in name:
            sys.exit(
                f"BENCH_DATABASE_URL: the database name must contain 'bench' (got {name!r}); "
                "its tables are emptied before the run."
            )
        if users_db and _same_database(bench_url, users_db):
            sys.exit("BENCH_DATABASE_URL is the same database as DATABASE_URL; refusing to touch it.")
        os.environ["DATABASE_URL"] = bench_url
        return Setup("postgresql (BENCH_DATABASE_URL)", bench_url, flush=True)

    if postgres:
        from psycopg import sql

        with _pg_admin(PG_SERVER) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_BENCH_DB)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_BENCH_DB)))
        url = PG_SERVER + PG_BENCH_DB
        os.environ["DATABASE_URL"] = url
        return Setup(f"postgresql ({PG_BENCH_DB}, created for this run)", url, drop_after=True)

    # SQLite: no DATABASE_URL, so the settings use their own SQLite configuration (WAL, synchronous=NORMAL)
    # on ZHANGGUI_VAR_DIR/zhanggui.sqlite3 — here var/bench/zhanggui.sqlite3, deleted first.
    for suffix in ("", "-wal", "-shm", "-journal"):
        (BENCH_VAR_DIR / f"zhanggui.sqlite3{suffix}").unlink(missing_ok=True)
    return Setup("sqlite (var/bench/zhanggui.sqlite3, fresh)")


def setup_django(setup: Setup) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    if setup.url:
        expected = setup.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
        if connection.vendor != "postgresql" or db["NAME"] != expected:
            sys.exit(f"bench: settings chose {db['NAME']!r}, not the bench database {expected!r}; stopping.")
    elif Path(db["NAME"]).resolve().parent != BENCH_VAR_DIR.resolve():
        sys.exit(f"bench: settings chose {db['NAME']}, not a file under {BENCH_VAR_DIR}; stopping.")

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if setup.flush:
        call_command("flush", interactive=False, verbosity=0)  # re-runs post_migrate: roles, platforms
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)


def teardown(setup: Setup) -> None:
    from django.db import connections

    connections.close_all()
    if setup.drop_after:
        from psycopg import sql

        with _pg_admin(setup.url) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_BENCH_DB)))


def machine() -> str:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    import django

    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, {db}; {load_average()}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure; say how busy it was."""
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


# ---- timing ---------------------------------------------------------------------------------------------------


def machine_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent busy (every process, the database server's too; /proc/stat), in
    seconds: the difference over a run is what the run cost all cores together. None where /proc is missing."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def analyze() -> None:
    """Fresh planner statistics after bulk loads (PostgreSQL; SQLite never needs it for these sizes)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def latencies_ms(call, repeat: int, warmup: int = 5) -> list[float]:
    """Call `call()` `warmup` times unmeasured, then `repeat` times; each call's wall time in ms."""
    for _ in range(warmup):
        call()
    samples = []
    clock = time.perf_counter
    for _ in range(repeat):
        start = clock()
        call()
        samples.append((clock() - start) * 1000)
    return samples


def interleaved_ms(call, baseline, repeat: int, warmup: int = 5) -> tuple[list[float], list[float]]:
    """Time `call()` and `baseline()` alternately, so load on the machine weighs on both alike."""
    for _ in range(warmup):
        call()
        baseline()
    samples, base = [], []
    clock = time.perf_counter
    for _ in range(repeat):
        start = clock()
        call()
        middle = clock()
        baseline()
        end = clock()
        samples.append((middle - start) * 1000)
        base.append((end - middle) * 1000)
    return samples, base


class QueryLog:
    """The SQL statements run inside the block (works under the test client, unlike CaptureQueriesContext)."""

    def __enter__(self):
        from django.db import connection

        self.statements = []
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _record(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def __len__(self):
        return len(self.statements)


def p50_p99(samples: list[float]) -> tuple[float, float]:
    return round(statistics.median(samples), 3), round(percentile(samples, 99), 3)


# ---- report ---------------------------------------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    if value >= 1000:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}" if value < 1 else f"{value:.2f} {unit}"


def print_table(results) -> None:
    rows = [("benchmark", "size", "result", "baseline", "ratio")]
    for r in results:
        if r.failed:
            rows.append((r.name, "—", "FAILED", r.failed[:80], "—"))
            continue
        if r.p99 is not None:
            got = f"p50 {r.value:.2f} / p99 {r.p99:.2f} ms"
            base = f"{r.baseline}: p50 {r.baseline_value:.2f} / p99 {r.baseline_p99:.2f} ms"
            ratio = f"{r.value / r.baseline_value:.1f}× slower" if r.baseline_value else "—"
        else:
            got = _fmt(r.value, r.unit)
            base = f"{r.baseline}: {_fmt(r.baseline_value, r.unit)}"
            ratio = f"{r.value / r.baseline_value:.0%} of baseline" if r.baseline_value else "—"
            if r.goal is not None:
                ratio += f" (goal ≥ {r.goal:.0%})"
        rows.append((r.name, r.size, got, base, ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
        if n == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 16)
    for r in results:
        for note in r.notes:
            print(f"  {r.name}: {note}")


def reset_connections() -> None:
    """After a benchmark failed (its transactions rolled back as the exception left them): the next one starts on
    fresh connections, whatever state the failure left the old ones in."""
    from django.db import connections

    connections.close_all()


def write_results(results) -> None:
    RESULTS_FILE.write_text(
        json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwrote {RESULTS_FILE.relative_to(PROJECT_DIR)}")


def timed_queries(call):
    """(result, seconds, SQL statements run) — counted by an execute wrapper (no 9,000-query log limit)."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        out = call()
        seconds = time.perf_counter() - started
    return out, seconds, count[0]
