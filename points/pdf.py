"""Printable A4 PDFs of household points: quarterly publications and points cards.

The CJK font (settings.PDF_FONT_PATH) is embedded, subset to the characters used, so a
printed notice reads the same on any computer. Debian's Noto Sans CJK is an OpenType
collection with CFF outlines; fpdf2 embeds those as CIDFontType0, face picked by name.
"""

import datetime
import functools
import io
import logging
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

FONT = "cjk"
BRAND = (179, 38, 30)  # the red of app.css: a public notice board
MUTED = (98, 112, 125)
LINE = (200, 206, 212)

# fontTools logs every subsetting step at INFO, a screenful per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class FontMissing(Exception):
    """The configured print font is not installed."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(path)


def font_path() -> Path:
    path = Path(settings.PDF_FONT_PATH)
    if not path.is_file():
        raise FontMissing(str(path))
    return path


@functools.lru_cache(maxsize=8)
def _face_number(path: str) -> int:
    """The Simplified Chinese face of a .ttc/.otc collection (0 for a single font)."""
    if Path(path).suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for number, face in enumerate(collection.fonts):
            family = face["name"].getDebugName(1) or ""
            if family.endswith(" SC") and "Mono" not in family:
                return number
    finally:
        collection.close()
    return 0


class _Document(FPDF):
    """An A4 page with the CJK font and a footer line: `footer_text` and the page number."""

    footer_text = ""

    def __init__(self, *, title: str, created: datetime.datetime):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        path = font_path()
        self.add_font(FONT, "", str(path), collection_font_number=_face_number(str(path)))
        self.set_font(FONT, size=10)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("乡治 Xiangzhi")
        # A fixed date makes the file depend on its content only: a frozen publication's PDF
        # is the same file every time it is printed.
        self.set_creation_date(created)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 4, page, align="R")
        self.set_text_color(0, 0, 0)

    def line_of_text(self, text: str, *, size: float = 10, color=(0, 0, 0), height=None):
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        self.multi_cell(0, height or size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)


def quarter_label(quarter: str) -> str:
    return _("%(year)s, quarter %(number)s") % {"year": quarter[:4], "number": quarter[-1]}


def publication_pdf(publication, *, url: str) -> bytes:
    """The notice-board PDF of a frozen publication: its rows as published, never recomputed."""
    village = publication.village
    title = _("%(village)s: household points, %(quarter)s") % {
        "village": village.name,
        "quarter": quarter_label(publication.quarter),
    }
    pdf = _Document(title=title, created=publication.published_at)
    pdf.footer_text = _("%(village)s %(quarter)s · ledger head #%(seq)s") % {
        "village": village.name,
        "quarter": publication.quarter,
        "seq": publication.chain_seq,
    }
    pdf.add_page()
    pdf.line_of_text(title, size=16, height=9)
    published = formats.date_format(publication.published_at, "DATE_FORMAT")
    pdf.line_of_text(
        _("%(township)s · published %(date)s · %(count)s households")
        % {"township": village.township.name, "date": published, "count": len(publication.rows)},
        size=9,
        color=MUTED,
    )
    pdf.ln(3)
    _rows_table(pdf, publication.rows)
    pdf.ln(4)
    _chain_block(pdf, publication, url)
    return bytes(pdf.output())


COLUMNS = ((12, "R"), (36, "L"), (40, "L"), (34, "R"), (34, "R"), (24, "R"))
ROW_HEIGHT = 6.5


def _rows_table(pdf: FPDF, rows: list[dict]) -> None:
    """Plain cells, the heading repeated on each page (fpdf2's table() is ten times slower)."""
    heading = [
        _("No."),
        _("Household"),
        _("Head of household"),
        _("Points this quarter"),
        _("Balance"),
        _("Stars"),
    ]
    pdf.set_draw_color(*LINE)
    _table_row(pdf, heading, heading=True)
    for number, row in enumerate(rows, start=1):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            _table_row(pdf, heading, heading=True)
        points = f"{row['points']:+d}" if row["points"] else "0"
        stars = f"{row['stars']}★" if row.get("stars") else "—"  # older publications: no stars
        values = [str(number), row["number"], row["name"] or "—", points, str(row["balance"])]
        values.append(stars)
        _table_row(pdf, values, shade=number % 2 == 0)


def _table_row(pdf: FPDF, values: list[str], *, heading=False, shade=False) -> None:
    pdf.set_font(FONT, size=9)
    if heading:
        pdf.set_fill_color(*BRAND)
        pdf.set_text_color(255, 255, 255)
    else:
        pdf.set_fill_color(246, 247, 249)
    for (width, align), value in zip(COLUMNS, values, strict=True):
        pdf.cell(width, ROW_HEIGHT, value, border="B", align=align, fill=heading or shade)
    pdf.ln(ROW_HEIGHT)
    pdf.set_text_color(0, 0, 0)


def _chain_block(pdf: _Document, publication, url: str) -> None:
    pdf.line_of_text(
        _("Ledger chain head at publication: entry #%(seq)s") % {"seq": publication.chain_seq},
        size=9,
    )
    pdf.line_of_text(publication.chain_hash, size=8, color=MUTED)
    pdf.line_of_text(_("Content hash of this publication:"), size=9)
    pdf.line_of_text(publication.content_hash, size=8, color=MUTED)
    pdf.line_of_text(
        _("Anyone can check these figures and the ledger at %(url)s") % {"url": url},
        size=8,
        color=MUTED,
    )


def card_pdf(
    *,
    village: str,
    township: str,
    number: str,
    head: str,
    balance: int,
    as_of: datetime.date,
    url: str,
    created: datetime.datetime,
) -> bytes:
    """A points card (积分卡) to cut out: household, masked head, balance, QR to verify."""
    title = _("Household points card")
    pdf = _Document(title=title, created=created)
    pdf.footer_text = f"{township} {village}"
    pdf.add_page()
    x, y, width, height = 15.0, 15.0, 120.0, 75.0
    pdf.set_draw_color(*MUTED)
    with pdf.local_context(dash_pattern={"dash": 2, "gap": 1.5}):
        pdf.rect(x, y, width, height)
    pdf.set_fill_color(*BRAND)
    pdf.rect(x, y, width, 14, style="F")
    pdf.set_xy(x + 4, y + 2)
    pdf.set_font(FONT, size=14)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(width - 8, 6, title)
    pdf.set_xy(x + 4, y + 8)
    pdf.set_font(FONT, size=8)
    pdf.cell(width - 8, 4, f"{township} {village}")
    pdf.set_text_color(0, 0, 0)
    facts = [
        (_("Household"), number),
        (_("Head of household"), head or "—"),
        (
            _("Balance on %(date)s") % {"date": formats.date_format(as_of, "DATE_FORMAT")},
            _("%(points)s points") % {"points": balance},
        ),
    ]
    top = y + 19
    for label, value in facts:
        pdf.set_xy(x + 4, top)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(70, 4, label)
        pdf.set_xy(x + 4, top + 4)
        pdf.set_font(FONT, size=13)
        pdf.set_text_color(0, 0, 0)
        pdf.cell(70, 7, value)
        top += 17
    pdf.image(_qr_png(url), x=x + width - 40, y=y + 19, w=36, h=36)
    pdf.set_xy(x + width - 42, y + 56)
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(40, 3.5, _("Scan to check the points record"), align="C")
    pdf.set_xy(x, y + height + 3)
    pdf.line_of_text(_("Cut along the dashed line."), size=8, color=MUTED)
    pdf.line_of_text(url, size=7, color=MUTED)
    return bytes(pdf.output())


def _qr_png(url: str) -> io.BytesIO:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer
