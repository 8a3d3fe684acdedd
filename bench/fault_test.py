"""Fault test: restart PostgreSQL while gunicorn serves a steady load.

    python bench/fault_test.py [--rate 80] [--outage 3]

Checks (issue 8):
  * requests made while the database is down fail fast with 503 and the JSON error
    {"detail": "The database is unavailable; try again shortly.", "request_id": ...}: no hang,
    no 500, no traceback;
  * the service recovers by itself within 5 s of the database accepting connections again;
  * no acknowledged write is lost: every annotation id answered with 201 is a row afterwards,
    and the consensus equals a recompute from scratch.

The PostgreSQL server is the machine's shared one: the outage is kept to a few seconds, and the
server is started again in a `finally` block whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_test import (  # noqa: E402
    HOST,
    PORT,
    ROOT,
    Workload,
    check_nothing_lost,
    endpoint_status,
    percentile,
    prepare_database,
    server_env,
    start_server,
    stop_server,
)

PG_VERSION = "15"
EXPECTED_DETAIL = "The database is unavailable; try again shortly."
FAST_MS = 1000  # an answer during the outage must come within this
RECOVERY_TARGET_S = 5.0


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action],
        check=True,
        capture_output=True,
    )


def pg_accepting() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], capture_output=True
        ).returncode
        == 0
    )


class Outage:
    """Stops PostgreSQL at `at` seconds into the run, starts it `length` seconds later."""

    def __init__(self, at: float, length: float):
        self.at, self.length = at, length
        # Seconds since the run started: stop asked, stop done, start asked, accepting again.
        self.down_at = self.stopped_at = self.start_at = self.up_at = None
        self.thread = None
        self.error = None

    def start(self, run_started: float) -> None:
        def act():
            try:
                time.sleep(max(0.0, self.at - (time.perf_counter() - run_started)))
                self.down_at = time.perf_counter() - run_started
                pg_ctl("stop")
                self.stopped_at = time.perf_counter() - run_started
                time.sleep(self.length)
            except Exception as error:  # noqa: BLE001 - reported after the run
                self.error = error
            finally:
                self.start_at = time.perf_counter() - run_started
                ensure_postgres_running()
                self.up_at = time.perf_counter() - run_started

        self.thread = threading.Thread(target=act, daemon=True)
        self.thread.start()


def ensure_postgres_running() -> None:
    if not pg_accepting():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"],
            check=False,
            capture_output=True,
        )
    for _ in range(100):
        if pg_accepting():
            return
        time.sleep(0.1)


async def run_with_outage(workload, duration, rate, outage):
    from bench.load_test import run_load

    started_box = {}

    def on_tick(scheduled):
        if "started" not in started_box:
            started_box["started"] = time.perf_counter() - scheduled
            outage.start(started_box["started"])

    return await run_load(workload, duration, rate, timeout=20.0, on_tick=on_tick)


def server_latencies(log_path: Path, status: int) -> list[float]:
    """Latencies (ms) the application itself logged for responses with this status."""
    latencies = []
    for line in log_path.read_text().splitlines():
        if '"annotator.access"' in line:
            record = json.loads(line)
            if record["status"] == status:
                latencies.append(record["latency_ms"])
    return sorted(latencies)


def analyse(results, outage, log_path) -> tuple[list[tuple[str, bool, str]], dict]:
    down, up = outage.down_at, outage.up_at
    during = [r for r in results if down <= r.scheduled <= up]
    failures = [r for r in results if not 200 <= r.status < 300]
    statuses = sorted({r.status for r in failures})
    bad_failures = [r for r in failures if r.status != 503]
    # "Fast" is judged on the time from sending the request to its answer; the time a request
    # waited in the open-loop schedule behind others is queueing, reported separately.
    slow_failures = [r for r in failures if r.service * 1000 > FAST_MS]
    server_503 = server_latencies(log_path, 503)
    unclear = []
    for r in failures:
        if r.status == 503:
            try:
                body = json.loads(r.body)
            except ValueError:
                unclear.append(r)
                continue
            if body.get("detail") != EXPECTED_DETAIL or not body.get("request_id"):
                unclear.append(r)
        if b"Traceback" in r.body:
            unclear.append(r)
    last_failure_end = max((r.scheduled + r.latency for r in failures), default=None)
    first_success_after_up = min(
        (r.scheduled + r.latency for r in results if r.scheduled >= up and r.status < 300),
        default=None,
    )
    recovery = None if last_failure_end is None else max(0.0, last_failure_end - up)
    during_latencies = sorted(r.latency * 1000 for r in during)
    figures = {
        "outage window (s into run)": f"{down:.2f} -> {up:.2f} ({up - down:.2f} s)",
        "  of which PostgreSQL shutting down": f"{outage.stopped_at - down:.2f} s",
        "  stopped (connections refused)": f"{outage.start_at - outage.stopped_at:.2f} s",
        "  starting up": f"{up - outage.start_at:.2f} s",
        "requests scheduled during the outage": len(during),
        "of them answered 503": sum(1 for r in during if r.status == 503),
        "failed responses in all": len(failures),
        "failure statuses": statuses,
        "503 answered by the app in (server log, ms)": (
            f"p50 {percentile(server_503, 0.5):.1f}, p99 {percentile(server_503, 0.99):.1f}, "
            f"max {server_503[-1] if server_503 else float('nan'):.1f}"
        ),
        "max time from send to answer of a failed request (ms)": round(
            max((r.service * 1000 for r in failures), default=0), 1
        ),
        "max latency of a failed request incl. client queueing (ms)": round(
            max((r.latency * 1000 for r in failures), default=0), 1
        ),
        "max latency of any request during outage (ms)": round(
            during_latencies[-1] if during_latencies else 0, 1
        ),
        "last failure ended, s after DB up": None if recovery is None else round(recovery, 2),
        "first success, s after DB up": None
        if first_success_after_up is None
        else round(first_success_after_up - up, 2),
    }
    checks = [
        ("the outage produced failures (the test saw it)", bool(failures), str(len(failures))),
        ("every failure is a 503", not bad_failures, str(statuses)),
        ("every 503 is the clear JSON error, no traceback", not unclear, f"{len(unclear)} unclear"),
        (f"failures answered within {FAST_MS} ms", not slow_failures, f"{len(slow_failures)} slow"),
        (
            f"recovered within {RECOVERY_TARGET_S:.0f} s of the database returning",
            recovery is not None and recovery < RECOVERY_TARGET_S,
            f"{recovery:.2f} s" if recovery is not None else "n/a",
        ),
    ]
    return checks, figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--outage-at", type=float, default=6.0)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database", default="annot_ops_fault")
    args = parser.parse_args(argv)
    if args.outage > 5:
        raise SystemExit("keep the outage of the shared PostgreSQL under 5 s")

    print(f"preparing database {args.database}")
    database_url, data = prepare_database(args.database, 50)
    env = server_env(database_url)
    log_path = ROOT / "bench" / "fault_test.gunicorn.log"
    server = start_server(env, args.workers, log_path)
    outage = Outage(args.outage_at, args.outage)
    try:
        exports = endpoint_status("/api/v1/exports/consensus?format=jsonl", data["keys"][0]) != 404
        workload = Workload(keys=data["keys"], documents=data["documents"], exports=exports)
        print(
            f"load: {args.rate:.0f} req/s for {args.duration:.0f} s on {HOST}:{PORT}; PostgreSQL "
            f"stopped at {args.outage_at:.0f} s for {args.outage:.0f} s"
        )
        results, elapsed = asyncio.run(run_with_outage(workload, args.duration, args.rate, outage))
    finally:
        if outage.thread is not None:
            outage.thread.join(timeout=30)
        ensure_postgres_running()
        stop_server(server)
    if outage.error is not None:
        print(f"the outage could not be staged: {outage.error!r}")
        return 2

    checks, figures = analyse(results, outage, log_path)
    print(f"\n{len(results)} requests in {elapsed:.1f} s")
    for name, value in figures.items():
        print(f"  {name}: {value}")
    # A write answered 201 must be a row; a write answered 503 may or may not have committed.
    intact = check_nothing_lost(server_env(database_url, LOG_LEVEL="WARNING"), results)
    checks.append(("no acknowledged write lost, consensus = recompute", intact, str(intact)))
    print("\nchecks:")
    for name, passed, value in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {value}")
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.database], check=False
    )
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
