"""Excel (.xlsx) files: streamed export of rows, and reading a sheet back for imports.

Exports use openpyxl's write-only mode, so memory stays flat however many rows there are
(the rows are an iterable consumed once). Imports use read-only mode for the same reason.
"""

import datetime
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL_CHARACTERS
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .errors import ServiceError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH, MAX_WIDTH = 6, 60
WIDTH_SAMPLE = 200  # rows looked at to size columns when no widths are given
MAX_COLUMNS = 64  # an import reads no further right than this
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


class ExcelError(ServiceError):
    """The uploaded file cannot be read as a workbook of rows (codes below)."""

    code = "excel_invalid"


def display_width(value) -> int:
    """Columns a value takes on screen: CJK characters count double."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 19
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    return SHEET_TITLE_BAD.sub("_", title or "").strip()[:31] or "Sheet1"


def _cell_value(sheet, value):
    """A value as written to a cell; text is never turned into a formula or an error code."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    if (len(value) > 1 and value.startswith("=")) or value in ERROR_CODES:
        # "=HYPERLINK(...)" typed into a name must come out as text (formula injection).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _widths(headers: Sequence[str], sample: list[Sequence]) -> list[float]:
    widths = []
    for index, header in enumerate(headers):
        longest = max(
            [display_width(header)]
            + [display_width(row[index]) for row in sample if index < len(row)]
        )
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def export_rows(
    *,
    title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    widths: Sequence[float] | None = None,
) -> bytes:
    """An .xlsx with one sheet: a bold, frozen header row, then `rows` streamed in order.

    Without `widths`, each column is as wide as its header or the widest of the first
    WIDTH_SAMPLE rows (CJK characters count double), within MIN_WIDTH..MAX_WIDTH.
    Dates and datetimes become real Excel dates; text starting with "=" stays text.
    """
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    for index, width in enumerate(widths or _widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_cell_value(sheet, header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in itertools.chain(sample, rows):
        sheet.append([_cell_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ascii_fallback(filename: str) -> str:
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return fallback or "export.xlsx"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An attachment download; filename* (RFC 5987/6266) carries a Chinese name in UTF-8."""
    filename = re.sub(r"[\r\n/\\]", "_", filename).strip() or "export"
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{_ascii_fallback(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-store"  # rosters hold personal data
    return response


def _is_blank(values: Sequence) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _trim(values: tuple) -> tuple:
    """Without the empty cells at the end (read-only mode pads rows to MAX_COLUMNS)."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


def read_rows(file, *, max_rows: int) -> tuple[list, list[tuple[int, tuple]]]:
    """The first sheet of an .xlsx as (header values, [(Excel row number, values), ...]).

    Blank rows are skipped but keep their numbering, so row numbers match what Excel shows.
    Raises ExcelError with code "not_xlsx", "empty" (no header or no data row) or
    "too_many_rows" (more than `max_rows` data rows).
    """
    workbook = _open(file)
    try:
        if not workbook.worksheets:
            raise ExcelError(_("The file has no worksheet."), code="empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off
        lines = enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
        header: list = []
        data: list[tuple[int, tuple]] = []
        for number, values in lines:
            if _is_blank(values):
                continue
            values = _trim(values)
            if not header:
                header = list(values)
                continue
            if len(data) == max_rows:
                raise ExcelError(
                    _("The sheet has more than %(max)d rows; split it into several files.")
                    % {"max": max_rows},
                    code="too_many_rows",
                )
            data.append((number, values))
    finally:
        workbook.close()
    if not data:
        raise ExcelError(_("The first sheet of the file has no data rows."), code="empty")
    return header, data


def _open(file):
    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(file)
    if hasattr(file, "seek"):
        file.seek(0)
        magic = file.read(4)
        file.seek(0)
        if magic != b"PK\x03\x04":
            raise _not_xlsx()
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _not_xlsx() from exc


def _not_xlsx() -> ExcelError:
    return ExcelError(
        _("The file is not an Excel .xlsx workbook. Save it as .xlsx and upload it again."),
        code="not_xlsx",
    )
