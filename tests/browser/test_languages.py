"""The interface in 繁體中文 and 简体中文 in a real browser: the switcher, the saved preference,
and the reading view (server-rendered text and the scripts' messages) on desktop and phone."""

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

ZH_QUOTE = "好戲開始嘍"


def log_in_anywhere(page, username, password, heading):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.stack button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.wait_for_load_state("load")


def switch_language(page, name, button):
    switcher = page.get_by_role("combobox", name=re.compile("^(Language|語言|语言)$"))
    switcher.select_option(label=name)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def test_switch_to_traditional_chinese_annotate_and_keep_the_choice(
    page, browser, live_server, seeded, reviewer, screenshot
):
    # Before signing in: the switcher sets a cookie, the login page turns Chinese.
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    switch_language(page, "繁體中文", "Change language")
    expect(page.get_by_role("heading", level=1)).to_have_text("登入")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    screenshot(page, "login-zh-hant")
    log_in_anywhere(page, "alice", "pw-alice", "文件")
    expect(page.get_by_role("link", name="我的下一段")).to_be_visible()

    # The reading view: server-rendered labels, the flag taxonomy's own translations, and the
    # scripts' messages from the JavaScript catalogue.
    document = seeded["001"]
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="標註", exact=True)).to_be_visible()
    passage = page.locator("#document-text .passage", has_text=ZH_QUOTE).first
    passage.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#annotation-form")).to_be_visible()
    expect(page.locator("#panel-title")).to_have_text("新增標註")
    expect(page.get_by_role("radio", name=re.compile("捏造／不實"))).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("張冠李戴或無出處的引文"))).to_be_visible()
    page.locator("#save-button").click()  # no rating chosen: refused, in Chinese
    expect(page.locator("#form-errors")).to_contain_text("請選擇評分")
    page.get_by_role("radio", name=re.compile("未經查證")).check()
    page.get_by_role("checkbox", name=re.compile("時代錯置")).check()
    screenshot(page, "reading-view-zh-hant")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#form-status")).to_have_text("已儲存。")
    annotation = Annotation.objects.get(reviewer=reviewer)
    assert annotation.reliability == 3
    assert [f.slug for f in annotation.flags.all()] == ["anachronism"]

    # Signed in, switching stores the preference: another browser asking for English still
    # gets 简体中文 once this reviewer signs in there.
    switch_language(page, "简体中文", "切換語言")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#panel-title")).to_have_text("标注")
    assert User.objects.get(pk=reviewer.pk).language == "zh-hans"
    elsewhere = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        other = elsewhere.new_page()
        other.goto("/accounts/login/")
        expect(other.get_by_role("heading", level=1)).to_have_text("Log in")
        log_in_anywhere(other, "alice", "pw-alice", "文档")
        expect(other.locator("html")).to_have_attribute("lang", "zh-hans")
    finally:
        elsewhere.close()


def test_the_phone_reading_view_in_traditional_chinese(phone_page, seeded, reviewer):
    page = phone_page("zh-TW")
    log_in_anywhere(page, "alice", "pw-alice", "文件")
    page.goto(f"/documents/{seeded['001'].pk}/")
    page.wait_for_load_state("load")
    passage = page.locator("#document-text .passage", has_text=ZH_QUOTE).first
    passage.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel-title")).to_have_text("新增標註")
    expect(page.locator("#save-button")).to_be_in_viewport()
    page.get_by_role("radio", name=re.compile("大致可靠")).check()
    page.locator("#save-button").click()
    expect(page.locator("#form-status")).to_have_text("已儲存。")
