"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Skipped (with the reason) where /usr/bin/chromium is not installed; .ci/run installs it.
Screenshots are kept in artifacts/e2e/.
"""

from pathlib import Path

import pytest

from tests.browser import chromium

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


@pytest.fixture(scope="module")  # its event loop must end before other modules start theirs
def browser_instance():
    with chromium(ARGS) as browser:
        yield browser


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport_name(request):
    return request.param


@pytest.fixture
def page(browser_instance, viewport_name):
    context = browser_instance.new_context(
        locale="vi-VN", viewport=VIEWPORTS[viewport_name], is_mobile=viewport_name == "phone"
    )
    context.set_default_timeout(15_000)
    serve_media(context)
    page = context.new_page()
    yield page
    context.close()


def serve_media(context):
    """Uploaded files and image renditions: the live server (DEBUG off) serves static files, not
    media, and the test settings keep media in memory, so the browser gets them from the storage."""
    import mimetypes
    from urllib.parse import unquote, urlparse

    from django.conf import settings
    from django.core.files.storage import default_storage

    def fulfil(route):
        name = unquote(urlparse(route.request.url).path).removeprefix(settings.MEDIA_URL)
        if ".." in name or not default_storage.exists(name):
            route.fulfill(status=404, body="")
            return
        with default_storage.open(name) as upload:
            body = upload.read()
        route.fulfill(body=body, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")

    context.route(f"**{settings.MEDIA_URL}**", fulfil)


@pytest.fixture
def shot(page, viewport_name, request):
    """shot("name") saves a full-page screenshot under artifacts/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.originalname}-{viewport_name}-{name}.png"), full_page=True)

    return take


# --- Accessibility and weight checks shared by the journeys ---------------------------------

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core, vendored: works offline
BLOCKING_IMPACTS = {"serious", "critical"}
# WCAG 2.1 A and AA rules, plus axe's best practices (landmarks, one h1, headings in order).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
}
# "Light pages": HTML + CSS + JS + fonts of a first load, images aside (issue 8).
PAGE_BUDGET_BYTES = 200 * 1024
UNWEIGHED_TYPES = {"image", "media"}


def axe_violations(page):
    """axe-core's violations on the page as it is now: [{id, impact, help, nodes}]."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluate() runs outside the page's Content-Security-Policy, which forbids inline scripts.
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async (options) => {
            const results = await window.axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        AXE_OPTIONS,
    )


@pytest.fixture
def audit(page, shot, viewport_name, request):
    """audit("name"): screenshot, then axe-core; fails on any serious or critical violation.

    Every violation found (minor ones too) is written to artifacts/e2e/<test>-<viewport>-<name>.axe.json.
    """
    import json

    def run(name):
        shot(name)
        violations = axe_violations(page)
        stem = f"{request.node.originalname}-{viewport_name}-{name}"
        (ARTIFACTS / f"{stem}.axe.json").write_text(json.dumps(violations, ensure_ascii=False, indent=1))
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{page.url}: serious accessibility problems: {json.dumps(blocking, ensure_ascii=False)}"
        return violations

    return run


class Traffic:
    """What the page downloaded since the last reset: (url, resource type, bytes on the wire)."""

    def __init__(self, page):
        self.requests = []
        page.on("requestfinished", lambda request: self.requests.append(request))

    def reset(self):
        self.requests.clear()

    def entries(self):
        rows = []
        for req in self.requests:
            sizes = req.sizes()
            rows.append((req.url, req.resource_type, sizes["responseBodySize"] + sizes["responseHeadersSize"]))
        return rows

    def weight(self):
        """Bytes of everything but images and media: HTML, CSS, JS, fonts, XHR."""
        return sum(size for _url, kind, size in self.entries() if kind not in UNWEIGHED_TYPES)


@pytest.fixture
def traffic(page):
    return Traffic(page)


@pytest.fixture
def baseline(transactional_db):
    """What the data migrations create and a transactional test's flush removes: the home page
    and default site, the root collection, the four roles and their permissions. Idempotent."""
    import importlib

    from django.apps import apps
    from wagtail.models import Collection

    from elearning.roles import grant
    from tests.factories.quizzes import home_page

    home_page()
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    importlib.import_module("elearning.migrations.0002_roles_and_home").create_roles(apps, None)
    for migration in ("courses.migrations.0002_procedure_code_and_roles", "quizzes.migrations.0002_roles"):
        grant(apps, importlib.import_module(migration).PERMISSIONS)
