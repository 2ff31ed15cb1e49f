"""surveylab.auth is a pure layer: importing it pulls in no database, UI or notebook machinery
(the import-linter contract in pyproject.toml says the same; this checks the real import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = (
    "sqlalchemy",
    "duckdb",
    "duckdb_engine",
    "psycopg",
    "ipywidgets",
    "panel",
    "IPython",
    "papermill",
    "surveylab.db",
    "surveylab.repositories",
    "surveylab.services",
    "surveylab.ui",
)
REPO = Path(__file__).resolve().parents[2]


def test_import_pulls_in_nothing_forbidden() -> None:
    code = "import json, sys; import surveylab.auth; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout)
    assert "surveylab.auth" in loaded
    bad = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == []


def test_public_names_are_exported() -> None:
    import surveylab.auth as auth

    wanted = {
        "Permission",
        "ROLE_PERMISSIONS",
        "has_permission",
        "can_change",
        "require",
        "PermissionDenied",
        "AuthenticationError",
        "WeakPasswordError",
        "hash_password",
        "verify_password",
        "needs_rehash",
        "burn_verify",
        "TokenConfig",
        "TokenPair",
        "TokenClaims",
        "issue_token_pair",
        "issue_token",
        "decode_token",
    }
    assert wanted <= set(auth.__all__)
    assert all(hasattr(auth, name) for name in auth.__all__)
