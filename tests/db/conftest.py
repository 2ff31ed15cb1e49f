"""Fixtures: one migrated database per module and backend, emptied before each test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _shared():
    name = "surveylab_tests_db_fixtures"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "db" / "_shared_fixtures.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_fixtures = _shared()
backend = _fixtures.backend
_module_settings = _fixtures._module_settings
settings = _fixtures.settings
fresh_pg_url = _fixtures.fresh_pg_url
