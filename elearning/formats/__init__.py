"""Project date formats (FORMAT_MODULE_PATH): only what differs from Django's locale formats."""
