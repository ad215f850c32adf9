"""The shared .xlsx reader and writer."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from elearning.spreadsheets import (
    MAX_ROWS,
    SpreadsheetError,
    build_workbook,
    read_rows,
    safe_cell,
    workbook_response,
)

COLUMNS = {
    "full_name": {"Họ và tên"},
    "phone": {"Số điện thoại", "SĐT"},
    "email": {"Email"},
}


def xlsx(*rows, title="Sheet"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_reads_rows_by_canonical_name_with_excel_row_numbers():
    sheet = read_rows(
        xlsx(["full_name", "phone"], ["Nguyễn Văn An", "0912345678"], [None, None], ["Trần Thị Bình", "0987654321"]),
        COLUMNS,
        required=["full_name", "phone"],
    )
    assert sheet.rows == [
        (2, {"full_name": "Nguyễn Văn An", "phone": "0912345678", "email": ""}),
        (4, {"full_name": "Trần Thị Bình", "phone": "0987654321", "email": ""}),
    ]
    assert sheet.columns == {"full_name", "phone"}


@pytest.mark.parametrize("header", ["Họ và tên", "  HỌ VÀ TÊN ", "họ  và tên", "Ho va ten", "FULL NAME", "Full_Name"])
def test_headers_match_aliases_whatever_the_case_spacing_or_diacritics(header):
    sheet = read_rows(xlsx([header, "SĐT"], ["Lê Văn Cường", "0912345678"]), COLUMNS, required=["full_name", "phone"])
    assert sheet.rows == [(2, {"full_name": "Lê Văn Cường", "phone": "0912345678", "email": ""})]


def test_decomposed_vietnamese_headers_match():
    import unicodedata

    header = unicodedata.normalize("NFD", "Số điện thoại")
    sheet = read_rows(xlsx([header], ["0912345678"]), COLUMNS, required=["phone"])
    assert sheet.rows[0][1]["phone"] == "0912345678"


def test_numbers_read_back_as_the_text_typed():
    sheet = read_rows(
        xlsx(["phone", "full_name", "email"], [912345678, 3.0, 2.5], [" 0912 ", datetime.datetime(2018, 6, 4), True]),
        COLUMNS,
    )
    assert sheet.rows[0][1] == {"phone": "912345678", "full_name": "3", "email": "2.5"}
    assert sheet.rows[1][1] == {"phone": "0912", "full_name": "2018-06-04", "email": "TRUE"}


def test_unknown_columns_are_ignored_and_a_row_with_only_those_is_skipped():
    sheet = read_rows(xlsx(["Ghi chú", "phone"], ["only a note", None], [None, "0912345678"]), COLUMNS)
    assert sheet.rows == [(3, {"full_name": "", "phone": "0912345678", "email": ""})]


def test_missing_required_columns_are_named():
    with pytest.raises(SpreadsheetError) as error:
        read_rows(xlsx(["email"], ["a@example.vn"]), COLUMNS, required=["full_name", "phone"])
    assert "full_name" in str(error.value)
    assert "Số điện thoại" in str(error.value)


def test_the_same_column_twice_is_refused():
    with pytest.raises(SpreadsheetError, match="SĐT"):
        read_rows(xlsx(["phone", "SĐT"], ["0912345678", "0912345679"]), COLUMNS)


def test_an_empty_sheet_is_refused():
    with pytest.raises(SpreadsheetError):
        read_rows(xlsx(), COLUMNS)


@pytest.mark.parametrize(
    "content",
    [
        b"full_name,phone\nAn,0912345678\n",  # a CSV
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,  # an old .xls
        b"PK\x03\x04 truncated zip",
        b"",
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_clearly(content):
    with pytest.raises(SpreadsheetError, match=r"\.xlsx"):
        read_rows(io.BytesIO(content), COLUMNS)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SpreadsheetError, match=r"\.xlsx"):
        read_rows(io.BytesIO(buffer.getvalue()), COLUMNS)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.SPREADSHEET_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(SpreadsheetError) as error:
        read_rows(io.BytesIO(b"PK\x03\x04" + b"\0" * 2000), COLUMNS)
    assert "1000" in str(error.value)


def test_more_than_the_row_limit_is_refused():
    rows = [["phone"]] + [[f"09{n:08d}"] for n in range(MAX_ROWS + 1)]
    with pytest.raises(SpreadsheetError, match="10,000"):
        read_rows(xlsx(*rows), COLUMNS)


def test_exactly_the_row_limit_is_accepted():
    rows = [["phone"]] + [[f"09{n:08d}"] for n in range(MAX_ROWS)]
    assert len(read_rows(xlsx(*rows), COLUMNS).rows) == MAX_ROWS


def test_reads_bytes_and_paths(tmp_path):
    data = xlsx(["phone"], ["0912345678"]).getvalue()
    path = tmp_path / "officials.xlsx"
    path.write_bytes(data)
    assert read_rows(data, COLUMNS).rows == read_rows(path, COLUMNS).rows == read_rows(str(path), COLUMNS).rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+84912345678", "'+84912345678"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("", ""),
        (None, None),
        (-5, -5),
        (2.5, 2.5),
        (datetime.date(2018, 6, 4), datetime.date(2018, 6, 4)),
    ],
)
def test_safe_cell_neutralises_formulas_only(value, expected):
    assert safe_cell(value) == expected


def test_exported_cells_never_hold_formulas():
    content = build_workbook(
        ["Họ và tên", "=cmd"], [["=1+1", 7], ["@x", datetime.date(2018, 6, 4)]], sheet_title="Kết quả"
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "Kết quả"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Họ và tên", "'=cmd"], ["'=1+1", 7], ["'@x", datetime.datetime(2018, 6, 4)]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A1"].font.bold
    assert not sheet["A2"].font.bold


def test_a_written_workbook_reads_back():
    content = build_workbook(["full_name", "phone"], [["Lê Thị Hoa", "0912345678"]])
    assert read_rows(content, COLUMNS).rows == [(2, {"full_name": "Lê Thị Hoa", "phone": "0912345678", "email": ""})]


def test_workbook_response_is_a_safe_attachment():
    response = workbook_response("kết quả vòng 1.xlsx", ["Họ và tên"], [["=1"]], sheet_title="a/b:c[d]")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''k%E1%BA%BFt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "'=1"
