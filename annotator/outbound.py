"""Outbound HTTP that cannot be pointed at the service's own network.

``check_target(url)`` resolves the host and refuses private, loopback, link-local, multicast
and reserved addresses (unless ``ALLOW_PRIVATE_NETWORK_TARGETS=true``); ``request()`` connects
to the address that was checked (no second DNS lookup to rebind), and follows redirects only
when asked, checking every hop the same way.
"""

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings


class OutboundRefused(ValueError):
    """The URL is malformed, not http(s), or resolves to an address we must not call."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(url: str) -> Target:
    """Resolve ``url``'s host; return the first acceptable address, or raise OutboundRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("Only http and https URLs with a host are allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("The URL's port is not valid.") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused(f"The host {parts.hostname!r} does not resolve.") from None
    addresses = [info[4][0] for info in infos]
    allow_private = settings.ALLOW_PRIVATE_NETWORK_TARGETS
    if not allow_private and not all(_allowed(address) for address in addresses):
        raise OutboundRefused(
            f"The host {parts.hostname!r} resolves to a private or loopback address."
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


_pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    """A keep-alive pool per checked address (thread-safe; shared by the worker's threads)."""
    key = (target.scheme, target.host, target.port, target.address)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            options = {"maxsize": 16, "retries": False, "timeout": timeout}
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    **options,
                )
            else:
                pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
            _pools[key] = pool
    return pool


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 10.0,
    follow_redirects: int = 0,
) -> urllib3.BaseHTTPResponse:
    """Send one request to a checked address; follow at most ``follow_redirects`` redirects."""
    for _hop in range(follow_redirects + 1):
        target = check_target(url)
        host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
        response = _pool(target, timeout).urlopen(
            method,
            target.path,
            body=body,
            headers={**(headers or {}), "Host": host},
            redirect=False,
            timeout=timeout,
            preload_content=True,
        )
        location = response.headers.get("location")
        if not (300 <= response.status < 400 and location and follow_redirects):
            return response
        url = urljoin(url, location)
        if response.status in (301, 302, 303):
            method, body = "GET", None
    raise OutboundRefused("Too many redirects.")


def fetch(url: str, *, timeout: float = 10.0, headers: dict | None = None):
    """GET with up to 3 redirects, each checked against the private-network rule."""
    return request("GET", url, headers=headers, timeout=timeout, follow_redirects=3)
