"""``python -m surveylab.api --port P``: the HTTP API alone, as ``surveylab serve`` starts it
beside the dashboards (the database is migrated by ``serve`` before)."""

from __future__ import annotations

import argparse

from surveylab.api.server import run
from surveylab.config import load_settings


def main(argv: list[str] | None = None) -> None:
    """Serve the API on 127.0.0.1 and ``--port`` (default ``SURVEYLAB_API_PORT``)."""
    parser = argparse.ArgumentParser(prog="python -m surveylab.api")
    parser.add_argument("--port", type=int, help="port (default SURVEYLAB_API_PORT or 8867)")
    args = parser.parse_args(argv)
    settings = load_settings()
    run(settings, "127.0.0.1", args.port or settings.api_port)


if __name__ == "__main__":
    main()
