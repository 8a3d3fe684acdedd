"""Roles: the Reviewer and Moderator groups, who can reach the admin, and `create_user`."""

import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotator import moderation
from annotator.models import User
from annotator.tokens import create_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ANNOTATOR_MODELS = {
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
}


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


# --- groups and their permissions ---------------------------------------------------------------


def test_moderator_group_can_view_everything_and_moderate_but_not_edit_or_delete():
    perms = codenames("Moderator")
    assert {f"annotator.view_{model}" for model in ANNOTATOR_MODELS} <= perms
    assert perms - {f"annotator.view_{model}" for model in ANNOTATOR_MODELS} == {
        "annotator.hide_annotation",
        "annotator.suspend_user",
        "annotator.adjudicate_consensus",
        "annotator.merge_claim",
        "annotator.retire_flagtype",
        "annotator.view_moderation_queue",
        "annotator.view_snapshot",  # migration 0011: the read-only Snapshot admin
    }
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in perms)


def test_reviewer_group_has_only_what_annotating_needs():
    assert codenames("Reviewer") == {
        "annotator.view_source",
        "annotator.view_document",
        "annotator.view_passage",
        "annotator.view_flagtype",
        "annotator.view_claim",
        "annotator.add_claim",
        "annotator.view_annotation",
        "annotator.add_annotation",
        "annotator.change_annotation",
        "annotator.view_consensus",
        "annotator.view_suggestion",
        "annotator.view_suggestiondecision",
        "annotator.add_suggestiondecision",
    }


def test_moderation_permissions_exist_with_readable_names():
    names = dict(
        Permission.objects.filter(codename__in=["hide_annotation", "suspend_user"]).values_list(
            "codename", "name"
        )
    )
    assert names == {
        "hide_annotation": "Can hide and unhide annotations",
        "suspend_user": "Can suspend and reinstate reviewers",
    }


# --- who reaches the admin ----------------------------------------------------------------------


def test_reviewer_cannot_reach_the_admin(client, reviewer):
    client.force_login(reviewer)
    for url in (
        reverse("admin:index"),
        reverse("admin:annotator_annotation_changelist"),
        reverse("admin:annotator_moderation_queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_anonymous_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:annotator_moderationaction_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_moderator_reaches_admin_and_queue(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:annotator_moderation_queue")).status_code == 200


def test_moderator_cannot_change_passwords_users_groups_or_permissions(client, moderator, reviewer):
    client.force_login(moderator)
    password_url = reverse("admin:auth_user_password_change", args=[reviewer.pk])
    assert client.get(password_url).status_code == 403
    assert (
        client.post(
            password_url, {"password1": "n3w-Pa55word!", "password2": "n3w-Pa55word!"}
        ).status_code
        == 403
    )
    change_url = reverse("admin:annotator_user_change", args=[reviewer.pk])
    assert client.get(change_url).status_code == 200  # view only
    response = client.post(
        change_url,
        {"username": "alice", "is_superuser": "on", "is_staff": "on", "groups": []},
    )
    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.check_password("pw-alice")
    assert not reviewer.is_superuser and not reviewer.is_staff
    assert reviewer.groups.filter(name="Reviewer").exists()
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:annotator_user_add")).status_code == 403


