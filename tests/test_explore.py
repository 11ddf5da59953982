"""/explore over the test client: the page, its own files and the pinned chart bundles, all local.

What the page does in a browser is in tests/test_browser.py; these check what any client sees.
The chart bundles are installed by ``make install`` (api/views/explore.py): missing, these tests fail.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from api.config import PROJECT_ROOT
from api.http.docs_assets import installed_version
from api.views import explore

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"


def _loads(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', html)


def test_the_chart_bundles_are_installed_at_the_pinned_versions() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    for package, variable in (("vega", "VEGA"), ("vega-lite", "VEGA_LITE"), ("vega-embed", "VEGA_EMBED")):
        pinned = re.search(rf"^{variable}_VERSION := (\S+)$", makefile, re.MULTILINE)
        assert pinned, variable
        assert installed_version(package, explore.assets_dir()) == pinned.group(1), "run `make install`"


def test_the_page_loads_only_local_files_under_a_policy_without_inline_code_or_eval(
    client: FlaskClient,
) -> None:
    response = client.get("/explore")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == PAGE_POLICY
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html  # nothing the policy would block
    loads = _loads(html)
    assert loads[0] == "data:,"  # the favicon: none, so the browser asks for no /favicon.ico
    for url in loads[1:]:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.mimetype in {"text/javascript", "text/css"}, url
    bundles = [url for url in loads if url.startswith("/explore-assets/")]
    assert [url.split("@")[0] for url in bundles] == [f"/explore-assets/{name}" for name in explore.BUNDLES]


def test_the_bundles_are_the_real_libraries_cached_for_a_year(client: FlaskClient) -> None:
    markers = {"vega": b"vega", "vega-lite": b"vegaLite", "vega-embed": b"vegaEmbed"}
    for url in explore.bundle_urls():
        response = client.get(url)
        package = url.split("/")[2].split("@")[0]
        assert response.status_code == 200
        assert markers[package] in response.get_data()
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    "path",
    [
        "/explore-assets/vega@0.0.1/build/vega.min.js",  # not the installed version
        "/explore-assets/left-pad@1.0.0/index.js",  # not a chart package
        "/explore-assets/vega@{vega}/package.json",  # not a kind of file the page loads
        "/explore-assets/vega@{vega}/../vega-lite/build/vega-lite.min.js",
        "/explore-assets/vega@{vega}/no-such-file.js",
    ],
)
def test_only_the_installed_chart_files_are_served(client: FlaskClient, path: str) -> None:
    response = client.get(path.format(vega=installed_version("vega", explore.assets_dir())))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_page_is_not_an_api_operation(client: FlaskClient) -> None:
    """Like /docs and /redoc: a page for people, kept out of the OpenAPI document."""
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [path for path in paths if "explore" in path]
