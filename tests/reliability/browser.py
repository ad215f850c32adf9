"""A participant in Debian's Chromium (Playwright), for the reliability tests' browser scenarios."""

from datetime import datetime

from tests.browser import chromium

from .harness import ARTIFACTS, http_json

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def launch_chromium():
    """Yields a headless Chromium (a module-scoped fixture wraps it); skips where it is not installed."""
    with chromium(ARGS) as browser:
        yield browser


class Taker:
    """One participant in their own browser context."""

    def __init__(self, browser, base, contest):
        self.base = base
        self.contest = contest
        self.entry = contest["participants"][0]
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()

    def log_in_and_start(self):
        self.log_in()
        self.start()

    def log_in(self):
        page = self.page
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", self.entry["phone"])
        page.fill("input[name=password]", self.contest["password"])
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()

    def start(self):
        page = self.page
        page.goto(self.base + self.contest["url"])
        page.locator('form[action$="/start/"] button[type=submit]').click()
        page.wait_for_url("**/contest/attempts/*/")
        self.attempt_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        self.questions = [
            int(q)
            for q in page.eval_on_selector_all("fieldset[data-question]", "els => els.map(e => e.dataset.question)")
        ]

    def choose(self, index):
        question_id = self.questions[index]
        choice = self.contest["questions"][str(question_id)]["correct"][0]
        self.page.locator(f'input[name="q_{question_id}"][value="{choice}"]').check()
        return question_id

    def state_of(self, question_id):
        return self.page.locator(f"#question-{question_id} .save-state")

    def wait_saved(self, question_id, timeout=20_000):
        self.page.locator(f"#question-{question_id} .save-state[data-state=saved]").wait_for(timeout=timeout)

    def deadline(self):
        status, attempt, _headers = http_json(
            "GET", f"{self.base}/api/v1/attempts/{self.attempt_id}/", self.entry["token"]
        )
        assert status == 200
        return datetime.fromisoformat(attempt["deadline"]).timestamp()

    def shot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"offline-{name}.png"), full_page=True)
