"""The dashboards' kernels: at most so many, none left behind, one page each.

Every dashboard page runs in a kernel of its own (a Python process of a few hundred MB).
:class:`PageKernelManager` is the kernel manager of ``surveylab serve``'s Voila server
(``VoilaConfiguration.multi_kernel_manager_class``; Voila builds its pre-heated pool on top of
it) and adds to jupyter_server's ``AsyncMappingKernelManager``:

- a cap, :attr:`~PageKernelManager.max_kernels`: a kernel starts only while fewer are running
  or starting, pre-heated ones included. At the cap a page gets "server busy"
  (:meth:`~PageKernelManager.has_room_for_page`, the page handler) and a pool refill is
  dropped, to be tried again when a kernel ends or at the next check with room;
- a connect time-out, :attr:`~PageKernelManager.connect_timeout`: a kernel handed to a page is
  shut down when no page has been connected to it for that long (a GET that never opened the
  page, a crashed or killed browser, a lost network that did not come back);
- an idle time-out, jupyter_server's ``cull_idle_timeout``: a kernel without widget traffic
  (nor a new connection of its page) for that long is told
  (:data:`~surveylab.server.notices.SESSION_ENDED`; the dashboard ends its session and offers
  a reload), then shut down;
- one page per kernel: the first websocket's session id binds the kernel
  (:meth:`~PageKernelManager.admit_page`); a websocket with another one is refused by
  :class:`PageBoundConnection` (``Voila.kernel_websocket_connection_class``), logged at WARNING
  with the client's address and told to the kernel
  (:data:`~surveylab.server.notices.CONNECTION_REFUSED`), which audits it.

jupyter_server's culler checks the time-outs every ``cull_interval`` seconds; a pre-heated
kernel's connect clock starts at the first check that finds it out of its pool, so a kernel
lives up to two intervals longer than its time-out.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Integer
from zmq.eventloop.zmqstream import ZMQStream

from surveylab.server.notices import CONNECTION_REFUSED, NOTICE_TARGET, SESSION_ENDED

#: Voila's environment variable telling a kernel it is started for the pre-heated pool.
VOILA_PREHEAT_ENV = "VOILA_PREHEAT"

#: How long the server waits for a dashboard to take in a notice before going on [s].
NOTICE_TIMEOUT_S = 5.0
#: After the dashboard took in the session-ended notice, how long its page has to receive the
#: widgets' last changes before the kernel is shut down [s].
NOTICE_FLUSH_S = 0.5


class KernelLimitReached(web.HTTPError):
    """No kernel may start now: :attr:`PageKernelManager.max_kernels` are running or starting.

    An HTTP 503: the page handler answers with the "server busy" page.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(503, "the server is running its maximum of %d dashboard kernels", limit)
        self.limit = limit


def client_address(request: Any) -> str:
    """The client of a request, as a line of the log or the audit log says it.

    Parameters
    ----------
    request : tornado.httputil.HTTPServerRequest

    Returns
    -------
    str
        The peer's address; behind a reverse proxy on this machine (a loopback peer) also
        what the proxy says it forwarded for (``X-Forwarded-For``, as received).
    """
    peer = str(request.remote_ip)
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and peer in ("127.0.0.1", "::1"):
        return f"{peer} (forwarded for {forwarded.strip()[:200]})"
    return peer


class PageKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with a cap, connect and idle time-outs, and kernels
    bound to their page (see the module's docstring)."""

    max_kernels = Integer(
        16, config=True, help="Most kernels running or starting at once, pre-heated included."
    )
    connect_timeout = Float(
        60.0,
        config=True,
        help="Seconds a kernel handed to a page may stay without a connected page.",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting: set[str] = set()  # ids of kernels being started
        self._page_of: dict[str, str] = {}  # kernel id -> websocket session id of its page
        # kernel id -> since when no page is connected (monotonic [s]); set when a page's
        # own kernel starts, when a pre-heated one is first seen handed out, and when the
        # last websocket of a kernel closes
        self._alone_since: dict[str, float] = {}
        self._connected_at: dict[str, datetime] = {}  # kernel id -> last (re)connection
        self._stopping = False
        self._notices: set[asyncio.Future[Any]] = set()  # notices under way (kept referenced)

    # ---------------------------------------------------------------- the cap
    def kernel_count(self) -> int:
        """Kernels running or starting (pre-heated ones included)."""
        return len(set(self._kernels) | self._starting)

    def _pooled_ids(self) -> set[str]:
        """Kernels ready in Voila's pre-heated pools (not handed to a page yet)."""
        ids = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and self._holds_kernel(task):
                    ids.add(task.result()["kernel_id"])
        return ids

    def _drop_failed(self) -> None:
        """Remove from Voila's pools the refills that failed (at the cap) and the kernels that
        ended while waiting (one that died and could not be restarted), so that no page
        takes one and so that a refill replaces them."""
        for pool in getattr(self, "_pools", {}).values():
            pool[:] = [t for t in pool if not t.done() or self._holds_kernel(t)]

    def _holds_kernel(self, task: asyncio.Future[Any]) -> bool:
        """Whether a finished pool task started a kernel that still runs."""
        if task.cancelled() or task.exception() is not None:
            return False
        return task.result()["kernel_id"] in self._kernels

    def has_room_for_page(self, notebook: str) -> bool:
        """Whether a page of ``notebook`` gets a kernel now.

        Parameters
        ----------
        notebook : str
            The notebook's path relative to the served folder, as in the page's URL.

        Returns
        -------
        bool
            True when its pool holds a kernel (ready or starting) or when fewer than
            :attr:`max_kernels` kernels run.
        """
        self._drop_failed()
        if getattr(self, "_pools", {}).get(notebook):
            return True
        return self.kernel_count() < self.max_kernels

    # override: jupyter_server declares start_kernel as an attribute (= _async_start_kernel)
    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel unless :attr:`max_kernels` are running or starting.

        Raises
        ------
        KernelLimitReached
            At the cap (a page's start, or a pool refill, which Voila then drops).
        """
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        if self._stopping or self.kernel_count() >= self.max_kernels:
            raise KernelLimitReached(self.max_kernels)
        pooled = (kwargs.get("env") or {}).get(VOILA_PREHEAT_ENV) == "True"
        kernel_id = kernel_id or str(uuid.uuid4())
        self._starting.add(kernel_id)
        try:
            started = await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)
        if not pooled:  # a page's own kernel: its page comes next
            self._alone_since.setdefault(started, time.monotonic())
        return started

    def remove_kernel(self, kernel_id: str) -> Any:
        """Forget a kernel that ended (shut down, culled or died), and refill the pools."""
        removed = super().remove_kernel(kernel_id)
        self._starting.discard(kernel_id)
        for record in (self._page_of, self._alone_since, self._connected_at):
            record.pop(kernel_id, None)
        if not self._stopping:
            try:
                asyncio.get_running_loop().call_soon(self._refill_pools)
            except RuntimeError:  # no loop: the server is stopping
                pass
        return removed

    def _refill_pools(self) -> None:
        """Start the pre-heated kernels the pools miss (after Voila's ``fill_delay``)."""
        fill = getattr(self, "fill_if_needed", None)
        if fill is None or self._stopping:
            return
        self._drop_failed()
        for notebook in list(getattr(self, "_pools", {})):
            fill(notebook_name=notebook)

    # override: async, as AsyncMultiKernelManager's is; jupyter_client types the sync one
    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._stopping = True
        await super().shutdown_all(*args, **kwargs)

    # ---------------------------------------------------------------- pages
    def admit_page(self, kernel_id: str, session_id: str) -> bool:
        """Whether a websocket of session ``session_id`` may connect to ``kernel_id``: the
        first binds the kernel to its page; the same page may connect again (a reconnect),
        any other may not."""
        return self._page_of.setdefault(kernel_id, session_id) == session_id

    def refuse_page(self, kernel_id: str, client: str) -> None:
        """Log a refused second websocket at WARNING and tell the kernel (which audits it)."""
        self.log.warning(
            "Refused a second connection to a dashboard kernel (%s) from %s: a kernel "
            "serves only the page that opened it",
            kernel_id,
            client,
        )
        self._send_notice(kernel_id, {"event": CONNECTION_REFUSED, "client": client})

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._alone_since.pop(kernel_id, None)
        self._connected_at[kernel_id] = datetime.now(UTC)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if kernel_id in self and not self._kernel_connections.get(kernel_id):
            self._alone_since[kernel_id] = time.monotonic()

    # ---------------------------------------------------------------- culling
    def track_message_type(self, message_type: str) -> bool:
        """Whether a message (or a message answering one) of this type is a user's activity:
        jupyter_server's choice, without comm openings and closings. Those are the server's
        own notices (a refused connection must not keep a session alive) and the page's
        widget manager opening its control comm when it connects, which
        :meth:`notify_connect` counts; a widget's traffic is ``comm_msg``."""
        return message_type not in ("comm_open", "comm_close") and bool(
            super().track_message_type(message_type)
        )

    async def cull_kernels(self) -> None:
        """jupyter_server's periodic check (every ``cull_interval`` seconds); then the pools
        refilled if a refill was dropped at the cap and there is room again."""
        await super().cull_kernels()
        if self.kernel_count() < self.max_kernels:
            self._refill_pools()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Shut down a kernel handed to a page when no page has been connected to it for
        :attr:`connect_timeout` seconds, or when it has had no widget traffic for
        ``cull_idle_timeout`` seconds (telling the dashboard first). Kernels starting or
        waiting in a pool are left alone."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None or kernel_id in self._starting or kernel_id in self._pooled_ids():
            return
        now = time.monotonic()
        if getattr(kernel, "execution_state", None) == "dead":
            self.log.warning("Shutting down a dead dashboard kernel (%s)", kernel_id)
            await ensure_async(self.shutdown_kernel(kernel_id))
            return
        if not self._kernel_connections.get(kernel_id):  # (a pooled kernel: handed out now)
            alone = now - self._alone_since.setdefault(kernel_id, now)
            if alone > self.connect_timeout:
                self.log.warning(
                    "Shutting down a dashboard kernel (%s): no page connected for %d s",
                    kernel_id,
                    alone,
                )
                await ensure_async(self.shutdown_kernel(kernel_id))
            return
        # a kernel pre-heated long ago has had no traffic since, until its page came
        since = max(kernel.last_activity, self._connected_at.get(kernel_id, kernel.last_activity))
        idle = (datetime.now(UTC) - since).total_seconds()
        if idle > self.cull_idle_timeout:
            self.log.warning(
                "Shutting down a dashboard kernel (%s): no widget traffic for %d min",
                kernel_id,
                idle // 60,
            )
            await self._tell_kernel(
                kernel_id, {"event": SESSION_ENDED, "idle_min": self.cull_idle_timeout / 60}
            )
            await asyncio.sleep(NOTICE_FLUSH_S)
            if kernel_id in self:
                await ensure_async(self.shutdown_kernel(kernel_id))

    # ---------------------------------------------------------------- notices
    def _send_notice(self, kernel_id: str, data: dict[str, Any]) -> None:
        """:meth:`_tell_kernel` in the background."""
        task = asyncio.ensure_future(self._tell_kernel(kernel_id, data))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _tell_kernel(self, kernel_id: str, data: dict[str, Any]) -> bool:
        """Open a comm to :data:`NOTICE_TARGET` in the kernel with ``data``, wait until the
        kernel has handled it (its idle status) for up to :data:`NOTICE_TIMEOUT_S`, close it.

        Returns
        -------
        bool
            Whether the kernel reported it done within the time-out.
        """
        if kernel_id not in self:
            return False
        km = self.get_kernel(kernel_id)
        # jupyter_server's kernel managers make ZMQStreams (jupyter_client types them sockets)
        iopub = cast(ZMQStream, km.connect_iopub())
        shell = cast(ZMQStream, km.connect_shell())
        comm_id = uuid.uuid4().hex
        msg = km.session.msg(
            "comm_open", {"comm_id": comm_id, "target_name": NOTICE_TARGET, "data": data}
        )
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_iopub(parts: list[bytes]) -> None:
            _, frames = km.session.feed_identities(parts)
            reply = km.session.deserialize(frames)
            if (
                reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                and reply["msg_type"] == "status"
                and reply["content"].get("execution_state") == "idle"
                and not handled.done()
            ):
                handled.set_result(None)

        iopub.on_recv(on_iopub)
        try:
            await asyncio.sleep(0.1)  # let the new subscription reach the kernel first
            km.session.send(shell, msg)
            await asyncio.wait_for(handled, NOTICE_TIMEOUT_S)
            return True
        except TimeoutError:
            return False
        finally:
            # closed by its opener: the kernel forgets the comm without telling the page
            # (a comm_close from the kernel would reach the page, which never knew the comm)
            km.session.send(shell, "comm_close", {"comm_id": comm_id, "data": {}})
            shell.flush()
            iopub.close()
            shell.close(linger=1000)


class PageBoundConnection(ZMQChannelsWebsocketConnection):
    """A kernel websocket admitted only for the page its kernel is bound to
    (:meth:`PageKernelManager.admit_page`); any other gets HTTP 403 before it connects."""

    async def prepare(self) -> None:
        manager = self.multi_kernel_manager
        # jupyter_server checks the Origin only after this: a cross-site websocket must not
        # get as far as binding the kernel to itself
        if not self.websocket_handler.check_origin():
            raise web.HTTPError(403, "cross-origin websocket")
        if isinstance(manager, PageKernelManager) and not manager.admit_page(
            self.kernel_id, self.session.session
        ):
            manager.refuse_page(self.kernel_id, client_address(self.websocket_handler.request))
            raise web.HTTPError(403, "this kernel belongs to another page")
        await super().prepare()
