"""The OIDC authentication backend: match, map roles, refuse the unknown and the suspended."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)


def role_map() -> dict[str, str]:
    """``OIDC_ROLE_MAP``: claim value → role (Django group), e.g. ``news-mods=Moderator``."""
    return dict(settings.OIDC_ROLE_MAP)


def roles_from_claims(claims: dict) -> list[str]:
    values = claims.get(settings.OIDC_ROLE_CLAIM, [])
    if isinstance(values, str):
        values = [values]
    mapping = role_map()
    return sorted({mapping[value] for value in values if value in mapping})


class OIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        if not super().verify_claims(claims):
            return False
        # A provider that says the address is unverified cannot claim a local account by it.
        return claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def create_user(self, claims):
        roles = roles_from_claims(claims)
        if not roles:
            logger.info("SSO refused %s: no mapped role in its claims", claims.get("email"))
            return None  # unknown users are refused unless a claim gives them a role
        with transaction.atomic():
            user = super().create_user(claims)
            user.first_name = (claims.get("given_name") or "")[:150]
            user.last_name = (claims.get("family_name") or "")[:150]
            user.set_unusable_password()
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
        return user

    def user_can_authenticate(self, user):
        return user is not None and user.is_active

    def authenticate(self, request, **kwargs):
        user = super().authenticate(request, **kwargs)
        return user if self.user_can_authenticate(user) else None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None
