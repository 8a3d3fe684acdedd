"""Webhook delivery: throughput, commit-to-delivery latency, and faults.

    python bench/webhooks.py speed            # ≥ 200 deliveries/s; p99 ≤ 2 s at 50 events/s
    python bench/webhooks.py faults           # kill -9 the worker repeatedly under writes
    python bench/webhooks.py faults --restart-postgres   # also restart the (shared!) server

The receiver runs on 127.0.0.1 in this process; the worker is `manage.py run_worker` in its
own process, as in production. Events are synthetic outbox rows (type document.created), each
written by its own transaction, so the figures are those of the outbox, the relay and the
delivery loop, not of annotation writes.

Faults: a writer commits events at a steady rate and rolls back every fifth transaction after
writing its event; meanwhile the worker is killed with SIGKILL every few seconds (mid-batch)
and started again. At the end every committed event must have been delivered at least once and
no rolled-back one ever; the counts are printed. With --restart-postgres the machine's
PostgreSQL is also stopped and started once (a few seconds), which disturbs everyone using it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "ann_integrations_webhook_bench"
PG_VERSION = "15"
# --pg-cluster NAME --pg-port N: use (and restart) a private cluster instead of the shared one.
PG = {"cluster": "main", "port": 5432}


def database_url() -> str:
    return f"postgres://postgres@127.0.0.1:{PG['port']}/{DB_NAME}"


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOW_PRIVATE_NETWORK_TARGETS": "true",
        "LOG_LEVEL": "WARNING",
        "WORKER_INTERVAL": "0.05",
        "WEBHOOK_LEASE_SECONDS": "3",
    }


def prepare() -> None:
    subprocess.run(
        [
            "dropdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(PG["port"]),
            "-U",
            "postgres",
            "--if-exists",
            DB_NAME,
        ],
        check=True,
    )
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-p", str(PG["port"]), "-U", "postgres", DB_NAME],
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment(),
        check=True,
    )


def setup_django() -> None:
    os.environ.update(environment())
    import django

    django.setup()


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def register(url: str):
    from annotator.models import User
    from annotator.webhooks.models import WebhookEndpoint
    from annotator.webhooks.signing import new_secret

    owner, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    return WebhookEndpoint.objects.create(
        url=url, events=["document.created"], owner=owner, secret=new_secret()
    )


def write_event(seq: int, *, rollback: bool = False) -> tuple[str, float]:
    """One transaction writing one event; returns its id and the commit time."""
    from django.db import transaction

    from annotator.outbox.events import record

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            event = record("document.created", {"seq": seq, "rollback": rollback})
            if rollback:
                raise Rollback
    except Rollback:
        return event.msg_id, 0.0
    return event.msg_id, time.time()


def worker_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores"


def percentile(values: list[float], fraction: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))]


def received_ids(receiver) -> dict[str, float]:
    """msg id -> first arrival time."""
    first: dict[str, float] = {}
    with receiver.lock:
        for at, headers, _ in receiver.requests:
            msg_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
            first.setdefault(msg_id, at)
    return first


def wait_delivered(receiver, wanted: set[str], timeout: float) -> float:
    started = time.time()
    while time.time() - started < timeout:
        if wanted <= set(received_ids(receiver)):
            return time.time()
        time.sleep(0.02)
    raise SystemExit(f"not all delivered within {timeout} s")


def speed(count: int, rate: float, seconds: float) -> int:
    from tests.receiver import Receiver

    with Receiver() as receiver:
        register(receiver.url)
        # 1. Throughput: a backlog of `count` committed events, then the worker starts.
        backlog = {write_event(seq)[0] for seq in range(count)}
        worker = start_worker()
        try:
            started = time.time()
            finished = wait_delivered(receiver, backlog, timeout=300)
            backlog_cpu = worker_cpu(worker.pid)
            first = min(received_ids(receiver).values())
            throughput = count / (finished - started)
            steady = count / (finished - first)
            print(
                f"throughput: {count} deliveries in {finished - started:.2f} s from the worker's "
                f"start = {throughput:.0f}/s (of which {first - started:.2f} s start-up before "
                f"the first delivery); after start-up {steady:.0f}/s "
                f"(target ≥ 200/s, ratio {steady / 200:.2f}); worker CPU {backlog_cpu:.2f} s "
                f"({1000 * backlog_cpu / count:.2f} ms per delivery, start-up included); "
                f"load average {load_average()}"
            )
            # 2. Latency at a steady rate: commit time to first arrival.
            committed: dict[str, float] = {}
            interval, next_at = 1.0 / rate, time.time()
            for seq in range(int(rate * seconds)):
                next_at += interval
                msg_id, at = write_event(count + seq)
                committed[msg_id] = at
                time.sleep(max(0.0, next_at - time.time()))
            wait_delivered(receiver, set(committed), timeout=60)
            arrivals = received_ids(receiver)
            latencies = [arrivals[m] - committed[m] for m in committed]
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
            print(
                f"latency at {rate:.0f} events/s for {seconds:.0f} s ({len(latencies)} events): "
                f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                f"max {max(latencies) * 1000:.0f} ms "
                f"(target p99 ≤ 2000 ms, ratio {p99 / 2:.2f}); load average {load_average()}"
            )
        finally:
            worker.kill()
            worker.wait()
    return 0 if steady >= 200 and p99 <= 2 else 1


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG["cluster"], action],
        check=True,
        capture_output=True,
    )


def faults(seconds: float, rate: float, kill_every: float, restart_postgres: bool) -> int:
    from django.db import InterfaceError, OperationalError, connection

    from tests.receiver import Receiver

    committed, rolled_back, uncertain = set(), set(), 0
    with Receiver() as receiver:
        register(receiver.url)
        worker = [start_worker()]
        kills = 0
        stop = threading.Event()

        def killer():
            nonlocal kills
            while not stop.wait(kill_every):
                worker[0].send_signal(signal.SIGKILL)
                worker[0].wait()
                kills += 1
                worker[0] = start_worker()

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        outage_done = not restart_postgres
        started, seq = time.time(), 0
        while time.time() - started < seconds:
            if not outage_done and time.time() - started > seconds / 2:
                pg_ctl("stop")
                time.sleep(2)
                pg_ctl("start")
                outage_done = True
            seq += 1
            rollback = seq % 5 == 0
            try:
                msg_id, _ = write_event(seq, rollback=rollback)
                (rolled_back if rollback else committed).add(msg_id)
            except (OperationalError, InterfaceError):
                uncertain += 1  # the database was down: neither counted nor checked
                connection.close()
                time.sleep(0.2)
            time.sleep(1.0 / rate)
        stop.set()
        thread.join()
        try:
            deadline = time.time() + 120
            while time.time() < deadline and not committed <= set(received_ids(receiver)):
                time.sleep(0.2)
        finally:
            worker[0].kill()
            worker[0].wait()
        arrivals = received_ids(receiver)
        total_requests = len(receiver.requests)
    lost = committed - set(arrivals)
    leaked = rolled_back & set(arrivals)
    print(f"worker killed (SIGKILL) {kills} times; PostgreSQL restarted: {restart_postgres}")
    print(
        f"committed events: {len(committed)}; "
        f"delivered at least once: {len(committed & set(arrivals))}; "
        f"lost: {len(lost)}"
    )
    print(f"rolled-back events: {len(rolled_back)}; delivered: {len(leaked)}")
    print(
        f"requests received: {total_requests}; duplicates (same webhook-id again): "
        f"{total_requests - len(arrivals)}; writes that failed during the outage: {uncertain}"
    )
    return 0 if not lost and not leaked else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--count", type=int, default=2000)
    s.add_argument("--rate", type=float, default=50)
    s.add_argument("--seconds", type=float, default=30)
    f = sub.add_parser("faults")
    f.add_argument("--seconds", type=float, default=30)
    f.add_argument("--rate", type=float, default=40)
    f.add_argument("--kill-every", type=float, default=2.5)
    f.add_argument("--restart-postgres", action="store_true")
    for sub_parser in (s, f):
        sub_parser.add_argument("--pg-cluster", default="main")
        sub_parser.add_argument("--pg-port", type=int, default=5432)
    args = parser.parse_args(argv)
    PG.update(cluster=args.pg_cluster, port=args.pg_port)
    prepare()
    setup_django()
    if args.mode == "speed":
        return speed(args.count, args.rate, args.seconds)
    return faults(args.seconds, args.rate, args.kill_every, args.restart_postgres)


if __name__ == "__main__":
    sys.exit(main())
