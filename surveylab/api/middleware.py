"""What every request passes before any handler runs: the Host allow-list and the body limit.

A plain ASGI middleware (no per-request task or body copy):

- a ``Host`` header that is not on the allow-list (:func:`surveylab.server.hosts.
  host_allowed`: loopback names and ``SURVEYLAB_ALLOWED_HOSTS``) is answered 403 at once;
- a body larger than the limit is answered 413 before it is read: at once when
  ``Content-Length`` says so, else as soon as the bytes received pass the limit (a chunked
  upload without ``Content-Length``). Survey uploads (``POST .../files``, ``POST /compute``) may
  be ``SURVEYLAB_MAX_UPLOAD_MB`` plus 1 MiB of form; any other body 1 MiB.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

from surveylab.api.errors import PROBLEM_JSON, BodyTooLarge, problem_body
from surveylab.server.hosts import AllowedHost, host_allowed

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest body of a request that is not a survey upload [bytes].
JSON_BODY_LIMIT = 1024 * 1024
#: Room for the form around the files of an upload [bytes].
FORM_OVERHEAD = 1024 * 1024
#: Requests whose body may be a survey upload.
UPLOAD_PATHS = re.compile(r"^/api/v1/(runs/[^/]+/files|compute)/?$")


async def _answer(send: Send, status: int, slug: str, detail: str) -> None:
    body = problem_body(status, slug, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """Refuse unknown hosts (403) and oversized bodies (413) before the application runs.

    Parameters
    ----------
    app : ASGI application
        The application behind the guard.
    allowed_hosts : Collection of AllowedHost
        Names answered besides the loopback ones (:func:`surveylab.server.hosts.allowed_hosts`).
    upload_limit : int
        Largest body of a survey upload [bytes].
    body_limit : int, optional
        Largest body of any other request [bytes]; default :data:`JSON_BODY_LIMIT`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Collection[AllowedHost],
        upload_limit: int,
        body_limit: int = JSON_BODY_LIMIT,
    ) -> None:
        self.app = app
        self.allowed = tuple(allowed_hosts)
        self.upload_limit = upload_limit
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = ""
        length: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"content-length":
                length = value
        if not host_allowed(host, self.allowed):
            await _answer(send, 403, "host-not-allowed", f"host {host!r} is not served here")
            return
        is_upload = scope["method"] == "POST" and UPLOAD_PATHS.match(scope["path"]) is not None
        limit = self.upload_limit if is_upload else self.body_limit
        if length is not None:
            if not length.isdigit():
                await _answer(send, 400, "bad-request", "Content-Length is not a number")
                return
            if int(length) > limit:
                await _answer(
                    send,
                    413,
                    "content-too-large",
                    f"request body of {int(length)} bytes is larger than the limit of "
                    f"{limit} bytes",
                )
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as exc:  # read outside the framework's body parsing
            if started:
                raise
            await _answer(send, 413, "content-too-large", str(exc.detail))
