"""What every dashboard shares: login first, the user bar, logout, session expiry, busy state,
and small HTML helpers. The app classes hold their state here so pytest can drive them without
a browser.
"""

from __future__ import annotations

import asyncio
import base64
import html
import threading
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import pandas as pd

from surveylab.auth import AuthenticationError, AuthError
from surveylab.config import Settings, load_settings
from surveylab.models import Finding, Role
from surveylab.server.notices import CONNECTION_REFUSED, NOTICE_TARGET, SESSION_ENDED
from surveylab.session import Session, warm_up_connection
from surveylab.ui.login import LoginForm

STYLE = """
<style>
.sl-app {font-family: system-ui, sans-serif; font-size: 14px; max-width: 1260px;}
.sl-app table.sl-table {border-collapse: collapse; font-size: 13px;}
.sl-app table.sl-table th, .sl-app table.sl-table td {border: 1px solid #d0d7de;
  padding: 2px 8px; text-align: right; white-space: nowrap;}
.sl-app table.sl-table th {background: #f0f3f7; position: sticky; top: 0;}
.sl-app table.sl-table td.l, .sl-app table.sl-table th.l {text-align: left;}
.sl-sev-error {color: #b00020; font-weight: 600;}
.sl-sev-warning {color: #9a5b00; font-weight: 600;}
.sl-sev-info {color: #555;}
.sl-missing {color: #b00020; font-style: italic;}
.sl-error-box {color: #b00020; border: 1px solid #b00020; padding: 6px; margin: 4px 0;}
.sl-ok-box {color: #1a7f37; border: 1px solid #1a7f37; padding: 6px; margin: 4px 0;}
.sl-scroll {max-height: 420px; overflow: auto;}
.sl-session-ended {font-size: 15px; padding: 12px;}
</style>
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def table_html(
    df: pd.DataFrame, *, left: int = 1, decimals: int = 2, max_rows: int | None = None
) -> str:
    """A DataFrame as a plain HTML table; floats rounded to ``decimals``."""
    shown = df if max_rows is None else df.head(max_rows)
    heads = "".join(
        f"<th class='{'l' if i < left else ''}'>{esc(c)}</th>" for i, c in enumerate(df.columns)
    )

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else f"{v:.{decimals}f}"
        return esc(v)

    rows = "".join(
        "<tr>"
        + "".join(f"<td class='{'l' if i < left else ''}'>{cell(v)}</td>" for i, v in enumerate(r))
        + "</tr>"
        for r in shown.itertuples(index=False)
    )
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f"<p>{len(df) - max_rows} more rows not shown (export for the full listing).</p>"
    return (
        f"<table class='sl-table'><thead><tr>{heads}</tr></thead>"
        f"<tbody>{rows}</tbody></table>{more}"
    )


def findings_html(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    items = []
    for f in sorted(findings, key=lambda f: -f.severity.rank):
        where = []
        if f.station is not None:
            where.append(f"station {f.station + 1}")
        if f.line is not None:
            where.append(f"line {f.line}")
        if f.field:
            where.append(f"field {f.field}")
        loc = f" ({', '.join(where)})" if where else ""
        items.append(
            f"<li><span class='sl-sev-{f.severity}'>{esc(f.severity)}</span> "
            f"<code>{esc(f.code)}</code>: {esc(f.message)}{esc(loc)}</li>"
        )
    return "<ul class='sl-findings'>" + "".join(items) + "</ul>"


def download_link(file_name: str, data: bytes, label: str | None = None) -> str:
    """An offline download link (data URI) for bytes made in the kernel."""
    b64 = base64.b64encode(data).decode()
    return (
        f"<a class='sl-download' download='{esc(file_name)}' "
        f"href='data:application/octet-stream;base64,{b64}'>{esc(label or file_name)}</a>"
    )


_warm_up_thread: threading.Thread | None = None

#: Delay between sending a dashboard's first page and loading plotly.js in the page [s].
WARMUP_DELAY_S = 1.0


def warm_up(settings: Settings) -> None:
    """First-use costs a dashboard kernel can pay before its user arrives.

    The first connection of a process (engine, database driver, the user look-up's compiled
    SQL: ~0.3 s of the first login) and plotly's templates and validators
    (:func:`surveylab.ui.figures.prime`, ~0.8 s). Reads nothing but a user that cannot exist
    (usernames are never empty) and shows nothing; a database that cannot be reached is left
    for the login to report.
    """
    from surveylab.ui import figures

    try:
        warm_up_connection(settings)
    except Exception:  # reported by the login, in words, when someone logs in
        pass
    figures.prime()


def _warm_up_in_background(settings: Settings) -> None:
    """:func:`warm_up` in a background thread, once per process: a pre-heated dashboard
    kernel does it while it waits for its user instead of holding the page back. It sends no
    output and touches no widget, so it may run alongside anything the user does."""
    global _warm_up_thread
    if _warm_up_thread is None:
        _warm_up_thread = threading.Thread(
            target=warm_up, args=(settings,), name="surveylab-warm-up", daemon=True
        )
        _warm_up_thread.start()


class DashboardShell:
    """Login first; nothing else is built before a successful login."""

    title = "surveylab"
    #: roles allowed to use this dashboard (None: every authenticated user)
    roles: tuple[Role, ...] | None = None

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        _warm_up_in_background(self.settings)
        self.session: Session | None = None
        # the page as it opens: one Layout and one style per kind for the shell's widgets
        # (the login form shares its own), so the browser has fewer models to create
        plain = w.Layout()
        self.header = w.HTML(f"{STYLE}<h2 class='sl-title'>{esc(self.title)}</h2>", layout=plain)
        shown = self.header.style
        self.login = LoginForm(self.settings, on_login=self._on_login)
        self.user_label = w.HTML(layout=plain, style=shown, _dom_classes=("sl-user",))
        self.logout_button = w.Button(
            description="Log out", icon="sign-out", layout=plain, _dom_classes=("sl-logout",)
        )
        self.logout_button.on_click(lambda _: self.logout())
        self.busy = w.HTML("", layout=plain, style=shown, _dom_classes=("sl-busy",))
        self.status = w.HTML("", layout=plain, style=shown, _dom_classes=("sl-status",))
        self.main: w.Widget | None = None
        self.warmup = w.Output(layout=w.Layout(display="none"), _dom_classes=("sl-plotly-warmup",))
        self.widget = w.VBox(
            [self.header, self.login.widget], layout=plain, _dom_classes=("sl-app",)
        )
        self._listen_to_server()

    # ------------------------------------------------------------------ session
    def _on_login(self, session: Session) -> None:
        # one connection for the role check and everything build() reads for the first page
        try:
            with session.batch():
                self._start(session)
        except AuthenticationError:  # the token was refused at once (user just deactivated)
            self.session = None
            self.login.show_message("Your session has ended. Please log in again.")
            return
        if self.session is not None and self.main is not None:
            self.ready()

    def _start(self, session: Session) -> None:
        actor = session.actor
        if self.roles is not None and actor.role not in self.roles:
            self.session = None
            allowed = ", ".join(str(r) for r in self.roles)
            self.login.show_message(
                f"{actor.username} ({actor.role}) may not use this dashboard; it needs {allowed}."
            )
            return
        self.session = session
        self.user_label.value = f"Signed in as <b>{esc(actor.username)}</b> ({esc(actor.role)})"
        self.main = self.build()
        if self.session is None:  # the session ended while building: the form stays
            self.main = None
            return
        bar = w.HBox(
            [self.user_label, self.logout_button, self.busy],
            layout=self.widget.layout,
            _dom_classes=("sl-userbar",),
        )
        self.widget.children = [self.header, bar, self.status, self.main, self.warmup]

    def ready(self) -> None:
        """After the first page is sent: have the browser load the plotting library, later.

        plotly.js (4.8 MB) is loaded by the page when it first shows a figure, which took
        seconds on a slow machine; drawing an empty figure in a hidden output while the user
        reads the first page takes that off the path of the first real plot. Loading it is
        one long task (about 0.25 s here) that holds the browser's main thread, so it is
        started :data:`WARMUP_DELAY_S` after the first page, once the browser has drawn it,
        by the kernel's event loop; without a running loop (pytest) it is drawn at once.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._draw_warmup()
            return
        loop.call_later(WARMUP_DELAY_S, self._draw_warmup)

    def _draw_warmup(self) -> None:
        """Put the warm-up figure in the hidden output's ``outputs``. Not a capture (``with
        output: display(...)``): the browser routes captured output to the request that made
        it, and this runs after that request has ended."""
        from surveylab.ui import figures

        if self.session is None or self.warmup.outputs:
            return  # logged out meanwhile, or drawn for an earlier login of this page
        bundle = figures.warmup()._repr_mimebundle_()
        self.warmup.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

    # ------------------------------------------------------------------ the server's notices
    def _listen_to_server(self) -> None:
        """Take the notices of the dashboards' server (:mod:`surveylab.server.notices`): a
        comm it opens to :data:`~surveylab.server.notices.NOTICE_TARGET`."""
        from comm import get_comm_manager

        get_comm_manager().register_target(NOTICE_TARGET, self._on_server_notice)

    def _on_server_notice(self, comm: Any, msg: dict[str, Any]) -> None:
        data = (msg.get("content") or {}).get("data") or {}
        event = data.get("event")
        if event == SESSION_ENDED:
            self.end_session(float(data.get("idle_min") or 0))
        elif event == CONNECTION_REFUSED:
            self.record_refused_connection(str(data.get("client") or "an unknown address"))

    def end_session(self, idle_min: float) -> None:
        """The server is about to shut this kernel down after ``idle_min`` minutes without
        activity: log out and leave the page a message with a link that reloads it."""
        if self.session is not None:
            try:
                self.session.logout()
            except Exception:  # the tokens expire by themselves; the page is ending anyway
                pass
        self.session = None
        self.main = None
        after = f" after {idle_min:g} minutes without activity" if idle_min else ""
        self.widget.children = [
            self.header,
            w.HTML(
                f"<div class='sl-session-ended sl-error-box'>This session has ended{after}. "
                "<a class='sl-reload' href='javascript:window.location.reload()'>Reload the "
                "page</a> to start a new one.</div>"
            ),
        ]

    def record_refused_connection(self, client: str) -> None:
        """The server refused a second connection to this kernel from ``client``: audit it
        when a user is logged in (the server's log has it in any case)."""
        if self.session is None:
            return
        try:
            self.session.record_refused_connection(client)
        except Exception:  # an expired session or a busy database: the server logged it
            pass

    def logout(self, message: str = "Logged out.") -> None:
        if self.session is not None:
            try:
                self.session.logout()
            except AuthError:
                pass
        self.session = None
        self.main = None
        self.login.show_message(message, error=message != "Logged out.")
        self.widget.children = [self.header, self.login.widget]

    @property
    def actor(self):
        assert self.session is not None
        return self.session.actor

    def build(self) -> w.Widget:  # pragma: no cover - subclasses
        raise NotImplementedError

    # ------------------------------------------------------------------ calls
    @contextmanager
    def working(self, what: str):
        """Show "Working: what..." in the user bar while the block runs. Not while the first
        page is built: the bar is not shown yet, and each change would be one more message
        between the login and the first page."""
        if self.main is None:
            yield
            return
        self.busy.value = f"<span class='sl-working'>Working: {esc(what)}&hellip;</span>"
        try:
            yield
        finally:
            self.busy.value = ""

    def call(self, fn: Callable[..., Any], *args: Any, what: str = "Working", **kw: Any) -> Any:
        """Run a service call; an expired session logs out, an error shows in the status line."""
        try:
            with self.working(what):
                return fn(*args, **kw)
        except AuthenticationError:
            self.logout("Your session has ended (token expired or revoked). Please log in again.")
            return None
        except Exception as exc:  # shown to the user in plain words, not a traceback
            self.error(str(exc) or type(exc).__name__)
            self.last_traceback = traceback.format_exc()
            return None

    def error(self, message: str) -> None:
        self.status.value = f"<div class='sl-error-box'>{esc(message)}</div>"

    def ok(self, message: str) -> None:
        self.status.value = f"<div class='sl-ok-box'>{esc(message)}</div>"
