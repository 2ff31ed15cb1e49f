"""The session over HTTP: :class:`RemoteSession` offers the methods of
:class:`surveylab.session.Session` that notebooks and scripts call, answered by a surveylab
server's HTTP API (``/api/v1``), so the same notebook runs against a central server.

It returns the same records (:mod:`surveylab.models.records`), the same :class:`SurveyView`
with its stations as a DataFrame, and raises the same errors (``AuthenticationError`` for a
401, ``PermissionDenied`` for a 403, ``NotFound``, ``Conflict``, ``SurveyFileError`` naming the
file, line and field, ``ServiceError`` for any other refusal). The token is never shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import numpy as np
import pandas as pd

from surveylab.auth import AuthenticationError, PermissionDenied, WeakPasswordError
from surveylab.models import Actor, DepthUnit, Finding, NorthReference, Role
from surveylab.models.records import RunRecord, SurveyRecord, UserRecord, WellRecord
from surveylab.models.survey import SurveyHeader
from surveylab.parsers import SurveyFileError
from surveylab.services import Conflict, NotFound, ServiceError
from surveylab.services.surveys import ImportResult
from surveylab.session import SurveyView

PREFIX = "/api/v1"
#: Stored station columns, in the order a local session's stations have them.
STATION_COLUMNS = (
    "md",
    "inc",
    "azi",
    "tvd",
    "north",
    "east",
    "dogleg",
    "dls",
    "build_rate",
    "turn_rate",
    "toolface",
    "vs",
)
#: Largest page the API gives.
PAGE = 500


def api_url(url: str) -> str:
    """The API's base URL of a server URL (``http://host:port`` -> ``.../api/v1``)."""
    url = url.rstrip("/")
    return url if url.endswith(PREFIX) else url + PREFIX


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _run(d: dict[str, Any]) -> RunRecord:
    created, updated = _time(d["created_at"]), _time(d["updated_at"])
    assert created is not None and updated is not None
    return RunRecord(
        id=uuid.UUID(d["id"]),
        run_number=d["run_number"],
        run_name=d["run_name"],
        run_type=d["run_type"],
        well_id=_uuid(d["well_id"]),
        well_name=d["well"],
        user_id=uuid.UUID(d["owner_id"]),
        owner_name=d["owner"],
        current_survey_id=_uuid(d["current_survey_id"]),
        current_revision=d["revision"],
        worst_severity=d["worst_severity"],
        station_count=d["station_count"],
        survey_changed_at=_time(d["survey_changed_at"]),
        created_at=created,
        updated_at=updated,
        wellbore_id=_uuid(d.get("wellbore_id")),
        wellbore_name=d.get("wellbore"),
        current_status=d.get("status"),
        tool_code=d.get("tool_code"),
    )


def _well(d: dict[str, Any]) -> WellRecord:
    return WellRecord(
        id=uuid.UUID(d["id"]),
        well_name=d["well_name"],
        well_type=d["well_type"],
        crs=d["crs"],
        surface_x=d["surface_x"],
        surface_y=d["surface_y"],
        depth_datum=d["depth_datum"],
        datum_elevation=d["datum_elevation"],
        elevation_unit=d["elevation_unit"],
        created_by=_uuid(d.get("created_by")),
        created_at=_time(d["created_at"]),
        updated_at=_time(d["updated_at"]),
    )


