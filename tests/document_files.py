"""Real files made for the document-ingest tests: HTML pages, a Chinese PDF, a DOCX.

Built here rather than shipped, so that what each test relies on is visible in the test.
"""

import io

NEWS_ARTICLE = [
    "The river council voted on Tuesday to rebuild the old stone bridge at Millford, "
    "ending a debate that had lasted for more than three years.",
    "Engineers told the council that the 1887 bridge could no longer carry delivery lorries, "
    "and that repairs would cost nearly as much as a new crossing.",
    "Opponents, led by the Millford Heritage Society, said the town would lose its best-known "
    "landmark and asked for a second survey before any work begins.",
]


def news_page(title="Millford votes to rebuild its stone bridge", paragraphs=None) -> bytes:
    """A news article wrapped in navigation, a cookie banner, related links and a footer."""
    paragraphs = paragraphs or NEWS_ARTICLE
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in ("world", "sport", "money"))
    related = "".join(
        f'<li><a href="/story/{n}">Another story number {n} you may like</a></li>' for n in range(8)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Valley Courier</title>
<meta name="author" content="Jane Porter">
<meta property="og:site_name" content="The Valley Courier">
<meta property="article:published_time" content="2024-05-14T09:30:00Z">
<link rel="canonical" href="https://courier.example/news/millford-bridge">
</head><body>
<header><nav><ul>{nav}</ul></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
<button>Accept all cookies</button></div>
<main><article><h1>{title}</h1><p class="byline">By Jane Porter</p>{body}</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside></main>
<footer><p>Copyright 2024 The Valley Courier. All rights reserved.</p>
<a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>""".encode()


def content_farm_page() -> bytes:
    """A page like seed 000: masked names, an unsourced quotation, a repost disclaimer."""
    paragraphs = [
        "In 1958, the leader of Kim Il Sung and the Chinese leaders had two ** communications "
        "on the withdrawal of the volunteers, after eight years in Korea.",
        "After carefully reading the letter, he calmly told the staff: "
        '"A wonderful drama is about to be staged." Many people were puzzled by the answer.',
        "The volunteers left North Korea in three groups, and tens of thousands of people came "
        "to the railway station to say goodbye to the soldiers.",
        "**From the Internet, if there is any infringement, contact to delete!",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<html><head><title>Kim Il Sung asked the volunteers to leave</title>
<meta property="og:site_name" content="Mondo Military"></head><body>
<div class="menu"><a href="/">Home</a> <a href="/history">History</a></div>
<div class="article-content"><h1>Kim Il Sung asked the volunteers to leave</h1>{body}</div>
<div class="footer">Related Pages</div></body></html>""".encode()


PDF_PAGES = [
    ["毛澤東看完信後說：好戲開始嘍。", "志願軍在一九五八年分三批撤離朝鮮。"],
    ["第二頁：數以萬計的朝鮮人民到車站送別。"],
]


def chinese_pdf(pages=None) -> bytes:
    """A two-page PDF with Traditional Chinese text in Adobe's STSong-Light CID font.

    reportlab writes it without embedding a font file (the CID font is one of the PDF standard
    CJK fonts), so the test needs no font on the machine.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setTitle("志願軍撤離")
    for lines in pages or PDF_PAGES:
        pdf.setFont("STSong-Light", 14)
        y = 760
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 60  # a gap: each line is its own text box, so its own passage
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A PDF with a drawing and no text: what a scan looks like to a text extractor."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 600, 300, 150, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def word_document() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Minutes of the harbour committee"
    document.core_properties.author = "Harbour Office"
    document.add_heading("Minutes of the harbour committee", level=1)
    document.add_paragraph("The committee met on 3 March and approved the new pier lights.")
    document.add_paragraph("The budget for dredging was postponed until the autumn meeting.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
