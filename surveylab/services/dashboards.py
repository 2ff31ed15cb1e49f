"""What a dashboard records about its own session: refusals made on its behalf by the
dashboards' server (:mod:`surveylab.server.kernels`)."""

from __future__ import annotations

from surveylab.auth import Permission
from surveylab.models import Actor
from surveylab.repositories import UnitOfWork
from surveylab.services.common import guard

#: The audit action of a refused connection to a user's dashboard kernel.
REFUSED_CONNECTION = "connect to dashboard kernel"


def record_refused_connection(uow: UnitOfWork, actor: Actor | None, *, client: str) -> None:
    """Write to the audit log that a second connection to ``actor``'s dashboard kernel was
    refused.

    The event names no actor (whoever tried is unknown); its target is the user whose
    dashboard it was, and its detail the client's address as the server saw it.

    Parameters
    ----------
    uow : UnitOfWork
    actor : Actor or None
        The user logged in to the dashboard whose kernel was asked.
    client : str
        The refused client's address [text, as the server logged it].

    Raises
    ------
    AuthenticationError
        ``actor`` is None (audited as a refusal).
    """
    with uow:
        user = guard(uow, actor, Permission.READ, action="read dashboard session")
        uow.audit.add(
            actor_id=None,
            actor_name=None,
            action=REFUSED_CONNECTION,
            outcome="denied",
            target_type="user",
            target_id=str(user.id),
            detail=(
                f"a second connection to the dashboard of {user.username} from "
                f"{client[:300]} was refused (a dashboard kernel serves only the page that "
                "opened it)"
            ),
        )
        uow.commit()
