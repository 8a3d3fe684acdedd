"""Read a thread: only for those who may see its group; hidden comments for moderators only."""

from annotator.visibility import may_see_group

from .models import Comment


def thread(user, consensus) -> list[Comment] | None:
    """The comments of ``consensus``'s thread as ``user`` may read them; None if they may not."""
    if not user.is_authenticated or not may_see_group(user, consensus):
        return None
    comments = Comment.objects.filter(consensus=consensus).select_related("author", "reply_to")
    if not user.is_moderator:
        comments = comments.filter(hidden_at__isnull=True)
    return list(comments.prefetch_related("mentions"))


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
