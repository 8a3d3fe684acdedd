"""Non-interference: what a reviewer sees depends only on the groups they may see.

Every URL the project serves (enumerated from the URL resolver) is requested by two reviewers
before and after other reviewers work: ``blank`` has judged nothing, ``partial`` has judged the
first passage of each document and linked one claim. Others then judge passages, link claims,
edit notes, withdraw, accept and dismiss suggestions, first only in groups neither of the two
has judged (both must see exactly the same bytes), then in ``partial``'s groups too (``blank``
must still see the same bytes; ``partial`` sees the change, which shows the comparison works).

Adding a URL: add one line to ``CASES`` (URL name → the requests to make), or to
``NOT_READABLE`` with the reason a reviewer cannot read it. A URL in neither fails
``test_every_url_has_a_case``. See docs/visibility.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from annotator.campaigns.lifecycle import create_campaign, open_campaign
from annotator.models import Annotation, Claim, Consensus, Passage, Source, Suggestion
from annotator.tokens import create_token

from .conftest import make_user

pytestmark = pytest.mark.django_db

EXPORT_FORMATS = ("jsonl", "json", "csv", "jsonld")


@dataclass(frozen=True)
class Req:
    """One request: URL kwargs and query parameters (``path`` for unnamed patterns)."""

    kwargs: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    path: str | None = None


@dataclass
class World:
    documents: list
    passages: dict  # document id -> its passages in order
    claims: list
    sources: list
    others: list
    partial: object
    blank: object
    probe_ids: dict = field(default_factory=dict)  # model name -> ids to ask for by number
    earlier: dict = field(default_factory=dict)  # (user id, document id) -> annotation
    campaign: object = None


def _ids(world: World, name: str) -> list[int]:
    return world.probe_ids[name]


def _each(kwarg: str, ids, **params) -> list[Req]:
    return [Req({kwarg: pk}, params) for pk in ids]


# URL name → how to build its requests. One line per URL: a new URL needs a case here (or an
# entry in NOT_READABLE), or test_every_url_has_a_case fails.
CASES: dict[str, Callable[[World], list[Req]]] = {
    # web pages
    "dashboard": lambda w: (
        [Req()]
        + [Req(params={"status": s}) for s in ("needs-reviewers", "disputed", "settled")]
        + [Req(params={"q": q}) for q in ("second", "third", "draft", "好戏")]
    ),
    "document-read": lambda w: (
        _each("document_id", [d.pk for d in w.documents])
        + _each("document_id", [w.documents[0].pk], fragment="text")
    ),
    "claim-page": lambda w: _each("claim_id", [c.pk for c in w.claims]),
    "source-page": lambda w: _each("source_id", [s.pk for s in w.sources]),
    "next-passage": lambda w: (
        [Req()] + [Req(params={"after": p[0].pk}) for p in w.passages.values()]
    ),
    "login": lambda w: [Req()],
    "password_change": lambda w: [Req()],
    "password_change_done": lambda w: [Req()],
    "password_reset": lambda w: [Req()],
    "password_reset_done": lambda w: [Req()],
    "password_reset_confirm": lambda w: [Req({"uidb64": "MQ", "token": "set-password"})],
    "password_reset_complete": lambda w: [Req()],
    # health and API documentation
    "healthz": lambda w: [Req()],
    "readyz": lambda w: [Req()],
    "favicon": lambda w: [Req()],
    # the scripts' translation catalogue (the same strings for everyone)
    "javascript-catalog": lambda w: [Req()],
    "api-schema": lambda w: [Req()],
    "api-docs": lambda w: [Req()],
    "api-redoc": lambda w: [Req()],
    "api/^.*$": lambda w: [Req(path="/api/v1/no-such-endpoint/")],
    # API
    "api:me": lambda w: [Req()],
    "api:agreement": lambda w: [Req()],
    "api:calibration": lambda w: [Req()],
    "api:annotation-list": lambda w: (
        [Req(), Req(params={"page_size": 500})]
        + [Req(params={"reviewer": u.pk}) for u in w.others]
        + [Req(params={"document": d.pk}) for d in w.documents]
        + [Req(params={"claim": c.pk}) for c in w.claims]
        + [Req(params={"status": "withdrawn"}), Req(params={"flag": "unsupported-claim"})]
    ),
    "api:annotation-detail": lambda w: _each("pk", _ids(w, "annotation")),
    "api:annotation-history": lambda w: _each("pk", _ids(w, "annotation")),
    "api:claim-list": lambda w: [Req(), Req(params={"search": "Mao"})],
    "api:claim-detail": lambda w: _each("pk", [c.pk for c in w.claims]),
    "api:claim-candidates": lambda w: _each("pk", [c.pk for c in w.claims]),
    "api:claim-for-span": lambda w: [
        Req(params={"document": d.pk, "start": p.start, "end": p.end})
        for d in w.documents
        for p in w.passages[d.pk][:2]
    ],
    "api:claim-duplicates": lambda w: _each("pk", [c.pk for c in w.claims]),  # 403 for them
    "api:consensus-list": lambda w: (
        [Req(), Req(params={"page_size": 500})]
        + [Req(params={"kind": k}) for k in ("passage", "span", "claim")]
        + [Req(params={"reviewer": u.pk}) for u in w.others]
        + [Req(params={"status": s}) for s in ("pending", "agreed", "disputed")]
        + [Req(params={"flag": "unsupported-claim"})]
    ),
    "api:consensus-detail": lambda w: _each("pk", _ids(w, "consensus")),
    "api:flag-list": lambda w: [Req()],
    "api:source-list": lambda w: [Req()],
    "api:source-detail": lambda w: _each("pk", [s.pk for s in w.sources]),
    "api:source-reliability": lambda w: _each("pk", [s.pk for s in w.sources]),
    "api:document-list": lambda w: [Req()],
    "api:document-detail": lambda w: _each("pk", [d.pk for d in w.documents]),
    "api:document-agreement": lambda w: _each("pk", [d.pk for d in w.documents]),
    "api:suggestion-list": lambda w: [Req(params={"page_size": 500})],
    "api:moderation-action-list": lambda w: [Req()],
    "api:moderation-action-detail": lambda w: _each("pk", [1]),
    "api:token-list": lambda w: [Req()],
    "api:export-consensus": lambda w: (
        [Req(params={"format": fmt}) for fmt in (*EXPORT_FORMATS, "claimreview")]
        + [Req(params={"kind": "passage", "status": "pending"})]
    ),
    "api:export-annotations": lambda w: [
        Req(params={"format": fmt, "include_history": history})
        for fmt in EXPORT_FORMATS
        for history in ("false", "true")
    ],
    "api:export-moderation-actions": lambda w: [Req()],
    # campaigns (the world has one, open, with both readers and the others in its pool)
    "api:campaign-list": lambda w: [Req()],
    "api:campaign-detail": lambda w: _each("campaign_id", [w.campaign.pk, w.campaign.pk + 1]),
    "api:campaign-progress": lambda w: _each("campaign_id", [w.campaign.pk]),
    "api:assignment-list": lambda w: [Req(), Req(params={"campaign": w.campaign.pk})],
    "my-assignments": lambda w: [Req()],
    "campaign-list-page": lambda w: [Req()],
    "campaign-new": lambda w: [Req()],  # managers only: a reviewer is refused, always alike
    "campaign-page": lambda w: _each("campaign_id", [w.campaign.pk]),
    # managers only: a reviewer (member or not) is refused, always alike
    "campaign-documents-page": lambda w: _each("campaign_id", [w.campaign.pk, w.campaign.pk + 1]),
    "campaign-reassign-page": lambda w: _each(
        "campaign_id", [w.campaign.pk, w.campaign.pk + 1], **{"from": w.blank.username}
    ),
    # published fact-checks (public) and their API (moderators only: a reviewer is refused)
    "api:claim-publication": lambda w: _each("pk", [c.pk for c in w.claims]),
    "fact-check-index": lambda w: [Req()],
    "fact-check-feed": lambda w: [Req()],
    "fact-check": lambda w: [Req({"slug": "no-such-fact-check"})],
    # integrations: discussion, notifications, webhooks (admins only), SSO (off: 404)
    "api:comments": lambda w: [Req(params={"consensus": pk}) for pk in _ids(w, "consensus")],
    "api:comment": lambda w: _each("pk", [1, 2, 3]),
    "api:notifications": lambda w: [Req()],
    "api:webhooks": lambda w: [Req()],
    "discussion-thread": lambda w: (
        _each("consensus_id", _ids(w, "consensus"))
        + _each("consensus_id", _ids(w, "consensus"), fragment="thread")  # the inline thread
    ),
    "notifications": lambda w: [Req()],
    "notifications-unsubscribe": lambda w: [Req({"token": "not-a-signed-token"})],
    "oidc_authentication_init": lambda w: [Req()],
    "oidc_authentication_callback": lambda w: [Req()],
    # documents in and search
    "document-new": lambda w: [Req()],  # editors only: a reviewer is refused, always alike
    "document-original": lambda w: _each("document_id", [d.pk for d in w.documents]),
    "api:search": lambda w: [
        Req(params={"q": q}) for q in ("wonderful drama", "好戏开始", "second", "third", "draft")
    ],
}

# URLs a reviewer cannot read, with the reason. Each is checked to refuse a reviewer or to be
# a write (see test_not_readable_urls_give_a_reviewer_nothing).
NOT_READABLE: dict[str, str] = {
    "admin:": "the admin site (moderators only: needs is_staff); every pattern under admin/",
    "logout": "POST only: logs out",
    "api:annotation-withdraw": "POST only: a write to one's own annotation",
    "api:suggestion-accept": "POST only: a write (creates one's own annotation)",
    "api:suggestion-dismiss": "POST only: a write (records one's own decision)",
    "api:token-revoke": "POST only: a write to one's own token",
    "api:claim-decide-candidate": "POST only: records one's own decision on a candidate",
    "claim-candidate-decide": "POST only: the claim page's form for the same decision",
    "api:campaign-open": "POST only, campaign managers",
    "api:campaign-close": "POST only, campaign managers",
    "api:campaign-documents": "POST only, campaign managers",
    "api:campaign-reviewers": "POST only, campaign managers",
    "api:campaign-reassign": "POST only, campaign managers",
    "campaign-open-page": "POST only, campaign managers",
    "campaign-close-page": "POST only, campaign managers",
    "document-save": "POST only, editors: saves a previewed document",
    "api:comment-hide": "POST only, moderators",
    "discussion-comment-edit": "POST only, the author's own comment (answers the thread)",
    "discussion-comment-delete": "POST only, the author's own comment (answers the thread)",
    "set_language": "POST only: sets one's own interface language (GET is 405)",
    "api:notifications-read": "POST only: marks one's own notifications read",
}


def _patterns(patterns=None, prefix: str = "", namespaces: tuple = ()):
    """(key, full route, takes a format suffix) for every URL pattern, recursively."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = ":".join((*namespaces, pattern.name))
            else:
                key = ":".join((*namespaces, route)) if namespaces else route
            yield key, route, "(?P<format>" in route


