"""The interface in English, 繁體中文 and 简体中文: complete catalogues, compiled files in step
with them, and the language each request gets (preference, then cookie or Accept-Language)."""

import datetime
import gettext
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core import mail
from django.urls import reverse

from annotator.models import FlagType
from annotator.notifications import services
from annotator.notifications.models import Notification, Preference
from tests.factories import make_document, make_user

ROOT = Path(settings.BASE_DIR)
LOCALES = ("zh_Hant", "zh_Hans")
DOMAINS = ("django", "djangojs")


def untranslated(path: Path) -> list[str]:
    """Entries of a .po file that are empty or fuzzy (each would show in English)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_committed_catalogues_are_complete(locale, domain):
    path = ROOT / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"
    assert untranslated(path) == [], f"{path}: translate these (locale/zh_hant_text.py)"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogues_match_the_po_files(locale, domain):
    """The committed .mo says what the .po says (run locale/build.py after editing)."""
    directory = ROOT / "locale" / locale / "LC_MESSAGES"
    with (directory / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    with (directory / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 1) == message.string[0], message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="needs GNU gettext (xgettext): apt-get install gettext; CI installs it",
)
def test_every_string_in_the_code_is_translated(tmp_path):
    """Extract the strings of the code as it is now (makemessages, into a copy) and require
    a non-empty, non-fuzzy text for each in both Chinese catalogues."""
    for name in ("annotator", "config", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    for domain in DOMAINS:
        subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--domain",
                domain,
                "--no-location",
                *(f"--locale={locale}" for locale in LOCALES),
            ],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        )
    problems = {
        f"{locale}/{domain}.po": missing
        for locale in LOCALES
        for domain in DOMAINS
        if (missing := untranslated(tmp_path / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"))
    }
    assert problems == {}, (
        "Strings without a translation. Add them to locale/zh_hant_text.py, then run the "
        "commands in docs/web-ui.md (Languages)."
    )


# --- which language a request gets ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [
        ("zh-TW,zh;q=0.9", "zh-hant", "登入"),
        ("zh-HK", "zh-hant", "登入"),
        ("zh-CN,zh;q=0.9", "zh-hans", "登录"),
        ("en-GB,en;q=0.8", "en", "Log in"),
        ("fr-FR", "en", "Log in"),
    ],
)
def test_accept_language_picks_the_language(client, header, lang, words):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=header)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<html lang="{lang}"' in body
    assert f"<h1>{words}</h1>" in body


@pytest.mark.django_db
def test_the_switcher_sets_the_cookie_and_a_signed_in_users_preference(client):
    user = make_user("lin", groups=["Reviewer"])
    client.force_login(user)
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "zh-hant"
    # The preference follows the user to a browser that asks for English and has no cookie.
    other = type(client)()
    other.force_login(user)
    page = other.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hant"' in page and "文件" in page


@pytest.mark.django_db
def test_the_switcher_refuses_get_and_unknown_languages(client):
    user = make_user("lin", groups=["Reviewer"])
    client.force_login(user)
    assert client.get(reverse("set_language")).status_code == 405
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""


@pytest.mark.django_db
def test_an_anonymous_choice_lives_in_the_cookie(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>登录</h1>" in page


@pytest.mark.django_db
def test_the_api_answers_in_english_whatever_the_language(client):
    user = make_user("lin", groups=["Reviewer"], language="zh-hant")
    client.force_login(user)
    response = client.post(
        "/api/v1/annotations/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-TW"
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_the_script_catalogue_is_in_the_active_language(client):
    saved = json.dumps("已儲存")[1:-1]  # the catalogue is JSON, non-ASCII escaped
    english = client.get(reverse("javascript-catalog")).content.decode()
    chinese = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert saved in chinese.content.decode() and saved not in english


@pytest.mark.django_db
def test_flag_labels_and_ratings_show_in_the_readers_language(client):
    flag = FlagType.objects.get(slug="misattributed-quote")
    assert flag.label_zh_hant == "張冠李戴或無出處的引文"  # filled by migration 0011
    document = make_document("A plain passage of text.")
    document.published = datetime.date(2024, 1, 28)
    document.save(update_fields=["published"])
    user = make_user("lin", groups=["Reviewer"], language="zh-hans")
    client.force_login(user)
    page = client.get(reverse("document-read", args=[document.pk])).content.decode()
    assert flag.label_zh_hans in page and flag.description_zh_hans in page
    assert "捏造／不实" in page  # the 1 on the scale
    assert "2024年1月28日" in page  # dates by the language's format
    user.language = "en"
    user.save()
    page = client.get(reverse("document-read", args=[document.pk])).content.decode()
    assert "Misattributed or unsourced quotation" in page and "2024-01-28" in page


@pytest.mark.django_db
def test_an_untranslated_flag_falls_back_to_english(client):
    FlagType.objects.create(slug="new-flag", label="Brand new flag", sort_order=999)
    document = make_document("Another passage of text.")
    client.force_login(make_user("lin", groups=["Reviewer"], language="zh-hant"))
    page = client.get(reverse("document-read", args=[document.pk])).content.decode()
    assert "Brand new flag" in page


@pytest.mark.django_db
def test_the_admin_edits_each_languages_flag_label(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    flag = FlagType.objects.get(slug="factual-error")
    page = client.get(reverse("admin:annotator_flagtype_change", args=[flag.pk])).content.decode()
    for field in ("label_zh_hant", "label_zh_hans", "description_zh_hant", "description_zh_hans"):
        assert f'name="{field}"' in page


@pytest.mark.django_db
def test_a_digest_email_is_written_in_its_recipients_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("lin", groups=["Reviewer"], language="zh-hant", email="lin@example.org")
    Preference.objects.create(user=user, email=Preference.Email.DAILY)
    Notification.objects.create(recipient=user, kind="mention", title="t", url="/")
    assert services.send_digests() == 1
    message = mail.outbox[0]
    assert message.subject == "你的每日摘要：1 則通知"
    assert "停止接收這類郵件" in message.body


@pytest.mark.django_db
def test_a_notification_is_written_in_each_recipients_language():
    from django.utils.translation import gettext_noop

    lin = make_user("lin", groups=["Reviewer"], language="zh-hans")
    ann = make_user("ann", groups=["Reviewer"])
    rows = services.create(
        "mention", [lin.pk, ann.pk], gettext_noop("%(author)s mentioned you"), "/", {"author": "bo"}
    )
    titles = {row.recipient_id: row.title for row in rows}
    assert titles == {lin.pk: "bo 提及了你", ann.pk: "bo mentioned you"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_every_reviewer_and_moderator_page_renders_in_chinese(client, seeded, language):
    from annotator.annotations import create_annotation
    from annotator.models import Claim, Consensus

    document = seeded["000"]
    claim = Claim.objects.create(text="A claim")
    create_annotation(
        reviewer=make_user("bob", groups=["Reviewer"]),
        document=document,
        start=0,
        end=10,
        reliability=2,
        flags=["unsupported-claim"],
        claim=claim,
    )
    moderator = make_user("mod", groups=["Moderator", "Reviewer"], is_staff=True, language=language)
    client.force_login(moderator)
    group = Consensus.objects.filter(kind="span").first()
    pages = [
        "/",
        reverse("document-read", args=[document.pk]),
        reverse("claim-page", args=[claim.pk]),
        reverse("source-page", args=[document.source_id]),
        reverse("my-assignments"),
        reverse("campaign-list-page"),
        reverse("notifications"),
        reverse("password_change"),
        reverse("admin:index"),
        reverse("admin:annotator_moderation_queue"),
        reverse("admin:annotator_consensus_adjudicate", args=[group.pk]),
        reverse("admin:annotator_flagtype_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()[:400], url


@pytest.mark.django_db
def test_assigned_work_is_notified_in_each_recipients_language():
    from django.core.management import call_command

    from tests.campaign_support import make_document, make_manager, open_campaign_over

    lin = make_user("lin", groups=["Reviewer"], language="zh-hant")
    wu = make_user("wu", groups=["Reviewer"], language="zh-hans")
    ann = make_user("ann", groups=["Reviewer"])
    document = make_document("harbour", 3)
    open_campaign_over(make_manager(), [document], [lin, wu, ann], overlap=1, quorum=1, name="港口")
    call_command("run_worker", "--until-empty")
    titles = dict(Notification.objects.filter(kind="assigned").values_list("recipient", "title"))
    assert titles == {
        lin.pk: "審閱專案「港口」有新的段落指派給你",
        wu.pk: "审阅项目“港口”有新的段落指派给你",
        ann.pk: "New passages for you in campaign “港口”",
    }


@pytest.mark.django_db
def test_campaign_management_pages_render_in_chinese(client):
    from tests.campaign_support import make_document, make_manager, make_pool, open_campaign_over

    manager = make_manager()
    manager.language = "zh-hant"
    manager.save(update_fields=["language"])
    pool = make_pool(3)
    campaign = open_campaign_over(manager, [make_document("harbour", 4)], pool)
    client.force_login(manager)
    expected = {
        f"/campaigns/{campaign.pk}/": ["加入文件", "改派段落", "改派…", "進行中"],
        f"/campaigns/{campaign.pk}/reassign/?from={pool[0].username}": [
            "改派段落",
            "原審閱者",
            "新審閱者",
            "顯示未完成的指派",
            "依佇列順序排列",
            "— 第 ",
        ],
        f"/campaigns/{campaign.pk}/documents/": [
            "加入文件",
            "依條件篩選的文件",
            "發布日期起",
            "不限",
        ],
        "/campaigns/new/": ["依條件篩選的文件", "發布日期止"],
    }
    for url, words in expected.items():
        page = client.get(url).content.decode()
        assert 'lang="zh-hant"' in page[:400], url
        for word in words:
            assert word in page, (url, word)
        for english in ("Reassign a passage", "Add documents", "Documents by filter", ">any<"):
            assert english not in page, (url, english)
