"""The HTTP API (``/api/v1``): thin handlers over the session and the services.

:func:`create_app` builds the ASGI application; :func:`run` serves it with uvicorn
(``surveylab api``). Errors are answered in one place (:mod:`.errors`).
"""

from __future__ import annotations

from surveylab.api.app import PREFIX, create_app
from surveylab.api.server import base_url, run

__all__ = ["PREFIX", "base_url", "create_app", "run"]