def _not_readable_reason(key: str) -> str | None:
    for entry, reason in NOT_READABLE.items():
        if key == entry or (entry.endswith(":") and key.startswith(entry)):
            return reason
    return None


def test_every_url_has_a_case():
    missing = sorted(
        {
            f"{key}  ({route})"
            for key, route, _ in _patterns()
            if key not in CASES and _not_readable_reason(key) is None
        }
    )
    assert not missing, (
        "These URLs have no non-interference case. Add a line to CASES in "
        "tests/test_non_interference.py (URL name -> the requests a reviewer makes), or to "
        "NOT_READABLE with the reason a reviewer cannot read it:\n  " + "\n  ".join(missing)
    )
    served = {key for key, _, _ in _patterns()}
    stale = sorted(set(CASES) - served)
    assert not stale, f"Cases for URLs that no longer exist: {stale}"


def _urls(world: World) -> list[tuple[str, str, dict]]:
    """(case label, path, query) for every case, with the format-suffix variants."""
    suffixed = {key for key, _, has_format in _patterns() if has_format}
    urls = []
    for key, build in CASES.items():
        for req in build(world):
            if req.path is not None:
                urls.append((key, req.path, req.params))
                continue
            urls.append((key, reverse(key, kwargs=req.kwargs), req.params))
            if key in suffixed:
                path = reverse(key, kwargs={**req.kwargs, "format": "json"})
                urls.append((key, path, req.params))
    return urls


