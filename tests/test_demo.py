from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from annotator.demo import DEMO_PASSWORD, MAO_CLAIM
from annotator.models import Annotation, Claim, Document, User

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_imports_seeds_creates_users_and_flags_the_mao_quote_in_both_languages():
    output = run_demo()
    assert Document.objects.count() == 5
    for username in ("alice", "bob", "chen", "moderator", "admin"):
        assert username in output
    assert DEMO_PASSWORD in output
    claim = Claim.objects.get(text=MAO_CLAIM)
    linked = Annotation.objects.filter(claim=claim).select_related("document")
    languages = {a.document.language for a in linked}
    assert languages == {"en", "zh-Hant"}
    assert any(a.exact == "對身邊人說好戲開始嘍" for a in linked)
    assert any("A wonderful drama is about to be staged" in a.exact for a in linked)
    assert all(a.flags.filter(slug="misattributed-quote").exists() for a in linked)


def test_demo_is_idempotent():
    run_demo()
    count = Annotation.objects.count()
    output = run_demo()
    assert "0 annotations added" in output
    assert Annotation.objects.count() == count


def test_printed_credentials_log_in_to_the_admin():
    run_demo()
    assert User.objects.get(username="moderator").is_staff
    client = Client()
    login = client.post(
        "/admin/login/?next=/admin/",
        {"username": "moderator", "password": DEMO_PASSWORD, "next": "/admin/"},
    )
    assert login.status_code == 302 and login["Location"] == "/admin/"
    response = client.get("/admin/annotator/document/")
    assert response.status_code == 200
    assert "Kim Il-sung Persuaded Stalin" in response.content.decode()
