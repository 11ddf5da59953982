"""YAML read safely and fast: the seed files, the development set and ingest's front matter."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it: the same objects as yaml.safe_load,
# several times faster (most of `flask seed` was YAML parsing)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)
