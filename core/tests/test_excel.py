"""Excel export and reading: readable workbooks, safe cells, flat memory, UTF-8 file names."""

import datetime
import io
import tracemalloc
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook

from core.excel import XLSX_CONTENT_TYPE, ExcelError, export_rows, read_rows, xlsx_response

HEADERS = ["户号", "姓名", "出生日期", "备注"]


def roster(n: int):
    for i in range(n):
        yield [f"达依{i:04d}", "刘德华", datetime.date(1980, 1, 2), "门前三包责任区"]


def test_export_rows_is_a_readable_workbook_with_a_bold_frozen_header():
    content = export_rows(title="达依乡花名册", headers=HEADERS, rows=roster(3))

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "达依乡花名册"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[4]][:2] == ["达依0002", "刘德华"]
    assert sheet["C2"].value == datetime.datetime(1980, 1, 2)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet.max_row == 4


def test_column_widths_fit_chinese_text_or_follow_the_caller():
    sized = load_workbook(io.BytesIO(export_rows(title="t", headers=HEADERS, rows=roster(2))))
    widths = sized.active.column_dimensions
    assert widths["D"].width >= 2 * len("门前三包责任区")  # CJK characters count double
    assert widths["C"].width >= 10  # a date

    fixed = load_workbook(
        io.BytesIO(export_rows(title="t", headers=HEADERS, rows=roster(2), widths=[5, 6, 7, 8]))
    )
    assert [fixed.active.column_dimensions[c].width for c in "ABCD"] == [5, 6, 7, 8]


def test_text_is_never_a_formula_and_bad_characters_are_dropped():
    rows = [['=HYPERLINK("http://x")', "#N/A", "a\x07b", "=1"]]
    sheet = load_workbook(io.BytesIO(export_rows(title="t", headers=HEADERS, rows=rows))).active
    assert [cell.data_type for cell in sheet[2]] == ["s", "s", "s", "s"]
    assert [cell.value for cell in sheet[2]] == ['=HYPERLINK("http://x")', "#N/A", "ab", "=1"]


def test_a_sheet_title_is_made_valid():
    content = export_rows(title="a/b:c" + "长" * 40, headers=["x"], rows=[])
    assert load_workbook(io.BytesIO(content)).active.title == "a_b_c" + "长" * 26


def test_export_streams_rows_without_holding_them():
    """2,000 rows held in memory by openpyxl's normal mode peak at about 8 MiB."""
    tracemalloc.start()
    try:
        export_rows(title="t", headers=HEADERS * 3, rows=(row * 3 for row in roster(2000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * 2**20


def test_xlsx_response_carries_the_utf8_filename():
    response = xlsx_response(b"PK...", "达依乡花名册 2024.xlsx")

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response.content == b"PK..."
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert " " not in encoded and unquote(encoded) == "达依乡花名册 2024.xlsx"
    disposition.encode("ascii")  # the header itself is plain ASCII


def test_xlsx_response_cleans_the_filename():
    response = xlsx_response(b"", 'roster"\r\nSet-Cookie: x')
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert 'filename="roster___Set-Cookie: x.xlsx"' in disposition


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer


def test_read_rows_keeps_excel_row_numbers_across_blank_rows():
    header, rows = read_rows(_xlsx([["a", "b"], [1, "x"], [None, " "], ["2", None]]), max_rows=10)
    assert header == ["a", "b"]
    assert rows == [(2, (1, "x")), (4, ("2",))]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"a,b\n1,2\n", "not_xlsx"),
        (b"", "not_xlsx"),
        (_xlsx([["a"]]).getvalue(), "empty"),
        (_xlsx([["a"], [1], [2], [3]]).getvalue(), "too_many_rows"),
    ],
)
def test_read_rows_refuses(content, code):
    with pytest.raises(ExcelError) as excinfo:
        read_rows(io.BytesIO(content), max_rows=2)
    assert excinfo.value.code == code
