"""/explore: a static page over the public API, for analysts and as the reference dashboard.

The page (``api/views/explore_page/``: an HTML template, its script and style sheet in ``static/``)
calls only the public ``/v1`` endpoints, with plain GETs and no custom header, so a copy served
from any other origin works through CORS without a preflight. Its charts use Vega, Vega-Lite and vega-embed, which
``make install`` unpacks from pinned npm tarballs into ``VEILLE_EXPLORE_ASSETS_DIR`` (default
``<repo>/var/explore-assets``, gitignored); they are served like Swagger UI's files, at
``/explore-assets/<package>@<version>/<file>``, immutable for a year.

Like /docs and /redoc, the page is not an API operation and stays out of the OpenAPI document.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, Flask, Response, render_template

from api.config import read_setting
from api.http.docs_assets import installed_version, serve_asset

URL_PREFIX = "/explore-assets"
# the UMD bundles, loaded in this order: vega-lite needs vega, vega-embed needs both
BUNDLES = {
    "vega": "build/vega.min.js",
    "vega-lite": "build/vega-lite.min.js",
    "vega-embed": "build/vega-embed.min.js",
}
NOT_INSTALLED = "not-installed"

blp = Blueprint(
    "explore",
    __name__,
    template_folder="explore_page",
    static_folder="explore_page/static",
    static_url_path="/explore/static",
)
log = logging.getLogger(__name__)


def assets_dir() -> Path:
    """Where ``make install`` put the chart packages: ``$VEILLE_EXPLORE_ASSETS_DIR`` or the default."""
    return read_setting("VEILLE_EXPLORE_ASSETS_DIR")


def bundle_urls() -> list[str]:
    """The versioned URLs of the chart bundles, in loading order."""
    urls = []
    for package, bundle in BUNDLES.items():
        version = installed_version(package, assets_dir()) or NOT_INSTALLED
        urls.append(f"{URL_PREFIX}/{package}@{version}/{bundle}")
    return urls


@blp.get("/explore")
def page() -> str:
    return render_template("explore.html", bundles=bundle_urls())


@blp.get(f"{URL_PREFIX}/<release>/<path:filename>")
def asset(release: str, filename: str) -> Response:
    return serve_asset(assets_dir(), BUNDLES, release, filename)


def init_app(app: Flask) -> None:
    """Register the blueprint; ``docs_assets.init_app`` gives its versioned bundles a year of caching."""
    app.register_blueprint(blp)
    missing = [package for package in BUNDLES if installed_version(package, assets_dir()) is None]
    if missing:
        log.warning(
            "explorer assets %s not found in %s: /explore will show no chart; run `make install`",
            ", ".join(missing),
            assets_dir(),
        )
