"""Serve the HTTP API with uvicorn."""

from __future__ import annotations

from surveylab.api.app import PREFIX, create_app
from surveylab.config import Settings, load_settings


def base_url(host: str, port: int) -> str:
    """The API's base URL [text], e.g. ``http://127.0.0.1:8867/api/v1``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{PREFIX}"


def uvicorn_config(settings: Settings, host: str, port: int) -> object:
    """The uvicorn configuration: the application, no server header, proxies' forwarded
    addresses trusted only from ``SURVEYLAB_FORWARDED_ALLOW_IPS``."""
    import uvicorn

    forwarded = list(settings.forwarded_allow_ips)
    return uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        proxy_headers=bool(forwarded),
        forwarded_allow_ips=forwarded or None,
        server_header=False,
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
    )


def run(settings: Settings | None = None, host: str = "127.0.0.1", port: int | None = None) -> None:
    """Serve the API until interrupted (blocks).

    Parameters
    ----------
    settings : Settings, optional
        Configuration; default :func:`surveylab.config.load_settings`.
    host : str, optional
        Address to listen on; default 127.0.0.1 (this machine only).
    port : int, optional
        Port; default ``SURVEYLAB_API_PORT`` (8867).
    """
    import uvicorn

    settings = settings or load_settings()
    config = uvicorn_config(settings, host, port or settings.api_port)
    assert isinstance(config, uvicorn.Config)
    uvicorn.Server(config).run()