# Asked by id many times: through the session only (tokens reach the same views and policy).
SESSION_ONLY_PROBES = {"api:annotation-detail", "api:annotation-history", "api:consensus-detail"}

_CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
_LAST_USED = re.compile(rb'("last_used_at":)"[^"]+"')


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _normalised(body: bytes) -> bytes:
    """Only what differs between two identical requests: the CSRF token in forms, and when the
    reviewer's own token was last used (this test uses it; stamped once a minute)."""
    return _LAST_USED.sub(rb'\1"-"', _CSRF.sub(rb"\1-\2", body))


def snapshot(world: World, user, clients: dict) -> dict:
    """Every case's status, Location and body, through the session and an API token."""
    seen = {}
    for key, path, params in _urls(world):
        modes = ("session", "token") if path.startswith("/api/v1/") else ("session",)
        if key in SESSION_ONLY_PROBES:
            modes = ("session",)
        for mode in modes:
            response = clients[mode].get(path, params)
            label = f"{mode} {key} {path}?{'&'.join(f'{k}={v}' for k, v in params.items())}"
            seen[label] = (
                response.status_code,
                response.get("Location"),
                _normalised(_body(response)),
            )
    return seen


def differences(before: dict, after: dict) -> list[str]:
    """One line per case that changed, with the bytes around the first difference."""
    changed = []
    for label, (status, location, body) in before.items():
        later_status, later_location, later_body = after[label]
        if (status, location) != (later_status, later_location):
            changed.append(f"{label}: {status} {location} -> {later_status} {later_location}")
        elif body != later_body:
            at = next(
                (i for i, (a, b) in enumerate(zip(body, later_body, strict=False)) if a != b),
                min(len(body), len(later_body)),
            )
            window = slice(max(at - 60, 0), at + 80)
            changed.append(f"{label}: {body[window]!r} -> {later_body[window]!r}")
    return changed


