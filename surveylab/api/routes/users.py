"""``/users``: user administration (Admin); a user may change their own password."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Response

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.schemas import UserIn, UserOut, UserPatch, user_out

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserOut], responses=problems(401, 403))
def list_users(s: SessionDep) -> Any:
    """Every user, active or not (Admin)."""
    return [user_out(u) for u in s.users()]


@router.post("", status_code=201, response_model=UserOut, responses=problems(401, 403, 409, 422))
def add_user(body: UserIn, s: SessionDep, response: Response) -> Any:
    """Create a user (Admin)."""
    user = s.add_user(body.username, body.password, body.role)
    response.headers["Location"] = f"/api/v1/users/{quote(user.username, safe='')}"
    return user_out(user)


@router.patch("/{name}", status_code=204, responses=problems(401, 403, 404, 422))
def change_user(body: UserPatch, s: SessionDep, name: str = Path(max_length=1024)) -> Response:
    """Change a user's role or deactivate them (Admin), or set a password (Admin, or the user
    themself)."""
    with s.batch():
        if body.role is not None:
            s.set_role(name, body.role)
        if body.is_active is False:
            s.deactivate_user(name)
    if body.password is not None:
        s.change_password(body.password, username=name)
    return Response(status_code=204)
