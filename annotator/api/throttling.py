"""Rate limits per user (browser session or API token) and per client address for anonymous
requests. Rates come from settings (env-configurable).

Token requests count per *user*, not per token: otherwise each new token would bring a fresh
budget. The rates are looked up on every request, not frozen at import, so settings overrides
apply. Counters live in the default cache: use a shared cache (Redis) with several workers.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from annotator.client_ip import client_ip
from annotator.models import ApiToken


class _LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        return super().allow_request(request, view)

    def get_ident(self, request):
        """The client address through the trusted proxies (``TRUSTED_PROXY_COUNT``)."""
        return client_ip(request)


class AnonThrottle(_LiveRateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(_LiveRateThrottle):
    """Requests made with a browser session, counted per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_LiveRateThrottle):
    """Requests made with API tokens, counted per user across all of that user's tokens."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.user_id}


class ExportThrottle(_LiveRateThrottle):
    """Exports are heavy: a separate, lower budget per user (all their tokens and sessions)."""

    scope = "export"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