def clients_for(user) -> dict:
    session = Client()
    session.force_login(user)
    _, key = create_token(user, "non-interference", "export")
    token = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    token.get("/api/v1/me/")  # its first use stamps last_used_at; later ones within a minute not
    return {"session": session, "token": token}


# --- others' work, through the API -------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def judge(user, passage, *, cut: int = 0, **fields) -> dict:
    """``user`` annotates ``passage`` (minus ``cut`` code points at its end) through the API."""
    document = passage.document
    end = max(passage.start + 1, passage.end - cut)
    payload = {
        "document": document.pk,
        "start": passage.start,
        "end": end,
        "exact": document.body[passage.start : end],
        "reliability": 3,
        **fields,
    }
    response = api_as(user).post("/api/v1/annotations/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def edit(user, annotation: dict, **fields) -> dict:
    response = api_as(user).patch(
        f"/api/v1/annotations/{annotation['id']}/",
        fields,
        format="json",
        HTTP_IF_MATCH=f'"{annotation["version"]}"',
    )
    assert response.status_code == 200, response.content
    return response.json()


def withdraw(user, annotation: dict) -> None:
    response = api_as(user).post(f"/api/v1/annotations/{annotation['id']}/withdraw/")
    assert response.status_code == 200, response.content


def _suggestions_outside(passages) -> list[Suggestion]:
    """Suggestions that start in none of ``passages``."""
    ranges = [(p.document_id, p.start, p.end) for p in passages]
    return [
        s
        for s in Suggestion.objects.order_by("id")
        if not any(d == s.document_id and a <= s.start < b for d, a, b in ranges)
    ]


@pytest.fixture
def world(seeded, settings) -> World:
    cache.clear()  # throttle counters
    settings.ANNOTATOR = {**settings.ANNOTATOR, "CAMPAIGN_TIE_BREAKER_CAP": 0}
    documents = sorted(seeded.values(), key=lambda d: d.origin)
    passages = {d.pk: list(Passage.objects.filter(document=d).order_by("index")) for d in documents}
    assert all(len(p) >= 4 for p in passages.values())
    claims = [Claim.objects.create(text=f"Mao claim {n}") for n in range(3)]
    others = [make_user(name, groups=["Reviewer"]) for name in ("bob", "chen", "dora")]
    partial = make_user("pat", groups=["Reviewer"])
    blank = make_user("blank", groups=["Reviewer"])
    # partial judges the first passage of every document and links one to claim 0.
    for document in documents:
        first = passages[document.pk][0]
        judge(partial, first, claim=claims[0].pk if document == documents[0] else None)
    world = World(
        documents=documents,
        passages=passages,
        claims=claims,
        sources=list(Source.objects.order_by("id")),
        others=others,
        partial=partial,
        blank=blank,
    )
    # An open campaign over the first document, both readers in its pool. Tie-breakers are off
    # here (cap 0): a tie-breaker assignment is the one deliberate exception to the rule (it
    # tells its reviewer that a passage needs one more judgment; docs/visibility.md).
    moderator = make_user("campaign-mod", groups=["Moderator"], is_staff=True)
    world.campaign = open_campaign(
        create_campaign(
            by=moderator,
            name="Non-interference",
            overlap=2,
            quorum=2,
            reviewers=[u.username for u in (*others, partial, blank)],
            documents=[documents[0].pk],
        ),
        by=moderator,
    )
    # Others' earlier work: on partial's passages (which partial sees) and on passage 3.

    for n, user in enumerate(others):
        for document in documents:
            first, fourth = passages[document.pk][0], passages[document.pk][3]
            judge(user, first, cut=n + 1, reliability=1 + n, note=f"{user.username} first")
            world.earlier[(user.pk, document.pk)] = judge(
                user,
                fourth,
                reliability=2 + n,
                flags=["unsupported-claim"] if n else [],
                note=f"{user.username} draft",
                claim=claims[2].pk if n == 0 else None,
            )
    # Ids to ask for by number: the first document's and the claims' (each kind of group, the
    # reviewer's and others'), and the next few, which others' work creates later.
    first = documents[0]
    last_annotation = Annotation.objects.order_by("-pk").values_list("pk", flat=True).first()
    last_consensus = Consensus.objects.order_by("-pk").values_list("pk", flat=True).first()
    world.probe_ids = {
        "annotation": [
            *Annotation.objects.filter(document=first).order_by("pk").values_list("pk", flat=True),
            *range(last_annotation + 1, last_annotation + 4),
        ],
        "consensus": [
            *Consensus.objects.filter(
                Q(document=first) | Q(passage__document=first) | Q(kind="claim")
            )
            .order_by("pk")
            .values_list("pk", flat=True),
            *range(last_consensus + 1, last_consensus + 4),
        ],
    }
    # The campaign's "assigned work" notifications are the readers' own news, not others' work:
    # delivered before the first snapshot.
    deliver_jobs()
    return world


def comment(user, group: Consensus, body: str) -> None:
    response = api_as(user).post(
        "/api/v1/comments/", {"consensus": group.pk, "body": body}, format="json"
    )
    assert response.status_code == 201, response.content


def passage_group(passage) -> Consensus:
    return Consensus.objects.get(kind="passage", passage=passage)


def deliver_jobs() -> None:
    """Notifications are made by the job queue: run it, as the worker would."""
    call_command("run_worker", "--until-empty")


def others_work_outside(world: World) -> None:
    """Others act only in groups neither ``blank`` nor ``partial`` has judged."""
    bob, chen, dora = world.others
    for n, user in enumerate(world.others):
        for document in world.documents:
            second, third = world.passages[document.pk][1:3]
            judge(user, second, reliability=1 + n, flags=["unsupported-claim"], note="second")
            judge(user, third, cut=n, reliability=5 - n, claim=world.claims[1].pk, note="third")
    for document in world.documents:
        edit(bob, world.earlier[(bob.pk, document.pk)], note="bob's final", reliability=4)
        withdraw(chen, world.earlier[(chen.pk, document.pk)])
    judged = [world.passages[d.pk][0] for d in world.documents]
    outside = _suggestions_outside(judged)
    assert len(outside) >= 2, "the seeds carry suggestions outside the first passages"
    response = api_as(dora).post(f"/api/v1/suggestions/{outside[0].pk}/accept/", {}, format="json")
    assert response.status_code == 201, response.content
    response = api_as(bob).post(f"/api/v1/suggestions/{outside[1].pk}/dismiss/")
    assert response.status_code == 200, response.content
    # They discuss a passage neither reader judged and mention both: a mention in a thread the
    # reader may not see tells them nothing (no notification, no count on the bell).
    second = world.passages[world.documents[0].pk][1]
    comment(bob, passage_group(second), "@chen why a 1? cc @pat @blank")
    comment(chen, passage_group(second), "@bob no source at all.")
    deliver_jobs()


def others_work_in_partials_groups(world: World) -> None:
    """Others act in ``partial``'s groups too: the first passages and claim 0."""
    bob, chen, dora = world.others
    for document in world.documents:
        first = world.passages[document.pk][0]
        judge(dora, first, cut=7, reliability=5, note="dora late", claim=world.claims[0].pk)
    first = world.passages[world.documents[0].pk][0]
    comment(dora, passage_group(first), "@pat @blank I disagree: see the archive.")
    deliver_jobs()


@pytest.mark.slow
def test_a_reviewer_who_judged_nothing_sees_nothing_change(world):
    clients = clients_for(world.blank)
    before = snapshot(world, world.blank, clients)
    others_work_outside(world)
    others_work_in_partials_groups(world)
    after = snapshot(world, world.blank, clients)
    changed = differences(before, after)
    assert not changed, "Others' work changed what a blind reviewer sees:\n" + "\n".join(changed)


@pytest.mark.slow
def test_a_reviewer_sees_changes_only_in_the_groups_they_judged(world):
    clients = clients_for(world.partial)
    before = snapshot(world, world.partial, clients)
    others_work_outside(world)
    after = snapshot(world, world.partial, clients)
    changed = differences(before, after)
    assert not changed, "Others' work outside this reviewer's groups changed what they see:\n" + (
        "\n".join(changed)
    )
    # The comparison can see a change: others' work in the reviewer's own groups shows.
    others_work_in_partials_groups(world)
    later = snapshot(world, world.partial, clients)
    changed = differences(after, later)
    assert any("document-read" in line for line in changed)
    assert any("claim-page" in line for line in changed)
    assert any("api:source-reliability" in line for line in changed)
    assert any("api:comments" in line for line in changed)
    assert any("notifications" in line for line in changed)


def test_not_readable_urls_give_a_reviewer_nothing(world):
    client = Client()
    client.force_login(world.blank)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.get("/admin/annotator/annotationrevision/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("set_language")).status_code == 405
    annotation = Annotation.objects.filter(reviewer=world.partial).first()
    suggestion = Suggestion.objects.first()
    for name, pk in (
        ("api:annotation-withdraw", annotation.pk),
        ("api:suggestion-accept", suggestion.pk),
        ("api:suggestion-dismiss", suggestion.pk),
        ("api:token-revoke", 1),
        ("api:claim-decide-candidate", world.claims[0].pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 405, name
    decide = reverse("claim-candidate-decide", kwargs={"claim_id": world.claims[0].pk})
    assert client.get(decide).status_code == 405
