"""Use cases. Each takes a unit of work and the acting user, and checks permissions itself."""

from __future__ import annotations

from surveylab.services.common import NotFound, ServiceError

__all__ = ["NotFound", "ServiceError"]
