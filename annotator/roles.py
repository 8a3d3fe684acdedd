"""The roles and their group names: the one place that names them (docs/design.md, "Roles").

A role is a Django group, created by migrations (0003 Reviewer and Moderator, 0007 Editor);
administrators are superusers. Permission checks elsewhere ask these predicates, never a group
name of their own.
"""

REVIEWER = "Reviewer"  # judges passages
EDITOR = "Editor"  # adds sources and documents, runs campaigns (docs/documents.md)
MODERATOR = "Moderator"  # moderates in the admin; sees everything (docs/visibility.md)


def in_group(user, name: str) -> bool:
    """Whether ``user`` is in the group ``name``, reading groups a view already prefetched."""
    cache = getattr(user, "_prefetched_objects_cache", {})
    if "groups" in cache:
        return any(group.name == name for group in cache["groups"])
    return user.groups.filter(name=name).exists()


def is_editor(user) -> bool:
    return bool(user.is_authenticated) and in_group(user, EDITOR)
