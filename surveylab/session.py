"""A session acting as one user: what notebooks, dashboards, reports and the CLI call.

Every method authenticates the token again (so a deactivated or demoted user loses rights at
once, and the session ends when the token expires) and then calls a service with a fresh unit of
work. The tokens are never shown: not in ``repr``, not in any exception message.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from surveylab import auth
from surveylab.auth import AuthenticationError
from surveylab.calc import default_vs_azimuth
from surveylab.calc.tables import with_vertical_section
from surveylab.config import Settings, load_settings
from surveylab.models import Actor, Role
from surveylab.models.records import (
    DefinitiveSurveyRecord,
    ReportRecord,
    RunRecord,
    StatusChangeRecord,
    SurveyRecord,
    UserRecord,
    WellboreRecord,
    WellRecord,
)
from surveylab.repositories import UnitOfWork
from surveylab.services import (
    accounts,
    approval,
    comparisons,
    dashboards,
    exports,
    field,
    reports,
    runs,
    surveys,
)
from surveylab.services import definitive as definitive_service
from surveylab.services import qc as qc_service
from surveylab.services import uncertainty as uncertainty_service
from surveylab.services import wellbores as wellbore_service
from surveylab.services.runs import NewRun


def token_from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The access token of a non-interactive caller (CLI, scheduled report, notebook).

    ``SURVEYLAB_TOKEN`` when set, else the content of the file named by ``SURVEYLAB_TOKEN_FILE``,
    which must be a regular file readable and writable by its owner only (mode 600 or 400).

    Parameters
    ----------
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.

    Returns
    -------
    str or None
        The token [compact JWT text], or None when neither variable is set.

    Raises
    ------
    AuthenticationError
        The token file is missing, not a regular file, empty, or readable by group or others.
        The message names the file and never holds its content.
    """
    env = os.environ if env is None else env
    token = (env.get("SURVEYLAB_TOKEN") or "").strip()
    if token:
        return token
    path = env.get("SURVEYLAB_TOKEN_FILE")
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        raise AuthenticationError(
            f"not authenticated: token file {p} (SURVEYLAB_TOKEN_FILE) does not exist"
        )
    info = p.stat()
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise AuthenticationError(
            f"not authenticated: token file {p} must be readable by its owner only "
            f"(mode {oct(mode)}; chmod 600)"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise AuthenticationError(
            f"not authenticated: token file {p} must be owned by the user running surveylab"
        )
    text = p.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        raise AuthenticationError(f"not authenticated: token file {p} is empty")
    return text


@dataclass
class SurveyView:
    """One survey revision of a run with its stations (a DataFrame, one row per station)."""

    run: RunRecord
    survey: SurveyRecord
    stations: pd.DataFrame

    @property
    def depth_unit(self) -> str:
        """Depth unit of the stations [``"m"``, ``"ft"`` or ``"usft"``]."""
        return str(self.survey.depth_unit)

    @property
    def vs_azimuth_stated(self) -> bool:
        """The survey states its vertical-section azimuth (else :attr:`vs_azimuth` is the
        default)."""
        return self.survey.vs_azimuth is not None

    @property
    def vs_azimuth(self) -> float:
        """Vertical-section azimuth [deg, the survey's north reference]: the survey's, else
        the closure direction of its last station (:func:`surveylab.calc.default_vs_azimuth`,
        as the reports and the CLI use)."""
        if self.survey.vs_azimuth is not None:
            return float(self.survey.vs_azimuth)
        return default_vs_azimuth(self.stations["north"], self.stations["east"])

    def stations_with_vs(self, vs_azimuth: float | None = None) -> pd.DataFrame:
        """The stations with the vertical section [depth unit] on every row, along
        ``vs_azimuth`` [deg] (default :attr:`vs_azimuth`) from the wellhead (N 0, E 0)."""
        azimuth = self.vs_azimuth if vs_azimuth is None else float(vs_azimuth)
        return with_vertical_section(self.stations, azimuth)


class Session:
    """The services, acting as the user whose access token this session holds.

    Parameters
    ----------
    token : str or None
        Access token [compact JWT text]; None for a session nobody has logged in to (every
        call then raises ``AuthenticationError("not authenticated")``).
    settings : Settings, optional
        Database and token configuration; default :func:`load_settings`.
    refresh_token : str, optional
        Refresh token of the same login [compact JWT text], for :meth:`refresh` and
        :meth:`logout`.
    """

    def __init__(
        self,
        token: str | None,
        settings: Settings | None = None,
        refresh_token: str | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.token = token
        self.refresh_token = refresh_token
        # (unit of work, actor) while a batch() is open
        self._batch: tuple[UnitOfWork, Actor] | None = None
        # the unit of work the login ran on, used again while its owner keeps it open
        self._login_uow: UnitOfWork | None = None

    def __repr__(self) -> str:  # never show a token
        state = "authenticated" if self.token else "not logged in"
        return f"<surveylab Session {state}>"

    __str__ = __repr__

    # ------------------------------------------------------------------ authentication
    @classmethod
    def login(
        cls,
        username: str,
        password: str,
        settings: Settings | None = None,
        *,
        uow: UnitOfWork | None = None,
        client_address: str | None = None,
    ) -> Session:
        """Log in with a username and password.

        Parameters
        ----------
        username : str
            The username [text, any case].
        password : str
            The password [text].
        settings : Settings, optional
            Configuration; default :func:`load_settings`.
        client_address : str, optional
            The client's IP address when the caller knows it [text]; failed logins are
            counted per username and address (see :func:`surveylab.services.accounts.login`).
        uow : UnitOfWork, optional
            A unit of work the caller has open (``with uow:``) to run the login on. While
            the caller keeps it open, the session's own calls use it too (one connection for
            a login and what is read right after it, as a dashboard's first page); once it is
            closed they open their own. Default: a unit of work of the login's own.
        client_address : str, optional
            The network address the login came from [text]; see
            :func:`surveylab.services.accounts.login`.

        Returns
        -------
        Session
            A session holding the access and refresh token of this login.

        Raises
        ------
        AuthenticationError
            ``"invalid username or password"`` for every kind of failure.
        """
        settings = settings or load_settings()
        pair = accounts.login(
            uow or UnitOfWork(settings), username, password, client_address=client_address
        )
        session = cls(pair.access, settings, refresh_token=pair.refresh)
        session._login_uow = uow
        return session

    @classmethod
    @contextmanager
    def login_kept_open(
        cls,
        username: str,
        password: str,
        settings: Settings | None = None,
        *,
        client_address: str | None = None,
    ) -> Iterator[Session]:
        """Log in on a connection kept open until the block ends, and lend it to the new
        session's calls meanwhile (see :meth:`login`, also for ``client_address``): one
        connection for a login and what is read right after it, as a dashboard's role check
        and first page.

        Raises
        ------
        AuthenticationError
            ``"invalid username or password"`` for every kind of failure, when the block
            is entered.
        """
        settings = settings or load_settings()
        with UnitOfWork(settings) as uow:
            yield cls.login(username, password, settings, uow=uow, client_address=client_address)

    def adopt(self, other: Session) -> None:
        """Take the tokens of ``other`` (a fresh login), e.g. into a session a notebook holds
        from :func:`connect` before its user logged in with a form."""
        self.token = other.token
        self.refresh_token = other.refresh_token

    def uow(self) -> UnitOfWork:
        """A unit of work on this session's database: the login's while its caller keeps it
        open (see :meth:`login`), otherwise a fresh one."""
        lent = self._login_uow
        if lent is not None and lent.is_open:
            return lent
        self._login_uow = None
        return UnitOfWork(self.settings)

    @property
    def is_authenticated(self) -> bool:
        """Whether the session holds a token (not whether it is still valid: see :attr:`actor`)."""
        return bool(self.token)

    def call(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Authenticate and run ``service(uow, actor, ...)`` on one unit of work (one
        connection: on DuckDB opening the file is the expensive part). Inside
        :meth:`batch`, on the batch's unit of work and actor."""
        if self._batch is not None:
            uow, actor = self._batch
            try:
                return service(uow, actor, *args, **kwargs)
            except BaseException:
                uow.rollback()  # nothing a failed call began stays open for the next one
                raise
        uow = self.uow()
        with uow:
            actor = accounts.authenticate(uow, self.token)
            return service(uow, actor, *args, **kwargs)

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """Several calls on one connection, authenticated once at the start.

        For a burst of calls made together (a dashboard filling its first page: wells, the
        run count and a page of runs), where one connection per call would cost a DuckDB file
        open each. Each service still commits its own writes; a failed call rolls back what
        it began. Nested batches share the outer one.

        Raises
        ------
        AuthenticationError
            As :attr:`actor`, when the batch opens.
        """
        if self._batch is not None:
            yield self
            return
        uow = self.uow()
        with uow:
            self._batch = (uow, accounts.authenticate(uow, self.token))
            try:
                yield self
            finally:
                self._batch = None

    @property
    def actor(self) -> Actor:
        """The acting user, authenticated again now (current role, active flag, expiry).

        Raises
        ------
        AuthenticationError
            No token, expired, revoked or invalid token, inactive or deleted user.
        """
        if self._batch is not None:
            return self._batch[1]
        return accounts.authenticate(self.uow(), self.token)

    @property
    def expires_at(self) -> datetime | None:
        """When the access token expires [timezone-aware UTC datetime]; None without a valid
        token. Checks the signature but not the database."""
        if not self.token:
            return None
        try:
            claims = auth.decode_token(
                accounts.token_config(self.settings), self.token, expected_type="access"
            )
        except AuthenticationError:
            return None
        return claims.exp

    def logout(self) -> None:
        """End this session's login (its refresh and access tokens stop working) and forget
        the tokens.

        The tokens are forgotten even when revoking fails (e.g. a forged refresh token).
        """
        refresh_token, access_token = self.refresh_token, self.token
        self.token = None
        self.refresh_token = None
        if refresh_token or access_token:
            accounts.logout(self.uow(), refresh_token, access_token)

    def refresh(self) -> None:
        """Exchange the refresh token for a new pair (the old refresh token is revoked).

        Raises
        ------
        AuthenticationError
            No refresh token, or it was refused.
        """
        if not self.refresh_token:
            raise AuthenticationError("not authenticated: no refresh token")
        pair = accounts.refresh(self.uow(), self.refresh_token)
        self.token, self.refresh_token = pair.access, pair.refresh

    # ------------------------------------------------------------------ users (Admin)
    def users(self) -> list[UserRecord]:
        """Every user (Admin only)."""
        return self.call(
            accounts.list_users,
        )

    def add_user(self, username: str, password: str, role: Role | str) -> UserRecord:
        """Create a user (Admin only); see :func:`surveylab.services.accounts.add_user`."""
        return self.call(accounts.add_user, username, password, role)

    def set_role(self, username: str, role: Role | str) -> UserRecord:
        """Change a user's role (Admin only)."""
        return self.call(accounts.set_role, username, role)

    def deactivate_user(self, username: str) -> UserRecord:
        """Deactivate a user (Admin only)."""
        return self.call(accounts.deactivate, username)

    def unlock_user(self, username: str) -> int:
        """End a user's login lock-outs (Admin only); returns the failures forgotten [count]."""
        return self.call(accounts.unlock, username)

    def change_password(self, new_password: str, username: str | None = None) -> None:
        """Change the own password, or (Admin) ``username``'s [text].

        The change ends every login of that user. For the own password this session then
        logs in again with the new one, so it goes on (every other login has ended).
        """
        actor = self.actor
        target = username or actor.username
        accounts.change_password(self.uow(), actor, target, new_password)
        if isinstance(target, str) and target.casefold() == actor.username.casefold():
            self.adopt(Session.login(actor.username, new_password, self.settings))

    # ------------------------------------------------------------------ wells and runs
    def wells(self) -> list[WellRecord]:
        """Every well."""
        return self.call(
            runs.list_wells,
        )

    def well(self, ref: str | uuid.UUID) -> WellRecord:
        """A well by name or id."""
        return self.call(runs.get_well, ref)

    def create_well(self, well_name: str, well_type: str = "Oil", **extra: Any) -> WellRecord:
        """Create a well (Admin, Engineer, Surveyor)."""
        return self.call(runs.create_well, well_name=well_name, well_type=well_type, **extra)

    def runs(self, *, mine: bool = False, **filters: Any) -> list[RunRecord]:
        """Runs, all or the user's own (``mine``), filtered."""
        return self.call(runs.list_runs, mine=mine, **filters)

    def runs_frame(self, *, mine: bool = False, **filters: Any) -> pd.DataFrame:
        """Runs as a table (one row per run, one query), sorted by run number."""
        return self.call(runs.list_runs_frame, mine=mine, **filters)

    def count_runs(self, **filters: Any) -> int:
        """Number of runs matching ``filters``."""
        return self.call(runs.count_runs, **filters)

    def run(self, ref: str | uuid.UUID) -> RunRecord:
        """One run by id, run number or run name."""
        return self.call(runs.get_run, ref)

    def create_run(
        self,
        run_number: str,
        run_name: str,
        run_type: str = "Unknown",
        well: str | uuid.UUID | None = None,
        wellbore: str | None = None,
    ) -> RunRecord:
        """Create a run owned by the acting user (Admin, Engineer, Surveyor), on ``well``'s
        wellbore ``wellbore`` (default the well's main wellbore)."""
        return self.call(
            runs.create_run,
            run_number=run_number,
            run_name=run_name,
            run_type=run_type,
            well=well,
            wellbore=wellbore,
        )

    def update_run(self, ref: str | uuid.UUID, **values: Any) -> RunRecord:
        """Change a run (its owner or an Admin)."""
        return self.call(runs.update_run, ref, **values)

    def delete_run(self, ref: str | uuid.UUID) -> None:
        """Delete a run (its owner or an Admin)."""
        self.call(runs.delete_run, ref)

    # ------------------------------------------------------------------ surveys
    def import_file(
        self,
        source: str | os.PathLike[str] | bytes,
        run: str | uuid.UUID | NewRun,
        *,
        name: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> surveys.ImportResult:
        """Import a survey file (a path or the bytes) into ``run`` as its next revision; a
        :class:`~surveylab.services.runs.NewRun` is created with it, or not at all."""
        if isinstance(source, bytes):
            content, file_name = source, name or "upload"
        else:
            content, file_name = Path(source).read_bytes(), name or Path(source).name
        what: dict[str, Any] = {
            "run": run,
            "content": content,
            "file_name": file_name,
            "overrides": overrides,
        }
        if self._batch is not None:  # the batch holds its connection anyway
            return self.call(surveys.import_survey, **what)
        # authenticated first, on its own: the import holds the database only to write
        actor = self.actor
        return surveys.import_survey(self.uow(), actor, **what)

    def import_files(
        self,
        paths: list[str | os.PathLike[str]],
        run: str | uuid.UUID,
        *,
        overrides: dict[str, Any] | None = None,
    ) -> list[surveys.ImportResult]:
        """Import several files into ``run``, in order, authenticated once (each file its own
        transaction, holding the database only while its rows are written: a refused file stops
        the batch and leaves the earlier imports stored)."""
        actor = self.actor
        return [
            surveys.import_survey(
                self.uow(),
                actor,
                run=run,
                content=Path(p).read_bytes(),
                file_name=Path(p).name,
                overrides=overrides,
            )
            for p in paths
        ]

    def import_field(
        self,
        source: str | os.PathLike[str],
        *,
        workers: int | None = None,
        progress: Callable[[field.FieldOutcome, int, int], None] | None = None,
    ) -> field.FieldSummary:
        """Import a whole field from a manifest or a folder (:func:`surveylab.services.field.
        import_field`): wells, wellbores and runs created as needed and owned by this user,
        files parsed and written one transaction each by ``workers`` writers taking
        different wells side by side; running it again continues where it stopped."""
        actor = self.actor
        return field.import_field(self.uow(), actor, source, workers=workers, progress=progress)

    def survey(self, run: str | uuid.UUID, revision: int | None = None) -> SurveyView:
        """A survey revision of ``run`` (default the current one) with its stations."""
        return SurveyView(*self.call(surveys.load_survey, run, revision))

    def history(self, run: str | uuid.UUID) -> list[SurveyRecord]:
        """Every survey revision of ``run``."""
        return self.call(surveys.history, run)

    def compare_revisions(self, run: str | uuid.UUID, rev_a: int, rev_b: int) -> pd.DataFrame:
        """Station differences between two revisions of ``run``."""
        return self.call(surveys.compare_revisions, run, rev_a, rev_b)

    def compare_runs(
        self, reference: str | uuid.UUID, other: str | uuid.UUID, *, step: float | None = None
    ) -> comparisons.RunDifferences:
        """The current survey of ``other`` against that of ``reference`` along MD, in the
        reference's depth unit; see :func:`surveylab.services.comparisons.compare_runs`."""
        return self.call(comparisons.compare_runs, reference, other, step=step)

    def export_survey(
        self,
        run: str | uuid.UUID,
        fmt: str,
        revision: int | None = None,
        *,
        vs_azimuth: float | None = None,
    ) -> tuple[str, bytes]:
        """(file name, bytes) of a survey revision of ``run`` (default the current one) in
        ``fmt`` (csv, xlsx, las, witsml, witsml20), with the computed positions and the
        vertical section along ``vs_azimuth`` [deg] (default: the survey's, else the closure
        direction of its last station); see :func:`surveylab.services.exports.export_survey`."""
        return self.call(exports.export_survey, run, fmt, revision, vs_azimuth=vs_azimuth)

    def file_content(self, file_id: uuid.UUID) -> bytes:
        """The bytes of an uploaded file, exactly as received."""
        return self.call(surveys.file_content, file_id)

    # ------------------------------------------------------------------ QC and approval
    def qc(self, run: str | uuid.UUID, revision: int | None = None) -> qc_service.QCView:
        """The stored QC of a revision (default the current one): ``.to_dict()`` is the
        ``surveylab qc --json`` document, ``.stations`` the per-station rows."""
        return self.call(qc_service.qc_view, run, revision)

    def run_qc(
        self,
        run: str | uuid.UUID,
        revision: int | None = None,
        *,
        reference: Mapping[str, float | None] | None = None,
        limits: Mapping[str, float] | None = None,
    ) -> qc_service.QCView:
        """Run QC on a revision again and store it (survey work): ``reference`` values set by
        the user (``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g`` [g]), tool ``limits``."""
        return self.call(qc_service.run_qc, run, revision, reference=reference, limits=limits)

    def combined_distance(
        self,
        run: str | uuid.UUID,
        other: str | uuid.UUID,
        *,
        revision: int | None = None,
        other_revision: int | None = None,
        sigma: float = 2.0,
    ) -> Any:
        """The run-against-run position tolerance from both runs' uncertainty, for
        :meth:`compare_runs_qc` (``max_distance``); see
        :func:`surveylab.services.uncertainty.combined_distance`."""
        return self.call(
            uncertainty_service.combined_distance,
            run,
            other,
            revision,
            other_revision,
            sigma=sigma,
        )

    def compare_runs_qc(
        self,
        run: str | uuid.UUID,
        other: str | uuid.UUID,
        *,
        revision: int | None = None,
        other_revision: int | None = None,
        step: float | None = None,
        max_distance: Any = qc_service.RUN_DISTANCE,
    ) -> qc_service.RunComparison:
        """Run against run along MD with pass or fail (angles: gyro tolerances; positions:
        ``max_distance``, default :data:`surveylab.services.qc.RUN_DISTANCE`), for
        ``surveylab compare-runs``; the dashboards' overlay uses :meth:`compare_runs`."""
        return self.call(
            qc_service.compare_runs,
            run,
            other,
            revision=revision,
            other_revision=other_revision,
            step=step,
            max_distance=max_distance,
        )

    def approve(
        self,
        run: str | uuid.UUID,
        *,
        note: str,
        revision: int | None = None,
        override_qc: bool = False,
    ) -> SurveyRecord:
        """Approve a revision (Engineer or Admin, not its importer); ``override_qc`` for one
        that failed QC."""
        return self.call(
            approval.approve, run, revision=revision, note=note, override_qc=override_qc
        )

    def status_history(
        self, run: str | uuid.UUID, revision: int | None = None
    ) -> list[StatusChangeRecord]:
        """Every status change of a revision (who, when, from, to, note), oldest first."""
        return self.call(approval.status_history, run, revision)

    # ------------------------------------------------------------------ wellbores
    def wellbores(self, well: str | uuid.UUID) -> list[WellboreRecord]:
        """A well's wellbores (main first, then sidetracks)."""
        return self.call(wellbore_service.list_wellbores, well)

    def wellbore(self, well: str | uuid.UUID, wellbore: str | None = None) -> WellboreRecord:
        """One wellbore (default the main one; ``well`` may be ``WELL/WELLBORE``)."""
        return self.call(wellbore_service.get_wellbore, well, wellbore)

    def create_wellbore(
        self,
        well: str | uuid.UUID,
        name: str,
        *,
        parent: str | None = None,
        kickoff_md: float | None = None,
        depth_unit: str | None = None,
    ) -> WellboreRecord:
        """Create a wellbore; a sidetrack with ``parent`` and ``kickoff_md`` [depth_unit]."""
        return self.call(
            wellbore_service.create_wellbore,
            well=well,
            name=name,
            parent=parent,
            kickoff_md=kickoff_md,
            depth_unit=depth_unit,
        )

    def compose_definitive(
        self,
        well: str | uuid.UUID,
        wellbore: str | None = None,
        *,
        intervals: list[definitive_service.IntervalSpec | str],
        note: str,
    ) -> definitive_service.DefinitiveView:
        """Compose the wellbore's next definitive survey from intervals of approved revisions
        (``"RUN:MD_FROM:MD_TO[:REVISION]"`` or :class:`IntervalSpec`)."""
        return self.call(
            definitive_service.compose_definitive, well, wellbore, intervals=intervals, note=note
        )

    def definitive(
        self, well: str | uuid.UUID, wellbore: str | None = None, *, version: int | None = None
    ) -> definitive_service.DefinitiveView:
        """A wellbore's definitive survey (current, or ``version``) with its stations and tool
        program; ``.to_dict()`` is the ``surveylab definitive show --json`` document."""
        return self.call(definitive_service.get_definitive, well, wellbore, version=version)

    def definitive_versions(
        self, well: str | uuid.UUID, wellbore: str | None = None
    ) -> list[DefinitiveSurveyRecord]:
        """Every version of a wellbore's definitive survey, oldest first."""
        return self.call(definitive_service.definitive_versions, well, wellbore)

    def export_definitive(
        self,
        well: str | uuid.UUID,
        wellbore: str | None = None,
        fmt: str = "csv",
        *,
        version: int | None = None,
    ) -> tuple[str, bytes]:
        """(file name, bytes) of a definitive survey exported, marked definitive."""
        return self.call(exports.export_definitive, well, wellbore, fmt, version=version)

    # ------------------------------------------------------------------ uncertainty
    def uncertainty(
        self,
        run: str | uuid.UUID,
        revision: int | None = None,
        *,
        model: str | None = None,
        reference: Mapping[str, float | None] | None = None,
    ) -> uncertainty_service.UncertaintyView:
        """Position uncertainty of a run's revision by the ISCWSA error model (the run's tool
        code unless ``model`` is given); ``.to_dict(sigma)`` is the ``surveylab uncertainty
        RUN --json`` document."""
        return self.call(
            uncertainty_service.run_uncertainty, run, revision, model=model, reference=reference
        )

    def definitive_uncertainty(
        self,
        well: str | uuid.UUID,
        wellbore: str | None = None,
        *,
        version: int | None = None,
        model: str | None = None,
        reference: Mapping[str, float | None] | None = None,
    ) -> uncertainty_service.UncertaintyView:
        """Position uncertainty of a wellbore's definitive survey (its tool program; a
        sidetrack carries its parent's covariance at the kick-off)."""
        return self.call(
            uncertainty_service.definitive_uncertainty,
            well,
            wellbore,
            version=version,
            model=model,
            reference=reference,
        )

    def clearance(
        self,
        run: str | uuid.UUID,
        *,
        offsets: list[str | uuid.UUID] | None = None,
        scope: str | None = None,
        **options: Any,
    ) -> uncertainty_service.ClearanceView:
        """Separation factors of a run against offset runs (named, or ``scope="well"`` / ``"all"``)
        by the ISCWSA rule; ``.to_dict()`` is the ``surveylab clearance RUN --json`` document.
        ``options``: ``revision``, ``model``, ``reference``, ``rule``, ``reference_radius_m``,
        ``offset_radius_m``."""
        return self.call(
            uncertainty_service.run_clearance, run, offsets=offsets, scope=scope, **options
        )

    def set_tool_code(self, run: str | uuid.UUID, code: str | None) -> RunRecord:
        """Set (None: clear) the OWSG tool code of a run (its owner or an Admin)."""
        return self.call(uncertainty_service.set_tool_code, run, code)

    # ------------------------------------------------------------------ reports
    def reports(self, run_id: uuid.UUID | None = None) -> list[ReportRecord]:
        """Rendered reports, all or of one run."""
        return self.call(reports.list_reports, run_id)

    # ------------------------------------------------------------------ dashboards
    def record_refused_connection(self, client: str) -> None:
        """Audit that the dashboards' server refused a second connection to this session's
        dashboard kernel, from ``client`` [address, as the server saw it]."""
        self.call(dashboards.record_refused_connection, client=client)


def connect(
    settings: Settings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    login: Callable[[Session], None] | None = None,
) -> Session:
    """Open a session: ``SURVEYLAB_TOKEN`` (or token file) when set, else one not logged in.

    The notebooks call :func:`surveylab.connect`, which passes the login form as ``login``.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; default :func:`load_settings`.
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.
    login : callable, optional
        Without a token, called with the session returned, which is not logged in yet: it
        offers a way to log in (a form) that puts the tokens of a login into that session
        (:meth:`Session.adopt`). Default: nothing, the session's calls raise
        ``"not authenticated"``.

    Returns
    -------
    Session
        Authenticated when a token was found; otherwise not logged in until ``login`` logs it
        in.

    Raises
    ------
    AuthenticationError
        The token from the environment was refused (checked at once, not at the first call).
    """
    settings = settings or load_settings()
    token = token_from_environment(env)
    if token:
        session = Session(token, settings)
        session.actor  # noqa: B018 - fail now, not at the first call, when the token is bad
        return session
    session = Session(None, settings)
    if login is not None:
        login(session)
    return session


def warm_up_connection(settings: Settings) -> None:
    """Pay a process's first-connection costs before anyone logs in: the engine, the database
    driver and the user look-up's compiled SQL (about 0.3 s of a first login).

    Looks up a username that cannot exist (usernames are never empty): reads nothing, writes
    nothing, records no login attempt.

    Raises
    ------
    Exception
        Whatever the database raises when it cannot be reached (the caller decides).
    """
    with UnitOfWork(settings) as uow:
        uow.users.by_username("")
