"""Build .xlsx files in memory for import tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from elearning.spreadsheets import XLSX_CONTENT_TYPE


def xlsx_bytes(*rows, title="Sheet1"):
    """An .xlsx file whose first sheet holds ``rows`` (the first one is the header)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(*rows, name="upload.xlsx"):
    """The same, as a file posted to a form."""
    return SimpleUploadedFile(name, xlsx_bytes(*rows), content_type=XLSX_CONTENT_TYPE)
