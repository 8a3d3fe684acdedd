"""Read a thread: only for those who may see its group; hidden comments for moderators only."""

from django.conf import settings

from annotator.visibility import may_see_group

from .models import Comment
from .services import may_change


def thread(user, consensus) -> list[Comment] | None:
    """The comments of ``consensus``'s thread as ``user`` may read them; None if they may not."""
    if not user.is_authenticated or not may_see_group(user, consensus):
        return None
    comments = Comment.objects.filter(consensus=consensus).select_related("author", "reply_to")
    if not user.is_moderator:
        comments = comments.filter(hidden_at__isnull=True)
    return list(comments.prefetch_related("mentions"))


def visible_comment(user, comment_id) -> Comment | None:
    """The comment if ``user`` may read it (its group visible; hidden ones to moderators)."""
    if not str(comment_id).isdigit() or len(str(comment_id)) > 18:
        return None
    comment = (
        Comment.objects.select_related("consensus", "author").filter(pk=int(comment_id)).first()
    )
    if comment is None or not user.is_authenticated:
        return None
    if not may_see_group(user, comment.consensus):
        return None
    if comment.hidden_at and not user.is_moderator:
        return None
    return comment


def thread_context(user, group, *, admin: bool = False, inline: bool = False) -> dict:
    """What ``_thread.html`` shows ``user``: the comments (each marked ``changeable`` when its
    author may still edit or delete it), or ``visible`` False."""
    comments = thread(user, group) if group is not None else None
    for comment in comments or ():
        comment.changeable = may_change(comment, user)
    return {
        "group": group,
        "comments": comments,
        "visible": comments is not None,
        "admin": admin,
        "inline": inline,
        "edit_window_minutes": settings.DISCUSSION["EDIT_WINDOW_MINUTES"],
    }


def present(comment: Comment, user) -> dict:
    removed = comment.deleted_at is not None
    return {
        "id": comment.pk,
        "consensus": comment.consensus_id,
        "author": {"id": comment.author_id, "username": comment.author.username},
        "body": "" if removed else comment.body,
        "reply_to": comment.reply_to_id,
        "mentions": [u.username for u in comment.mentions.all()],
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted": removed,
        "hidden": comment.hidden_at is not None,
        "is_own": comment.author_id == user.pk,
    }
