"""`python -m bench [--only NAME] [--postgres]` — see bench/README.md."""

import argparse
import time
import traceback

from . import harness
from .registry import BENCHMARKS, Result, load


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="zhanggui benchmarks")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"use a fresh PostgreSQL database {harness.PG_BENCH_DB} on 127.0.0.1:5432 "
        "(user postgres) instead of SQLite; BENCH_DATABASE_URL overrides",
    )
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(BENCHMARKS)

    started = time.perf_counter()
    setup = harness.choose_database(args.postgres)
    try:
        harness.setup_django(setup)
        print(f"machine: {harness.machine()}")
        print(f"database: {setup.kind}", flush=True)
        results = run_all(names, load)
        harness.print_table(results)
        harness.write_results(results)
    finally:
        harness.teardown(setup)
    print(f"total {time.perf_counter() - started:.0f} s; {harness.load_average()}")
    return 1 if any(r.failed for r in results) else 0


def run_all(names, load) -> list[Result]:
    """Run the benchmarks in order; one that fails is reported as failed (with its error) and the others still run,
    so the table and results.json are always written."""
    results = []
    for name in names:
        t0 = time.perf_counter()
        print(f"… {name}", end="", flush=True)
        try:
            result = load(name).run()
        except Exception as exc:
            traceback.print_exc()
            result = failed(name, exc)
            harness.reset_connections()
            print(f"… {name} FAILED after {time.perf_counter() - t0:.1f} s", flush=True)
        else:
            print(f" done in {time.perf_counter() - t0:.1f} s", flush=True)
        results.extend(result if isinstance(result, list) else [result])  # a benchmark may report several
    return results


def failed(name: str, exc: BaseException) -> Result:
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return Result(name=name, value=0, unit="", size="", baseline="", baseline_value=0, failed=reason)


if __name__ == "__main__":
    raise SystemExit(main())
