"""What the dashboards' server tells a dashboard kernel, and how.

The server opens a comm (Jupyter messaging, ``comm_open`` on the shell channel) to the
target :data:`NOTICE_TARGET` with ``data = {"event": ...}``; a dashboard
(:class:`surveylab.ui.shell.DashboardShell`) registers that target when it is built.
A kernel without it (any other notebook) ignores the notice.
"""

from __future__ import annotations

#: The comm target a dashboard kernel registers for the server's notices.
NOTICE_TARGET = "surveylab.server.notice"

#: The kernel is about to be shut down after ``idle_min`` minutes without widget traffic:
#: ``{"event": SESSION_ENDED, "idle_min": float}``. The dashboard ends its session and tells
#: its page to reload.
SESSION_ENDED = "session-ended"

#: A second websocket to this kernel was refused: ``{"event": CONNECTION_REFUSED,
#: "client": str}`` (the client's address as the server saw it). The dashboard writes it to
#: the audit log when a user is logged in.
CONNECTION_REFUSED = "connection-refused"
