"""OIDC single sign-on, end to end against a real provider (django-oauth-toolkit) on loopback."""

import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings

from annotator.models import User
from tests.conftest import make_user

CLIENT_ID, CLIENT_SECRET = "annotator-test", "s3cret-" + "y" * 30
PEOPLE = [
    {"username": "newsie", "email": "newsie@newsroom.example", "groups": ["news-reviewers"]},
    {"username": "boss", "email": "boss@newsroom.example", "groups": ["news-moderators"]},
    {"username": "stranger", "email": "stranger@elsewhere.example", "groups": ["marketing"]},
    {"username": "local", "email": "local@newsroom.example", "groups": []},
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    spec = {
        "users": PEOPLE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": "http://testserver/oidc/callback/",
    }
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_PROVIDER_SPEC": json.dumps(spec),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def sso(provider):
    with override_settings(
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider}/o/authorize/",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider}/o/token/",
        OIDC_OP_USER_ENDPOINT=f"{provider}/o/userinfo/",
        OIDC_OP_JWKS_ENDPOINT=f"{provider}/o/.well-known/jwks.json",
        OIDC_ROLE_MAP=[("news-reviewers", "Reviewer"), ("news-moderators", "Moderator")],
        AUTHENTICATION_BACKENDS=[
            *settings.AUTHENTICATION_BACKENDS,
            "annotator.sso.backend.OIDCBackend",
        ],
    ):
        yield provider


def sign_in(provider: str, username: str) -> Client:
    """The browser's round trip: our login → the provider (signed in) → our callback."""
    client = Client()
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(provider)
    browser = requests.Session()
    browser.get(f"{provider}/login-as/{username}/", timeout=10)
    authorized = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorized.status_code == 302, authorized.text[:500]
    back = urlsplit(authorized.headers["Location"])
    assert back.path == "/oidc/callback/" and "code" in parse_qs(back.query)
    client.callback = client.get(f"/oidc/callback/?{back.query}")
    return client


def signed_in_as(client: Client) -> str | None:
    response = client.get("/api/v1/me/")
    return response.json()["username"] if response.status_code == 200 else None


@pytest.mark.django_db
def test_a_new_user_is_created_with_the_role_their_group_claim_maps_to(sso):
    client = sign_in(sso, "newsie")
    assert client.callback.status_code == 302 and client.callback["Location"] == "/"
    user = User.objects.get(email="newsie@newsroom.example")
    assert signed_in_as(client) == user.username
    assert list(user.groups.values_list("name", flat=True)) == ["Reviewer"]
    assert not user.has_usable_password()
    boss = sign_in(sso, "boss")
    assert User.objects.get(email="boss@newsroom.example").is_moderator
    assert signed_in_as(boss) is not None


@pytest.mark.django_db
def test_unknown_users_are_refused(sso):
    client = sign_in(sso, "stranger")
    assert client.callback["Location"] == settings.LOGIN_REDIRECT_URL_FAILURE
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    page = client.get(client.callback["Location"]).content.decode()
    assert "did not let you in" in page


@pytest.mark.django_db
def test_a_local_account_signs_in_by_sso_and_by_password(sso):
    make_user("local-account", groups=["Reviewer"], email="local@newsroom.example")
    client = sign_in(sso, "local")
    assert signed_in_as(client) == "local-account"
    by_password = Client()
    response = by_password.post(
        "/accounts/login/", {"username": "local-account", "password": "pw-local-account"}
    )
    assert response.status_code == 302
    assert signed_in_as(by_password) == "local-account"


@pytest.mark.django_db
def test_a_suspended_account_cannot_sign_in_by_sso(sso, moderator):
    from annotator.moderation import suspend_reviewer

    user = make_user("local-account", groups=["Reviewer"], email="local@newsroom.example")
    suspend_reviewer(user, moderator=moderator, reason="abuse")
    client = sign_in(sso, "local")
    assert client.callback["Location"] == settings.LOGIN_REDIRECT_URL_FAILURE
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_sso_pages_are_404_while_not_configured():
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/").status_code == 404
