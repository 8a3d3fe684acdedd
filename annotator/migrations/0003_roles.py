"""Roles as groups: Reviewer and Moderator, with exactly the permissions each needs.

Model permissions are normally created after ``migrate`` (post_migrate), so this migration
creates them itself first. The moderation permissions below are not tied to a model field:
they guard the moderation actions, which are the only way a moderator changes anything.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

# (model, codename, name): permissions for the moderation actions.
MODERATION_PERMISSIONS = [
    ("annotation", "hide_annotation", "Can hide and unhide annotations"),
    ("user", "suspend_user", "Can suspend and reinstate reviewers"),
    ("consensus", "adjudicate_consensus", "Can adjudicate a disputed consensus"),
    ("claim", "merge_claim", "Can merge duplicate claims"),
    ("flagtype", "retire_flagtype", "Can retire and restore flag types"),
    ("moderationaction", "view_moderation_queue", "Can see the moderation queue"),
]

ANNOTATOR_MODELS = [
    "user",
    "source",
    "document",
    "passage",
    "flagtype",
    "claim",
    "annotation",
    "annotationrevision",
    "suggestion",
    "suggestiondecision",
    "consensus",
    "moderationaction",
    "apitoken",
]

# A reviewer works through the web UI and the API: reads the corpus, writes their own
# annotations (the write path checks authorship), creates claims, decides on suggestions.
REVIEWER_PERMISSIONS = [
    "view_source",
    "view_document",
    "view_passage",
    "view_flagtype",
    "view_claim",
    "add_claim",
    "view_annotation",
    "add_annotation",
    "change_annotation",
    "view_consensus",
    "view_suggestion",
    "view_suggestiondecision",
    "add_suggestiondecision",
]

# A moderator sees everything in the app and changes things only through moderation actions:
# no add/change/delete model permissions, no access to groups, permissions or passwords.
MODERATOR_PERMISSIONS = [f"view_{model}" for model in ANNOTATOR_MODELS] + [
    codename for _, codename, _ in MODERATION_PERMISSIONS
]


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in ("contenttypes", "auth", "annotator"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=using)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for model, codename, name in MODERATION_PERMISSIONS:
        content_type = ContentType.objects.db_manager(using).get(app_label="annotator", model=model)
        Permission.objects.db_manager(using).update_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for group_name, codenames in (
        ("Reviewer", REVIEWER_PERMISSIONS),
        ("Moderator", MODERATOR_PERMISSIONS),
    ):
        group, _ = Group.objects.db_manager(using).get_or_create(name=group_name)
        permissions = Permission.objects.db_manager(using).filter(
            content_type__app_label="annotator", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    apps.get_model("auth", "Group").objects.db_manager(using).filter(
        name__in=["Reviewer", "Moderator"]
    ).delete()
    apps.get_model("auth", "Permission").objects.db_manager(using).filter(
        content_type__app_label="annotator",
        codename__in=[codename for _, codename, _ in MODERATION_PERMISSIONS],
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0002_flag_taxonomy_and_audit_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
