"""Fill the Chinese catalogues from ``locale/zh_hant_text.py`` and compile them.

    .venv/bin/python manage.py makemessages --all ...   (see docs/web-ui.md, "Languages")
    .venv/bin/python locale/build.py

繁體中文 is written by hand in zh_hant_text.TEXT; 简体中文 is derived from it with OpenCC's
``tw2sp`` (Taiwan phrases to mainland phrases, e.g. 登入 → 登录, 檔案 → 文件), then the
corrections in HANS_FIXES and HANS_OVERRIDES. Any msgid without a text is reported and left
empty, which ``tests/test_translations.py`` refuses.
"""

import re
import subprocess
import sys
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from zh_hant_text import HANS_FIXES, HANS_OVERRIDES, TEXT  # noqa: E402

HEADER_FIXES = {
    "zh_Hant": ("zh_Hant", "nplurals=1; plural=0;"),
    "zh_Hans": ("zh_Hans", "nplurals=1; plural=0;"),
}
ENTRY = re.compile(
    r"((?:#[^\n]*\n)*)((?:msgctxt .*\n(?:\".*\"\n)*)?)(msgid .*\n(?:\".*\"\n)*)"
    r"(msgid_plural .*\n(?:\".*\"\n)*)?((?:msgstr(?:\[\d+\])? .*\n(?:\".*\"\n)*)+)"
)


def unquote(block: str, keyword: str) -> str:
    """The string of a ``keyword "..." "..."`` block."""
    body = block[len(keyword) :].strip()
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
    return "".join(parts).encode("latin-1", "backslashreplace").decode("unicode_escape")


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def hans(msgid: str, hant: str, converter) -> str:
    if msgid in HANS_OVERRIDES:
        return HANS_OVERRIDES[msgid]
    text = converter.convert(hant)
    for before, after in HANS_FIXES:
        text = text.replace(before, after)
    return text


def fill(path: Path, locale: str, converter) -> list[str]:
    source = path.read_text(encoding="utf-8")
    language, plural = HEADER_FIXES[locale]
    source = re.sub(r'"Language: .*\\n"', f'"Language: {language}\\\\n"', source, count=1)
    source = re.sub(r'"Plural-Forms: .*\\n"', f'"Plural-Forms: {plural}\\\\n"', source, count=1)
    missing = []

    def replace(match: re.Match) -> str:
        comments, context, msgid_block, plural_block, _ = match.groups()
        msgid = unquote(msgid_block.strip(), "msgid")
        if not msgid:
            return match.group(0)
        comments = comments.replace("#, fuzzy\n", "")
        comments = re.sub(r"#, fuzzy, ", "#, ", comments)
        hant = TEXT.get(msgid)
        if hant is None:
            missing.append(msgid)
            text = ""
        else:
            text = hant if locale == "zh_Hant" else hans(msgid, hant, converter)
        keyword = "msgstr[0]" if plural_block else "msgstr"
        msgstr = f"{keyword} {quote(text)}\n"
        return comments + (context or "") + msgid_block + (plural_block or "") + msgstr

    head, sep, rest = source.partition("\n\n")
    path.write_text(head + sep + ENTRY.sub(replace, rest), encoding="utf-8")
    return missing


def main() -> int:
    converter = opencc.OpenCC("tw2sp")
    problems = 0
    for locale in ("zh_Hant", "zh_Hans"):
        for domain in ("django", "djangojs"):
            path = HERE / locale / "LC_MESSAGES" / f"{domain}.po"
            for msgid in fill(path, locale, converter):
                problems += 1
                print(f"{path.relative_to(HERE.parent)}: no text for {msgid!r}")
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, str(HERE.parent / "manage.py"), "compilemessages", "--ignore=.venv"],
        check=True,
        cwd=HERE.parent,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
