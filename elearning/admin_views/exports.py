"""Listing exports that cannot smuggle a formula into the organizer's spreadsheet."""

from elearning.spreadsheets import safe_cell


class SafeExportMixin:
    """For IndexView subclasses: every exported value (CSV and XLSX) goes through ``safe_cell``.

    Wagtail keeps formulas out of its XLSX export but not out of its CSV export,
    and names and positions come from self-registration and imported files.
    """

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))
