"""Notification fan-out: a mention of 200 users, and a campaign opening for 1,000 reviewers.

    python bench/notification_fanout.py

Both are done by the worker, not in the request: prints the web request's time (posting the
comment with 200 mentions; opening a campaign of 1,000 reviewers over the sample corpus with
``POST /campaigns/<id>/open/``; both through the full Django stack in this process) and the
worker's wall and CPU time (relay + job: visibility check per mentioned user, notification
rows, emails) for each case. Target: ≤ 2 s of worker time each. Every user has an email
address and the default preference (each notification by email), so the email path is
included; the mail backend is Django's in-memory one (no SMTP server's latency).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "ann_integrations_fanout_bench"
MENTIONED, CAMPAIGN = 200, 1000


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver",
    }


def main() -> int:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    env = environment()
    for args in (("migrate", "--noinput", "-v0"), ("import_documents",)):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core import mail
    from django.test import Client

    from annotator.annotations import create_annotation
    from annotator.campaigns.lifecycle import create_campaign
    from annotator.models import Assignment, Consensus, Document, Passage, User
    from annotator.notifications.models import Notification
    from annotator.worker import Worker

    mail.outbox = []
    reviewer_group = Group.objects.get(name="Reviewer")
    users = User.objects.bulk_create(
        User(username=f"rev{i:04d}", email=f"rev{i:04d}@example.org") for i in range(CAMPAIGN + 1)
    )
    reviewer_group.user_set.add(*users)
    author, mentioned = users[0], users[1 : MENTIONED + 1]
    document = Document.objects.order_by("pk").first()
    passage = document.passages.order_by("index").first()
    for user in [author, *mentioned]:  # they judged the passage, so they may see its thread
        create_annotation(
            reviewer=user,
            document=document,
            start=passage.start,
            end=passage.end,
            reliability=1 + user.pk % 5,
        )
    group = Consensus.objects.get(kind="passage", passage=passage)
    worker = Worker(interval=0)
    worker.run(until_empty=True)  # drain the annotations' events first
    Notification.objects.all().delete()

    client = Client()
    client.force_login(author)
    client.get(f"/api/v1/comments/?consensus={group.pk}")  # warm up: imports, URL resolver
    body = "Please look again: " + " ".join(f"@{user.username}" for user in mentioned)
    started = time.perf_counter()
    response = client.post(
        "/api/v1/comments/", {"consensus": group.pk, "body": body}, content_type="application/json"
    )
    request_s = time.perf_counter() - started
    assert response.status_code == 201, response.content
    started, cpu = time.perf_counter(), time.process_time()
    if os.environ.get("PROFILE"):
        import cProfile

        cProfile.runctx("worker.run(until_empty=True)", globals(), locals(), sort="cumtime")
    else:
        worker.run(until_empty=True)
    mention_s, mention_cpu = time.perf_counter() - started, time.process_time() - cpu
    made = Notification.objects.filter(kind="mention").count()
    print(
        f"mention of {MENTIONED}: web request {request_s * 1000:.0f} ms; worker "
        f"{mention_s:.2f} s wall, {mention_cpu:.2f} s CPU for {made} notifications and "
        f"{len(mail.outbox)} emails "
        f"(target ≤ 2 s, ratio {mention_s / 2:.2f})"
    )

    # The campaign: opened through the web (POST /campaigns/<id>/open/, the real path: the
    # request writes the assignments, the campaign.opened event and one notification job),
    # then the worker relays the event and runs the job for every reviewer given work.
    passages = Passage.objects.filter(document__is_current=True).count()
    overlap = -(-CAMPAIGN // passages)  # every reviewer gets at least one passage
    manager = User.objects.create(username="lead", is_superuser=True, is_staff=True)
    campaign = create_campaign(
        by=manager,
        name="Fan-out",
        reviewers=[user.username for user in users[1:]],
        documents=list(Document.objects.filter(is_current=True).values_list("pk", flat=True)),
        overlap=overlap,
    )
    web = Client()
    web.force_login(manager)
    mail.outbox = []
    started = time.perf_counter()
    response = web.post(f"/campaigns/{campaign.pk}/open/")
    open_s = time.perf_counter() - started
    assert response.status_code == 302, response.content
    assigned = Assignment.objects.filter(campaign=campaign).count()
    started, cpu = time.perf_counter(), time.process_time()
    worker.run(until_empty=True)
    campaign_s, campaign_cpu = time.perf_counter() - started, time.process_time() - cpu
    made = Notification.objects.filter(kind="assigned").count()
    print(
        f"campaign opening for {CAMPAIGN} reviewers ({assigned} assignments, overlap "
        f"{overlap}): web request {open_s * 1000:.0f} ms (assignments, event, one job); worker "
        f"{campaign_s:.2f} s wall, {campaign_cpu:.2f} s CPU for {made} notifications and "
        f"{len(mail.outbox)} emails (target ≤ 2 s, ratio {campaign_s / 2:.2f})"
    )
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    return 0 if mention_s <= 2 and campaign_s <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
