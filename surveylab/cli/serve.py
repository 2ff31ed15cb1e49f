"""``surveylab serve``: migrate, load demo data (optional) and serve the Voila dashboards and
the HTTP API, each in its own process, stopped together (:mod:`surveylab.server.supervisor`)."""

from __future__ import annotations

import sys
from pathlib import Path

#: The dashboards' notebooks, shipped in the package (``surveylab/ui/dashboards/``; the
#: repository's ``dashboards/`` holds the same files). Served from wherever surveylab is
#: installed, so ``surveylab serve`` works from any working directory.
DASHBOARDS_DIR = Path(__file__).resolve().parent.parent / "ui" / "dashboards"


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the Voila dashboards on 127.0.0.1")
    p.add_argument("--port", type=int, help="port (default SURVEYLAB_PORT or 8866)")
    p.add_argument("--demo", action="store_true", help="load the demo data first (idempotent)")
    p.add_argument(
        "--api-port", type=int, help="port of the HTTP API (default SURVEYLAB_API_PORT or 8867)"
    )
    p.add_argument("--no-api", action="store_true", help="serve the dashboards only")
    p.add_argument("--no-browser", action="store_true", default=True)
    p.set_defaults(func=_serve)


def voila_command(port: int) -> list[str]:
    """The dashboards' server on 127.0.0.1:``port``: Voila configured from the environment's
    settings and guarded (:mod:`surveylab.server.voila_app`)."""
    return [sys.executable, "-m", "surveylab.server", str(DASHBOARDS_DIR), f"--port={port}"]


def api_command(port: int) -> list[str]:
    """The HTTP API's server on 127.0.0.1:``port`` (:mod:`surveylab.api`)."""
    return [sys.executable, "-m", "surveylab.api", f"--port={port}"]


def _serve(args) -> int:
    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.server.hosts import allowed_hosts
    from surveylab.server.supervisor import ServerProcess, supervise

    settings = load_settings()
    allowed = allowed_hosts(settings)  # a bad SURVEYLAB_ALLOWED_HOSTS stops here, in words
    port = args.port or settings.port
    db.upgrade(settings)
    if args.demo:
        from surveylab.demo import DEMO_USERS, load_demo

        load_demo(settings)
        print("demo logins (user / password / role):")
        for name, password, role in DEMO_USERS:
            print(f"  {name} / {password} / {role}")
    settings.secret_key()  # create the embedded secret before the kernels race for it
    base = f"http://127.0.0.1:{port}"
    print(f"surveylab dashboards: {base}/voila/render/runs.ipynb")
    print(f"                      {base}/voila/render/upload.ipynb")
    servers = [ServerProcess("dashboards", tuple(voila_command(port)))]
    if not args.no_api:
        from surveylab.api.server import base_url

        api_port = args.api_port or settings.api_port
        print(f"surveylab api: {base_url('127.0.0.1', api_port)}")
        servers.append(ServerProcess("api", tuple(api_command(api_port))))
    if allowed:
        names = ", ".join(a.name if a.port is None else f"{a.name}:{a.port}" for a in allowed)
        print(f"also answering to: {names} (SURVEYLAB_ALLOWED_HOSTS)")
    sys.stdout.flush()
    return supervise(servers)
