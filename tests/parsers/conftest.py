"""Hypothesis profiles of the parser tests: ``parsers-ci`` (derandomized: the same cases every
run, chosen when ``CI`` is set) and ``parsers-dev`` (fresh cases each run; ``pytest
--hypothesis-seed=N`` repeats one). The tests set their example counts on top of the profile."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

settings.register_profile(
    "parsers-ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "parsers-dev",
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: The profile the parser tests build their settings on.
PROFILE = settings.get_profile("parsers-ci" if IN_CI else "parsers-dev")
