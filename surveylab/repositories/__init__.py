"""Repositories and the unit of work: rows in, records out. Only this layer and ``db`` speak SQL.

One module per aggregate (:mod:`.users` with tokens and login attempts, :mod:`.wells`,
:mod:`.wellbores` with their definitive surveys, :mod:`.runs`, :mod:`.surveys` with survey
files, stations, QC results and status history, :mod:`.audit`, :mod:`.reports`, :mod:`.database`
with the database's own marks) and :mod:`.unit_of_work`. The unit of work owns one short-lived
connection and its transaction (never held across widget callbacks). Leaving the ``with`` block
without :meth:`UnitOfWork.commit` rolls back.

Every repository names an operation the same way: ``add`` (insert, returns the record), ``get``
(by id), ``by_<key>`` (by another unique key), ``list`` (all, filtered), ``for_user`` /
``for_run`` (what belongs to one user or run), ``update``, ``delete``.
"""

from __future__ import annotations

from surveylab.repositories._base import DuplicateError, Repository, utcnow
from surveylab.repositories.audit import AuditRepository
from surveylab.repositories.database import DatabaseRepository
from surveylab.repositories.reports import ReportRepository
from surveylab.repositories.runs import RunFilter, RunRepository
from surveylab.repositories.surveys import StatusStep, SurveyFileRepository, SurveyRepository
from surveylab.repositories.unit_of_work import UnitOfWork
from surveylab.repositories.users import LoginAttemptRepository, TokenRepository, UserRepository
from surveylab.repositories.wellbores import DefinitiveSurveyRepository, WellboreRepository
from surveylab.repositories.wells import WellRepository

__all__ = [
    "AuditRepository",
    "DatabaseRepository",
    "DefinitiveSurveyRepository",
    "DuplicateError",
    "LoginAttemptRepository",
    "ReportRepository",
    "Repository",
    "RunFilter",
    "RunRepository",
    "StatusStep",
    "SurveyFileRepository",
    "SurveyRepository",
    "TokenRepository",
    "UnitOfWork",
    "UserRepository",
    "WellRepository",
    "WellboreRepository",
    "utcnow",
]
