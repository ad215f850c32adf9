"""Vietnamese: Django's DATETIME_FORMAT ("07:42 Ngày 02 tháng 12 năm 2026") reads oddly inside a
sentence ("It closes on …"); officials write "07:42 ngày 02/12/2026". Everything else, including
DATE_FORMAT ("Ngày 02 tháng 12 năm 2026", used on its own line), comes from Django's vi formats."""

DATETIME_FORMAT = r"H:i \n\g\à\y d/m/Y"
