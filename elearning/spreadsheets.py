"""Reading and writing .xlsx files: the one place every import and export goes through.

Reading::

    COLUMNS = {"full_name": {"Họ và tên", "full name"}, "phone": {"Số điện thoại"}}
    sheet = read_rows(upload, COLUMNS, required=["full_name", "phone"])
    for row_number, values in sheet.rows:  # row_number as Excel shows it
        values["full_name"]  # always a stripped string, "" when empty or absent

Writing (every cell goes through :func:`safe_cell`, so a value such as
``=HYPERLINK(...)`` typed by a participant never runs as a formula in the
organizer's spreadsheet program)::

    return workbook_response("ket-qua.xlsx", ["Họ và tên", "Điểm"], rows)
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from anyascii import anyascii
from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 10_000
# Blank rows are skipped but still read; a sheet with this many rows of any
# kind is refused rather than walked to the end.
MAX_SCANNED_ROWS = MAX_ROWS * 10
DEFAULT_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
# Spreadsheet programs run a cell starting with one of these as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; ``message`` is translated and shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


@dataclass
class SheetRows:
    """What :func:`read_rows` found in the first sheet."""

    rows: list = field(default_factory=list)
    """``[(row_number, {canonical_name: str})]``, blank rows left out."""
    columns: set = field(default_factory=set)
    """The canonical names whose column is present."""
    sheet_title: str = ""

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


def _header_key(value):
    """'  Họ  và TÊN ' -> 'họ và tên' (NFC, case-folded, spaces and underscores collapsed)."""
    text = unicodedata.normalize("NFC", str(value)).replace("_", " ")
    return " ".join(text.split()).casefold()


def _folded_key(value):
    """'Họ và tên' -> 'ho va ten': so a header typed without diacritics still matches."""
    return anyascii(_header_key(value)).casefold()


def _column_lookup(columns):
    exact, folded = {}, {}
    for canonical, aliases in columns.items():
        for name in (canonical, *aliases):
            exact.setdefault(_header_key(name), canonical)
            folded.setdefault(_folded_key(name), canonical)
    return exact, folded


def cell_text(value):
    """A cell's value as the text a person typed: 912345678 -> '912345678', 3.0 -> '3'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _file_size(fileobj):
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def _not_xlsx():
    return SpreadsheetError(
        _("The file is not an Excel workbook (.xlsx). Save it as “Excel Workbook (.xlsx)” and upload it again.")
    )


def _describe_column(canonical, aliases):
    names = [canonical, *sorted(alias for alias in aliases if _header_key(alias) != _header_key(canonical))]
    return " / ".join(names)


def read_rows(fileobj, columns, *, required=()):
    """Read the first sheet of an .xlsx file: its first non-blank row is the header.

    ``fileobj``: an uploaded file, any binary file object, bytes, or a path.
    ``columns``: ``{canonical_name: {alias, ...}}``; headers match a canonical
    name or an alias regardless of case, surrounding spaces, ``_`` for space and
    (as a fallback) diacritics. Unknown columns are ignored.
    Raises :class:`SpreadsheetError` when the file cannot be used at all.
    """
    if isinstance(fileobj, str | Path):
        with open(fileobj, "rb") as handle:
            return read_rows(handle, columns, required=required)
    if isinstance(fileobj, bytes | bytearray):
        fileobj = io.BytesIO(fileobj)

    limit = getattr(settings, "SPREADSHEET_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE)
    size = _file_size(fileobj)
    if size > limit:
        raise SpreadsheetError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    fileobj.seek(0)
    if fileobj.read(4) != _ZIP_MAGIC:
        raise _not_xlsx()
    fileobj.seek(0)

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise _not_xlsx()
    try:
        return _read_sheet(workbook, columns, required)
    finally:
        workbook.close()


def _read_sheet(workbook, columns, required):
    if not workbook.worksheets:
        raise _not_xlsx()
    sheet = workbook.worksheets[0]
    # Some programs write a wrong sheet size; read what is really there.
    sheet.reset_dimensions()
    exact, folded = _column_lookup(columns)
    result = SheetRows(sheet_title=sheet.title)
    positions = None  # {index in row: canonical name}, once the header is read
    scanned = 0
    try:
        for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            scanned += 1
            if scanned > MAX_SCANNED_ROWS:
                raise _too_many_rows()
            texts = [cell_text(value) for value in row]
            if not any(texts):
                continue
            if positions is None:
                positions = _match_header(texts, exact, folded)
                result.columns = set(positions.values())
                missing = [name for name in required if name not in result.columns]
                if missing:
                    raise SpreadsheetError(
                        _("Missing columns: %(columns)s. The first row must hold the column headers.")
                        % {"columns": "; ".join(_describe_column(name, columns.get(name, ())) for name in missing)}
                    )
                continue
            values = dict.fromkeys(columns, "")
            for index, canonical in positions.items():
                if index < len(texts):
                    values[canonical] = texts[index]
            if not any(values.values()):
                continue
            if len(result.rows) >= MAX_ROWS:
                raise _too_many_rows()
            result.rows.append((row_number, values))
    except SpreadsheetError:
        raise
    except Exception:
        raise _not_xlsx()
    if positions is None:
        raise SpreadsheetError(_("The sheet is empty: the first row must hold the column headers."))
    return result


def _too_many_rows():
    return SpreadsheetError(
        _("The sheet has more than %(limit)s rows; split it into several files.") % {"limit": f"{MAX_ROWS:,}"}
    )


def _match_header(texts, exact, folded):
    positions, seen = {}, {}
    for index, text in enumerate(texts):
        if not text:
            continue
        canonical = exact.get(_header_key(text)) or folded.get(_folded_key(text))
        if canonical is None:
            continue
        if canonical in seen:
            raise SpreadsheetError(
                _("The columns “%(first)s” and “%(second)s” mean the same thing; keep only one.")
                % {"first": seen[canonical], "second": text}
            )
        seen[canonical] = text
        positions[index] = canonical
    return positions


def safe_cell(value):
    """A value safe to put in an exported cell: text that a spreadsheet program
    would run as a formula gets a leading ``'``; numbers and dates pass as they are."""
    if value is None or isinstance(
        value, bool | int | float | Decimal | datetime.date | datetime.time | datetime.timedelta
    ):
        return value
    text = str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def _sheet_title(title):
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(title or "")).strip().strip("'")[:31]
    return title or "Sheet1"


def build_workbook(headers, rows, *, sheet_title="Sheet1"):
    """An .xlsx file as bytes: a bold header row, then ``rows`` (iterables of values)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    headers = [str(header) for header in headers]
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(header) + 4, 60))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(filename, headers, rows, *, sheet_title="Sheet1"):
    """A download of :func:`build_workbook`'s file, never cached along the way
    (exports carry personal data)."""
    response = HttpResponse(build_workbook(headers, rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
