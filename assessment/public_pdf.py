"""The A4 notices of a township's published month (红黑榜) and of a village's board.

Built with points/pdf.py's document (the CJK font embedded, subset) from the close's frozen
content only, dated by its publication time, so the same publication always prints the same
file. It ends with the content hash, the previous publication's hash and a QR code of the
verification page.
"""

from django.utils import formats
from django.utils.translation import gettext as _

from points.pdf import BRAND, FONT, LINE, MUTED, _Document, _qr_png

DARK = (31, 41, 51)  # the ink of app.css: the black list
ROW_HEIGHT = 6.5
RANKING_COLUMNS = ((20, "R"), (90, "L"), (35, "R"), (35, "L"))  # 180 mm: A4 less margins
GRID_COLUMNS = ((140, "L"), (40, "R"))


def board_pdf(board, *, url: str, village=None, mine: dict | None = None) -> bytes:
    """The township's month; with `village` (and its part of the board, `mine`), the village's
    notice: its rank, score and grids first, then the township's lists."""
    close = board.close
    if village is None:
        title = _("%(township)s: red and black lists, %(month)s") % {
            "township": board.township_name,
            "month": board.month_label,
        }
    else:
        title = _("%(village)s: assessment board, %(month)s") % {
            "village": village.name,
            "month": board.month_label,
        }
    pdf = _Document(title=title, created=close.published_at)
    pdf.footer_text = f"{board.township_name} {close.month:%Y-%m} · {close.content_hash[:16]}"
    pdf.add_page()
    pdf.line_of_text(title, size=16, height=9)
    pdf.line_of_text(
        _("%(township)s · published %(date)s · %(count)s villages ranked")
        % {
            "township": board.township_name,
            "date": formats.date_format(close.published_at, "DATE_FORMAT"),
            "count": len(board.rankings),
        },
        size=9,
        color=MUTED,
    )
    pdf.ln(3)
    if village is not None:
        _village_block(pdf, board, mine or {})
    _list_block(pdf, _("Red list (红榜)"), board.red, BRAND, _("No village is on the red list."))
    _list_block(
        pdf, _("Black list (黑榜)"), board.black, DARK, _("No village is on the black list.")
    )
    pdf.line_of_text(_("The rule"), size=11, height=6)
    for line in board.rule:
        pdf.line_of_text(f"· {line}", size=8, color=MUTED, height=4.5)
    for line in board.notes:
        pdf.line_of_text(f"· {line}", size=8, height=4.5)
    pdf.ln(3)
    if village is None:
        pdf.line_of_text(_("Villages' ranking"), size=11, height=6)
        _table(
            pdf,
            RANKING_COLUMNS,
            [_("Rank"), _("Village"), _("Score"), _("List")],
            [
                [str(row["rank"]), row["name"], row["score"], _list_name(row.get("list", ""))]
                for row in board.rankings
            ],
        )
        pdf.ln(4)
    _hash_block(pdf, board, url)
    return bytes(pdf.output())


def _village_block(pdf, board, mine: dict) -> None:
    row = mine.get("row")
    if row is None:
        pdf.line_of_text(
            _("This village was not ranked in this month's publication."), size=10, color=MUTED
        )
    else:
        on_list = _list_name(row.get("list", "")) or _("On neither list")
        pdf.line_of_text(
            _("Rank %(rank)s of %(count)s · score %(score)s · %(list)s")
            % {
                "rank": row["rank"],
                "count": len(board.rankings),
                "score": row["score"],
                "list": on_list,
            },
            size=13,
            height=8,
        )
    grids = mine.get("grids", [])
    if grids:
        pdf.ln(1)
        _table(
            pdf,
            GRID_COLUMNS,
            [_("Grid"), _("Score")],
            [["    " * grid["level"] + grid["name"], grid["score"]] for grid in grids],
        )
    pdf.ln(4)


def _list_block(pdf, heading: str, rows: list[dict], colour, empty: str) -> None:
    pdf.set_fill_color(*colour)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 8, f"  {heading}", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    if not rows:
        pdf.line_of_text(empty, size=9, color=MUTED)
    for row in rows:
        pdf.set_font(FONT, size=11)
        pdf.set_text_color(*colour)
        pdf.cell(20, 7, _("No. %(rank)s") % {"rank": row["rank"]}, align="L")
        pdf.set_text_color(0, 0, 0)
        pdf.cell(110, 7, row["name"])
        pdf.cell(0, 7, row["score"], align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _list_name(value: str) -> str:
    return {"red": _("Red list (红榜)"), "black": _("Black list (黑榜)")}.get(value, "")


def _table(pdf, columns, heading: list[str], rows: list[list[str]]) -> None:
    """Plain cells, the heading repeated on each page (as points/pdf.py's tables)."""
    pdf.set_draw_color(*LINE)
    _row(pdf, columns, heading, heading=True)
    for number, values in enumerate(rows, start=1):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            _row(pdf, columns, heading, heading=True)
        _row(pdf, columns, values, shade=number % 2 == 0)


def _row(pdf, columns, values: list[str], *, heading=False, shade=False) -> None:
    pdf.set_font(FONT, size=9)
    if heading:
        pdf.set_fill_color(*BRAND)
        pdf.set_text_color(255, 255, 255)
    else:
        pdf.set_fill_color(246, 247, 249)
    for (width, align), value in zip(columns, values, strict=True):
        pdf.cell(width, ROW_HEIGHT, value, border="B", align=align, fill=heading or shade)
    pdf.ln(ROW_HEIGHT)
    pdf.set_text_color(0, 0, 0)


def _hash_block(pdf, board, url: str) -> None:
    close = board.close
    if pdf.will_page_break(45):
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(_qr_png(url), x=pdf.w - pdf.r_margin - 36, y=top, w=36, h=36)
    width = pdf.w - pdf.l_margin - pdf.r_margin - 40
    facts = [
        (_("Published on"), formats.date_format(close.published_at, "DATETIME_FORMAT")),
        (_("Content hash (SHA-256)"), close.content_hash),
        (
            _("Previous publication's hash"),
            close.prev_hash or _("none: the township's first publication"),
        ),
    ]
    for label, value in facts:
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width, 4, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(width, 4.5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        width,
        4,
        _("Scan the code or open this address to check that the figures were not altered:"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(width, 4, url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(max(pdf.get_y(), top + 38))
