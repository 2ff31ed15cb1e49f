"""The kernel manager's bookkeeping (surveylab.server.kernels) without kernel processes: the
cap, the pools it counts, pages bound to their kernel. A real server with real kernels is in
tests/browser/test_kernel_limits.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from surveylab.server.kernels import KernelLimitReached, PageKernelManager, client_address


class Request:
    def __init__(self, remote_ip: str, **headers: str) -> None:
        self.remote_ip, self.headers = remote_ip, headers


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``asyncio.run(scenario())`` in a thread of its own: in a session with the browser tests,
    Playwright's sync API keeps an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(scenario())).result()


def _manager(max_kernels: int = 3) -> PageKernelManager:
    return PageKernelManager(max_kernels=max_kernels)


def _busy(manager: PageKernelManager, n: int) -> None:
    """Pretend ``n`` kernels are starting."""
    manager._starting.update(str(uuid.uuid4()) for _ in range(n))


async def _pool(manager: PageKernelManager, *outcomes: str) -> list[asyncio.Task]:
    """Tasks as Voila's pools hold them: "ready" (a kernel the manager runs), "ended" (a
    kernel that has ended since), "failed" (a refill at the cap), "pending"."""

    async def ready():
        kernel_id = str(uuid.uuid4())
        manager._kernels[kernel_id] = object()
        return {"kernel_id": kernel_id}

    async def ended():
        return {"kernel_id": str(uuid.uuid4())}

    async def failed():
        raise KernelLimitReached(3)

    async def pending():
        await asyncio.sleep(3600)

    make = {"ready": ready, "ended": ended, "failed": failed, "pending": pending}
    tasks = [asyncio.ensure_future(make[o]()) for o in outcomes]
    await asyncio.sleep(0.01)
    return tasks


def test_a_page_binds_its_kernel_and_no_other_page_gets_in():
    m = _manager()
    assert m.admit_page("k1", "page-a")
    assert m.admit_page("k1", "page-a")  # the same page reconnecting
    assert not m.admit_page("k1", "page-b")
    assert m.admit_page("k2", "page-b")  # another kernel, another page


def test_at_the_cap_no_kernel_starts():
    async def scenario():
        m = _manager(max_kernels=2)
        _busy(m, 2)
        assert m.kernel_count() == 2
        with pytest.raises(KernelLimitReached) as err:
            await m.start_kernel(kernel_name="python3")
        assert err.value.status_code == 503
        assert m.kernel_count() == 2 and not m._kernels

    run(scenario)


def test_a_page_gets_a_kernel_from_its_pool_even_at_the_cap():
    async def scenario():
        m = _manager(max_kernels=3)
        m._pools = {
            "runs.ipynb": await _pool(m, "ready"),
            "upload.ipynb": await _pool(m, "failed", "ended"),
        }
        _busy(m, 2)
        assert m.kernel_count() == 3
        assert m.has_room_for_page("runs.ipynb")
        # a refill that failed at the cap, a kernel that ended: no kernel for a page
        assert not m.has_room_for_page("upload.ipynb")
        assert m._pools["upload.ipynb"] == []
        # below the cap a page without a pooled kernel starts its own
        m._starting.pop()
        assert m.has_room_for_page("upload.ipynb")
        assert m.has_room_for_page("not-pooled.ipynb")

    run(scenario)


def test_pooled_kernels_are_those_ready_in_a_pool():
    async def scenario():
        m = _manager()
        pool = await _pool(m, "ready", "pending", "failed", "ended")
        m._pools = {"runs.ipynb": pool}
        assert m._pooled_ids() == {pool[0].result()["kernel_id"]}
        m._drop_failed()
        assert pool == m._pools["runs.ipynb"] and len(pool) == 2
        pool[1].cancel()
        await asyncio.sleep(0)
        m._drop_failed()
        assert len(m._pools["runs.ipynb"]) == 1

    run(scenario)


def test_the_client_address_names_a_proxy_forward_only_from_a_local_peer():
    assert client_address(Request("203.0.113.9")) == "203.0.113.9"
    assert client_address(Request("203.0.113.9", **{"X-Forwarded-For": "1.2.3.4"})) == (
        "203.0.113.9"
    )
    assert client_address(Request("127.0.0.1", **{"X-Forwarded-For": " 198.51.100.7 "})) == (
        "127.0.0.1 (forwarded for 198.51.100.7)"
    )


def test_widget_traffic_is_activity_and_the_servers_notices_are_not():
    m = _manager()
    assert m.track_message_type("comm_msg")  # a widget's traffic
    assert m.track_message_type("execute_request")
    assert not m.track_message_type("comm_open")  # a notice, or the page's control comm
    assert not m.track_message_type("comm_close")
    assert not m.track_message_type("status") and not m.track_message_type("kernel_info_request")
