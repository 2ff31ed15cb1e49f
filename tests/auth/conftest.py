"""Fixtures for the auth tests: a cheap argon2 hasher for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surveylab.auth import configure_hasher


@pytest.fixture(autouse=True, scope="session")
def cheap_hasher() -> Iterator[None]:
    """argon2id with tiny parameters so hashing takes about a millisecond; defaults restored."""
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    configure_hasher()
