"""The Host allow-list (surveylab.server.hosts): exact cases, generated names and ports, and
the configuration it is read from."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from surveylab.config import ConfigError, load_settings
from surveylab.server.hosts import (
    AllowedHost,
    allowed_hosts,
    host_allowed,
    parse_allowed_hosts,
    split_host,
)

DASH = parse_allowed_hosts(["dash.example.com", "proxy.example.com:8443", "10.0.0.5"])


@pytest.mark.parametrize(
    "header",
    [
        "127.0.0.1",
        "127.0.0.1:8866",
        "127.1.2.3:80",
        "localhost",
        "LOCALHOST:8866",
        "localhost.:8866",
        "[::1]",
        "[::1]:8866",
        "::1",
        "dash.example.com",
        "dash.example.com:8866",
        "Dash.Example.COM.:443",
        "proxy.example.com:8443",
        "10.0.0.5:8866",
    ],
)
def test_local_and_configured_hosts_are_allowed(header):
    assert host_allowed(header, DASH)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "evil.example",
        "evil.example:8866",
        "127.0.0.1.evil.example",
        "localhost.evil.example:8866",
        "dash.example.com.evil.example",
        "evil-dash.example.com",
        "0.0.0.0:8866",  # every interface, not a loopback name
        "10.0.0.6",
        "[::2]:8866",
        "proxy.example.com",  # no port: 80 or 443, not 8443
        "proxy.example.com:443",
        "localhost:99999",
        "localhost:abc",
        "local host",
        "127.0.0.1:8866:1",
        "[::1",
        "user@127.0.0.1",
    ],
)
def test_other_hosts_and_malformed_headers_are_refused(header):
    assert not host_allowed(header, DASH)


def test_an_entry_on_a_default_port_matches_a_header_without_port():
    https = parse_allowed_hosts(["dash.example.com:443"])
    assert host_allowed("dash.example.com", https)
    assert host_allowed("dash.example.com:443", https)
    assert not host_allowed("dash.example.com:8866", https)


def test_nothing_but_the_local_names_without_configuration():
    assert host_allowed("localhost:1")
    assert not host_allowed("dash.example.com")


@pytest.mark.parametrize(
    "entry",
    ["*", "*.example.com", "http://dash.example.com", "dash.example.com:0",
     "dash.example.com:99999", "dash example.com", "dash.example.com/", "-dash.example.com",
     "a" * 64 + ".example.com", "[::g]:80", "dash.example.com:443:1"],
)  # fmt: skip
def test_a_bad_entry_is_a_configuration_error_naming_the_variable(entry):
    with pytest.raises(ConfigError, match="SURVEYLAB_ALLOWED_HOSTS") as err:
        parse_allowed_hosts([entry])
    assert repr(entry) in str(err.value)


def test_the_settings_carry_the_names_and_the_allow_list_parses_them():
    settings = load_settings({"SURVEYLAB_ALLOWED_HOSTS": " dash.example.com , B.example:8443,, "})
    assert settings.allowed_hosts == ("dash.example.com", "B.example:8443")
    assert allowed_hosts(settings) == (
        AllowedHost("dash.example.com", None),
        AllowedHost("b.example", 8443),
    )
    assert load_settings({}).allowed_hosts == ()
    with pytest.raises(ConfigError, match="SURVEYLAB_ALLOWED_HOSTS"):
        allowed_hosts(load_settings({"SURVEYLAB_ALLOWED_HOSTS": "*"}))


# ----------------------------------------------------------------------------- generated
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
names = st.lists(labels, min_size=2, max_size=4).map(".".join)
ports = st.integers(1, 65535)


def _case(name: str, flips: list[bool]) -> str:
    flips = (flips + [False] * len(name))[: len(name)]
    return "".join(c.upper() if f else c for c, f in zip(name, flips, strict=True))


@given(name=names, port=ports, flips=st.lists(st.booleans(), max_size=60))
def test_a_configured_name_is_allowed_on_any_port_and_in_any_case(name, port, flips):
    allowed = parse_allowed_hosts([name])
    assert host_allowed(f"{_case(name, flips)}:{port}", allowed)
    assert host_allowed(_case(name, flips), allowed)


@given(name=names, other=names, port=ports)
def test_a_name_not_configured_is_refused(name, other, port):
    assume(name != other and name != "localhost")
    allowed = parse_allowed_hosts([other])
    assert not host_allowed(f"{name}:{port}", allowed)
    assert not host_allowed(f"{name}.{other}:{port}", allowed)  # a name under ours is not ours
    assert not host_allowed(f"{other}.{name}:{port}", allowed)  # nor one that ends with it


@given(name=names, entry_port=ports, port=ports)
def test_an_entry_with_a_port_allows_that_port_only(name, entry_port, port):
    allowed = parse_allowed_hosts([f"{name}:{entry_port}"])
    assert host_allowed(f"{name}:{port}", allowed) == (port == entry_port)
    assert host_allowed(name, allowed) == (entry_port in (80, 443))


@given(address=st.integers(0, 2**32 - 1), port=ports)
def test_ipv4_addresses_are_allowed_when_loopback_or_configured(address, port):
    ip = ipaddress.IPv4Address(address)
    assert host_allowed(f"{ip}:{port}") == ip.is_loopback
    assert host_allowed(f"{ip}:{port}", parse_allowed_hosts([str(ip)]))


@given(address=st.integers(0, 2**128 - 1), port=ports)
def test_ipv6_addresses_are_allowed_when_loopback_or_configured(address, port):
    ip = ipaddress.IPv6Address(address)
    assert host_allowed(f"[{ip}]:{port}") == ip.is_loopback
    assert host_allowed(f"[{ip.exploded}]", parse_allowed_hosts([str(ip)]))


@given(text=st.text(max_size=40))
def test_any_text_splits_into_a_normalised_host_or_nothing(text):
    parts = split_host(text)
    if parts is not None:
        name, port = parts
        assert name == name.lower() and not name.endswith(".")
        assert port is None or 1 <= port <= 65535
        if port is not None:  # written back, it reads the same
            name = f"[{name}]" if ":" in name else name
            assert split_host(f"{name}:{port}") == parts
        else:
            assert split_host(name) == parts
