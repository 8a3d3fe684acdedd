"""Who may bring documents in: editors, moderators and admins; reviewers only if allowed."""

from django.conf import settings

EDITOR_GROUP = "Editor"


def may_add_documents(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_moderator:
        return True
    names = set(user.groups.values_list("name", flat=True))
    if EDITOR_GROUP in names:
        return True
    return settings.DOCUMENT_REVIEWER_SUBMISSIONS and "Reviewer" in names
