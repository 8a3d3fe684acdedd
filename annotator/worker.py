"""The background worker: relay the outbox, deliver webhooks, run queued jobs.

Jobs use the Django tasks API (``django_tasks``) with the database backend (``django_tasks_db``):
a job enqueued inside a transaction is a row of that transaction, so the queue needs no broker
and shares the outbox's guarantees (see docs/design.md, "Background jobs").

One loop does three things, each in short transactions, until there is nothing due:
1. relay committed outbox events to their consumers (``annotator.outbox.relay``);
2. post due webhook deliveries (``annotator.webhooks.delivery``);
3. run ready jobs, claimed with SKIP LOCKED by the library's queryset.
A job left RUNNING by a killed worker is made READY again after ``JOB_LEASE_SECONDS``.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone

from annotator.campaigns.milestones import remind_due
from annotator.notifications.tasks import enqueue_digest_if_due
from annotator.outbox.relay import relay
from annotator.webhooks.delivery import deliver_due

logger = logging.getLogger(__name__)


def _job_worker(worker_id: str):
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_jobs(worker, limit: int) -> int:
    """Run up to ``limit`` ready jobs, each claimed in its own short transaction."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    done = 0
    while done < limit:
        ready = (
            DBTaskResult.objects.ready()
            .filter(backend_name="default")
            .order_by("-priority", "run_after", "enqueued_at")
        )
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is None:
                break
            result.claim(worker.worker_id)
        worker.run_task(result)
        done += 1
    return done


def requeue_abandoned_jobs() -> int:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(seconds=settings.WORKER["JOB_LEASE_SECONDS"])
    return (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .update(status="READY", started_at=None)
    )


class Worker:
    def __init__(self, *, interval: float | None = None, worker_id: str | None = None):
        self.interval = settings.WORKER["INTERVAL"] if interval is None else interval
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.jobs = _job_worker(self.worker_id)

    def run_once(self) -> int:
        """One pass; returns how much work it found (0: nothing is due)."""
        work = relay(settings.WORKER["RELAY_BATCH"])
        work += deliver_due()
        work += run_jobs(self.jobs, settings.WORKER["JOB_BATCH"])
        return work

    def run(self, *, until_empty: bool = False) -> None:
        requeue_abandoned_jobs()
        remind_due()
        last_sweep = time.monotonic()
        while True:
            try:
                work = self.run_once()
            except (OperationalError, InterfaceError) as error:
                # The database went away (restart, failover): drop the connection and retry.
                logger.warning("worker: database unavailable (%s); retrying", error)
                for connection in connections.all():
                    connection.close_if_unusable_or_obsolete()
                    connection.close()
                time.sleep(1)
                continue
            if until_empty and not work:
                return
            if time.monotonic() - last_sweep > 60:
                requeue_abandoned_jobs()
                enqueue_digest_if_due()
                remind_due()
                last_sweep = time.monotonic()
            if not work:
                close_old_connections()
                time.sleep(self.interval)
