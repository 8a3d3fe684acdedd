"""Who may bring documents in: editors, moderators and admins; reviewers only if allowed."""

from django.conf import settings

from annotator import roles


def may_add_documents(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_moderator:
        return True
    if roles.is_editor(user):
        return True
    return settings.DOCUMENT_REVIEWER_SUBMISSIONS and roles.in_group(user, roles.REVIEWER)
