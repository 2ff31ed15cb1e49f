"""The result of one check of a deployment (``surveylab doctor``), shared by the layers that
check their own part: the database and secret (:mod:`surveylab.services.deployment`), the
allowed hosts and TLS (:mod:`surveylab.server.hosts`), chromium (:mod:`surveylab.reports.chromium`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CheckStatus(enum.StrEnum):
    """``ok``; ``problem`` (something to fix); ``unchecked`` (an earlier problem prevents it)."""

    OK = "ok"
    PROBLEM = "problem"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Check:
    """One checked item.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"database"``, ``"migrations"``, ``"secret"``.
    status : CheckStatus
    detail : str
        What was found, in plain words.
    fix : str or None
        What to do about a problem (a command or a setting); None when all is well.
    """

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None

    @classmethod
    def ok(cls, name: str, detail: str) -> Check:
        return cls(name, CheckStatus.OK, detail)

    @classmethod
    def problem(cls, name: str, detail: str, fix: str) -> Check:
        return cls(name, CheckStatus.PROBLEM, detail, fix)
