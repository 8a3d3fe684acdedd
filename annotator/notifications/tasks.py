"""Jobs (Django tasks API, database backend) that create and send notifications."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from django_tasks import task

from annotator.models import Annotation, AnnotationStatus, Consensus, ConsensusStatus
from annotator.visibility import members_filter, users_who_may_see_group

from . import services
from .models import DigestRun, Kind

# A group's kind as a notification names it (written in each recipient's language).
GROUP_KINDS = {
    Consensus.Kind.PASSAGE: gettext_lazy("passage"),
    Consensus.Kind.SPAN: gettext_lazy("span"),
    Consensus.Kind.CLAIM: gettext_lazy("claim"),
}


@task()
def notify(kind: str, user_ids: list[int], title: str, url: str, params: dict | None = None) -> int:
    return len(services.create(kind, user_ids, title, url, params))


def thread_url(consensus_id: int) -> str:
    return reverse("discussion-thread", args=[consensus_id])


@task()
def comment_posted(comment_id: int, mention_ids: list[int]) -> int:
    """Tell the people mentioned, and the author of the comment replied to, if they may see
    the thread (a mention does not open a thread to someone blind review keeps out)."""
    from annotator.discussion.models import Comment

    comment = Comment.objects.select_related("author", "consensus", "reply_to").get(pk=comment_id)
    if comment.hidden_at or comment.deleted_at:
        return 0
    from django.contrib.auth import get_user_model

    author = comment.author.username
    url = thread_url(comment.consensus_id) + f"#comment-{comment.pk}"
    candidates = {pk for pk in mention_ids if pk != comment.author_id}
    reply_to = comment.reply_to.author_id if comment.reply_to_id else None
    if reply_to and reply_to != comment.author_id:
        candidates.add(reply_to)
    users = get_user_model().objects.filter(pk__in=candidates, is_active=True)
    allowed = users_who_may_see_group(comment.consensus, users)
    mentioned = allowed & set(mention_ids)
    who = {"author": author}
    count = len(
        services.create(Kind.MENTION, mentioned, gettext_noop("%(author)s mentioned you"), url, who)
    )
    if reply_to in allowed and reply_to not in mentioned:
        count += len(
            services.create(
                Kind.REPLY, [reply_to], gettext_noop("%(author)s replied to you"), url, who
            )
        )
    return count


@task()
def group_adjudicated(consensus_id: int) -> int:
    """Tell the reviewers whose judgments make up an adjudicated group."""
    row = Consensus.objects.get(pk=consensus_id)
    members = Annotation.objects.filter(members_filter(row), status=AnnotationStatus.ACTIVE)
    reviewers = set(members.values_list("reviewer_id", flat=True))
    title = gettext_noop("A moderator adjudicated the %(kind)s you judged (%(status)s)")
    params = {"kind": GROUP_KINDS[row.kind], "status": ConsensusStatus(row.status).label}
    return len(services.create(Kind.ADJUDICATED, reviewers, title, thread_url(row.pk), params))


@task()
def daily_digest() -> int:
    return services.send_digests()


def enqueue_digest_if_due(now: datetime.datetime | None = None) -> bool:
    """Enqueue today's digest once (several workers may ask), after ``DIGEST_HOUR`` UTC."""
    now = now or timezone.now()
    if now.hour < settings.NOTIFICATIONS["DIGEST_HOUR"]:
        return False
    try:
        with transaction.atomic():
            DigestRun.objects.create(day=now.date())
            daily_digest.enqueue()
    except IntegrityError:
        return False
    return True


def on_events(events) -> None:
    """Outbox consumer: the events that notify someone become jobs (in the relay's transaction)."""
    for event in events:
        if event.type in ("comment.created", "comment.edited"):
            comment_posted.enqueue(event.subject_id, event.data.get("mentions", []))
        elif event.type == "moderation.action" and event.data.get("action") == "adjudicate":
            group_adjudicated.enqueue(int(event.data["target_id"]))