def _survey(d: dict[str, Any]) -> SurveyRecord:
    imported = _time(d["imported_at"])
    assert imported is not None
    return SurveyRecord(
        id=uuid.UUID(d["id"]),
        run_id=uuid.UUID(d["run_id"]),
        file_id=uuid.UUID(d["file_id"]),
        revision=int(d["revision"]),
        depth_unit=DepthUnit(d["depth_unit"]),
        azimuth_reference=NorthReference(d["azimuth_reference"]),
        method=d["method"],
        dls_course_length=float(d["dls_course_length"]),
        vs_azimuth=d["vs_azimuth"],
        station_count=int(d["station_count"]),
        worst_severity=d["worst_severity"],
        header=SurveyHeader.from_dict(d["header"]),
        findings=[Finding.from_dict(f) for f in d["findings"]],
        assumptions=list(d["assumptions"]),
        imported_by=_uuid(d["imported_by"]),
        imported_by_name=d["imported_by_name"],
        imported_at=imported,
        file_name=d["file_name"],
        sha256=d["sha256"],
        detected_format=d["format"],
        status=d.get("status", "draft"),
        status_changed_at=_time(d.get("status_changed_at")),
        status_changed_by_name=d.get("status_changed_by_name"),
        status_note=d.get("status_note"),
        qc=d.get("qc"),
    )


def _user(d: dict[str, Any]) -> UserRecord:
    created = _time(d["created_at"])
    assert created is not None
    return UserRecord(
        id=uuid.UUID(d["id"]),
        username=d["username"],
        role=Role(d["role"]),
        is_active=bool(d["is_active"]),
        password_hash="",  # never sent by the server
        created_at=created,
    )


def _import(d: dict[str, Any]) -> ImportResult:
    return ImportResult(
        run=_run(d["run"]),
        survey=_survey(d["survey"]),
        duplicate=bool(d["duplicate"]),
        findings=[Finding.from_dict(f) for f in d["findings"]],
    )


