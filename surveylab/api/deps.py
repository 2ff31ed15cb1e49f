"""What the handlers receive: the configuration, and the session of the request's bearer token.

The session authenticates the token again at each service call (its role and active flag are
read from the database every time, so a demoted or deactivated user loses rights at once).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from surveylab.api.errors import NO_TOKEN
from surveylab.auth import AuthenticationError
from surveylab.config import Settings
from surveylab.session import Session

bearer = HTTPBearer(
    auto_error=False,
    description="The access token of POST /api/v1/auth/login: `Authorization: Bearer <token>`",
)


# the dependencies are coroutines: they do no I/O, and a plain function would cost a hop to
# the thread pool each, per request


async def settings_of(request: Request) -> Settings:
    """The configuration the application was made with."""
    settings: Settings = request.app.state.settings
    return settings


async def token_of(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token of the request.

    Raises
    ------
    AuthenticationError
        No ``Authorization: Bearer`` header.
    """
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(NO_TOKEN)
    return credentials.credentials


async def session_of(request: Request, token: Annotated[str, Depends(token_of)]) -> Session:
    """A session acting as the token's user (checked at its first call)."""
    return Session(token, request.app.state.settings)


def client_address(request: Request) -> str:
    """The client's network address [text] ("unknown" when the server does not know it)."""
    return request.client.host if request.client else "unknown"


SessionDep = Annotated[Session, Depends(session_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
