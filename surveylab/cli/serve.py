"""``surveylab serve``: migrate, load demo data (optional) and serve the Voila dashboards."""

from __future__ import annotations

import os
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
    p.add_argument("--no-browser", action="store_true", default=True)
    p.set_defaults(func=_serve)


def voila_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        # Voila, with surveylab's page template found (surveylab/ui/voila_server.py): Voila's
        # lab page without the FontAwesome stylesheets it fetches from a public CDN
        "surveylab.ui.voila_server",
        "--template=surveylab",
        str(DASHBOARDS_DIR),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--ServerApp.ip=127.0.0.1",
        "--show_tracebacks=False",
        "--VoilaConfiguration.file_allowlist=.*\\.(png|jpg|gif|svg|css)",
        # kernels are started and run the notebook before anyone asks (each then holds only the
        # login form), so a page opens without waiting for a kernel. Two per dashboard, and the
        # pool is refilled 5 s after a page takes one (Voila's default: 1 s): on a small server
        # the refill (kernel start and imports, 2-3 s of CPU) then no longer competes with the
        # login of the page that took the kernel, and a second visitor meanwhile still gets a
        # pre-heated kernel
        "--preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=2",
        "--VoilaKernelManager.fill_delay=5",
        "--theme=light",
        # Panel's and Bokeh's lab extensions fail to load inside Voila ("shared module
        # @jupyterlab/docmanager doesn't exist") and the dashboards use neither
        "--VoilaConfiguration.extension_denylist=@pyviz/jupyterlab_pyviz",
        "--VoilaConfiguration.extension_denylist=@bokeh/jupyter_bokeh",
        # The page's beforeunload beacon to /voila/api/shutdown/<kernel> carries the _xsrf
        # cookie, which Voila's render page never sets: every shutdown was refused (403) and
        # each closed or reloaded page left its kernel running until the server stopped. The
        # only POST handler of the standalone Voila app is that shutdown, which needs the
        # kernel's random id.
        "--Voila.tornado_settings=disable_check_xsrf=True",
    ]


def _serve(args) -> int:
    from surveylab import db
    from surveylab.config import load_settings

    settings = load_settings()
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
    sys.stdout.flush()
    os.execv(sys.executable, voila_command(port))
    return 0  # pragma: no cover
