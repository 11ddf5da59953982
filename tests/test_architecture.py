"""The README's Architecture section is the tree: every path it names exists, every module of
``api/`` is named there. (The import contracts between those modules are in pyproject.toml,
checked by ``lint-imports`` in ``make lint``.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from api.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
INDENT = 2  # a folder's entries are indented two spaces more than the folder


def architecture_block(readme: str) -> str:
    section = re.search(r"^## Architecture\n(.*?)(?=^## |\Z)", readme, flags=re.S | re.M)
    assert section, "README.md has no '## Architecture' section"
    block = re.search(r"^```\n(.*?)^```", section.group(1), flags=re.S | re.M)
    assert block, "README's Architecture section has no plain ``` block"
    return block.group(1)


def named_paths(block: str) -> set[str]:
    """The paths a tree names: the first word of an entry line, under the folders above it.

    An entry sits at most one step deeper than the folder it belongs to; a deeper line continues
    the description above it, so words there are never read as paths."""
    named: set[str] = set()
    folders: list[tuple[int, str]] = []  # (indent, path) of the folders enclosing the current line
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        while folders and indent <= folders[-1][0]:
            folders.pop()
        if indent > (folders[-1][0] + INDENT if folders else 0):
            continue
        word = line.split()[0]
        path = (folders[-1][1] if folders else "") + word
        named.add(path.rstrip("/"))
        if word.endswith("/"):
            folders.append((indent, path))
    return named


def holds_code(module: Path) -> bool:
    """A module with more than a docstring (a package's docstring-only ``__init__.py`` is not)."""
    body = ast.parse(module.read_text(encoding="utf-8")).body
    return bool(body[1:] if body and isinstance(body[0], ast.Expr) else body)


def modules_to_name(root: Path) -> set[str]:
    """Every module of api/, and every package: a package's ``__init__.py`` only when it holds code."""
    found = set()
    for module in (root / "api").rglob("*.py"):
        if module.name == "__init__.py":
            found.add(module.parent.relative_to(root).as_posix())
            if module.parent != root / "api" and not holds_code(module):
                continue
        found.add(module.relative_to(root).as_posix())
    return found


def test_named_paths_read_a_tree_and_skip_wrapped_descriptions() -> None:
    block = (
        "api/\n"
        "  db.py          engine,\n"
        "                 sessions/ and more\n"
        "  http/          plumbing\n"
        "    auth.py      keys\n"
        "  models.py      rows\n"
        "seeds/           the corpus\n"
    )
    assert named_paths(block) == {
        "api",
        "api/db.py",
        "api/http",
        "api/http/auth.py",
        "api/models.py",
        "seeds",
    }


def test_every_path_the_architecture_section_names_exists() -> None:
    missing = sorted(p for p in named_paths(architecture_block(README)) if not (PROJECT_ROOT / p).exists())
    assert not missing, "README's Architecture names paths that do not exist:\n" + "\n".join(missing)


def test_every_module_under_api_is_in_the_architecture_section() -> None:
    unnamed = sorted(modules_to_name(PROJECT_ROOT) - named_paths(architecture_block(README)))
    assert not unnamed, "README's Architecture does not name these modules:\n" + "\n".join(unnamed)
