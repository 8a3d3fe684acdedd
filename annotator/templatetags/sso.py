"""``{% sso_enabled as flag %}`` for the login page's "Sign in with SSO" link."""

from django import template

from annotator import sso

register = template.Library()


@register.simple_tag
def sso_enabled() -> bool:
    return sso.enabled()
