"""Account pages of the reviewer web UI: login, logout, password change and reset, throttling."""

import re

import pytest
from django.core import mail

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGES = ["/", "/documents/1/", "/claims/1/", "/next/", "/accounts/password/change/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_has_labelled_fields_and_a_csrf_token(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'href="/accounts/password/reset/"' in html


def test_login_requires_the_csrf_token(reviewer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 403


def test_login_then_dashboard_then_logout(client, reviewer):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "pw-alice"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert b"Documents" in response.content and b"alice" in response.content

    assert client.get("/accounts/logout/").status_code == 405  # logout is POST only
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_and_keeps_the_username(client, reviewer):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html
    assert 'value="alice"' in html


def test_suspended_reviewer_cannot_log_in(client):
    make_user("suspended", is_active=False)
    response = client.post(
        "/accounts/login/", {"username": "suspended", "password": "pw-suspended"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # Told the truth, since they know the password...
    assert "This account is suspended" in response.content.decode()
    # ...while a wrong password still gets the generic message (no account probing).
    wrong = client.post("/accounts/login/", {"username": "suspended", "password": "guess"})
    assert "This account is suspended" not in wrong.content.decode()
    assert "Please enter a correct username and password" in wrong.content.decode()


def test_sixth_failed_attempt_is_locked_out_with_a_friendly_page(client, reviewer):
    for _attempt in range(4):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    # The fifth failure reaches AXES_FAILURE_LIMIT: its answer is already the lockout page.
    fifth = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert fifth.status_code == 429
    sixth = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert "Too many failed log-in attempts" in html
    assert "locked for now after 5 failed attempts" in html
    assert "Try again in 15 minutes" in html
    # Even the right password is refused while locked out.
    right = client.post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_change(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200 and b'for="id_old_password"' in page.content

    mismatch = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-alice",
            "new_password1": "a-Long-new-secret-1",
            "new_password2": "different-secret-2",
        },
    )
    assert mismatch.status_code == 200
    assert "fields didn’t match" in mismatch.content.decode()

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-alice",
            "new_password1": "a-Long-new-secret-1",
            "new_password2": "a-Long-new-secret-1",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/change/done/"
    assert b"Password changed" in response.content
    reviewer.refresh_from_db()
    assert reviewer.check_password("a-Long-new-secret-1")


def test_password_reset_by_email(client):
    user = make_user("dana", email="dana@example.org")
    response = client.post("/accounts/password/reset/", {"email": "dana@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.org"]
    assert "Reset your password" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Fresh-password-77", "new_password2": "Fresh-password-77"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("Fresh-password-77")
    # The link works once.
    again = client.get(link, follow=True)
    assert b"This link no longer works" in again.content


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(
        "/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
