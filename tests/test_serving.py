"""What gunicorn.conf.py does to a worker once the app is loaded."""

from __future__ import annotations

import gc
import runpy
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from api import create_app
from tests.helpers import PROJECT_ROOT


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    yield conf
    if conf.get("OWN_METRICS_DIR"):
        shutil.rmtree(conf["OWN_METRICS_DIR"], ignore_errors=True)


def test_a_worker_freezes_the_loaded_app_out_of_the_collectors_walks(
    settings: dict[str, Any], seeded_url: str
) -> None:
    app = create_app({"DATABASE_URL": seeded_url})
    before = gc.get_freeze_count()
    assert any(tracked is app.url_map for tracked in gc.get_objects())
    try:
        settings["post_worker_init"](None)
        # the app's objects (and everything else alive) are now out of reach of a full collection
        assert gc.get_freeze_count() > before + 50_000
        assert not any(tracked is app.url_map for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
