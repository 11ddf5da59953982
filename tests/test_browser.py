"""Real Chromium (Debian's chromium + chromium-driver, driven by selenium) on gunicorn over real HTTP.

- /docs: every GET operation runs from Swagger UI with its defaults ("Try it out" → "Execute")
  and the page shows a 2xx; after "Authorize" with a write key, a POST shows its 201.
- /explore: search, a facet, the chart, a statement's span highlighted in its article, and a
  screenshot in ``var/artifacts/explore.png`` (CI keeps it as an artifact).
- Neither page sends a request to another host or violates its Content-Security-Policy.

Without chromium these tests skip, except in CI (``CI`` set) where they fail: ``make browsers``
installs it.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from api import create_app
from api.config import PROJECT_ROOT
from tests.servers import serve

CHROMIUM = Path(os.environ.get("VEILLE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("VEILLE_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = PROJECT_ROOT / "var" / "artifacts"
WAIT = 30  # seconds: two shared cores, Swagger UI renders ~40 operations


def _require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = f"{', '.join(missing)} missing: run `make browsers` (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def database(new_seeded_url: Callable[[], str]) -> str:
    """A seeded database of this module's own: the write tests add to it."""
    _require_browser()  # before any work, so that a laptop without Chromium skips at once
    return new_seeded_url()


