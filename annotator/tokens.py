"""API tokens: creation, hashing and the DRF authentication class.

Only the SHA-256 of a key is stored; the plaintext key is returned once, on creation.
A key looks like ``sra_<random>``; its first 12 characters are kept as ``key_prefix`` so
that people can tell their tokens apart in the admin without the key being recoverable.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, User

KEY_PREFIX = "sra_"
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token, so that reads do not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_token(user, name: str, scope: str = ApiToken.Scope.EXPORT) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the plaintext key (shown only once)."""
    if scope not in ApiToken.Scope.values:
        raise ValueError(f"Unknown token scope {scope!r}; use one of {ApiToken.Scope.values}.")
    name = (name or "").strip()
    if not name:
        raise ValueError("A token needs a name (e.g. what client uses it).")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        scope=scope,
    )
    return token, key


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, its user attached, or None (unknown, revoked)."""
    if not key or not key.isascii():
        return None
    return _token_lookup().fetch(hash_key(key))


class _TokenLookup:
    """One hand-written query for the token, its user and the user's moderator role.

    It runs on every API request. Built with the ORM, the same query cost about 1.3 ms of
    Python to compile (the SQL itself about 0.2 ms), a large share of a 3 ms read, so the SQL
    is assembled once from the models' metadata and rows are turned into model instances with
    the same database converters the ORM applies (so SQLite's datetimes come back aware too).
    """

    def __init__(self):
        quote = connection.ops.quote_name
        self.token_fields = ApiToken._meta.concrete_fields
        self.user_fields = User._meta.concrete_fields
        token_table, user_table = ApiToken._meta.db_table, User._meta.db_table
        groups = User.groups.through._meta
        group_table = Group._meta.db_table
        columns = [f"t.{quote(f.column)}" for f in self.token_fields]
        columns += [f"u.{quote(f.column)}" for f in self.user_fields]
        # Identifiers come from the models' metadata, values are parameters.
        self.sql = (
            f"SELECT {', '.join(columns)}, EXISTS ("  # noqa: S608
            f"SELECT 1 FROM {quote(groups.db_table)} ug"
            f" JOIN {quote(group_table)} g ON g.{quote('id')} = ug.{quote('group_id')}"
            f" WHERE ug.{quote('user_id')} = u.{quote('id')} AND g.{quote('name')} = %s)"
            f" FROM {quote(token_table)} t JOIN {quote(user_table)} u"
            f" ON u.{quote('id')} = t.{quote('user_id')}"
            f" WHERE t.{quote('key_hash')} = %s AND t.{quote('revoked_at')} IS NULL"
        )
        columns = [f.get_col(token_table) for f in self.token_fields]
        columns += [f.get_col(user_table) for f in self.user_fields]
        self.converters = [
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            for col in columns
        ]

    def fetch(self, key_hash: str) -> ApiToken | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, ["Moderator", key_hash])
            row = cursor.fetchone()
        if row is None:
            return None
        *values, in_moderator_group = row
        for index, (col, converters) in enumerate(self.converters):
            for converter in converters:
                values[index] = converter(values[index], col, connection)
        split = len(self.token_fields)
        db = connection.alias
        token = ApiToken.from_db(db, [f.attname for f in self.token_fields], values[:split])
        user = User.from_db(db, [f.attname for f in self.user_fields], values[split:])
        # Fills User.is_moderator's cached_property, which would otherwise query again.
        user.__dict__["is_moderator"] = user.is_superuser or bool(in_moderator_group)
        token.user = user
        return token


def _token_lookup() -> _TokenLookup:
    return _lookup_for_vendor(connection.vendor)


@functools.cache
def _lookup_for_vendor(vendor: str) -> _TokenLookup:
    return _TokenLookup()


def is_write_token(auth) -> bool:
    return not isinstance(auth, ApiToken) or auth.scope == ApiToken.Scope.WRITE


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``). Suspended users are refused."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: use 'Bearer <key>' with no spaces in the key."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token: the key is ASCII.") from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is suspended or inactive.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