def test_admin_can_change_a_password_but_not_suspension_fields_directly(client, reviewer):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    password_url = reverse("admin:auth_user_password_change", args=[reviewer.pk])
    response = client.post(
        password_url, {"password1": "n3w-Pa55word!", "password2": "n3w-Pa55word!"}
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("n3w-Pa55word!")
    form = client.get(reverse("admin:annotator_user_change", args=[reviewer.pk])).context[
        "adminform"
    ]
    assert {"is_active", "suspended_at", "suspension_reason"} <= set(form.readonly_fields)


# --- a suspended reviewer is out at once --------------------------------------------------------


def test_suspended_reviewers_session_and_token_stop_working_at_once(client, reviewer, moderator):
    from rest_framework.test import APIClient

    client.force_login(reviewer)
    dashboard = reverse("dashboard")
    assert client.get(dashboard).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    _, key = create_token(reviewer, "script", "export")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").status_code == 200

    moderation.suspend_reviewer(reviewer, moderator=moderator, reason="spam")

    response = client.get(dashboard)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/me/").status_code == 401

    moderation.reinstate_reviewer(reviewer, moderator=moderator, reason="appeal")
    assert api.get("/api/v1/me/").status_code == 200


def test_suspended_moderator_loses_the_admin_at_once(client, moderator):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(moderator)
    assert client.get(reverse("admin:index")).status_code == 200
    moderation.suspend_reviewer(moderator, moderator=admin, reason="left the project")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- create_user ---------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_create_reviewer_moderator_and_admin():
    run("rita", "--role", "reviewer", "--email", "rita@example.org", "--password", "Tr0ub4dor&3x")
    run("mona", "--role", "moderator", "--password", "Tr0ub4dor&3y")
    run("ada", "--role", "admin", "--password", "Tr0ub4dor&3z")

    rita, mona, ada = (User.objects.get(username=name) for name in ("rita", "mona", "ada"))
    assert rita.email == "rita@example.org"
    assert [g.name for g in rita.groups.all()] == ["Reviewer"]
    assert (rita.is_staff, rita.is_superuser, rita.is_moderator) == (False, False, False)
    assert [g.name for g in mona.groups.all()] == ["Moderator"]
    assert (mona.is_staff, mona.is_superuser, mona.is_moderator) == (True, False, True)
    assert mona.has_perm("annotator.hide_annotation")
    assert not mona.has_perm("annotator.change_user")
    assert (ada.is_staff, ada.is_superuser) == (True, True)
    assert rita.check_password("Tr0ub4dor&3x")


def test_random_password_is_printed_once_and_works(client):
    output = run("rand", "--role", "moderator", "--random-password")
    password = output.split("Password (shown once): ")[1].strip()
    assert len(password) >= 20
    user = User.objects.get(username="rand")
    assert user.check_password(password)
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_prompted_password_must_match(monkeypatch):
    answers = iter(["Tr0ub4dor&3x", "Tr0ub4dor&3x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("prompted", "--role", "reviewer")
    assert User.objects.get(username="prompted").check_password("Tr0ub4dor&3x")

    answers = iter(["Tr0ub4dor&3x", "different-Pa55"])
    with pytest.raises(CommandError, match="do not match"):
        run("mismatch", "--role", "reviewer")
    assert not User.objects.filter(username="mismatch").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["weak", "--role", "reviewer", "--password", "123"], "Password refused"),
        (["alice", "--role", "reviewer", "--random-password"], "already exists"),
        (["x", "--role", "superhero", "--random-password"], "invalid choice"),
        (["x", "--role", "reviewer", "--password", "a", "--random-password"], "not allowed"),
        (["bad name!", "--role", "reviewer", "--random-password"], "username"),
    ],
)
def test_create_user_refusals(reviewer, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert User.objects.count() == before


def test_create_user_needs_the_roles_migration():
    Group.objects.filter(name="Moderator").delete()
    with pytest.raises(CommandError, match="migrate"):
        run("mona", "--role", "moderator", "--random-password")
    assert not User.objects.filter(username="mona").exists()


def test_moderator_api_export_of_the_audit_log(client, moderator, reviewer):
    moderation.suspend_reviewer(reviewer, moderator=moderator, reason="spam")
    client.force_login(moderator)
    response = client.get("/api/v1/exports/moderation-actions")
    assert response.status_code == 200
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [(row["action"], row["reason"]) for row in rows] == [("user.suspend", "spam")]
    other = make_user("bob2", groups=["Reviewer"])
    client.force_login(other)
    assert client.get("/api/v1/exports/moderation-actions").status_code == 403
