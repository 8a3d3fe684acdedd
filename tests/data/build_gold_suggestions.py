"""Build ``gold_suggestions.jsonl``: hand-annotated spans in the five seeds.

The spans below were chosen by reading the seed texts (see docs/suggestions.md for the rules
used for each flag), not from the detectors' output. This script only turns each
(exact text, unique surrounding context) pair into code-point offsets in the NFC body as
stored, and checks that the text is there exactly once.

Run: python tests/data/build_gold_suggestions.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.text import normalize_text  # noqa: E402

SEEDS = ROOT / "seeds"
OUT = Path(__file__).with_name("gold_suggestions.jsonl")

D000 = "000_36e9ef5468f0e781.txt"
D001 = "001_0ee1f22cc06ad8fa.txt"
D002 = "002_3cbe17887b3935f8.txt"
D003 = "003_bf37b3d1b9652de4.txt"
D004 = "004_8d6882823e4f2ef5.txt"

Q, R, C, N, M = (
    "misattributed-quote",
    "redacted-name",
    "content-farm",
    "unsourced-number",
    "machine-translation",
)

# (document, flag, exact, context containing exact once — or None when exact is unique, note)
GOLD = [
    # --- attributed quotations with no source
    (
        D000,
        Q,
        'he calmly told the staff: "A wonderful drama is about to be staged." ”',
        None,
        "Mao (masked earlier as **) quoted with no source",
    ),
    (D001, Q, "毛主席卻說:好戲開始嘍", None, "title: quotation without marks after 說:"),
    (
        D001,
        Q,
        "毛主席最後還是答應了金日成的要求,並對身邊人說好戲開始嘍",
        None,
        "same quotation, unmarked, attributed again",
    ),
    (D001, Q, "毛主席為何會說好戲開場", None, "the quotation restated, attributed to Mao"),
    # --- redacted names (runs of * standing for a name or part of one)
    (D000, R, "**", "had two ** communications", "masked word, probably a name"),
    (D000, R, "**", "regard, ** did not show", None),
    (D000, R, "**", "withdrawal of troops, ** had reached", None),
    (D000, R, "**", "the United ** is still moving", "'United States' masked"),
    (D000, R, "**", "between the United ** and the Volunteer", "'United States' masked"),
    (D000, R, "**", "relationship. ** was the commander", None),
    (D000, R, "**", "the army. ** Angry at this", None),
    (D000, R, "***", "Marshal *** dissatisfied", None),
    (D000, R, "***", "also troubled ***.", None),
    (D000, R, "***", "but *** firmly opposed", None),
    (D000, R, "***", "made *** angry", None),
    (D000, R, "***", "with *** in command", None),
    (D000, R, "***", "between *** and Kim", None),
    (D000, R, "**", "withdrawal of troops, ** and Kim Il Sung", None),
    (D000, R, "**", "differences. ** Clearly aware", None),
    (D000, R, "**", "Therefore, ** after receiving", None),
    (D000, R, "**", "the country. ** Regard this", None),
    (D002, R, "**", "sent a joint ** to support", "masked word (probably 'UN forces')"),
    (D002, R, "**", "dramatically. ** Fearing", None),
    # --- content-farm markers
    (D000, C, "**From the Internet, if there is any infringement, contact to delete!", None, None),
    (D000, C, "Related Pages", None, "link-list tail"),
    (D002, C, "Related Pages", None, "link-list tail"),
    (D004, C, "Photo Galleries", None, "scraped navigation"),
    (D004, C, "Stalin and Kim Jung Il by Sophia Choi on Prezi", None, "pasted page title"),
    (D004, C, "How the Kim Dynasty Took Over North Korea - History", None, "pasted page title"),
    # The repeated keyword line (every body occurrence; line 1 is the title) is added below.
    # --- unsourced precise figures (full dates, counts; bare years are not annotated)
    (D000, N, "440,000", None, None),
    (D000, N, "October 26", None, None),
    (D002, N, "March 5, 1953", None, None),
    (D003, N, "September 19, 1945", None, None),
    (D004, N, "15 August", None, None),
    (D004, N, "12 October", None, None),
    (D004, N, "27 July", None, None),
    (D004, N, "14 April", None, None),
    # --- broken text: words run together, numbers dropped, converter mistakes
    (D000, M, "peace;On", None, "missing space: full-width ； converted badly"),
    (D002, M, "Stalin s Death", None, "apostrophe lost"),
    (D004, M, "ruling from.", None, "years dropped"),
    (D004, M, "sation", "sation between Stalin", "word cut off"),
    (D004, M, "in. Moscow", None, "year dropped"),
    (D004, M, "the Cuban .", None, "word dropped"),
    (D004, M, "end of he", None, "year dropped"),
    (D004, M, "Augustthe", None, "year dropped, words run together"),
    (D004, M, "SIShad", None, None),
    (D004, M, "summer of to Julythe", None, "years dropped, words run together"),
    (D004, M, "27 July Kim", None, "year and full stop dropped"),
    (D004, M, "economywith", None, None),
    (D004, M, "Inhe", None, "year dropped"),
    (D004, M, "de-Stalinizationyet", None, None),
    (D004, M, "Hon-yongleader", None, None),
    (D004, M, "Partywas", None, None),
    (D004, M, "executed in Choe", None, "year dropped"),
    (D004, M, "in Despite", None, "year dropped"),
    (D004, M, "late s.", None, "decade dropped"),
    (D004, M, "death in Although", None, "year dropped"),
    (D004, M, "In the s,", None, "decade dropped"),
    (D004, M, "AprilNorth", None, "year dropped"),
    (D004, M, "armydue", None, None),
    (D004, M, "Ina", "Ina rumor", "year dropped"),
    (D004, M, "death in The", None, "year dropped"),
    (D004, M, "from onward", None, "year dropped"),
    (D004, M, "Unionfrom —,", None, "years dropped"),
    (D004, M, "liberationclass", None, None),
    (D004, M, "ideathe", None, None),
    (D004, M, "professionalswhere", None, None),
    (D001, M, "實作停戰", None, "converter: 实现 → 實作 (software 'implement')"),
    (D001, M, "實作重建", None, "converter: 实现 → 實作"),
    (D001, M, "公裏", None, "converter: 公里 → 公裏"),
    (D001, M, "存取中國", None, "converter: 访问 → 存取 ('access' China)"),
]

SEO_LINE = "kim il sung relationship with stalin and lenin"


def locate(body: str, exact: str, context: str | None) -> int:
    context = context or exact
    first = body.find(context)
    if first == -1:
        raise SystemExit(f"not found: {context!r}")
    if body.find(context, first + 1) != -1:
        raise SystemExit(f"not unique: {context!r}")
    inner = context.find(exact)
    if inner == -1:
        raise SystemExit(f"{exact!r} is not inside {context!r}")
    return first + inner


def main() -> None:
    bodies = {
        path.name: normalize_text(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")
    }
    lines = []
    for document, flag, exact, context, note in GOLD:
        body = bodies[document]
        start = locate(body, exact, context)
        end = start + len(exact)
        assert body[start:end] == exact
        line = {"document": document, "start": start, "end": end, "flag": flag, "exact": exact}
        if note:
            line["note"] = note
        lines.append(line)
    body = bodies[D004]
    position = body.find(SEO_LINE)
    while position != -1:
        lines.append(
            {
                "document": D004,
                "start": position,
                "end": position + len(SEO_LINE),
                "flag": C,
                "exact": SEO_LINE,
                "note": "SEO keyword line repeated in the body",
            }
        )
        position = body.find(SEO_LINE, position + 1)
    lines.sort(key=lambda item: (item["document"], item["start"], item["flag"]))
    with OUT.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} gold spans to {OUT}")


if __name__ == "__main__":
    main()
