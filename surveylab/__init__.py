"""surveylab: a workbench for wellbore directional surveys.

Layers (imports only point down): the surfaces ``cli``, ``ui`` and ``reports``; ``session``;
``services``; ``repositories`` and ``db``; the pure ``parsers``, ``exporters``, ``calc``,
``auth``, ``units`` and ``models``. See Layout in the README.

:func:`connect` is the notebooks' entry point: it joins the session (below) to the login form
(of the dashboards' layer) without either knowing the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from surveylab._version import __version__

if TYPE_CHECKING:
    from surveylab.config import Settings
    from surveylab.remote import RemoteSession
    from surveylab.session import Session

__all__ = ["__version__", "connect"]


def connect(
    settings: Settings | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    show_login: bool = True,
    env: Mapping[str, str] | None = None,
) -> Session | RemoteSession:
    """Open a session: on this machine's database, or on a surveylab server (``url``).

    With ``url`` (or ``SURVEYLAB_URL`` in the environment), a :class:`surveylab.remote.
    RemoteSession` over the server's HTTP API: the same methods, records and errors, so a
    notebook runs unchanged against a central server. Otherwise a local session with
    ``token``, else ``SURVEYLAB_TOKEN`` (or the token file), else a login form.

    Imported lazily so that ``import surveylab`` stays light; the login form (ipywidgets) is
    imported only when it is shown.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; default :func:`surveylab.config.load_settings`.
    url : str, optional
        A surveylab server [text], e.g. ``"http://surveys.example.com:8867"``; default
        ``SURVEYLAB_URL``, else none (this machine's database).
    token : str, optional
        Access token [compact JWT text]; default ``SURVEYLAB_TOKEN`` (or the token file).
    show_login : bool, optional
        Without a token, display a login form (notebooks). Default True. With False the
        session returned is not logged in: its calls raise ``"not authenticated"``.
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.

    Returns
    -------
    Session or RemoteSession
        Authenticated when a token was found; otherwise (locally) it becomes usable once the
        login form is submitted.

    Raises
    ------
    AuthenticationError
        The token was refused (checked at once, not at the first call); for a server, also
        no token at all.
    """
    import os

    url = url or (os.environ if env is None else env).get("SURVEYLAB_URL") or None
    if url:
        from surveylab.remote import connect as connect_remote

        return connect_remote(url, token, env=env)
    from surveylab.session import Session
    from surveylab.session import connect as connect_session

    if token:
        session = Session(token, settings)
        session.actor  # noqa: B018 - fail now when the token is bad
        return session
    return connect_session(settings, env=env, login=_show_login_form if show_login else None)


def _show_login_form(session: Session) -> None:
    """Display a login form whose login ``session`` adopts (see :func:`connect`)."""
    from surveylab.ui.login import show_login_form

    show_login_form(session)
