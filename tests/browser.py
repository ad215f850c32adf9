"""Debian's Chromium through Playwright's sync API, for every browser test of the suite."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@contextmanager
def chromium(args):
    """A headless Chromium; skips the test where it is not installed (.ci/run installs it)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while tests use the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
            try:
                yield browser
            finally:
                browser.close()
                # While a loop runs, Django keeps this thread's database connections apart (asgiref's
                # thread-critical Local): those opened under Playwright's loop are not the ones the
                # test database's teardown closes later, so they would keep it "in use".
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
