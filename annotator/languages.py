"""The interface language: the signed-in user's preference, then the switcher's cookie or
``Accept-Language`` (Django's LocaleMiddleware), then English. The API stays in English.

Which language a request gets is decided here only; templates, forms and JavaScript ask
Django's translation machinery (docs/web-ui.md, "Languages").
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponseNotAllowed
from django.utils import translation

API_PREFIX = "/api/"


def supported(code: str | None) -> str:
    """``code`` if it is one of settings.LANGUAGES (case-insensitive), else ""."""
    code = (code or "").lower()
    return code if code in {c for c, _ in settings.LANGUAGES} else ""


def field_suffix(code: str | None = None) -> str:
    """The suffix of a per-language model field for ``code`` (default: the active language):
    "" for English (the plain field), "_zh_hant" or "_zh_hans" for Chinese."""
    code = supported(code or translation.get_language()) or settings.LANGUAGE_CODE
    return "" if code == settings.LANGUAGE_CODE else "_" + code.replace("-", "_")


def localized(instance, field: str, code: str | None = None) -> str:
    """``instance.<field>_<language>`` when filled in, else the English ``instance.<field>``."""
    suffix = field_suffix(code)
    if suffix:
        value = getattr(instance, field + suffix, "")
        if value:
            return value
    return getattr(instance, field)


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved preference wins over the cookie and
    ``Accept-Language``. Under /api/ everything stays English (stable messages for programs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            language = settings.LANGUAGE_CODE
        else:
            language = _saved_preference(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _saved_preference(request) -> str:
    """The signed-in user's saved language, or "" (anonymous, none saved, or the database is
    down: reading the session then fails, and /healthz must still answer without it)."""
    user = getattr(request, "user", None)
    try:
        signed_in = user is not None and user.is_authenticated
    except DatabaseError:
        return ""
    return supported(getattr(user, "language", "")) if signed_in else ""


def set_language(request):
    """Django's set_language (POST with CSRF; sets the cookie and redirects back), and for a
    signed-in user the saved preference, so that it follows them to other browsers."""
    from django.views.i18n import set_language as django_set_language

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    user = request.user
    if language and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
