"""``surveylab api``: migrate the database and serve the HTTP API (``/api/v1``) on 127.0.0.1."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("api", help="serve the HTTP API (/api/v1) on 127.0.0.1")
    p.add_argument("--port", type=int, help="port (default SURVEYLAB_API_PORT or 8867)")
    p.set_defaults(func=_api)


def _api(args) -> int:
    from surveylab import api, db
    from surveylab.config import load_settings

    settings = load_settings()
    port = args.port or settings.api_port
    db.upgrade(settings)
    settings.secret_key()  # the embedded secret exists before the first login
    print(f"surveylab api: {api.base_url('127.0.0.1', port)}")
    print(f"               docs: {api.base_url('127.0.0.1', port)}/docs")
    sys.stdout.flush()
    api.run(settings, "127.0.0.1", port)
    return 0
