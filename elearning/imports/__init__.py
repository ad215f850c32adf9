"""Spreadsheet imports of core data (officials)."""
