"""The dashboards' server settings: kernel limits and time-outs from the environment, and the
Voila configuration made of them (surveylab.server.voila_app)."""

from __future__ import annotations

import pytest

from surveylab.cli.serve import DASHBOARDS_DIR, voila_command
from surveylab.config import ConfigError, load_settings
from surveylab.server.voila_app import (
    POOL_SIZE,
    count_notebooks,
    cull_interval_s,
    pool_size,
    server_config,
)


def test_defaults():
    s = load_settings({})
    assert (s.kernel_connect_s, s.kernel_idle_min, s.max_kernels) == (60.0, 30.0, 16)


def test_values_and_decimals():
    s = load_settings(
        {
            "SURVEYLAB_KERNEL_CONNECT_S": "2.5",
            "SURVEYLAB_KERNEL_IDLE_MIN": "0.1",
            "SURVEYLAB_MAX_KERNELS": "3",
        }
    )
    assert (s.kernel_connect_s, s.kernel_idle_min, s.max_kernels) == (2.5, 0.1, 3)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SURVEYLAB_KERNEL_CONNECT_S", "0"),
        ("SURVEYLAB_KERNEL_CONNECT_S", "-5"),
        ("SURVEYLAB_KERNEL_CONNECT_S", "soon"),
        ("SURVEYLAB_KERNEL_IDLE_MIN", "nan"),
        ("SURVEYLAB_KERNEL_IDLE_MIN", "inf"),
        ("SURVEYLAB_MAX_KERNELS", "0"),
        ("SURVEYLAB_MAX_KERNELS", "2.5"),
    ],
)
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(ConfigError, match=name) as err:
        load_settings({name: value})
    assert repr(value) in str(err.value) or value in str(err.value)


@pytest.mark.parametrize(
    ("max_kernels", "notebooks", "pool"),
    [(16, 2, 2), (8, 2, 2), (7, 2, 1), (4, 2, 1), (3, 2, 0), (1, 2, 0), (16, 1, 2), (2, 1, 1),
     (16, 5, 1), (16, 0, 2), (100, 3, POOL_SIZE)],
)  # fmt: skip
def test_pools_take_at_most_half_of_the_cap(max_kernels, notebooks, pool):
    assert pool_size(max_kernels, notebooks) == pool
    assert pool * max(1, notebooks) <= max_kernels / 2


def test_the_checks_run_a_sixth_of_the_shorter_time_out_apart():
    assert cull_interval_s(load_settings({})) == 10
    short = load_settings({"SURVEYLAB_KERNEL_CONNECT_S": "90", "SURVEYLAB_KERNEL_IDLE_MIN": "0.5"})
    assert cull_interval_s(short) == 5
    assert cull_interval_s(load_settings({"SURVEYLAB_KERNEL_CONNECT_S": "1"})) == 1


def test_the_server_configuration_follows_the_settings():
    s = load_settings(
        {
            "SURVEYLAB_MAX_KERNELS": "5",
            "SURVEYLAB_KERNEL_CONNECT_S": "12",
            "SURVEYLAB_KERNEL_IDLE_MIN": "0.5",
        }
    )
    cfg = server_config(s)
    assert cfg["PageKernelManager"] == {
        "max_kernels": 5,
        "connect_timeout": 12.0,
        "cull_idle_timeout": 30,
        "cull_interval": 2,
    }
    assert cfg["Voila"]["ip"] == "127.0.0.1"
    assert cfg["Voila"]["kernel_websocket_connection_class"].endswith("PageBoundConnection")
    voila = cfg["VoilaConfiguration"]
    assert voila["multi_kernel_manager_class"].endswith("PageKernelManager")
    assert voila["preheat_kernel"] is True and voila["show_tracebacks"] is False
    # kernels talk over sockets in the server's private folder, not loopback TCP ports
    assert cfg["KernelManager"] == {"transport": "ipc"}
    # XSRF protection stays on: nothing turns it off
    assert "disable_check_xsrf" not in repr(cfg)


def test_serve_runs_the_guarded_server_on_the_packaged_dashboards():
    command = voila_command(9000)
    assert command[1:3] == ["-m", "surveylab.server"]
    assert str(DASHBOARDS_DIR) in command and "--port=9000" in command
    assert "disable_check_xsrf" not in " ".join(command)
    assert count_notebooks(DASHBOARDS_DIR) == 2
