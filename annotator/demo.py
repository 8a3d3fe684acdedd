"""Demo data: reviewers, a moderator, an admin, and annotations on the seed documents.

Idempotent: running it again resets the demo passwords and adds only what is missing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .annotations import create_annotation
from .models import Annotation, AnnotationStatus, Claim, Document, User

DEMO_PASSWORD = "review-demo-2026"  # noqa: S105 - printed demo credential, documented

DEMO_USERS = [
    # username, role, first name
    ("alice", "Reviewer", "Alice"),
    ("bob", "Reviewer", "Bob"),
    ("chen", "Reviewer", "Chen"),
    ("moderator", "Moderator", "Morgan"),
    ("admin", "Admin", "Ada"),
]

MAO_CLAIM = (
    "In 1958, when Kim Il Sung asked for the Chinese volunteers to withdraw, Mao Zedong said "
    "“A wonderful drama is about to be staged” (好戲開始嘍)."
)


@dataclass(frozen=True)
class DemoJudgment:
    reviewer: str
    document_prefix: str  # seed file number: "000" … "004"
    quote: str  # the exact text annotated (first occurrence)
    reliability: int | None
    flags: tuple[str, ...]
    note: str
    evidence: tuple[str, ...] = ()
    links_mao_claim: bool = False


MAO_EN = 'he calmly told the staff: "A wonderful drama is about to be staged."'
MAO_ZH = "對身邊人說好戲開始嘍"
REDACTION_000 = "But in this regard, ** did not show anger."
FARM_000 = "**From the Internet, if there is any infringement, contact to delete!"
DONGA_QUOTE = "Stalin first opposed the invasion of the South, fearing a collision with the U.S."

DEMO_JUDGMENTS = [
    DemoJudgment(
        "alice",
        "000",
        MAO_EN,
        1,
        ("misattributed-quote",),
        "Quotation attributed to Mao with no source; not found in published records.",
        ("https://en.wikipedia.org/wiki/Chinese_People%27s_Volunteer_Army",),
        True,
    ),
    DemoJudgment(
        "bob",
        "000",
        MAO_EN,
        2,
        ("misattributed-quote", "unsupported-claim"),
        "No citation for the quote; the withdrawal itself is documented.",
        (),
        True,
    ),
    DemoJudgment(
        "chen",
        "000",
        MAO_EN,
        1,
        ("misattributed-quote",),
        "Same unsourced quote as the Chinese content-farm article.",
        (),
        True,
    ),
    DemoJudgment(
        "alice",
        "001",
        MAO_ZH,
        1,
        ("misattributed-quote",),
        "「好戲開始嘍」: no source given for the quotation.",
        (),
        True,
    ),
    DemoJudgment(
        "chen",
        "001",
        MAO_ZH,
        2,
        ("misattributed-quote",),
        "Attributed speech without quotation marks or citation.",
        (),
        True,
    ),
    DemoJudgment(
        "alice",
        "000",
        REDACTION_000,
        3,
        ("redacted-name",),
        "The name is masked as ** (probably Mao Zedong).",
    ),
    DemoJudgment(
        "bob",
        "000",
        FARM_000,
        None,
        ("content-farm",),
        "Scraped-content disclaimer: the article has no provenance.",
    ),
    DemoJudgment("alice", "003", DONGA_QUOTE, 5, (), "Attributed to a named broadcast."),
    DemoJudgment("bob", "003", DONGA_QUOTE, 2, ("unsupported-claim",), "Single TV source."),
    DemoJudgment("chen", "003", DONGA_QUOTE, 4, (), "Consistent with declassified archives."),
]


@dataclass
class DemoReport:
    users: list[tuple[str, str]]
    created_annotations: int
    claim: Claim | None


def ensure_users(password: str = DEMO_PASSWORD) -> dict[str, User]:
    users = {}
    for username, role, first_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "email": f"{username}@example.org"},
        )
        user.set_password(password)
        user.is_active = True
        user.suspended_at = None
        user.is_staff = role in ("Moderator", "Admin")
        user.is_superuser = role == "Admin"
        user.save()
        if role != "Admin":
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    return users


def _document(prefix: str) -> Document | None:
    return Document.objects.filter(origin__startswith=prefix, is_current=True).first()


@transaction.atomic
def load_demo(password: str = DEMO_PASSWORD) -> DemoReport:
    """Create the demo users and annotations (the seed documents must be imported first)."""
    users = ensure_users(password)
    if not Document.objects.exists():
        raise LookupError("No documents: run `manage.py import_documents` (the seeds) first.")
    claim = Claim.objects.filter(text=MAO_CLAIM).first()
    if claim is None:
        claim = Claim.objects.create(text=MAO_CLAIM, language="en", created_by=users["alice"])
    created = 0
    for judgment in DEMO_JUDGMENTS:
        document = _document(judgment.document_prefix)
        if document is None or judgment.quote not in document.body:
            continue
        start = document.body.index(judgment.quote)
        end = start + len(judgment.quote)
        reviewer = users[judgment.reviewer]
        exists = Annotation.objects.filter(
            document=document,
            reviewer=reviewer,
            start=start,
            end=end,
            status=AnnotationStatus.ACTIVE,
        ).exists()
        if exists:
            continue
        create_annotation(
            reviewer=reviewer,
            document=document,
            start=start,
            end=end,
            exact=judgment.quote,
            reliability=judgment.reliability,
            flags=judgment.flags,
            note=judgment.note,
            evidence=judgment.evidence,
            claim=claim if judgment.links_mao_claim else None,
        )
        created += 1
    roles = {username: role for username, role, _ in DEMO_USERS}
    return DemoReport(
        users=[(username, roles[username]) for username in users],
        created_annotations=created,
        claim=claim,
    )
