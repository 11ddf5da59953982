"""/docs and /redoc work offline: every asset they load is served by the app, under a strict CSP.

The assets are installed by ``make install`` (api/http/docs_assets.py); when they are missing these
tests fail, they never skip. In a browser, headless Chromium loads both pages with no request
leaving 127.0.0.1 (ReDoc's Redocly logo on a CDN is blocked by the policy checked below).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.http import docs_assets

PAGES = ("/docs", "/redoc")
BASE = "http://localhost"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# everything a documentation page's policy may allow: its own origin, data: images, blob: workers,
# hashes of its inline scripts and, for ReDoc, inline styles; never a host
ALLOWED_SOURCES = re.compile(r"'none'|'self'|'unsafe-inline'|data:|blob:|'sha256-[A-Za-z0-9+/]+=*'")
EXTERNAL_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
SOURCE_MAP = re.compile(r"[#@] sourceMappingURL=([^\s*]+)(?:\s*\*/)?\s*$")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
JAVASCRIPT = {"text/javascript", "application/javascript"}


class References(HTMLParser):
    """What a page asks the browser to load: scripts, stylesheets, images, the spec, inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str]] = []  # (kind, url)
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "script":
            if "src" in attributes:
                self.loads.append(("script", attributes["src"]))
            else:
                self._in_inline_script = True
                self.inline_scripts.append("")
        elif tag == "link" and attributes.get("href"):
            self.loads.append((attributes.get("rel", "link"), attributes["href"]))
        elif tag in ("img", "iframe", "source", "embed") and attributes.get("src"):
            self.loads.append(("image" if tag == "img" else tag, attributes["src"]))
        elif tag == "redoc" and attributes.get("spec-url"):
            self.loads.append(("spec", attributes["spec-url"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data


def _parse(client: FlaskClient, page: str) -> tuple[str, References]:
    response = client.get(page)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    references = References()
    references.feed(html)
    for script in references.inline_scripts:
        # Swagger UI's initializer names the spec it fetches: `url: "/openapi.json"`
        references.loads += [("spec", url) for url in re.findall(r"\burl:\s*[\"']([^\"']+)", script)]
    return html, references


def _local_path(page: str, url: str) -> str:
    """The path of a same-origin URL; fails for any other origin."""
    absolute = urlsplit(urljoin(BASE + page, url))
    assert (absolute.scheme, absolute.netloc) == ("http", "localhost"), f"{page} loads {url} from elsewhere"
    return absolute.path + (f"?{absolute.query}" if absolute.query else "")


def _expected_mimetypes(kind: str, path: str) -> set[str]:
    if kind == "spec":
        return {"application/json"}
    if kind == "stylesheet" or path.endswith(".css"):
        return {"text/css"}
    if kind == "script" or path.endswith(".js"):
        return JAVASCRIPT
    if path.endswith(".map"):
        return {"application/json"}
    return {"image/png", "image/svg+xml", "image/x-icon"}


def _follow(client: FlaskClient, page: str, kind: str, url: str, seen: dict[str, str]) -> None:
    """GET a reference, check its status and type, then the references inside it."""
    path = _local_path(page, url)
    if path in seen:
        return
    response = client.get(path)
    assert response.status_code == 200, f"{page} → {path}: {response.status_code}"
    assert response.mimetype in _expected_mimetypes(kind, path), f"{path} served as {response.mimetype}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    seen[path] = response.mimetype
    if response.mimetype not in (*JAVASCRIPT, "text/css"):
        return
    text = response.get_data(as_text=True)
    inner = [("map", m) for m in SOURCE_MAP.findall(text[-300:])]
    if response.mimetype == "text/css":
        inner += [("image", u) for u in CSS_URL.findall(text) if not u.startswith("data:")]
    for inner_kind, inner_url in inner:
        _follow(client, path, inner_kind, inner_url, seen)


def test_docs_assets_are_installed() -> None:
    """`make install` put both packages where the app looks; without them the docs cannot load."""
    for package in docs_assets.PACKAGES:
        version = docs_assets.installed_version(package)
        assert version, f"{package} missing from {docs_assets.assets_dir()}: run `make install`"
        assert (docs_assets.assets_dir() / package / "package.json").is_file()


def test_docs_config_points_at_local_assets(app: Flask) -> None:
    swagger, redoc = app.config["OPENAPI_SWAGGER_UI_URL"], app.config["OPENAPI_REDOC_URL"]
    assert swagger == f"/docs-assets/swagger-ui-dist@{docs_assets.installed_version('swagger-ui-dist')}/"
    assert redoc == f"/docs-assets/redoc@{docs_assets.installed_version('redoc')}/bundles/redoc.standalone.js"


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_has_no_external_url(client: FlaskClient, page: str) -> None:
    html, references = _parse(client, page)
    assert not EXTERNAL_URL.findall(html), EXTERNAL_URL.findall(html)
    assert references.loads, "the page loads nothing: is it still Swagger UI / ReDoc?"
    for _, url in references.loads:
        _local_path(page, url)


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_of_the_docs_page_is_served_locally(client: FlaskClient, page: str) -> None:
    _, references = _parse(client, page)
    seen: dict[str, str] = {}
    for kind, url in references.loads:
        _follow(client, page, kind, url, seen)
    kinds = set(seen.values())
    assert "application/json" in kinds, f"{page} never reaches the spec: {seen}"
    assert kinds & JAVASCRIPT, f"{page} loads no script: {seen}"
    if page == "/docs":
        assert "text/css" in kinds
        assert any(path.endswith(".map") for path in seen)  # swagger-ui.css's source map, followed


def test_the_assets_are_the_real_bundles(client: FlaskClient) -> None:
    swagger = client.get(docs_assets.swagger_ui_url() + "swagger-ui-bundle.js")
    assert swagger.status_code == 200 and b"SwaggerUIBundle" in swagger.get_data()
    redoc = client.get(docs_assets.redoc_url())
    assert redoc.status_code == 200 and b"Redoc" in redoc.get_data()


def test_assets_are_cached_for_a_year_under_a_versioned_url(client: FlaskClient) -> None:
    url = docs_assets.swagger_ui_url() + "swagger-ui.css"
    assert re.search(r"@\d+\.\d+\.\d+/", url)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers.get("ETag")
    if etag:  # a revalidation keeps the same caching
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/docs-assets/swagger-ui-dist@0.0.1/swagger-ui.css",  # not the installed version
        "/docs-assets/left-pad@1.0.0/index.js",  # not a docs package
        "/docs-assets/swagger-ui-dist@{swagger}/index.html",  # not a kind of file the pages load
        "/docs-assets/swagger-ui-dist@{swagger}/package.json",
        "/docs-assets/swagger-ui-dist@{swagger}/../redoc/package.json",
        "/docs-assets/swagger-ui-dist@{swagger}/..%2F..%2F..%2Fapi%2F__init__.py",
        "/docs-assets/swagger-ui-dist@{swagger}/no-such-file.js",
    ],
)
def test_only_the_installed_docs_files_are_served(client: FlaskClient, path: str) -> None:
    version = docs_assets.installed_version("swagger-ui-dist")
    response = client.get(path.format(swagger=version))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = [d.split() for d in response.headers["Content-Security-Policy"].split(";") if d.strip()]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("page", PAGES)
def test_docs_policy_allows_only_this_origin(client: FlaskClient, page: str) -> None:
    response = client.get(page)
    policy = _policy(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name, sources in policy.items():
        for source in sources:
            assert ALLOWED_SOURCES.fullmatch(source), f"{page}: {name} allows {source}"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "cdn" not in response.headers["Content-Security-Policy"]
    assert policy["connect-src"] == ["'self'"]  # the spec and "Try it out" go to this API only


def test_swagger_ui_initializer_is_allowed_by_its_hash(client: FlaskClient) -> None:
    _, references = _parse(client, "/docs")
    policy = _policy(client.get("/docs"))
    assert references.inline_scripts
    for script in references.inline_scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    assert policy["style-src"] == ["'self'"]  # Swagger UI needs no inline style


def test_redoc_gets_blob_workers_and_inline_styles_only(client: FlaskClient) -> None:
    policy = _policy(client.get("/redoc"))
    assert policy["script-src"] == ["'self'"]
    assert policy["worker-src"] == ["blob:"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_a_revalidated_docs_page_keeps_its_policy(client: FlaskClient) -> None:
    first = client.get("/docs")
    etag = first.headers.get("ETag")
    assert etag
    again = client.get("/docs", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def _assert_security_headers(response, policy: str | None = STRICT_POLICY) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    if policy is not None:
        assert response.headers["Content-Security-Policy"] == policy


@pytest.mark.parametrize("path", ["/v1", "/v1/statements?limit=1", "/openapi.json"])
def test_security_headers_on_api_responses(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    _assert_security_headers(response)


def test_security_headers_on_errors(client: FlaskClient) -> None:
    for response in (client.get("/v1/nothing-here"), client.get("/v1/statements?limit=0")):
        assert response.status_code in (400, 404)
        _assert_security_headers(response)


def test_security_headers_on_a_server_error(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_ENABLED=False)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_url_rule("/explode", view_func=explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    _assert_security_headers(response)


@pytest.mark.parametrize("page", PAGES)
def test_security_headers_on_docs_pages_and_assets(client: FlaskClient, page: str) -> None:
    _assert_security_headers(client.get(page), policy=None)
    _assert_security_headers(client.get(docs_assets.redoc_url()))
