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
    from surveylab.session import Session

__all__ = ["__version__", "connect"]


def connect(
    settings: Settings | None = None,
    *,
    show_login: bool = True,
    env: Mapping[str, str] | None = None,
) -> Session:
    """Open a session: ``SURVEYLAB_TOKEN`` (or the token file) when set, else a login form.

    Imported lazily so that ``import surveylab`` stays light; the login form (ipywidgets) is
    imported only when it is shown.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; default :func:`surveylab.config.load_settings`.
    show_login : bool, optional
        Without a token, display a login form (notebooks). Default True. With False the
        session returned is not logged in: its calls raise ``"not authenticated"``.
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.

    Returns
    -------
    Session
        Authenticated when a token was found; otherwise it becomes usable once the login form
        is submitted.

    Raises
    ------
    AuthenticationError
        The token from the environment was refused (checked at once, not at the first call).
    """
    from surveylab.session import connect as connect_session

    return connect_session(settings, env=env, login=_show_login_form if show_login else None)


def _show_login_form(session: Session) -> None:
    """Display a login form whose login ``session`` adopts (see :func:`connect`)."""
    from surveylab.ui.login import show_login_form

    show_login_form(session)
