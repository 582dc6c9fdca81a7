"""Helpers and pytest fixtures for tests that open the built site in headless Chromium.

Use the plain helpers anywhere (benchmarks, scripts)::

    with serve_directory(site_dir) as base_url, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        log = PageLog.attach(page)
        page.goto(base_url + "appels/cpam-flandres-2025/budget/")
        assert not log.errors

or the fixtures in a test module (pytest finds fixtures imported into the module)::

    from browser_support import browser, serve, new_page  # noqa: F401

    def test_budget_page(serve, new_page):
        base_url = serve(site_dir)
        page, log = new_page()
        ...

The server listens on 127.0.0.1 only, on a free port, and serves ``.mjs`` and ``.wasm`` with
the MIME types browsers require for module scripts and streaming compilation. Chromium is
the Debian one (``/usr/bin/chromium``); tests fail, never skip, when it is missing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

MIME_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".zip": "application/zip",
    ".ics": "text/calendar",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not print a line per request."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def end_headers(self) -> None:
        # Let the browser cache like a real static host would, so that "warm" visits are warm.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


@contextlib.contextmanager
def serve_directory(directory: Path | str) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 on a free port; yield the base URL, ending with ``/``."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"static:{directory}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def chromium_path() -> str | None:
    """The Debian Chromium, or whatever ``chromium`` is on the PATH."""
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def launch_chromium(playwright: Any, **options: Any) -> Any:
    """Launch the system Chromium headless with the flags every test and benchmark uses."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium not found: install the Debian package `chromium`")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, **options)


@dataclass
class Request:
    url: str
    resource_type: str
    finished: bool = False
    failed: str | None = None
    status: int | None = None


@dataclass
class PageLog:
    """Console errors, uncaught page errors and every request of one page (its workers included)."""

    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    _by_request: dict[int, Request] = field(default_factory=dict, repr=False)

    @classmethod
    def attach(cls, page: Any) -> PageLog:
        log = cls()
        page.on("console", lambda message: log.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: log.page_errors.append(str(error)))
        page.on("request", log._on_request)
        page.on("requestfinished", log._on_finished)
        page.on("requestfailed", log._on_failed)
        page.on("response", log._on_response)
        return log

    def _on_request(self, request: Any) -> None:
        entry = Request(request.url, request.resource_type)
        self._by_request[id(request)] = entry
        self.requests.append(entry)

    def _on_finished(self, request: Any) -> None:
        entry = self._by_request.get(id(request))
        if entry is not None:
            entry.finished = True

    def _on_response(self, response: Any) -> None:
        entry = self._by_request.get(id(response.request))
        if entry is not None:
            entry.status = response.status

    def _on_failed(self, request: Any) -> None:
        entry = self._by_request.get(id(request))
        if entry is not None:
            entry.failed = request.failure or "failed"

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions, the things a test should fail on."""
        return [text for kind, text in self.console if kind == "error"] + self.page_errors

    @property
    def not_found(self) -> list[str]:
        """URLs answered with an HTTP error status (4xx, 5xx) or that failed."""
        return [r.url for r in self.requests if (r.status or 0) >= 400 or r.failed]

    def urls(self, predicate: Callable[[str], bool] = lambda _url: True) -> list[str]:
        return [r.url for r in self.requests if predicate(r.url)]

    def foreign(self, base_url: str) -> list[str]:
        """Requests to any host other than the site's own (data: and blob: URLs aside)."""
        return [r.url for r in self.requests
                if not r.url.startswith(base_url) and not r.url.startswith(("data:", "blob:"))]


def wait_until(page: Any, predicate: str, arg: Any = None, timeout: float = 10.0) -> Any:
    """Poll ``predicate`` (a JS function) until truthy. Unlike page.wait_for_function, this
    evaluates through the DevTools protocol, so the pages' Content-Security-Policy (no eval)
    stays in force during the tests."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(predicate, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {predicate}")
        time.sleep(0.05)


def open_calculator(page: Any, url: str) -> None:
    """Open a budget or eligibility page and wait until Python runs and the form is built."""
    page.goto(url)
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=90)
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'")


def transferred_bytes(page: Any, action: Callable[[], None]) -> tuple[int, list[tuple[str, int]]]:
    """Run ``action`` (e.g. a navigation) and count the bytes received, workers included.

    Uses the DevTools protocol's ``encodedDataLength`` (headers and body as sent on the
    wire), with auto-attach so that requests of dedicated workers are counted too.
    """
    session = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}

    def started(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    session.on("Network.requestWillBeSent", started)
    session.on("Network.loadingFinished", finished)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": False})
    action()
    session.detach()
    per_url = sorted(((urls.get(key, key), size) for key, size in sizes.items()), key=lambda item: -item[1])
    return sum(sizes.values()), per_url


# ---------------------------------------------------------------- pytest fixtures

class _Shared:
    """One Playwright and one Chromium per test process.

    Test modules import these fixtures, so pytest registers one session fixture per module;
    two sync Playwright instances cannot run at once, hence the shared, reference-counted one.
    (Listing ``pytest_plugins = ["browser_support"]`` in conftest.py registers them once.)
    """

    users = 0
    manager: Any = None
    playwright: Any = None
    browser: Any = None

    @classmethod
    def acquire(cls) -> Any:
        if cls.users == 0:
            # Browser tests never skip: a missing browser fails and says how to get one.
            from playwright import sync_api

            if chromium_path() is None:
                pytest.fail("Chromium is not installed: `bash scripts/dev.sh test` installs the Debian package")
            cls.manager = sync_api.sync_playwright()
            cls.playwright = cls.manager.start()
            cls.browser = launch_chromium(cls.playwright)
        cls.users += 1
        return cls

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0:
            cls.browser.close()
            cls.playwright.stop()
            cls.manager = cls.playwright = cls.browser = None


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    shared = _Shared.acquire()
    try:
        yield shared.playwright
    finally:
        _Shared.release()


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:  # noqa: ARG001 - started first
    """One headless Chromium for the whole session."""
    yield _Shared.browser


@pytest.fixture
def serve() -> Iterator[Callable[[Path | str], str]]:
    """Factory: ``serve(directory)`` starts a static server and returns its base URL."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(serve_directory(directory))


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., tuple[Any, PageLog]]]:
    """Factory: ``page, log = new_page()`` opens a page in a fresh context (empty cache)."""
    contexts: list[Any] = []

    def make(**context_options: Any) -> tuple[Any, PageLog]:
        context_options.setdefault("locale", "fr-FR")
        context_options.setdefault("timezone_id", "Europe/Paris")
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        return page, PageLog.attach(page)

    yield make
    for context in contexts:
        context.close()
