"""The dashboards' server: Voila, configured from the settings and guarded.

``python -m surveylab.server DIR --port P`` (what ``surveylab serve`` runs) is Voila's own
standalone server with:

- its configuration from :class:`surveylab.config.Settings` (:func:`server_config`): loopback
  only, pre-heated kernels, the kernel manager and websocket connection of
  :mod:`surveylab.server.kernels` with their limits;
- a Host allow-list in front of every route (:func:`surveylab.server.hosts.host_allowed`): any
  other Host gets 403 before a handler runs, so before a kernel starts (pages, websockets,
  static files, the API alike);
- XSRF protection on (Voila's default; ``surveylab serve`` used to switch it off): the page
  handler sets the ``_xsrf`` cookie that the page's unload beacon
  (``/voila/api/shutdown/<kernel>``) sends back as a form field, so the beacon still shuts its
  kernel down and a POST from anywhere else is refused;
- the "server busy" page (HTTP 503) when no kernel may start (:class:`PageHandler`);
- kernel ids left out of the log (:mod:`surveylab.server.logs`).
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any

from tornado import httputil, web
from tornado.routing import Matcher, Rule
from traitlets.config import Config
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from surveylab.config import Settings, load_settings
from surveylab.server.hosts import AllowedHost, allowed_hosts, host_allowed
from surveylab.server.kernels import PageKernelManager, client_address
from surveylab.server.logs import redact_ids
from surveylab.server.template import TEMPLATE, jupyter_path_with_template

#: Pre-heated kernels per dashboard at most (each has run its notebook up to the login form).
POOL_SIZE = 2
#: Seconds Voila waits before refilling a pool after a page took a kernel: the refill (kernel
#: start and imports, 2-3 s of CPU) then no longer competes with the login of the page that
#: took the kernel, and a second visitor meanwhile still gets a pre-heated kernel.
FILL_DELAY_S = 5
#: ``Retry-After`` of the "server busy" page [s].
BUSY_RETRY_S = 30

BUSY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>surveylab: server busy</title>
<style>body {{font-family: system-ui, sans-serif; margin: 3em; max-width: 40em;}}</style>
</head><body class="sl-server-busy">
<h1>Server busy</h1>
<p>Every dashboard session this server can hold ({limit}) is in use. Try again shortly:
sessions end when their page is closed, and after {idle} minutes without activity.</p>
<p><a href="">Try again</a></p>
</body></html>
"""


