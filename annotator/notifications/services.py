"""Create notifications and send their emails. Called from jobs, never from a request.

``notify_later`` is the entry point for other features (campaigns: assigned work, a campaign
due in 24 h): it enqueues a job in the caller's transaction, so a rolled-back assignment sends
nothing and a committed one is notified even if the web process dies.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from .models import Kind, Notification, Preference

UNSUBSCRIBE_SALT = "annotator.notifications.unsubscribe"


def notify_later(
    kind: str, user_ids, title: str, url: str = "", params: dict | None = None
) -> None:
    """Enqueue the notification of ``user_ids`` (a job: fan-out and email happen in the worker).

    With ``params`` (plain strings), ``title`` is a ``gettext_noop`` message that ``create``
    writes in each recipient's language; without, it is finished text, stored as given."""
    from .tasks import notify

    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if params is None:
        notify.enqueue(kind, sorted(set(user_ids)), title[:300], url[:500])
    else:
        notify.enqueue(kind, sorted(set(user_ids)), title, url[:500], params)


def create(
    kind: str, user_ids, title: str, url: str = "", params: dict | None = None
) -> list[Notification]:
    """In-app notifications for every recipient who has not muted ``kind``; then email those
    who want each notification by email.

    With ``params``, ``title`` is an English message marked with ``gettext_noop``: each
    recipient's copy is written in their interface language (``title % params``, the values
    may be lazy translations too), and stored so.
    """
    user_ids = set(user_ids)
    muted = {
        pref.user_id
        for pref in Preference.objects.filter(user_id__in=user_ids).only("user_id", "muted")
        if kind in pref.muted
    }
    recipients = sorted(user_ids - muted)
    languages = {}
    if params is not None and recipients:
        from django.contrib.auth import get_user_model

        languages = dict(
            get_user_model().objects.filter(pk__in=recipients).values_list("pk", "language")
        )

    def written(pk: int) -> str:
        if params is None:
            return title
        with translation.override(languages.get(pk) or settings.LANGUAGE_CODE):
            return (gettext(title) % params)[:300]

    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=pk, kind=kind, title=written(pk), url=url, created_at=now)
        for pk in recipients
    )
    email_now(rows)
    return rows


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user) -> str:
    # reverse() once per process, not per email (it cost ~6 ms each in a 1,000-email fan-out).
    global _unsubscribe_prefix
    if _unsubscribe_prefix is None:
        _unsubscribe_prefix = reverse("notifications-unsubscribe", args=["T"]).removesuffix("T/")
    return f"{settings.SITE_URL.rstrip('/')}{_unsubscribe_prefix}{unsubscribe_token(user)}/"


_unsubscribe_prefix = None


def user_from_token(token: str):
    """The user an unsubscribe token was made for, or None (bad or forged token)."""
    from django.contrib.auth import get_user_model

    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def unsubscribe(user) -> None:
    Preference.objects.update_or_create(user=user, defaults={"email": Preference.Email.OFF})


def _message(user, subject: str, lines: list[str]) -> EmailMessage:
    link = unsubscribe_url(user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        footer = gettext("Stop these emails (one click, no sign-in): %(link)s") % {"link": link}
    body = "\n".join([*lines, "", footer])
    return EmailMessage(
        subject,
        body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _digest_subject(user, count: int) -> str:
    """The digest's subject in the recipient's interface language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return ngettext(
            "Your daily digest: %(count)d notification",
            "Your daily digest: %(count)d notifications",
            count,
        ) % {"count": count}


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def email_now(notifications: list[Notification]) -> int:
    """Email each notification whose recipient wants them one by one (the default)."""
    from django.contrib.auth import get_user_model

    recipient_ids = {row.recipient_id for row in notifications}
    if not recipient_ids:
        return 0
    wanting = set(
        get_user_model()
        .objects.filter(pk__in=recipient_ids, is_active=True)
        .exclude(email="")
        .exclude(notification_preference__email__in=[Preference.Email.DAILY, Preference.Email.OFF])
        .values_list("pk", flat=True)
    )
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=wanting)}
    sent = [row for row in notifications if row.recipient_id in users]
    messages = [
        _message(users[row.recipient_id], row.title, [row.title, _absolute(row.url)])
        for row in sent
    ]
    if messages:
        get_connection().send_messages(messages)
        Notification.objects.filter(pk__in=[row.pk for row in sent]).update(
            emailed_at=timezone.now()
        )
    return len(messages)


def send_digests() -> int:
    """One email per daily-digest user with their notifications not yet emailed."""
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__notification_preference__email=Preference.Email.DAILY,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    by_user: dict = {}
    for row in pending:
        by_user.setdefault(row.recipient, []).append(row)
    messages = [
        _message(
            user,
            _digest_subject(user, len(rows)),
            [f"- {row.title} {_absolute(row.url)}" for row in rows],
        )
        for user, rows in by_user.items()
    ]
    if messages:
        get_connection().send_messages(messages)
        ids = [row.pk for rows in by_user.values() for row in rows]
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return len(messages)
