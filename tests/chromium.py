"""Debian's Chromium, driven by Playwright for Python, for the viewer's browser tests.

Install: ``apt-get install -y chromium`` and ``pip install -e '.[test]'``. Playwright
never downloads a browser here: it launches /usr/bin/chromium (or $KG_CHROMIUM).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


# The id of the one selected actor once the view is centred on it, else null: for wait_for_function.
FOCUSED = """() => {
    const net = kgViewer.network, selected = net.getSelectedNodes();
    if (selected.length !== 1) return null;
    const node = net.getPositions(selected)[selected[0]], view = net.getViewPosition();
    return Math.hypot(node.x - view.x, node.y - view.y) < 5 ? selected[0] : null;
}"""


def chromium_path() -> str | None:
    path = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


def launch(playwright):
    """Chromium, or a skip saying how to install it (a failure under CI, which installs it)."""
    path = chromium_path()
    if path is None:
        message = "Chromium not found: apt-get install -y chromium (or set KG_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop in
    this thread while it is open; closing it with the module leaves the thread
    free for the asyncio tests of other modules, whatever order they run in."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed: pip install -e '.[test]'")
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@dataclass
class Recorder:
    """Everything a page did that a test may want to forbid."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, context, page) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind in ("error", "warning")] + self.errors


def open_viewer(browser, path: Path, *, width: int = 1400, height: int = 900, timeout: float = 30_000, bypass_csp: bool = False):
    """A new page showing the viewer at ``path`` from file://, once it is interactive.

    ``bypass_csp`` switches the page's Content-Security-Policy off, so that any
    request the page attempted would really be made, and recorded.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block", bypass_csp=bypass_csp)
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(context, page)
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_selector("html[data-ready=true]", timeout=timeout)
    return page, recorder
