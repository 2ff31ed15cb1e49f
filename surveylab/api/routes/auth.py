"""``/auth``: login, refresh, logout and the caller's identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from surveylab.api.deps import SessionDep, SettingsDep, bearer, client_address
from surveylab.api.errors import problems
from surveylab.api.schemas import LoginIn, MeOut, RefreshIn, TokenOut
from surveylab.auth import TokenPair
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


def _tokens(pair: TokenPair) -> TokenOut:
    now = datetime.now(UTC)
    return TokenOut(
        access_token=pair.access,
        refresh_token=pair.refresh,
        expires_in=max(0, int((pair.access_expires_at - now).total_seconds())),
        refresh_expires_in=max(0, int((pair.refresh_expires_at - now).total_seconds())),
    )


@router.post("/login", response_model=TokenOut, responses=problems(401, 422, 429))
def login(body: LoginIn, request: Request, settings: SettingsDep) -> TokenOut:
    """Exchange a username and password for an access token and a refresh token.

    At most ``SURVEYLAB_API_LOGIN_PER_MINUTE`` attempts per client address and minute (429
    beyond); every failure answers the same 401.
    """
    address = client_address(request)
    request.app.state.login_limit.hit(address)
    pair = accounts.login(
        UnitOfWork(settings), body.username, body.password, client_address=address
    )
    return _tokens(pair)


@router.post("/refresh", response_model=TokenOut, responses=problems(401, 422))
def refresh(body: RefreshIn, settings: SettingsDep) -> TokenOut:
    """A new token pair for a refresh token; the refresh token given is refused from now on."""
    return _tokens(accounts.refresh(UnitOfWork(settings), body.refresh_token))


@router.post("/logout", status_code=204, responses=problems(401, 422))
def logout(
    body: RefreshIn,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    """Revoke the refresh token (and the bearer access token, when sent)."""
    access = credentials.credentials if credentials else None
    accounts.logout(UnitOfWork(settings), body.refresh_token, access)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, responses=problems(401))
def me(s: SessionDep) -> MeOut:
    """The caller: id, username and current role."""
    actor = s.actor
    return MeOut(id=actor.id, username=actor.username, role=actor.role)
