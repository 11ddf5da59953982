"""Absolute links (``links``, ``Link``, ``Location``) never echo a Host the client chose.

A shared cache keeps a public response for everyone: if its links followed the request's
``Host`` header, one request with ``Host: evil.example`` would send later readers elsewhere.
With ``VEILLE_PUBLIC_URL`` set, every link is built on it whatever Host (or a trusted proxy's
X-Forwarded-Host) says. Without it (local use), a loopback Host is kept, so a server on any
local port links to itself, and any other Host is replaced by :data:`DEFAULT_PUBLIC_URL`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def parse_public_url(url: str) -> tuple[str, str]:
    """``(scheme, host[:port])`` of an origin such as ``https://api.example.org``."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise RuntimeError(f"VEILLE_PUBLIC_URL is not a URL: {url!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise RuntimeError(
            f"VEILLE_PUBLIC_URL must be an origin such as https://api.example.org (no path), got {url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise RuntimeError(f"VEILLE_PUBLIC_URL must be an origin with no query or user, got {url!r}")
    return parts.scheme, parts.netloc


def _is_loopback(host: str) -> bool:
    try:
        return urlsplit(f"//{host}").hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


class PublicUrl:
    """WSGI middleware: sets the scheme and Host that every URL of the request is built from."""

    def __init__(self, app: Any, public_url: str) -> None:
        self.app = app
        self.fixed = parse_public_url(public_url) if public_url else None
        self.fallback = parse_public_url(DEFAULT_PUBLIC_URL)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.fixed is not None:
            environ["wsgi.url_scheme"], environ["HTTP_HOST"] = self.fixed
        elif not _is_loopback(environ.get("HTTP_HOST", "")):
            environ["wsgi.url_scheme"], environ["HTTP_HOST"] = self.fallback
        return self.app(environ, start_response)
