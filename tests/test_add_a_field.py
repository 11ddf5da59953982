"""README "How to add a field", walked through on a copy of the repository.

A `note` field is added to statements by editing exactly the places the README names: the
model, a new migration, the collection declaration and the statement schemas. The copy then
migrates, loads the seeds, takes the field in a PATCH and serves it in the item, the list
and the item's history. If the floor plan drifts (a field needs one more place), the edits
below stop applying or the copy stops serving the field, and this test fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from api.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
SKIPPED = {".git", ".venv", "var", "__pycache__", ".pytest_cache", ".ruff_cache"}

MIGRATION = '''"""A curator's note on a statement: ``statements.note``

Revision ID: 0999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "0999"
down_revision = "{head}"


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch_op:
        batch_op.drop_column("note")
'''

# (file, text that must occur once, what goes right after it)
EDITS = [
    (
        "api/models.py",
        '    channel_id: Mapped[str | None] = mapped_column(ForeignKey("entities.id"))\n',
        "    note: Mapped[str | None] = mapped_column(Text)\n",
    ),
    ("api/collections.py", '        Field("channel", "channel_id"),\n', '        Field("note"),\n'),
    (
        "schemas/statements.py",
        '        metadata=doc("Outlet that relayed the words (entity id; `expand=channel`).", "reuters"),\n    )\n',
        '    note = fields.String(allow_none=True, metadata=doc("A curator\'s note.", None))\n',
    ),
    (
        "schemas/writes.py",
        '        "channel": _entity_ref("Entity id of the outlet that relayed it.", "tass"),\n',
        '        "note": fields.String(allow_none=True, validate=validate.Length(max=2000)),\n',
    ),
]

# runs inside the copy: migrate, seed, a write key, then the field through the API
SCRIPT = """
import json, sys
from api import create_app
app = create_app({"DATABASE_URL": sys.argv[1]})
cli = app.test_cli_runner()
for args in (["migrate"], ["seed"]):
    assert cli.invoke(args=args).exit_code == 0
key = cli.invoke(args=["keys", "create", "--name", "curator", "--scope", "write"]).output.strip()
client = app.test_client()
auth = {"Authorization": f"Bearer {key}"}
first = client.get("/v1/statements?limit=1").get_json()["data"][0]
before = client.get(f"/v1/statements/{first['id']}")
patched = client.patch(
    f"/v1/statements/{first['id']}",
    json={"note": "Said in Russian; the article quotes a French translation."},
    headers={**auth, "If-Match": before.headers["ETag"]},
)
item = client.get(f"/v1/statements/{first['id']}").get_json()
listed = client.get(f"/v1/statements?fields=note&limit=500").get_json()["data"]
history = client.get(f"/v1/statements/{first['id']}/revisions").get_json()["data"]
print(json.dumps({
    "seeded_note": first.get("note", "absent"),
    "patch_status": patched.status_code,
    "item_note": item.get("note"),
    "listed": {s["id"]: s.get("note", "absent") for s in listed},
    "last_revision_note": history[-1]["data"].get("note", "absent"),
    "id": first["id"],
}))
"""


def _copy_repository(target: Path) -> None:
    shutil.copytree(
        PROJECT_ROOT,
        target,
        ignore=lambda folder, names: [n for n in names if n in SKIPPED or n.endswith(".sqlite3")],
    )


def _insert_after(path: Path, anchor: str, addition: str) -> None:
    text = path.read_text()
    assert text.count(anchor) == 1, f"{path}: the README's step no longer applies here"
    path.write_text(text.replace(anchor, anchor + addition))


def test_the_readme_names_the_places_a_field_is_added() -> None:
    section = re.search(r"^## How to add a field\n(.*?)(?=^## )", README.read_text(), re.S | re.M)
    assert section, "README has no 'How to add a field' section"
    for place in ["api/models.py", "migrations/versions/", *(path for path, _, _ in EDITS)]:
        assert place in section[1], f"README's 'How to add a field' does not name {place}"


def test_a_statement_field_added_in_the_named_places_is_stored_and_served(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    _copy_repository(copy)
    head = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini"))).get_current_head()
    (copy / "migrations" / "versions" / "0999_statement_note.py").write_text(MIGRATION.format(head=head))
    for path, anchor, addition in EDITS:
        _insert_after(copy / path, anchor, addition)

    database = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, database],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    note = "Said in Russian; the article quotes a French translation."
    assert result["seeded_note"] is None  # the seeds load, and the new field is null
    assert result["patch_status"] == 200
    assert result["item_note"] == note
    assert result["listed"][result["id"]] == note
    assert {n for i, n in result["listed"].items() if i != result["id"]} == {None}
    assert result["last_revision_note"] == note
