"""Who may manage campaigns. Who may look at one is the visibility policy's
(``visibility.may_see_campaign``)."""

from annotator import roles


def can_manage_campaigns(user) -> bool:
    """Editors, moderators and administrators create, open, close and change campaigns."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_moderator or roles.is_editor(user)