def pool_size(max_kernels: int, notebooks: int) -> int:
    """Pre-heated kernels per dashboard: :data:`POOL_SIZE`, fewer when the pools would take
    more than half of ``max_kernels``.

    Parameters
    ----------
    max_kernels : int
        The kernel cap (``SURVEYLAB_MAX_KERNELS``).
    notebooks : int
        Dashboards served.

    Returns
    -------
    int
        0 or more; 0 turns pre-heating off (each page then starts its kernel).
    """
    return max(0, min(POOL_SIZE, max_kernels // (2 * max(1, notebooks))))


def cull_interval_s(settings: Settings) -> int:
    """How often the kernels' time-outs are checked [s]: a sixth of the shorter time-out, at
    least 1 s. A kernel outlives its time-out by up to two checks (a pre-heated kernel's
    connect clock starts at the first check that sees it handed to a page)."""
    shorter = min(settings.kernel_connect_s, settings.kernel_idle_min * 60)
    return max(1, round(shorter / 6))


def server_config(settings: Settings) -> dict[str, dict[str, Any]]:
    """The Voila and Jupyter configuration of the dashboards' server (traitlets sections).

    The pool size depends on the dashboards served and is set by :class:`SurveylabVoila`.
    """
    return {
        "Voila": {
            "ip": "127.0.0.1",
            "open_browser": False,
            "kernel_websocket_connection_class": "surveylab.server.kernels.PageBoundConnection",
        },
        "VoilaConfiguration": {
            "show_tracebacks": False,
            "file_allowlist": [r".*\.(png|jpg|gif|svg|css)"],
            # kernels are started and run the notebook before anyone asks (each then holds
            # only the login form), so a page opens without waiting for a kernel
            "preheat_kernel": True,
            "theme": "light",
            # Voila's lab page without the stylesheets it links from a public CDN
            # (surveylab/server/template.py)
            "template": TEMPLATE,
            # Panel's and Bokeh's lab extensions fail to load inside Voila ("shared module
            # @jupyterlab/docmanager doesn't exist") and the dashboards use neither
            "extension_denylist": ["@pyviz/jupyterlab_pyviz", "@bokeh/jupyter_bokeh"],
            "multi_kernel_manager_class": "surveylab.server.kernels.PageKernelManager",
        },
        "VoilaKernelManager": {"fill_delay": FILL_DELAY_S},
        # the kernels' sockets are files in the server's private connection folder (mode
        # 700), not loopback TCP ports that any local account may connect to and that
        # another process can take between their choice and the kernel's start
        "KernelManager": {"transport": "ipc"},
        "PageKernelManager": {
            "max_kernels": settings.max_kernels,
            "connect_timeout": settings.kernel_connect_s,
            "cull_idle_timeout": max(1, round(settings.kernel_idle_min * 60)),
            "cull_interval": cull_interval_s(settings),
        },
    }


class _RefusedHost(Matcher):
    """Matches a request whose Host is not on the allow-list."""

    def __init__(self, allowed: tuple[AllowedHost, ...]) -> None:
        self.allowed = allowed

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        return None if host_allowed(request.headers.get("Host"), self.allowed) else {}


class HostRefusedHandler(web.RequestHandler):
    """403 for a request whose Host is not on the allow-list, whatever its path or method."""

    def initialize(self, log: logging.Logger) -> None:
        self.log = log

    def prepare(self) -> None:
        self.log.warning(
            "Refused a request for host %r from %s (not on the allow-list: 127.0.0.1, "
            "localhost, SURVEYLAB_ALLOWED_HOSTS)",
            (self.request.headers.get("Host") or "")[:200],
            client_address(self.request),
        )
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("403 Forbidden: this server does not answer to that host name.\n")


class PageHandler(TornadoVoilaHandler):
    """Voila's page handler, which also sets the ``_xsrf`` cookie and answers "server busy"
    (HTTP 503) when the page would get no kernel."""

    async def prepare(self) -> None:
        await super().prepare()
        if self._finished:
            return
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie; the unload beacon sends it back
        notebook = self.path_args[0] if self.path_args else ""
        manager = self.kernel_manager
        if (
            self.request.method == "GET"
            and notebook.endswith(".ipynb")
            and isinstance(manager, PageKernelManager)
            and not manager.has_room_for_page(notebook)
        ):
            self.log.warning(
                "Server busy: %d dashboard kernels, no page for %s", manager.max_kernels, notebook
            )
            raise web.HTTPError(503)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code != 503:
            super().write_error(status_code, **kwargs)
            return
        manager = self.kernel_manager
        limit = getattr(manager, "max_kernels", "all")
        idle = round(getattr(manager, "cull_idle_timeout", 0) / 60)
        self.set_header("Retry-After", str(BUSY_RETRY_S))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(BUSY_PAGE.format(limit=html.escape(str(limit)), idle=idle))


def count_notebooks(root: Path) -> int:
    """Notebooks Voila serves (and pre-heats) under ``root``."""
    return sum(1 for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


class SurveylabVoila(Voila):
    """Voila with :func:`server_config` as its defaults (the command line may override them),
    the Host allow-list, :class:`PageHandler` and no kernel ids in the log."""

    def initialize(self, argv: Any = None) -> None:
        settings = load_settings()
        self.allowed = allowed_hosts(settings)
        self.update_config(Config(server_config(settings)))
        super().initialize(argv)
        if "default_pool_size" not in self.cli_config.get("VoilaConfiguration", {}):
            root = Path(self.notebook_path).parent if self.notebook_path else Path(self.root_dir)
            notebooks = 1 if self.notebook_path else count_notebooks(root)
            self.voila_configuration.default_pool_size = pool_size(settings.max_kernels, notebooks)
        redact_ids(self.log)

    def init_handlers(self) -> list[Any]:
        """Voila's routes with :class:`PageHandler` for its page handler, behind the Host
        allow-list (a first rule of the application's router, ahead of every route)."""
        handlers = super().init_handlers()
        self.app.default_router.rules.insert(
            0, Rule(_RefusedHost(self.allowed), HostRefusedHandler, {"log": self.log})
        )
        return [(h[0], PageHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h for h in handlers]


def main() -> None:
    """Run the dashboards' server (``sys.argv``: Voila's options), with surveylab's page
    template first on ``JUPYTER_PATH``."""
    os.environ["JUPYTER_PATH"] = jupyter_path_with_template(os.environ.get("JUPYTER_PATH"))
    SurveylabVoila.launch_instance()
