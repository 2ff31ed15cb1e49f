"""The errors of :mod:`surveylab.auth`: one type per kind of refusal.

Messages are short and meant for the user. They never contain a password, a token or the signing
secret, and they are raised ``from None`` so no underlying exception (which might hold such a
value) travels with them.
"""

from __future__ import annotations


class AuthError(Exception):
    """Base class of every error raised by :mod:`surveylab.auth`."""


class AuthenticationError(AuthError):
    """Who is calling is unknown: no actor, or a token that was refused.

    Parameters
    ----------
    reason : str
        Short generic reason [text], e.g. ``"not authenticated"``, ``"token expired"``,
        ``"invalid token"``. Never the token itself.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermissionDenied(AuthError):
    """The actor is known but may not do this.

    ``str()`` reads ``"permission denied: <reason>"``, e.g.
    ``"permission denied: Viewer may not import surveys"``.

    Parameters
    ----------
    action : str
        What was attempted [text], e.g. ``"import surveys"``.
    reason : str
        Why it was refused [text], e.g. ``"Viewer may not import surveys"``.
    """

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"permission denied: {reason}")
        self.action = action
        self.reason = reason


class WeakPasswordError(AuthError, ValueError):
    """A new password was refused (too short, too long, empty). The message never holds it."""
