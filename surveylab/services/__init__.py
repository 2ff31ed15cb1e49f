"""Use cases. Each takes a unit of work and the acting user, and checks permissions itself."""

from __future__ import annotations

from surveylab.services.common import Conflict, NotFound, ServiceError

__all__ = ["Conflict", "NotFound", "ServiceError"]
