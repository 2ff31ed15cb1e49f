"""Roles and permissions: the full matrix against a table written out by hand (owner or read
only, survey work for Admin, Engineer and Surveyor: the README's roles table),
and the require() messages."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.auth import (
    ROLE_PERMISSIONS,
    AuthenticationError,
    Permission,
    PermissionDenied,
    can_change,
    has_permission,
    require,
)
from surveylab.models import Actor, Role

# Written out independently of ROLE_PERMISSIONS: role -> permission value -> granted.
EXPECTED: dict[str, dict[str, bool]] = {
    "Admin": {
        "read": True,
        "run_report": True,
        "survey_write": True,
        "change_own": True,
        "change_any": True,
        "manage_users": True,
        "approve_surveys": True,
    },
    "Engineer": {
        "read": True,
        "run_report": True,
        "survey_write": True,
        "change_own": True,
        "change_any": False,
        "manage_users": False,
        "approve_surveys": True,
    },
    "Surveyor": {
        "read": True,
        "run_report": True,
        "survey_write": True,
        "change_own": True,
        "change_any": False,
        "manage_users": False,
        "approve_surveys": False,
    },
    "Viewer": {
        "read": True,
        "run_report": True,
        "survey_write": False,
        "change_own": False,
        "change_any": False,
        "manage_users": False,
        "approve_surveys": False,
    },
}
# role -> (may change own object, may change another's object, may change an unowned object)
EXPECTED_CHANGE: dict[str, tuple[bool, bool, bool]] = {
    "Admin": (True, True, True),
    "Engineer": (True, False, False),
    "Surveyor": (True, False, False),
    "Viewer": (False, False, False),
}
ROLES = ["Admin", "Engineer", "Surveyor", "Viewer"]
PERMISSIONS = [
    "read",
    "run_report",
    "survey_write",
    "change_own",
    "change_any",
    "manage_users",
    "approve_surveys",
]


def actor(role: str | Role, actor_id: uuid.UUID | None = None) -> Actor:
    return Actor(id=actor_id or uuid.uuid4(), username="someone", role=role)  # type: ignore[arg-type]


def test_enums_cover_the_table() -> None:
    assert sorted(str(r) for r in Role) == sorted(ROLES)
    assert {str(p) for p in Permission} == set(PERMISSIONS)
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", PERMISSIONS)
def test_has_permission_matrix(role: str, perm: str) -> None:
    a = actor(Role(role))
    assert has_permission(a, Permission(perm)) is EXPECTED[role][perm]
    assert has_permission(a, perm) is EXPECTED[role][perm]  # plain value accepted too
    assert (Permission(perm) in ROLE_PERMISSIONS[Role(role)]) is EXPECTED[role][perm]


@pytest.mark.parametrize("role", ROLES)
def test_can_change_matrix(role: str) -> None:
    me = uuid.uuid4()
    a = actor(Role(role), me)
    own, other, unowned = EXPECTED_CHANGE[role]
    assert can_change(a, me) is own
    assert can_change(a, uuid.uuid4()) is other
    assert can_change(a, None) is unowned


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", PERMISSIONS)
@pytest.mark.parametrize("ownership", ["owner", "non-owner", "not given"])
def test_require_matrix(role: str, perm: str, ownership: str) -> None:
    me = uuid.uuid4()
    a = actor(Role(role), me)
    own, other, unowned = EXPECTED_CHANGE[role]
    if ownership == "owner":
        owner_id, may_change = me, own
    elif ownership == "non-owner":
        owner_id, may_change = uuid.uuid4(), other
    else:
        owner_id = None
        # ownership only matters for CHANGE_OWN, where "no owner" means Admin only
        may_change = unowned if perm == "change_own" else True
    allowed = EXPECTED[role][perm] and may_change
    if allowed:
        require(a, Permission(perm), owner_id=owner_id, action="do it")
    else:
        with pytest.raises(PermissionDenied) as info:
            require(a, Permission(perm), owner_id=owner_id, action="do it")
        assert str(info.value).startswith(f"permission denied: {role} may not do it")


def test_seed_semantics_in_words() -> None:
    owner = uuid.uuid4()
    viewer = actor(Role.VIEWER, owner)
    engineer = actor(Role.ENGINEER)
    admin = actor(Role.ADMIN)
    # IsOwnerOrReadOnly: any authenticated user reads someone else's run
    for a in (viewer, engineer, admin):
        require(a, Permission.READ, action="read run")
    # Viewer owning a run still may not change it (no CHANGE_OWN)
    assert not can_change(viewer, owner)
    # SurveyPermission
    with pytest.raises(PermissionDenied):
        require(viewer, Permission.SURVEY_WRITE, action="import surveys")
    require(actor(Role.SURVEYOR), Permission.SURVEY_WRITE, action="import surveys")
    # user management is Admin only
    require(admin, Permission.MANAGE_USERS, action="create users")
    with pytest.raises(PermissionDenied):
        require(engineer, Permission.MANAGE_USERS, action="create users")


def test_require_message_and_attributes() -> None:
    with pytest.raises(PermissionDenied) as info:
        require(actor(Role.VIEWER), Permission.SURVEY_WRITE, action="import surveys")
    assert str(info.value) == "permission denied: Viewer may not import surveys"
    assert info.value.action == "import surveys"
    assert info.value.reason == "Viewer may not import surveys"


def test_require_message_with_target_and_owner() -> None:
    with pytest.raises(PermissionDenied) as info:
        require(
            actor(Role.ENGINEER),
            Permission.CHANGE_OWN,
            owner_id=uuid.uuid4(),
            action="delete",
            target="run R-12",
        )
    assert str(info.value) == "permission denied: Engineer may not delete run R-12: not the owner"


def test_require_with_survey_write_and_owner_checks_both() -> None:
    me = uuid.uuid4()
    require(actor(Role.SURVEYOR, me), Permission.SURVEY_WRITE, owner_id=me, action="update run")
    with pytest.raises(PermissionDenied, match="not the owner"):
        require(
            actor(Role.SURVEYOR, me),
            Permission.SURVEY_WRITE,
            owner_id=uuid.uuid4(),
            action="update run",
        )


@pytest.mark.parametrize("perm", PERMISSIONS)
def test_require_without_actor_is_authentication_error(perm: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        require(None, Permission(perm), action="read runs")
    assert str(info.value) == "not authenticated"
    assert not isinstance(info.value, PermissionDenied)


def test_unknown_role_has_no_permission() -> None:
    rogue = actor("Superuser", uuid.uuid4())
    for perm in Permission:
        assert not has_permission(rogue, perm)
    assert not can_change(rogue, rogue.id)
    with pytest.raises(PermissionDenied, match="Superuser may not read"):
        require(rogue, Permission.READ, action="read")


def test_role_as_plain_string_is_understood() -> None:
    assert has_permission(actor("Admin"), Permission.MANAGE_USERS)
    assert not has_permission(actor("admin"), Permission.READ)  # roles are case-sensitive


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission 'fly'"):
        has_permission(actor(Role.ADMIN), "fly")
    with pytest.raises(ValueError, match="unknown permission"):
        require(actor(Role.ADMIN), "fly", action="fly")


def test_wrong_argument_types_are_refused() -> None:
    with pytest.raises(TypeError, match="actor must be an Actor"):
        has_permission({"role": "Admin"}, Permission.READ)  # type: ignore[arg-type]
    a = actor(Role.ENGINEER)
    with pytest.raises(TypeError, match=r"owner_id must be a uuid\.UUID"):
        can_change(a, str(a.id))  # type: ignore[arg-type]


def test_role_permissions_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        ROLE_PERMISSIONS[Role.VIEWER] = frozenset(Permission)  # type: ignore[index]
    assert all(isinstance(v, frozenset) for v in ROLE_PERMISSIONS.values())


@settings(max_examples=100, deadline=None)
@given(st.uuids(), st.uuids(), st.sampled_from(ROLES))
def test_change_own_only_for_the_owner(me: uuid.UUID, owner: uuid.UUID, role: str) -> None:
    a = actor(Role(role), me)
    own, other, _ = EXPECTED_CHANGE[role]
    assert can_change(a, owner) is (own if owner == me else other)
