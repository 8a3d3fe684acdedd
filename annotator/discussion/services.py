"""Post, edit, delete and hide comments; each in one transaction with its outbox event."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annotator.audit import record_action
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.outbox.events import record
from annotator.visibility import may_see_group

from .models import Comment

MAX_LENGTH = 5000
# @username, as Django's username validator allows it (letters, digits and @.+-_).
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+(?:@[\w.+-]+)?)")


def edit_window() -> timedelta:
    return timedelta(minutes=settings.DISCUSSION["EDIT_WINDOW_MINUTES"])


def clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise AnnotationInputError({"body": ["Write something."]})
    body = body.strip()
    if len(body) > MAX_LENGTH:
        raise AnnotationInputError({"body": [f"At most {MAX_LENGTH} characters."]})
    if "\x00" in body:
        raise AnnotationInputError({"body": ["Contains a NUL character."]})
    return body


def mentioned_users(body: str) -> list:
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    if not names:
        return []
    return list(get_user_model().objects.filter(username__in=names, is_active=True))


def _event(comment: Comment, type: str, mentions) -> None:
    record(
        type,
        {
            "id": comment.pk,
            "consensus": comment.consensus_id,
            "author": comment.author_id,
            "reply_to": comment.reply_to_id,
            "mentions": sorted(user.pk for user in mentions),
        },
        subject_type="comment",
        subject_id=comment.pk,
    )


def post_comment(*, author, consensus, body, reply_to: Comment | None = None) -> Comment:
    """A comment in the thread of ``consensus``; the author must be able to see the group."""
    if not author.is_active:
        raise NotAllowedError("Suspended or inactive accounts cannot comment.")
    if not may_see_group(author, consensus):
        raise NotAllowedError("Judge this passage, span or claim yourself before discussing it.")
    body = clean_body(body)
    if reply_to is not None and (
        reply_to.consensus_id != consensus.pk or reply_to.hidden_at or reply_to.deleted_at
    ):
        raise AnnotationInputError({"reply_to": ["Reply to a comment of the same thread."]})
    mentions = mentioned_users(body)
    with transaction.atomic():
        comment = Comment.objects.create(
            consensus=consensus, author=author, body=body, reply_to=reply_to
        )
        comment.mentions.set(mentions)
        _event(comment, "comment.created", mentions)
    return comment


def may_change(comment: Comment, user) -> bool:
    """The author may edit or delete a comment for the edit window (the UI asks this too)."""
    return (
        comment.author_id == user.pk
        and user.is_active
        and not comment.hidden_at
        and not comment.deleted_at
        and timezone.now() - comment.created_at <= edit_window()
    )


def _own_and_recent(comment: Comment, by) -> None:
    if may_change(comment, by):
        return
    if comment.author_id != by.pk or not by.is_active:
        raise NotAllowedError("Only the author can change a comment.")
    if comment.hidden_at or comment.deleted_at:
        raise AnnotationInputError({"non_field_errors": ["This comment was removed."]})
    if timezone.now() - comment.created_at > edit_window():
        minutes = settings.DISCUSSION["EDIT_WINDOW_MINUTES"]
        raise NotAllowedError(f"Comments can be changed for {minutes} minutes after posting.")


def edit_comment(comment: Comment, *, by, body) -> Comment:
    body = clean_body(body)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _own_and_recent(comment, by)
        old = {user.pk for user in comment.mentions.all()}
        mentions = mentioned_users(body)
        comment.body, comment.edited_at = body, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        comment.mentions.set(mentions)
        # Only newly mentioned people are told.
        _event(comment, "comment.edited", [user for user in mentions if user.pk not in old])
    return comment


def delete_comment(comment: Comment, *, by) -> Comment:
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _own_and_recent(comment, by)
        comment.body, comment.deleted_at = "", timezone.now()
        comment.save(update_fields=["body", "deleted_at"])
        comment.mentions.clear()
    return comment


def hide_comment(comment: Comment, *, moderator, reason: str) -> Comment:
    if not moderator.is_active or not moderator.is_moderator:
        raise NotAllowedError("Only moderators can hide comments.")
    if not isinstance(reason, str) or not reason.strip():
        raise AnnotationInputError({"reason": ["A reason is required."]})
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.hidden_at is None:
            comment.hidden_at, comment.hidden_by = timezone.now(), moderator
            comment.save(update_fields=["hidden_at", "hidden_by"])
            record_action(actor=moderator, action="comment.hide", target=comment, reason=reason)
    return comment
