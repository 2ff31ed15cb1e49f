"""``surveylab users ...`` and ``surveylab login``: passwords are read from stdin, one line.

Every command acting as a user reads ``SURVEYLAB_TOKEN`` (or ``SURVEYLAB_TOKEN_FILE``) and fails
with ``error: not authenticated ...`` without one, or ``error: permission denied: ...`` when the
user's role may not do it. Passwords are never arguments (they would show in ``ps`` and in the
shell history), never echoed and never printed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from surveylab.auth import AuthenticationError
from surveylab.cli._common import (
    NOT_AUTHENTICATED,
    add_json,
    print_json,
    read_secret_line,
    session,
    table,
)
from surveylab.models import Role
from surveylab.models.records import UserRecord

if TYPE_CHECKING:
    from surveylab.repositories import UnitOfWork


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``users`` (bootstrap-admin, add, list, set-role, deactivate, passwd, unlock),
    ``login`` and ``logout``."""
    p = sub.add_parser("users", help="user administration (Admin)")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    b = us.add_parser("bootstrap-admin", help="create the first Admin (password from stdin)")
    b.add_argument("username")
    add_json(b)
    b.set_defaults(func=_bootstrap)

    a = us.add_parser("add", help="add a user (password from stdin; needs an Admin token)")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=[r.value for r in Role])
    add_json(a)
    a.set_defaults(func=_add)

    ls = us.add_parser("list", help="list users (Admin)")
    add_json(ls)
    ls.set_defaults(func=_list)

    sr = us.add_parser("set-role", help="change a user's role (Admin)")
    sr.add_argument("username")
    sr.add_argument("role", choices=[r.value for r in Role])
    add_json(sr)
    sr.set_defaults(func=_set_role)

    d = us.add_parser("deactivate", help="deactivate a user (tokens stop working at once)")
    d.add_argument("username")
    add_json(d)
    d.set_defaults(func=_deactivate)

    pw = us.add_parser(
        "passwd", help="change a password (new password from stdin; Admin for other users)"
    )
    pw.add_argument("username")
    add_json(pw)
    pw.set_defaults(func=_passwd)

    ul = us.add_parser("unlock", help="end a user's login lock-outs (Admin)")
    ul.add_argument("username")
    add_json(ul)
    ul.set_defaults(func=_unlock)

    lg = sub.add_parser("login", help="log in (password from stdin); prints the access token")
    lg.add_argument("username")
    add_json(lg)
    lg.set_defaults(func=_login)

    lo = sub.add_parser(
        "logout",
        help="end the login of SURVEYLAB_TOKEN (its refresh and access tokens stop working)",
    )
    add_json(lo)
    lo.set_defaults(func=_logout)


def _user_dict(u: UserRecord) -> dict[str, Any]:
    return {"id": str(u.id), "username": u.username, "role": str(u.role), "active": u.is_active}


def _uow() -> UnitOfWork:
    """A unit of work on the configured database (imported late: keeps ``--help`` fast)."""
    from surveylab.repositories import UnitOfWork

    return UnitOfWork()


def _bootstrap(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    user = accounts.bootstrap_admin(_uow(), args.username, read_secret_line())
    if args.json:
        print_json(_user_dict(user))
    else:
        print(f"created Admin {user.username}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from surveylab.services import accounts
    from surveylab.session import token_from_environment

    if not token_from_environment() and not accounts.has_admin(_uow()):
        raise AuthenticationError(
            "not authenticated: no Admin exists yet; create the first one with "
            "'surveylab users bootstrap-admin USERNAME'"
        )
    s = session()
    user = accounts.add_user(s.uow(), s.actor, args.username, read_secret_line(), args.role)
    if args.json:
        print_json(_user_dict(user))
    else:
        print(f"created {user.role} {user.username}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    s = session()
    rows = [_user_dict(u) for u in accounts.list_users(s.uow(), s.actor)]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["username", "role", "active"]))
    return 0


def _set_role(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    s = session()
    user = accounts.set_role(s.uow(), s.actor, args.username, args.role)
    if args.json:
        print_json(_user_dict(user))
    else:
        print(f"{user.username} is now {user.role}")
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    s = session()
    user = accounts.deactivate(s.uow(), s.actor, args.username)
    if args.json:
        print_json(_user_dict(user))
    else:
        print(f"{user.username} deactivated")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    s = session()
    accounts.change_password(s.uow(), s.actor, args.username, read_secret_line("new password"))
    if args.json:
        print_json({"username": args.username, "changed": True, "sessions_ended": True})
    else:
        print(f"password changed; every login of {args.username} has ended (log in again)")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    s = session()
    forgotten = accounts.unlock(s.uow(), s.actor, args.username)
    if args.json:
        print_json({"username": args.username, "failures_forgotten": forgotten})
    else:
        print(f"{args.username} unlocked ({forgotten} failed login(s) forgotten)")
    return 0


def _logout(args: argparse.Namespace) -> int:
    from surveylab.services import accounts
    from surveylab.session import token_from_environment

    token = token_from_environment()
    if not token:
        raise AuthenticationError(NOT_AUTHENTICATED)
    accounts.logout(_uow(), None, token)
    if args.json:
        print_json({"logged_out": True})
    else:
        print("logged out: the tokens of this login no longer work")
    return 0


def _login(args: argparse.Namespace) -> int:
    from surveylab.services import accounts

    pair = accounts.login(_uow(), args.username, read_secret_line(), client_address=accounts.LOCAL)
    if args.json:
        print_json(
            {
                "token_type": "Bearer",
                "access_token": pair.access,
                "refresh_token": pair.refresh,
                "access_expires_at": pair.access_expires_at,
                "refresh_expires_at": pair.refresh_expires_at,
            }
        )
    else:
        print(pair.access)
    return 0


__all__ = ["NOT_AUTHENTICATED", "register"]
