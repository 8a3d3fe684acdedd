"""Discussion threads: blind review, mentions, replies, edit window, hiding, escaping."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from annotator.discussion.models import Comment
from annotator.models import Consensus, ModerationAction
from annotator.notifications.models import Notification

QUOTE = "A wonderful drama is about to be staged"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def annotate(user, doc, reliability=2):
    start = doc.body.index(QUOTE)
    body = {"document": doc.pk, "start": start, "end": start + len(QUOTE), "exact": QUOTE}
    response = client_for(user).post(
        "/api/v1/annotations/", {**body, "reliability": reliability}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def passage_group(doc) -> Consensus:
    return Consensus.objects.get(kind="passage", document=doc)


def comment(user, group, body, **extra):
    return client_for(user).post(
        "/api/v1/comments/", {"consensus": group.pk, "body": body, **extra}, format="json"
    )


def run_worker():
    call_command("run_worker", "--until-empty")


@pytest.fixture
def doc(seeded):
    return seeded["000"]


@pytest.fixture
def disputed(doc, reviewer, other_reviewer):
    annotate(reviewer, doc, reliability=1)
    annotate(other_reviewer, doc, reliability=5)
    return passage_group(doc)


@pytest.mark.django_db
def test_a_thread_opens_to_a_reviewer_only_after_their_own_judgment(
    doc, disputed, reviewer, third_reviewer, moderator
):
    assert comment(reviewer, disputed, "I rated it 1: no source.").status_code == 201
    # Not judged yet: the thread does not exist for them, in the API and on the page.
    assert (
        client_for(third_reviewer).get(f"/api/v1/comments/?consensus={disputed.pk}").status_code
        == 404
    )
    assert comment(third_reviewer, disputed, "hello").status_code == 404
    assert client_for(third_reviewer).get(f"/discussions/{disputed.pk}/").status_code == 404
    own = Comment.objects.get()
    assert client_for(third_reviewer).get(f"/api/v1/comments/{own.pk}/").status_code == 404
    # A moderator sees every thread.
    assert (
        client_for(moderator).get(f"/api/v1/comments/?consensus={disputed.pk}").status_code == 200
    )
    annotate(third_reviewer, doc, reliability=3)
    listed = client_for(third_reviewer).get(f"/api/v1/comments/?consensus={disputed.pk}").json()
    assert [row["body"] for row in listed["results"]] == ["I rated it 1: no source."]
    page = client_for(third_reviewer).get(f"/discussions/{disputed.pk}/")
    assert page.status_code == 200 and b"I rated it 1" in page.content


@pytest.mark.django_db
def test_a_mention_notifies_only_someone_who_may_see_the_thread(
    disputed, reviewer, other_reviewer, third_reviewer
):
    other_reviewer.email = "bob@example.org"
    other_reviewer.save()
    response = comment(reviewer, disputed, "@bob why a 5? And @chen, thoughts?")
    assert response.status_code == 201
    assert sorted(response.json()["mentions"]) == ["bob", "chen"]
    assert not Notification.objects.exists()  # nothing happens in the request
    run_worker()
    notified = list(Notification.objects.values_list("recipient__username", "kind"))
    assert notified == [("bob", "mention")]  # chen has not judged the passage
    assert mail.outbox[0].to == ["bob@example.org"]
    assert "alice mentioned you" in mail.outbox[0].subject
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    listed = client_for(other_reviewer).get("/api/v1/notifications/").json()
    assert listed["unread"] == 1
    assert listed["results"][0]["url"].startswith(f"/discussions/{disputed.pk}/#comment-")


@pytest.mark.django_db
def test_a_reply_notifies_the_author_of_the_comment_replied_to(disputed, reviewer, other_reviewer):
    first = comment(reviewer, disputed, "No source for this quote.").json()
    response = comment(other_reviewer, disputed, "It is in the 1966 speech.", reply_to=first["id"])
    assert response.status_code == 201 and response.json()["reply_to"] == first["id"]
    run_worker()
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("alice", "reply")
    ]


@pytest.mark.django_db
def test_bodies_are_plain_text_escaped_with_links(disputed, reviewer):
    body = "<script>alert(1)</script> see https://example.org/a?b=1&c=2"
    assert comment(reviewer, disputed, body).status_code == 201
    page = client_for(reviewer).get(f"/discussions/{disputed.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [({"body": ""}, "body"), ({"body": "x" * 5001}, "body"), ({"consensus": "x"}, "consensus")],
)
def test_bad_comments_are_400_naming_the_field(disputed, reviewer, body, field):
    response = client_for(reviewer).post(
        "/api/v1/comments/", {"consensus": disputed.pk, "body": "ok", **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_the_author_edits_and_deletes_within_the_window_only(disputed, reviewer, other_reviewer):
    created = comment(reviewer, disputed, "first").json()
    url = f"/api/v1/comments/{created['id']}/"
    assert client_for(other_reviewer).patch(url, {"body": "mine"}, format="json").status_code == 403
    edited = client_for(reviewer).patch(url, {"body": "second"}, format="json")
    assert edited.status_code == 200 and edited.json()["body"] == "second"
    assert edited.json()["edited_at"] is not None
    with override_settings(DISCUSSION={"EDIT_WINDOW_MINUTES": 0}):
        late = client_for(reviewer).patch(url, {"body": "third"}, format="json")
        assert late.status_code == 403 and "minutes" in late.json()["detail"]
    assert client_for(reviewer).delete(url).status_code == 204
    row = client_for(reviewer).get(url).json()
    assert row["deleted"] and row["body"] == ""


@pytest.mark.django_db
def test_moderators_hide_comments_with_an_audit_record(
    disputed, reviewer, other_reviewer, moderator
):
    created = comment(reviewer, disputed, "rude words").json()
    url = f"/api/v1/comments/{created['id']}/hide/"
    assert client_for(other_reviewer).post(url, {"reason": "x"}, format="json").status_code == 403
    assert client_for(moderator).post(url, {}, format="json").status_code == 400
    assert client_for(moderator).post(url, {"reason": "abuse"}, format="json").status_code == 200
    audit = ModerationAction.objects.get(action="comment.hide")
    assert audit.reason == "abuse" and audit.target_id == str(created["id"])
    listed = client_for(other_reviewer).get(f"/api/v1/comments/?consensus={disputed.pk}").json()
    assert listed["results"] == []
    assert (
        client_for(moderator)
        .get(f"/api/v1/comments/?consensus={disputed.pk}")
        .json()["results"][0]["hidden"]
    )


@pytest.mark.django_db
def test_the_thread_shows_on_the_claim_and_adjudication_pages_and_the_reading_view(
    doc, reviewer, moderator
):
    from annotator.models import Claim

    claim = Claim.objects.create(text="Mao announced a drama", language="en")
    annotate_body = {
        "document": doc.pk,
        "start": doc.body.index(QUOTE),
        "end": doc.body.index(QUOTE) + len(QUOTE),
        "exact": QUOTE,
        "reliability": 2,
        "claim": claim.pk,
    }
    assert (
        client_for(reviewer).post("/api/v1/annotations/", annotate_body, format="json").status_code
        == 201
    )
    group = Consensus.objects.get(kind="claim", claim=claim)
    assert comment(reviewer, group, "About the claim").status_code == 201
    assert b"About the claim" in client_for(reviewer).get(f"/claims/{claim.pk}/").content
    adjudicate = client_for(moderator).get(f"/admin/annotator/consensus/{group.pk}/adjudicate/")
    assert adjudicate.status_code == 200 and b"About the claim" in adjudicate.content
    reading = client_for(reviewer).get(f"/documents/{doc.pk}/").content.decode()
    assert f"/discussions/{passage_group(doc).pk}/" in reading


@pytest.mark.django_db
@pytest.mark.parametrize("blind", [True, False])
def test_the_set_form_of_the_group_rule_agrees_with_may_see_group(
    settings, doc, disputed, reviewer, other_reviewer, third_reviewer, moderator, blind
):
    from annotator.visibility import may_see_group, users_who_may_see_group
    from tests.conftest import make_user

    settings.ANNOTATOR = {**settings.ANNOTATOR, "BLIND_REVIEW": blind}
    withdrawn = make_user("dan", groups=["Reviewer"])
    created = annotate(withdrawn, doc, reliability=3)
    client_for(withdrawn).post(
        f"/api/v1/annotations/{created['id']}/withdraw/", {"version": 1}, format="json"
    )
    root = make_user("root", is_superuser=True)
    people = [reviewer, other_reviewer, third_reviewer, moderator, withdrawn, root]
    for group in Consensus.objects.all():
        expected = {user.pk for user in people if may_see_group(user, group)}
        assert users_who_may_see_group(group, people) == expected, group.key


# --- The thread in web pages: inline in the reading view, the author's edit and delete --------


def web_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_reading_view_shows_a_thread_link_next_to_the_consensus_only_to_who_may_see_it(
    doc, disputed, reviewer, third_reviewer
):
    comment(reviewer, disputed, "Why a 5?")
    reading = web_client(reviewer).get(f"/documents/{doc.pk}/").content.decode()
    assert f'href="/discussions/{disputed.pk}/" data-thread="{disputed.pk}"' in reading
    assert "Discussion: 1 comment" in reading
    blind = web_client(third_reviewer).get(f"/documents/{doc.pk}/").content.decode()
    assert f'data-thread="{disputed.pk}"' not in blind


@pytest.mark.django_db
def test_the_inline_thread_is_a_fragment_answering_its_forms_with_the_thread(
    disputed, reviewer, third_reviewer
):
    url = f"/discussions/{disputed.pk}/"
    fragment = web_client(reviewer).get(url, {"fragment": "thread"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and body.lstrip().startswith("<section")
    assert 'name="inline" value="1"' in body and "<html" not in body
    assert web_client(third_reviewer).get(url, {"fragment": "thread"}).status_code == 404
    posted = web_client(reviewer).post(url, {"body": "See the source", "inline": "1"})
    assert posted.status_code == 200 and "See the source" in posted.content.decode()
    refused = web_client(reviewer).post(url, {"body": "  ", "inline": "1"})
    assert refused.status_code == 400
    assert 'role="alert">Not saved: Write something.' in refused.content.decode()
    assert web_client(third_reviewer).post(url, {"body": "x", "inline": "1"}).status_code == 404


@pytest.mark.django_db
def test_the_author_edits_and_deletes_a_comment_in_the_web_page_within_the_window(
    disputed, reviewer, other_reviewer, third_reviewer
):
    created = Comment.objects.get(pk=comment(reviewer, disputed, "first").json()["id"])
    edit = f"/discussions/comments/{created.pk}/edit/"
    delete = f"/discussions/comments/{created.pk}/delete/"
    page = web_client(reviewer).get(f"/discussions/{disputed.pk}/").content.decode()
    assert f'action="{edit}"' in page and f'action="{delete}"' in page
    others_view = web_client(other_reviewer).get(f"/discussions/{disputed.pk}/").content.decode()
    assert f'action="{edit}"' not in others_view  # only the author has the buttons

    answer = web_client(reviewer).post(edit, {"body": "first, corrected"})
    assert answer.status_code == 302
    assert answer.url == f"/discussions/{disputed.pk}/#comment-{created.pk}"
    created.refresh_from_db()
    assert created.body == "first, corrected" and created.edited_at is not None

    # Someone else, someone who may not see the thread, a GET, a late edit: nothing changes.
    refused = web_client(other_reviewer).post(edit, {"body": "mine now", "inline": "1"})
    assert refused.status_code == 400 and "Only the author" in refused.content.decode()
    assert web_client(third_reviewer).post(edit, {"body": "x"}).status_code == 404
    assert web_client(reviewer).get(edit).status_code == 405
    with override_settings(DISCUSSION={"EDIT_WINDOW_MINUTES": 0}):
        late = web_client(reviewer)
        assert late.post(edit, {"body": "too late"}).status_code == 302
        assert (
            "can be changed for 0 minutes"
            in late.get(f"/discussions/{disputed.pk}/").content.decode()
        )
        assert f'action="{edit}"' not in late.get(f"/discussions/{disputed.pk}/").content.decode()
    created.refresh_from_db()
    assert created.body == "first, corrected"

    assert web_client(reviewer).post(delete, {"inline": "1"}).status_code == 200
    created.refresh_from_db()
    assert created.deleted_at is not None and created.body == ""
