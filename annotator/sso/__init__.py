"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured by environment only.

On when ``OIDC_RP_CLIENT_ID`` is set. A returning user is matched by verified email; a new
user is created only when their role claim (``OIDC_ROLE_CLAIM``, e.g. ``groups``) maps to a
role through ``OIDC_ROLE_MAP``; anyone else is refused. Local accounts keep working beside it,
and a suspended account (inactive) cannot sign in either way. See docs/integrations.md.
"""

from django.conf import settings


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))
