"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Skipped (with the reason) where /usr/bin/chromium is not installed; .ci/run installs it.
Screenshots are kept in artifacts/e2e/.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def browser_instance():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while tests use the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport_name(request):
    return request.param


@pytest.fixture
def page(browser_instance, viewport_name):
    context = browser_instance.new_context(
        locale="vi-VN", viewport=VIEWPORTS[viewport_name], is_mobile=viewport_name == "phone"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(page, viewport_name, request):
    """shot("name") saves a full-page screenshot under artifacts/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.originalname}-{viewport_name}-{name}.png"), full_page=True)

    return take