@pytest.fixture(scope="module")
def write_key(database: str) -> str:
    app = create_app({"DATABASE_URL": database, "RATELIMIT_ENABLED": False})
    result = app.test_cli_runner().invoke(args=["keys", "create", "--name", "browser", "--scope", "write"])
    app.extensions["veille.engine"].dispose()
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    """gunicorn with the project's configuration, serving the module's database."""
    with serve(database) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[WebDriver]:
    """Headless Chromium from Debian, through its chromedriver: selenium downloads nothing."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
        options.add_argument(argument)
    # the console (CSP violations are reported there) and the DevTools network events
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def _wait(driver: WebDriver, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def _requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the page asked for since the last call, blocked ones included (DevTools events)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_stayed_home(driver: WebDriver, server: str) -> None:
    """No request to another host (data: URLs are not requests), no CSP violation, no script error."""
    home = urlsplit(server).netloc
    elsewhere = [
        url for url in _requested_urls(driver) if not url.startswith("data:") and urlsplit(url).netloc != home
    ]
    assert elsewhere == []
    problems = [
        entry["message"]
        for entry in driver.get_log("browser")
        if (entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"])
        # the browser asks for /favicon.ico on its own; the API has none, and says so with a 404
        and not entry["message"].startswith(f"{server}/favicon.ico ")
    ]
    assert problems == []


def _click(driver: WebDriver, element: WebElement) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _execute(driver: WebDriver, block: WebElement) -> str:
    """Open an operation, "Try it out", "Execute"; the status code Swagger UI shows."""
    _click(driver, block.find_element(By.CSS_SELECTOR, ".opblock-summary"))
    try_out = _wait(driver).until(lambda _: block.find_element(By.CSS_SELECTOR, ".try-out__btn"))
    _click(driver, try_out)
    return _execute_open(driver, block)


def _execute_open(driver: WebDriver, block: WebElement) -> str:
    _click(driver, block.find_element(By.CSS_SELECTOR, ".execute"))
    status = _wait(driver).until(
        lambda _: block.find_element(By.CSS_SELECTOR, ".live-responses-table .response .response-col_status")
    )
    return status.text.split()[0]


def _open_docs(driver: WebDriver, server: str) -> list[WebElement]:
    driver.get(f"{server}/docs")
    return _wait(driver).until(
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, ".opblock") and d.find_elements(By.CSS_SELECTOR, ".opblock")
        )
    )


def _label(block: WebElement) -> str:
    method = block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text
    path = block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path")
    return f"{method} {path}"


def test_every_get_operation_in_swagger_ui_executes_with_its_defaults_to_a_2xx(
    browser: WebDriver, server: str
) -> None:
    blocks = [block for block in _open_docs(browser, server) if "opblock-get" in block.get_attribute("class")]
    spec = json.loads(urllib.request.urlopen(f"{server}/openapi.json").read())
    gets = sum(1 for operations in spec["paths"].values() if "get" in operations)
    assert len(blocks) == gets
    statuses = {}
    for block in blocks:
        statuses[_label(block)] = _execute(browser, block)
        _click(browser, block.find_element(By.CSS_SELECTOR, ".opblock-summary"))  # fold it again
    failures = {operation: status for operation, status in statuses.items() if not status.startswith("2")}
    assert failures == {}
    _assert_stayed_home(browser, server)


def test_authorize_with_a_write_key_then_a_post_shows_201(
    browser: WebDriver, server: str, write_key: str
) -> None:
    _open_docs(browser, server)
    _click(browser, _wait(browser).until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".btn.authorize"))))
    field = _wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, ".auth-container input"))
    field.send_keys(write_key)
    browser.find_element(By.CSS_SELECTOR, ".auth-container .btn.modal-btn.auth.authorize").click()
    browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper .btn-done").click()

    posts = browser.find_elements(By.CSS_SELECTOR, ".opblock-post")
    block = next(block for block in posts if _label(block) == "POST /v1/entities")
    _click(browser, block.find_element(By.CSS_SELECTOR, ".opblock-summary"))
    _click(browser, _wait(browser).until(lambda _: block.find_element(By.CSS_SELECTOR, ".try-out__btn")))
    body = block.find_element(By.CSS_SELECTOR, "textarea.body-param__text")
    entity = {"id": "browser-test-entity", "type": "person", "name": "Entité du navigateur"}
    body.clear()
    body.send_keys(json.dumps(entity))
    assert _execute_open(browser, block) == "201"
    created = json.loads(urllib.request.urlopen(f"{server}/v1/entities/browser-test-entity").read())
    assert created["name"] == entity["name"]
    _assert_stayed_home(browser, server)


def _statement(server: str, statement_id: str) -> dict[str, Any]:
    return json.loads(urllib.request.urlopen(f"{server}/v1/statements/{statement_id}").read())


def test_explore_searches_filters_charts_and_highlights_a_statement_in_its_article(
    browser: WebDriver, server: str
) -> None:
    browser.get(f"{server}/explore")
    status = browser.find_element(By.ID, "status")
    _wait(browser).until(lambda _: re.fullmatch(r"\d+ statements? and \d+ events?\.", status.text))
    browser.find_element(By.ID, "q").send_keys("nucléaire\n")
    _wait(browser).until(lambda _: "for “nucléaire”" in status.text)
    expected = json.loads(
        urllib.request.urlopen(f"{server}/v1/statements?q=nucl%C3%A9aire&limit=1&facets=kind").read()
    )
    assert status.text.startswith(f"{expected['meta']['count']} statement")
    # the API's snippets, with their <mark>s as elements
    assert browser.find_elements(By.CSS_SELECTOR, "#hits .hit .text mark")

    # a facet bar, the busiest speaker's, chosen from the keyboard (bars are buttons): the hits
    # then are only theirs
    bar = browser.find_element(By.CSS_SELECTOR, "[data-facet='speaker'] button")
    speaker, count = bar.get_attribute("data-value"), int(bar.find_element(By.CSS_SELECTOR, ".count").text)
    bar.send_keys(Keys.ENTER)
    _wait(browser).until(lambda _: status.text.startswith(f"{count} statement"))
    selected = browser.find_element(By.CSS_SELECTOR, f"[data-facet='speaker'] button[data-value='{speaker}']")
    assert selected.get_attribute("aria-pressed") == "true"
    assert f"speaker={speaker}" in browser.current_url

    # the chart: Vega-Lite drew bars in an SVG
    marks = _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg .mark-rect path"))
    assert marks

    # a statement, opened in its article: the highlighted span is the statement's text
    hit = browser.find_element(By.CSS_SELECTOR, "#hits .hit.statement")
    statement = _statement(server, hit.get_attribute("data-id"))
    assert statement["speaker"] == speaker
    _click(browser, hit.find_element(By.CSS_SELECTOR, "button.open"))
    span = _wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#article-body mark.span"))
    )
    assert span.text == statement["text"]

    # the whole page in the screenshot: the window as tall as the document
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(height, 4000))
    browser.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "explore.png"
    browser.save_screenshot(str(screenshot))
    print(f"explorer screenshot: {screenshot}")
    _assert_stayed_home(browser, server)


def test_explore_shows_markup_from_the_data_as_text_and_only_marks_as_elements(
    browser: WebDriver, server: str, write_key: str
) -> None:
    """An event whose title and summary hold HTML: the page shows it as characters, runs nothing."""
    article = json.loads(
        urllib.request.urlopen(f"{server}/v1/articles/a-2023-05-nato-russia-tensions-escalation").read()
    )
    start = article["body"].index("nucléaires")
    end = start + len("nucléaires")
    summary = "<img src=x onerror=\"document.title='injected'\"><b>nucléaire</b> zorglub & <i>co</i>"
    event = {
        "id": "browser-test-markup-event",
        "type": "announcement",
        "title": "Zorglub <script>document.title='injected'</script>",
        "summary": summary,
        "date": {"value": "2023-05", "precision": "month"},
        "evidence": [
            {"article": article["id"], "start": start, "end": end, "text": article["body"][start:end]}
        ],
    }
    request = urllib.request.Request(
        f"{server}/v1/events",
        data=json.dumps(event).encode(),
        headers={"Authorization": f"Bearer {write_key}", "Content-Type": "application/json"},
        method="POST",
    )
    assert urllib.request.urlopen(request).status == 201

    browser.get(f"{server}/explore?q=zorglub")
    hit = _wait(browser).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#hits .hit.event[data-id='browser-test-markup-event']")
    )
    assert event["title"] in hit.find_element(By.CSS_SELECTOR, ".heading").text
    text = hit.find_element(By.CSS_SELECTOR, ".text")
    assert "<img src=x onerror=" in text.text
    marks = [mark.text.lower() for mark in text.find_elements(By.TAG_NAME, "mark")]
    assert marks and set(marks) == {"zorglub"}
    assert hit.find_elements(By.CSS_SELECTOR, "img, b, i, script") == []
    assert browser.title == "Veille explorer"

    # the event's evidence opens in its article like a statement's span
    _click(browser, hit.find_element(By.CSS_SELECTOR, "button.open"))
    span = _wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#article-body mark.span"))
    )
    assert span.text == "nucléaires"
    _assert_stayed_home(browser, server)