def _stations(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A station table with the columns and types of a local session's."""
    data: dict[str, Any] = {
        c: np.array([np.nan if r.get(c) is None else r[c] for r in rows], dtype=float)
        for c in STATION_COLUMNS
    }
    for flag in ("projected", "used"):
        data[flag] = np.array([bool(r.get(flag, flag == "used")) for r in rows], dtype=bool)
    return pd.DataFrame(data)


def _error(response: httpx.Response) -> Exception:
    """The error a local session would raise for this refusal."""
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = str(problem.get("detail") or f"HTTP {response.status_code}")
    status = response.status_code
    if status == 401:
        return AuthenticationError(detail)
    if status == 403:
        return PermissionDenied("", detail.removeprefix("permission denied: "))
    if status == 404:
        return NotFound(detail)
    if status == 409:
        return Conflict(detail)
    if status == 422 and problem.get("type", "").endswith(":survey-file-refused"):
        reason = str(problem.get("reason") or detail)
        return SurveyFileError(
            str(problem.get("file") or ""),
            reason,
            line=problem.get("line"),
            field=problem.get("field"),
            element=problem.get("element"),
        )
    if status == 422 and problem.get("type", "").endswith(":password-refused"):
        return WeakPasswordError(detail)
    return ServiceError(f"{detail} (HTTP {status})" if status >= 500 else detail)


class RemoteSession:
    """The services of a surveylab server, acting as the user whose access token this holds.

    Parameters
    ----------
    url : str
        The server [text], e.g. ``"http://surveys.example.com:8867"`` (``/api/v1`` is added).
    token : str or None
        Access token [compact JWT text].
    refresh_token : str, optional
        Refresh token of the same login, for :meth:`refresh` and :meth:`logout`.
    timeout : float, optional
        Seconds to wait for an answer [s]; default 120 (an import of a large file).
    transport : httpx.BaseTransport, optional
        For tests: the transport under the HTTP client.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        refresh_token: str | None = None,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = api_url(url)
        self.token = token
        self.refresh_token = refresh_token
        self._client = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def __repr__(self) -> str:  # never show a token
        state = "authenticated" if self.token else "not logged in"
        return f"<surveylab RemoteSession {self.url} {state}>"

    __str__ = __repr__

    def close(self) -> None:
        """Close the connections to the server."""
        self._client.close()

    def __enter__(self) -> RemoteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ transport
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceError(f"cannot reach {self.url}: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return self._request("GET", path, params=clean).json()

    # ------------------------------------------------------------------------ authentication
    @classmethod
    def login(cls, url: str, username: str, password: str, **kwargs: Any) -> RemoteSession:
        """Log in to the server with a username and password.

        Raises
        ------
        AuthenticationError
            ``"invalid username or password"`` for every kind of failure.
        """
        session = cls(url, None, **kwargs)
        try:
            pair = session._request(
                "POST", "/auth/login", json={"username": username, "password": password}
            ).json()
        except BaseException:
            session.close()
            raise
        session.token, session.refresh_token = pair["access_token"], pair["refresh_token"]
        return session

    @property
    def is_authenticated(self) -> bool:
        """Whether the session holds a token (not whether it is still valid)."""
        return bool(self.token)

    @property
    def actor(self) -> Actor:
        """The acting user, as the server authenticates the token now."""
        if not self.token:
            raise AuthenticationError("not authenticated")
        me = self._get("/auth/me")
        return Actor(id=uuid.UUID(me["id"]), username=me["username"], role=Role(me["role"]))

    @property
    def expires_at(self) -> datetime | None:
        """When the access token expires [UTC], as it says (the server checks it)."""
        if not self.token:
            return None
        try:
            claims = jwt.decode(self.token, options={"verify_signature": False})
            return datetime.fromtimestamp(int(claims["exp"]), UTC)
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            return None

    def refresh(self) -> None:
        """Exchange the refresh token for a new pair."""
        if not self.refresh_token:
            raise AuthenticationError("not authenticated: no refresh token")
        pair = self._request(
            "POST", "/auth/refresh", json={"refresh_token": self.refresh_token}
        ).json()
        self.token, self.refresh_token = pair["access_token"], pair["refresh_token"]

    def logout(self) -> None:
        """Revoke this session's tokens and forget them."""
        refresh_token = self.refresh_token
        try:
            if refresh_token:
                self._request("POST", "/auth/logout", json={"refresh_token": refresh_token})
        finally:
            self.token = self.refresh_token = None

    @contextmanager
    def batch(self) -> Iterator[RemoteSession]:
        """Several calls together (here: on the HTTP client's kept-alive connection)."""
        yield self

    def call(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Refused: service functions run on the server; use this session's methods."""
        name = getattr(service, "__name__", repr(service))
        raise TypeError(
            f"a remote session cannot run {name} in this process: use its methods "
            "(runs, survey, import_file, ...)"
        )

    # ------------------------------------------------------------------------- users (Admin)
    def users(self) -> list[UserRecord]:
        """Every user (Admin only)."""
        return [_user(u) for u in self._get("/users")]

    def add_user(self, username: str, password: str, role: Role | str) -> UserRecord:
        """Create a user (Admin only)."""
        body = {"username": username, "password": password, "role": str(Role(role))}
        return _user(self._request("POST", "/users", json=body).json())

    def _patch_user(self, username: str, **body: Any) -> None:
        self._request("PATCH", f"/users/{username}", json=body)

    def set_role(self, username: str, role: Role | str) -> UserRecord:
        """Change a user's role (Admin only)."""
        self._patch_user(username, role=str(Role(role)))
        return self._user_named(username)

    def deactivate_user(self, username: str) -> UserRecord:
        """Deactivate a user (Admin only)."""
        self._patch_user(username, is_active=False)
        return self._user_named(username)

    def _user_named(self, username: str) -> UserRecord:
        key = username.casefold()
        for u in self.users():
            if u.username.casefold() == key:
                return u
        raise NotFound(f"unknown user {username!r}")

    def change_password(self, new_password: str, username: str | None = None) -> None:
        """Change the own password, or (Admin) ``username``'s."""
        self._patch_user(username or self.actor.username, password=new_password)

    # ------------------------------------------------------------------------ wells and runs
    def wells(self) -> list[WellRecord]:
        """Every well."""
        return [_well(w) for w in self._get("/wells")]

    def well(self, ref: str | uuid.UUID) -> WellRecord:
        """A well by name or id."""
        return _well(self._get(f"/wells/{ref}"))

    def create_well(self, well_name: str, well_type: str = "Oil", **extra: Any) -> WellRecord:
        """Create a well (Admin, Engineer, Surveyor)."""
        body = {"well_name": well_name, "well_type": well_type, **extra}
        return _well(self._request("POST", "/wells", json=body).json())

    @staticmethod
    def _run_query(mine: bool, filters: dict[str, Any]) -> dict[str, Any]:
        known = {
            "well",
            "run_type",
            "owner",
            "search",
            "changed_since",
            "status",
            "order_by",
            "descending",
        }
        unknown = set(filters) - known - {"limit", "offset"}
        if unknown:
            raise TypeError(f"unknown run filter(s): {', '.join(sorted(unknown))}")
        since = filters.get("changed_since")
        sort = filters.get("order_by") or "run_number"
        return {
            "scope": "mine" if mine else "all",
            "well": None if filters.get("well") is None else str(filters["well"]),
            "type": filters.get("run_type") or None,
            "owner": filters.get("owner") or None,
            "q": filters.get("search") or None,
            "status": filters.get("status") or None,
            "changed_since": since.isoformat() if since is not None else None,
            "sort": f"-{sort}" if filters.get("descending") else sort,
        }

    def _run_rows(self, mine: bool, filters: dict[str, Any]) -> list[dict[str, Any]]:
        query = self._run_query(mine, filters)
        limit, offset = filters.get("limit"), int(filters.get("offset") or 0)
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            got = self._get("/runs", **query, page=page, page_size=PAGE)
            rows.extend(got["items"])
            if len(rows) >= got["total"] or not got["items"]:
                break
            if limit is not None and len(rows) >= offset + limit:
                break
            page += 1
        return rows[offset : None if limit is None else offset + limit]

    def runs(self, *, mine: bool = False, **filters: Any) -> list[RunRecord]:
        """Runs, all or the user's own (``mine``), filtered (as :meth:`Session.runs`)."""
        return [_run(r) for r in self._run_rows(mine, filters)]

    def runs_frame(self, *, mine: bool = False, **filters: Any) -> pd.DataFrame:
        """Runs as a table (one row per run), sorted by run number."""
        rows = self._run_rows(mine, filters)
        frame = pd.DataFrame(
            {
                "run_number": [r["run_number"] for r in rows],
                "run_name": [r["run_name"] for r in rows],
                "run_type": [r["run_type"] for r in rows],
                "well": [r["well"] for r in rows],
                "owner": [r["owner"] for r in rows],
                "revision": [r["revision"] for r in rows],
                "stations": [r["station_count"] for r in rows],
                "worst_finding": [r["worst_severity"] for r in rows],
                "updated": [_time(r["updated_at"]) for r in rows],
                "id": [r["id"] for r in rows],
            }
        )
        return frame

    def count_runs(self, *, mine: bool = False, **filters: Any) -> int:
        """Number of runs matching ``filters``."""
        return int(self._get("/runs", **self._run_query(mine, filters), page_size=1)["total"])

    def run(self, ref: str | uuid.UUID) -> RunRecord:
        """One run by id or run number."""
        return _run(self._get(f"/runs/{ref}"))

    def create_run(
        self,
        run_number: str,
        run_name: str,
        run_type: str = "Unknown",
        well: str | uuid.UUID | None = None,
    ) -> RunRecord:
        """Create a run owned by the acting user (Admin, Engineer, Surveyor)."""
        body = {
            "run_number": run_number,
            "run_name": run_name,
            "run_type": run_type,
            "well": None if well is None else str(well),
        }
        return _run(self._request("POST", "/runs", json=body).json())

    def update_run(self, ref: str | uuid.UUID, **values: Any) -> RunRecord:
        """Change a run (its owner or an Admin)."""
        body = {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in values.items()}
        return _run(self._request("PATCH", f"/runs/{ref}", json=body).json())

    def delete_run(self, ref: str | uuid.UUID) -> None:
        """Delete a run (its owner or an Admin)."""
        self._request("DELETE", f"/runs/{ref}")

    # --------------------------------------------------------------------------------- surveys
    @staticmethod
    def _form(overrides: dict[str, Any] | None) -> dict[str, str]:
        form: dict[str, str] = {}
        for key, value in (overrides or {}).items():
            if value is None or value == "":
                continue
            if key == "tie_on" and not isinstance(value, str):
                if isinstance(value, dict):
                    order = ("md", "inc", "azi", "tvd", "north", "east")
                    value = [value.get(k, 0.0) for k in order]
                elif hasattr(value, "md"):
                    value = [value.md, value.inc, value.azi, value.tvd, value.north, value.east]
                value = ",".join(repr(float(v)) for v in value)
            form[key] = str(value)
        return form

    def _upload(
        self, run: str | uuid.UUID, files: list[tuple[str, bytes]], overrides: Any
    ) -> list[ImportResult]:
        multipart = [
            ("file", (name, content, "application/octet-stream")) for name, content in files
        ]
        got = self._request(
            "POST", f"/runs/{run}/files", files=multipart, data=self._form(overrides)
        ).json()
        return [_import(d) for d in got["imports"]]

    def import_file(
        self,
        source: str | os.PathLike[str] | bytes,
        run: str | uuid.UUID,
        *,
        name: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> ImportResult:
        """Import a survey file (a path or the bytes) into ``run`` as its next revision."""
        if isinstance(source, bytes):
            content, file_name = source, name or "upload"
        else:
            content, file_name = Path(source).read_bytes(), name or Path(source).name
        return self._upload(run, [(file_name, content)], overrides)[0]

    def import_files(
        self,
        paths: list[str | os.PathLike[str]],
        run: str | uuid.UUID,
        *,
        overrides: dict[str, Any] | None = None,
    ) -> list[ImportResult]:
        """Import several files into ``run``, in order, in one upload (a refused file stores
        none of them)."""
        files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
        return self._upload(run, files, overrides)

    def survey(self, run: str | uuid.UUID, revision: int | None = None) -> SurveyView:
        """A survey revision of ``run`` (default the current one) with its stations."""
        got = self._get(f"/runs/{run}/survey", revision=revision)
        return SurveyView(_run(got["run"]), _survey(got["survey"]), _stations(got["stations"]))

    def history(self, run: str | uuid.UUID) -> list[SurveyRecord]:
        """Every survey revision of ``run``."""
        return [_survey(s) for s in self._get(f"/runs/{run}/history")]

    def compare_revisions(self, run: str | uuid.UUID, rev_a: int, rev_b: int) -> pd.DataFrame:
        """Station differences between two revisions of ``run``."""
        got = self._get(f"/runs/{run}/diff", **{"from": rev_a, "to": rev_b})
        frame = pd.DataFrame(got["stations"]).astype(float)
        frame.attrs["depth_unit"] = got["depth_unit"]
        return frame

    def file_content(self, file_id: uuid.UUID) -> bytes:
        """The bytes of an uploaded file, exactly as received."""
        return self._request("GET", f"/files/{file_id}/content").content


def connect(
    url: str,
    token: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> RemoteSession:
    """A session on the surveylab server at ``url``, checked at once.

    Parameters
    ----------
    url : str
        The server [text], e.g. ``"http://127.0.0.1:8867"``.
    token : str, optional
        Access token; default ``SURVEYLAB_TOKEN`` (or ``SURVEYLAB_TOKEN_FILE``).
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.

    Raises
    ------
    AuthenticationError
        No token, or the server refused it.
    ServiceError
        The server cannot be reached.
    """
    from surveylab.session import token_from_environment

    token = token or token_from_environment(env)
    if not token:
        raise AuthenticationError(
            "not authenticated: pass token=... or set SURVEYLAB_TOKEN (POST /api/v1/auth/login "
            "or RemoteSession.login gives one)"
        )
    session = RemoteSession(url, token, **kwargs)
    try:
        session.actor  # noqa: B018 - fail now, not at the first call, when the token is bad
    except BaseException:
        session.close()
        raise
    return session
