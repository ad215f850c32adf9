"""The baseline: a bare Django project served by the same gunicorn settings as the
app, on the same database. Its figures are what the app's figures are divided by."""
