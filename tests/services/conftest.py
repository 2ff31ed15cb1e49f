"""Fixtures: one migrated database per module and backend, emptied before each test."""

from __future__ import annotations

from tests.db_fixtures import _module_settings, backend, fresh_pg_url, settings

__all__ = ["_module_settings", "backend", "fresh_pg_url", "settings"]
