"""The client's IP address, seen through a known number of trusted reverse proxies.

Behind a proxy every request comes from the proxy's address, so login lockouts (django-axes)
and anonymous API throttles keyed on ``REMOTE_ADDR`` would lump all clients together. Each
trusted proxy appends the address it received the request from to ``X-Forwarded-For``; with
``TRUSTED_PROXY_COUNT = n`` the client is the n-th address from the right. Addresses further
left were written by the client and are never trusted. One function, used by axes
(``AXES_CLIENT_IP_CALLABLE``) and by the API throttles, so the two always agree.
"""

import ipaddress

from django.conf import settings


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    """``REMOTE_ADDR``, or the address the outermost trusted proxy saw (see module docstring)."""
    meta = getattr(request, "META", request)
    remote = meta.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through them all (or a proxy
        # did not append); the header is not to be believed.
        return remote
    candidate = hops[-proxies]
    return candidate if _is_ip(candidate) else remote
