"""The moderation admin over HTTP: list views, reason forms, actions, read-only records."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from annotator import consensus, moderation
from annotator.annotations import create_annotation
from annotator.models import (
    Annotation,
    AnnotationStatus,
    ApiToken,
    Claim,
    Consensus,
    ConsensusStatus,
    FlagType,
    ModerationAction,
    Suggestion,
    User,
)
from annotator.suggestions.decisions import dismiss_suggestion
from annotator.suggestions.engine import store_suggestions
from annotator.tokens import hash_key
from tests.factories import annotate, make_user

pytestmark = pytest.mark.django_db

MAO_EN = '"A wonderful drama is about to be staged."'
MAO_ZH = "好戲開始嘍"


def changelist(model):
    return reverse(f"admin:annotator_{model}_changelist")


def run_action(client, model, action, objects, **form):
    """Post an admin action the way the changelist does, then confirm its reason form."""
    url = changelist(model)
    pks = [str(obj.pk) for obj in objects]
    first = client.post(url, {"action": action, "index": "0", ACTION_CHECKBOX_NAME: pks})
    if not form:
        return first
    return client.post(
        url, {"action": action, ACTION_CHECKBOX_NAME: pks, "apply": "yes", **form}, follow=True
    )


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def admin_user(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def three_on_mao(seeded, reviewer, other_reviewer, third_reviewer):
    doc = seeded["000"]
    return [
        annotate(reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(other_reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(third_reviewer, doc, MAO_EN, reliability=5),
    ]


def dismiss_some_suggestions(document, reviewer) -> Suggestion:
    store_suggestions(document)  # the importer may have stored them already
    suggestion = Suggestion.objects.filter(document=document).first()
    assert suggestion is not None
    dismiss_suggestion(suggestion, reviewer)
    return suggestion


# --- list views --------------------------------------------------------------------------------

MODELS = [
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


@pytest.mark.parametrize("model", MODELS)
def test_moderator_sees_every_list_and_detail_view(mod_client, three_on_mao, moderator, model):
    Claim.objects.create(text="Mao said it")
    ApiToken.objects.create(user=moderator, name="t", key_prefix="sra_x", key_hash="h" * 64)
    moderation.hide_annotations([three_on_mao[0]], moderator=moderator, reason="test")
    dismiss_some_suggestions(three_on_mao[0].document, three_on_mao[0].reviewer)

    response = mod_client.get(changelist(model))
    assert response.status_code == 200
    some = response.context["cl"].result_list[0]
    detail = mod_client.get(reverse(f"admin:annotator_{model}_change", args=[some.pk]))
    assert detail.status_code == 200


def test_annotation_list_filters_and_search(mod_client, three_on_mao, seeded, reviewer):
    zh = annotate(reviewer, seeded["001"], MAO_ZH, flags=["machine-translation"], reliability=None)
    url = changelist("annotation")

    def listed(query):
        response = mod_client.get(url, query)
        assert response.status_code == 200
        return {a.pk for a in response.context["cl"].result_list}

    assert listed({"q": "好戲"}) == {zh.pk}
    assert listed({"document__language": "zh-Hant"}) == {zh.pk}
    assert listed({"flags__id__exact": FlagType.objects.get(slug="misattributed-quote").pk}) == {
        three_on_mao[0].pk,
        three_on_mao[1].pk,
    }
    assert listed({"reliability": "5"}) == {three_on_mao[2].pk}
    assert listed({"status": "active", "evidence": "none"}) == {a.pk for a in three_on_mao} | {
        zh.pk
    }
    assert listed({"reviewer__id__exact": reviewer.pk}) == {three_on_mao[0].pk, zh.pk}


def test_consensus_list_filters_by_status(mod_client, three_on_mao):
    response = mod_client.get(changelist("consensus"), {"status": "disputed"})
    keys = {row.key for row in response.context["cl"].result_list}
    span = consensus.span_key(
        three_on_mao[0].document_id, three_on_mao[0].start, three_on_mao[0].end
    )
    assert span in keys
    assert all(row.status == "disputed" for row in response.context["cl"].result_list)


def test_annotation_list_has_no_n_plus_one(
    mod_client, seeded, reviewer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    doc = seeded["000"]
    words = [w for w in dict.fromkeys(doc.body.split()) if len(w) > 3][:12]

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = mod_client.get(changelist("annotation"))
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    for word in words[:2]:
        annotate(reviewer, doc, word, reliability=1, flags=["loaded-language"])
    few, listed_few = count_queries()
    for word in words[2:]:
        annotate(reviewer, doc, word, reliability=1, flags=["loaded-language", "unsourced-number"])
    many, listed_many = count_queries()
    assert listed_many > listed_few
    assert many == few


def test_document_body_and_offsets_are_read_only(client, admin_user, seeded):
    client.force_login(admin_user)
    doc = seeded["000"]
    url = reverse("admin:annotator_document_change", args=[doc.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()
    response = client.post(
        url,
        {
            "title": "Renamed",
            "language": "en",
            "body": "tampered",
            "sha256": "0" * 64,
            "passages-TOTAL_FORMS": "0",
            "passages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Renamed"
    assert doc.body != "tampered" and doc.sha256 != "0" * 64
    # Nobody may add documents here (import them) or delete them.
    assert client.get(reverse("admin:annotator_document_add")).status_code == 403
    assert client.get(reverse("admin:annotator_document_delete", args=[doc.pk])).status_code == 403


@pytest.mark.parametrize("model", ["annotation", "document", "moderationaction"])
def test_delete_is_disabled_even_for_admins(client, admin_user, three_on_mao, model):
    moderation.hide_annotations([three_on_mao[0]], moderator=admin_user, reason="x")
    client.force_login(admin_user)
    obj = {
        "annotation": three_on_mao[0],
        "document": three_on_mao[0].document,
        "moderationaction": ModerationAction.objects.first(),
    }[model]
    url = reverse(f"admin:annotator_{model}_delete", args=[obj.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    action_form = client.get(changelist(model)).context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "delete_selected" not in actions


def test_annotations_and_audit_records_cannot_be_edited_in_the_admin(
    client, admin_user, three_on_mao
):
    moderation.hide_annotations([three_on_mao[2]], moderator=admin_user, reason="spam")
    client.force_login(admin_user)
    annotation = three_on_mao[0]
    response = client.post(
        reverse("admin:annotator_annotation_change", args=[annotation.pk]),
        {"reliability": "5", "start": "0", "end": "3", "status": "hidden"},
    )
    assert response.status_code == 403
    annotation.refresh_from_db()
    assert (annotation.reliability, annotation.status) == (1, "active")
    record = ModerationAction.objects.get()
    response = client.post(
        reverse("admin:annotator_moderationaction_change", args=[record.pk]), {"reason": "edited"}
    )
    assert response.status_code == 403
    assert ModerationAction.objects.get().reason == "spam"
    assert client.get(reverse("admin:annotator_moderationaction_add")).status_code == 403


def test_annotation_history_is_visible_to_moderators(mod_client, three_on_mao, moderator):
    target = three_on_mao[0]
    moderation.hide_annotations([target], moderator=moderator, reason="brigading")
    page = mod_client.get(reverse("admin:annotator_annotation_change", args=[target.pk]))
    html = page.content.decode()
    assert "history" in html.lower()
    assert "&#x27;active&#x27; → &#x27;hidden&#x27;" in html
    revisions = mod_client.get(changelist("annotationrevision"), {"action": "hidden"})
    assert [r.annotation_id for r in revisions.context["cl"].result_list] == [target.pk]


# --- moderation actions through the admin ------------------------------------------------------


def test_hide_action_asks_for_a_reason_then_hides(mod_client, three_on_mao, moderator):
    targets = three_on_mao[:2]
    form_page = run_action(mod_client, "annotation", "hide_selected", targets)
    assert form_page.status_code == 200
    assert form_page.templates[0].name == "admin/annotator/reason_form.html"
    assert not ModerationAction.objects.exists()

    # An empty reason is refused with the form again; nothing changes.
    empty = mod_client.post(
        changelist("annotation"),
        {
            "action": "hide_selected",
            ACTION_CHECKBOX_NAME: [a.pk for a in targets],
            "apply": "yes",
            "reason": "  ",
        },
    )
    assert empty.status_code == 200
    assert "reason" in empty.context["form"].errors
    assert Annotation.objects.filter(status="hidden").count() == 0

    done = run_action(mod_client, "annotation", "hide_selected", targets, reason="coordinated")
    assert done.status_code == 200
    assert "Hid 2 annotation(s)" in done.content.decode()
    assert set(Annotation.objects.filter(status="hidden").values_list("pk", flat=True)) == {
        a.pk for a in targets
    }
    assert ModerationAction.objects.filter(action="annotation.hide", actor=moderator).count() == 2

    # The third was never hidden: the message says it was left alone.
    undone = run_action(mod_client, "annotation", "unhide_selected", three_on_mao, reason="appeal")
    assert (
        "Unhid 2 annotation(s) (1 were not hidden and were left alone)." in undone.content.decode()
    )
    assert Annotation.objects.filter(status="active").count() == 3


def test_staff_without_moderation_permission_cannot_run_actions(client, three_on_mao):
    from django.contrib.auth.models import Permission

    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_annotation"))
    client.force_login(viewer)
    assert client.get(changelist("annotation")).status_code == 200
    response = run_action(client, "annotation", "hide_selected", three_on_mao, reason="x")
    assert response.status_code == 200
    assert Annotation.objects.filter(status="hidden").count() == 0
    assert not ModerationAction.objects.exists()
    # The moderation queue is also closed to them.
    assert client.get(reverse("admin:annotator_moderation_queue")).status_code == 403


def test_suspend_and_reinstate_actions(mod_client, three_on_mao, third_reviewer):
    run_action(mod_client, "user", "suspend_selected", [third_reviewer], reason="sock puppet")
    third_reviewer.refresh_from_db()
    assert third_reviewer.is_active is False and third_reviewer.suspension_reason == "sock puppet"
    listed = mod_client.get(changelist("user"), {"suspended": "yes"}).context["cl"].result_list
    assert [u.pk for u in listed] == [third_reviewer.pk]

    run_action(mod_client, "user", "reinstate_selected", [third_reviewer], reason="verified")
    third_reviewer.refresh_from_db()
    assert third_reviewer.is_active is True
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "user.suspend",
        "user.reinstate",
    ]


def test_suspending_a_staff_member_shows_an_error_and_changes_nothing(mod_client, moderator):
    other = make_user("mod2", groups=["Moderator"], is_staff=True)
    response = run_action(mod_client, "user", "suspend_selected", [other], reason="rivalry")
    assert "Only an administrator" in response.content.decode()
    other.refresh_from_db()
    assert other.is_active is True
    assert not ModerationAction.objects.exists()


def test_adjudicate_a_disputed_consensus(mod_client, three_on_mao, moderator):
    first = three_on_mao[0]
    row = consensus.consensus_for_span(first.document, first.start, first.end)
    assert row.status == ConsensusStatus.DISPUTED
    url = reverse("admin:annotator_consensus_adjudicate", args=[row.pk])

    change_page = mod_client.get(reverse("admin:annotator_consensus_change", args=[row.pk]))
    assert url in change_page.content.decode()
    form_page = mod_client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["flags"] == ["misattributed-quote"]

    refused = mod_client.post(url, {"reliability": "1", "flags": ["misattributed-quote"]})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    bad_flag = mod_client.post(url, {"reliability": "9", "reason": "x"})
    assert bad_flag.status_code == 200 and "reliability" in bad_flag.context["form"].errors

    done = mod_client.post(
        url,
        {"reliability": "1", "flags": ["misattributed-quote"], "reason": "no source exists"},
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == ConsensusStatus.ADJUDICATED
    assert (row.adjudicated_reliability, row.adjudicated_flags) == (1, ["misattributed-quote"])
    assert row.adjudicated_by == moderator
    audit = ModerationAction.objects.get()
    assert (audit.action, audit.reason) == ("adjudicate", "no source exists")


def test_adjudicate_action_redirects_to_the_form_for_one_item(mod_client, three_on_mao):
    rows = list(Consensus.objects.filter(status=ConsensusStatus.DISPUTED))
    response = run_action(mod_client, "consensus", "adjudicate_selected", rows[:1])
    assert response.status_code == 302
    assert response.url == reverse("admin:annotator_consensus_adjudicate", args=[rows[0].pk])


def test_reviewer_group_cannot_adjudicate(client, three_on_mao):
    staff_reviewer = make_user("staffrev", groups=["Reviewer"], is_staff=True)
    client.force_login(staff_reviewer)
    row = Consensus.objects.filter(status=ConsensusStatus.DISPUTED).first()
    url = reverse("admin:annotator_consensus_adjudicate", args=[row.pk])
    assert client.post(url, {"reliability": "1", "reason": "mine"}).status_code == 403
    row.refresh_from_db()
    assert row.status == ConsensusStatus.DISPUTED


def test_merge_claims_action(mod_client, seeded, reviewer):
    survivor = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    duplicate = Claim.objects.create(text="毛澤東說好戲開始嘍", language="zh-Hant")
    moved = annotate(reviewer, seeded["001"], MAO_ZH, reliability=1, claim=duplicate)

    form_page = run_action(mod_client, "claim", "merge_selected", [duplicate])
    assert "into" in form_page.context["form"].fields
    run_action(
        mod_client,
        "claim",
        "merge_selected",
        [duplicate, survivor],
        into=str(survivor.pk),
        reason="same quote",
    )
    duplicate.refresh_from_db()
    moved.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert moved.claim == survivor
    assert ModerationAction.objects.get().action == "claim.merge"
    merged = mod_client.get(changelist("claim"), {"merged": "yes"}).context["cl"].result_list
    assert [c.pk for c in merged] == [duplicate.pk]


def test_retire_and_restore_flag_actions(mod_client):
    flag = FlagType.objects.get(slug="anachronism")
    run_action(mod_client, "flagtype", "retire_selected", [flag], reason="rarely used")
    flag.refresh_from_db()
    assert flag.is_active is False
    listed = mod_client.get(changelist("flagtype"), {"is_active__exact": "0"}).context["cl"]
    assert [f.slug for f in listed.result_list] == ["anachronism"]
    run_action(mod_client, "flagtype", "restore_selected", [flag], reason="needed again")
    flag.refresh_from_db()
    assert flag.is_active is True


def test_moderator_cannot_edit_flag_types_or_add_them(mod_client):
    flag = FlagType.objects.get(slug="anachronism")
    url = reverse("admin:annotator_flagtype_change", args=[flag.pk])
    assert mod_client.post(url, {"label": "x", "sort_order": "1"}).status_code == 403
    assert mod_client.get(reverse("admin:annotator_flagtype_add")).status_code == 403


# --- API tokens --------------------------------------------------------------------------------


def test_admin_creates_a_token_and_sees_the_key_once(client, admin_user, reviewer):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:annotator_apitoken_add"),
        {"user": reviewer.pk, "name": "newsroom export", "scope": "export"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key.startswith("sra_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (reviewer, "newsroom export", hash_key(key))
    detail = client.get(reverse("admin:annotator_apitoken_change", args=[token.pk]))
    assert key not in detail.content.decode()

    run_action(client, "apitoken", "revoke_selected", [token], reason="leaked in a log")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ModerationAction.objects.get().action == "token.revoke"


def test_moderator_cannot_create_or_revoke_tokens(mod_client, reviewer):
    assert mod_client.get(reverse("admin:annotator_apitoken_add")).status_code == 403
    token = ApiToken.objects.create(user=reviewer, name="t", key_prefix="sra_x", key_hash="h" * 64)
    run_action(mod_client, "apitoken", "revoke_selected", [token], reason="x")
    token.refresh_from_db()
    assert token.revoked_at is None


# --- moderation queue --------------------------------------------------------------------------


def test_moderation_queue_lists_what_needs_attention(mod_client, three_on_mao, seeded, reviewer):
    evidenced = annotate(
        reviewer,
        seeded["001"],
        MAO_ZH,
        reliability=1,
        flags=["factual-error"],
        evidence=["https://example.org/source"],
    )
    response = mod_client.get(reverse("admin:annotator_moderation_queue"))
    assert response.status_code == 200
    queue = response.context["queue"]
    first = three_on_mao[0]
    assert [row.key for row in queue["disputed"]] == [
        row.key
        for row in Consensus.objects.filter(status="disputed").order_by("-updated_at", "-pk")
    ]
    assert consensus.span_key(first.document_id, first.start, first.end) in {
        row.key for row in queue["disputed"]
    }
    assert queue["disputed_count"] == Consensus.objects.filter(status="disputed").count()
    # The two misattributed-quote flags without evidence, newest first; not the evidenced one.
    assert [a.pk for a in queue["unevidenced"]] == [three_on_mao[1].pk, three_on_mao[0].pk]
    assert queue["unevidenced_count"] == 2
    assert evidenced.pk not in {a.pk for a in queue["unevidenced"]}
    html = response.content.decode()
    assert "Disputed consensus (" in html and "noisiest first" in html


def test_a_stale_adjudication_returns_to_the_queue(mod_client, three_on_mao, seeded, moderator):
    first = three_on_mao[0]
    group = Consensus.objects.get(key=consensus.span_key(first.document_id, first.start, first.end))
    moderation.adjudicate(
        group, moderator=moderator, reliability=1, flags=["misattributed-quote"], reason="sourced"
    )
    queue = mod_client.get(reverse("admin:annotator_moderation_queue")).context["queue"]
    assert group.key not in {row.key for row in queue["disputed"]}
    # A fourth reviewer agreeing with the majority: the computed status becomes agreed,
    # and the adjudication is stale until a moderator confirms it again.
    annotate(make_user("dara"), seeded["000"], MAO_EN, reliability=1, flags=["misattributed-quote"])
    group.refresh_from_db()
    assert group.adjudication_stale and group.status != ConsensusStatus.ADJUDICATED
    queue = mod_client.get(reverse("admin:annotator_moderation_queue")).context["queue"]
    assert group.key in {row.key for row in queue["disputed"]}


def test_moderation_queue_shows_noisy_detectors(mod_client, seeded, reviewer):
    dismissed = dismiss_some_suggestions(seeded["000"], reviewer)
    response = mod_client.get(reverse("admin:annotator_moderation_queue"))
    noisy = response.context["queue"]["noisy_detectors"]
    assert noisy[0]["detector"] == dismissed.detector
    assert (noisy[0]["dismissed"], noisy[0]["dismissal_rate"]) == (1, 1.0)
    assert dismissed.detector in response.content.decode()
    index = mod_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:annotator_moderation_queue") in index


def test_moderation_queue_lists_a_reviewer_far_below_the_others(
    mod_client, seeded, reviewer, other_reviewer, third_reviewer
):
    contrarian = make_user("dave", groups=["Reviewer"])
    passages = list(seeded["000"].passages.order_by("index")[:3])
    for passage in passages:
        for user, rating in (
            (reviewer, 1),
            (other_reviewer, 1),
            (third_reviewer, 2),
            (contrarian, 5),
        ):
            create_annotation(
                reviewer=user,
                document=seeded["000"],
                start=passage.start,
                end=passage.start + 4,
                reliability=rating,
            )
    response = mod_client.get(reverse("admin:annotator_moderation_queue"))
    queue = response.context["queue"]
    assert queue["calibrated_reviewers"] == 4
    assert [row["username"] for row in queue["low_calibration"]] == ["dave"]
    assert queue["low_calibration_count"] == 1
    assert reverse("admin:annotator_user_change", args=[contrarian.pk]) in (
        response.content.decode()
    )
    # Every reviewer's calibration is listed too, lowest agreement first.
    everyone = [row["username"] for row in queue["calibration"]]
    assert everyone[0] == "dave" and sorted(everyone) == ["alice", "bob", "chen", "dave"]
    html = response.content.decode()
    assert 'id="all-calibration"' in html and html.count("admin/annotator/user/") >= 4


def test_moderation_queue_flags_outlying_reviewers():
    rows = [
        {"username": "a", "agreement": 0.81},
        {"username": "b", "agreement": 0.78},
        {"username": "c", "agreement": 0.84},
        {"username": "d", "agreement": 0.2},
        {"username": "e", "agreement": None},
    ]
    low, threshold = moderation.low_calibration(rows)
    assert [row["username"] for row in low] == ["d"]
    assert 0.2 < threshold < 0.78
    assert moderation.low_calibration(rows[:2]) == ([], None)


def test_user_list_shows_roles_without_n_plus_one(mod_client, django_assert_max_num_queries):
    for n in range(12):
        make_user(f"r{n}", groups=["Reviewer"])
    response = mod_client.get(changelist("user"))
    html = response.content.decode()
    assert "Reviewer" in html and "Moderator" in html
    assert User.objects.count() == 13
    with django_assert_max_num_queries(12):
        mod_client.get(changelist("user"))


def test_hidden_status_shows_in_the_annotation_list(mod_client, three_on_mao, moderator):
    moderation.hide_annotations([three_on_mao[1]], moderator=moderator, reason="x")
    listed = mod_client.get(changelist("annotation"), {"status": "hidden"}).context["cl"]
    assert [a.pk for a in listed.result_list] == [three_on_mao[1].pk]
    assert listed.result_list[0].status == AnnotationStatus.HIDDEN


def test_two_way_list_filters_narrow_the_lists(
    mod_client, three_on_mao, seeded, reviewer, moderator
):
    moderation.suspend_reviewer(reviewer, moderator=moderator, reason="test")
    users = mod_client.get(changelist("user") + "?suspended=yes").context["cl"].queryset
    assert [u.username for u in users] == ["alice"]
    users = mod_client.get(changelist("user") + "?suspended=no").context["cl"].queryset
    assert "alice" not in {u.username for u in users} and users.count() >= 3

    keep = Claim.objects.create(text="kept")
    duplicate = Claim.objects.create(text="duplicate")
    moderation.merge_claims(duplicate, into=keep, moderator=moderator, reason="same claim")
    merged = mod_client.get(changelist("claim") + "?merged=yes").context["cl"].queryset
    canonical = mod_client.get(changelist("claim") + "?merged=no").context["cl"].queryset
    assert list(merged) == [duplicate] and keep in canonical and duplicate not in canonical

    evidenced = annotate(
        make_user("eve"),
        seeded["001"],
        MAO_ZH,
        reliability=1,
        evidence=["https://example.org/source"],
    )
    with_some = mod_client.get(changelist("annotation") + "?evidence=some").context["cl"].queryset
    with_none = mod_client.get(changelist("annotation") + "?evidence=none").context["cl"].queryset
    assert list(with_some) == [evidenced]
    assert set(with_none) == set(three_on_mao)
