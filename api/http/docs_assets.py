"""Swagger UI and ReDoc served by the app itself, so /docs and /redoc work offline.

``make install`` unpacks the pinned npm packages ``swagger-ui-dist`` and ``redoc`` into
``VEILLE_DOCS_ASSETS_DIR`` (default ``<repo>/var/docs-assets``, gitignored), one folder per
package. They are served at ``/docs-assets/<package>@<version>/<file>``: the version is read
from the installed ``package.json``, so the URL changes whenever the files do and they can be
cached for a year (``immutable``). Only the kinds of file the pages load are served.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from api.config import read_setting
from api.errors import ClientError

# an asset that is not there answers as any unknown URL does
UNKNOWN_ASSET = NotFound.description
URL_PREFIX = "/docs-assets"
SWAGGER_UI = "swagger-ui-dist"
REDOC = "redoc"
PACKAGES = (SWAGGER_UI, REDOC)
NOT_INSTALLED = "not-installed"
CACHE_CONTROL = "public, max-age=31536000, immutable"
# the routes whose URLs carry the package version, so their files can be cached for a year
VERSIONED_ENDPOINTS = frozenset({"docs-assets.asset", "explore.asset"})
MIMETYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".map": "application/json",
    ".png": "image/png",
}

blp = Blueprint("docs-assets", __name__)
log = logging.getLogger(__name__)


def assets_dir() -> Path:
    """Where ``make install`` put the packages: ``$VEILLE_DOCS_ASSETS_DIR`` or ``<repo>/var/docs-assets``."""
    return read_setting("VEILLE_DOCS_ASSETS_DIR")


def installed_version(package: str, directory: Path | None = None) -> str | None:
    """The version in the package's ``package.json``, or None when it is not installed."""
    manifest = (directory or assets_dir()) / package / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def package_url(package: str) -> str:
    """The URL of the installed package's folder, with a trailing slash."""
    return f"{URL_PREFIX}/{package}@{installed_version(package) or NOT_INSTALLED}/"


def swagger_ui_url() -> str:
    """For ``OPENAPI_SWAGGER_UI_URL``: the folder holding swagger-ui.css and swagger-ui-bundle.js."""
    return package_url(SWAGGER_UI)


def redoc_url() -> str:
    """For ``OPENAPI_REDOC_URL``: ReDoc's standalone bundle."""
    return package_url(REDOC) + "bundles/redoc.standalone.js"


def serve_asset(directory: Path, packages: Iterable[str], release: str, filename: str) -> Response:
    """A file of an installed package, at ``<package>@<installed version>/<file>``; 404 for any
    other package, version, path outside the package or kind of file. Also serves /explore's."""
    package, _, version = release.partition("@")
    if package not in packages or version != installed_version(package, directory):
        raise ClientError(404, UNKNOWN_ASSET)
    mimetype = MIMETYPES.get(Path(filename).suffix)
    path = safe_join(str(directory / package), filename)
    if mimetype is None or path is None or not os.path.isfile(path):
        raise ClientError(404, UNKNOWN_ASSET)
    return Response(Path(path).read_bytes(), mimetype=mimetype)


@blp.get(f"{URL_PREFIX}/<release>/<path:filename>")
def asset(release: str, filename: str) -> Response:
    return serve_asset(assets_dir(), PACKAGES, release, filename)


def cache_for_a_year(response: Response, endpoint: str | None) -> None:
    """After the general Cache-Control policy: a year for the versioned files (on a 304 too, which
    must carry the same Cache-Control as the 200)."""
    if endpoint in VERSIONED_ENDPOINTS and response.status_code in (200, 304):
        response.headers["Cache-Control"] = CACHE_CONTROL


def init_app(app: Flask) -> None:
    """Register the blueprint; warn when the assets are not installed."""
    app.register_blueprint(blp)
    missing = [package for package in PACKAGES if installed_version(package) is None]
    if missing:
        log.warning(
            "docs assets %s not found in %s: /docs and /redoc will not load; run `make install`",
            ", ".join(missing),
            assets_dir(),
        )
