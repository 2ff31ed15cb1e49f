"""Authentication and authorization core: roles and permissions, passwords, tokens.

Pure: no database. The login service, the users table, the refresh-token denylist and login
throttling are built on these functions by the data layer.
"""

from __future__ import annotations

from surveylab.auth.errors import (
    AuthenticationError,
    AuthError,
    PermissionDenied,
    WeakPasswordError,
)
from surveylab.auth.passwords import (
    MAX_PASSWORD_CHARS,
    burn_verify,
    configure_hasher,
    hash_password,
    needs_rehash,
    verify_password,
)
from surveylab.auth.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can_change,
    has_permission,
    require,
)
from surveylab.auth.tokens import (
    IssuedToken,
    TokenClaims,
    TokenConfig,
    TokenPair,
    TokenType,
    decode_token,
    issue_token,
    issue_token_pair,
)

__all__ = [
    "MAX_PASSWORD_CHARS",
    "ROLE_PERMISSIONS",
    "AuthError",
    "AuthenticationError",
    "IssuedToken",
    "Permission",
    "PermissionDenied",
    "TokenClaims",
    "TokenConfig",
    "TokenPair",
    "TokenType",
    "WeakPasswordError",
    "burn_verify",
    "can_change",
    "configure_hasher",
    "decode_token",
    "has_permission",
    "hash_password",
    "issue_token",
    "issue_token_pair",
    "needs_rehash",
    "require",
    "verify_password",
]
