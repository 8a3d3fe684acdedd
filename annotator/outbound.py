"""Outbound HTTP that cannot be turned against the server's own network (SSRF).

Every request this service makes on a user's behalf (fetching a document, later webhooks) goes
through :func:`fetch`. It resolves the host itself, refuses the request if any address is not a
public one (loopback, private, link-local, multicast, reserved…), then connects to the address
it checked — so a DNS answer cannot change between check and use. Redirects are followed by
hand, each new target checked the same way. Size, total time and the number of redirects are
limited. ``ALLOW_PRIVATE_NETWORK_TARGETS=true`` lifts the address check, for development and
tests only.
"""

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "source-reliability-annotator/1.0 (document fetch)"


class OutboundError(Exception):
    """The request was refused or failed; the message is safe to show to the user."""


class PrivateTarget(OutboundError):
    pass


class TooLarge(OutboundError):
    pass


class UnacceptedType(OutboundError):
    pass


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


Permit = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]


def _ip(address: str):
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip


def _public(address: str) -> bool:
    ip = _ip(address)
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool | Permit) -> str:
    """The address to connect to; PrivateTarget if any address of ``host`` is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OutboundError(f"Cannot resolve {host}: {error.strerror or error}.") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OutboundError(f"Cannot resolve {host}.")
    if allow_private is not True:
        refused = [
            address
            for address in addresses
            if not _public(address) and not (allow_private and allow_private(_ip(address)))
        ]
        if refused:
            raise PrivateTarget(
                f"Refused: {host} resolves to a non-public (private or loopback) address"
                f" ({refused[0]})."
            )
    return addresses[0]


def _pool(scheme: str, host: str, address: str, port: int, timeout: float):
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeouts,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=host,
            assert_hostname=host,
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeouts, retries=False)


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    max_redirects: int,
    accept: Callable[[str], bool] = lambda content_type: True,
    allow_private: bool | Permit | None = None,
) -> Fetched:
    """GET ``url`` with every safeguard; raise OutboundError (or a subclass) when refused.

    ``allow_private``: None reads ALLOW_PRIVATE_NETWORK_TARGETS; a function may permit some
    non-public addresses only (e.g. loopback for a test server), checked on every hop.
    """
    if allow_private is None:
        allow_private = settings.ALLOW_PRIVATE_NETWORK_TARGETS
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundError("Only http:// and https:// URLs can be fetched.")
        if parts.username or parts.password:
            raise OutboundError("URLs with a user name or password are not fetched.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port, allow_private=allow_private)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OutboundError(f"Timed out after {timeout:g} s.")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        pool = _pool(parts.scheme, parts.hostname, address, port, remaining)
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": "*/*"},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            pool.close()
            raise OutboundError(
                f"Could not fetch {parts.hostname}: {type(error).__name__}."
            ) from None
        try:
            if response.status in REDIRECTS and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            return _read(response, url, max_bytes, deadline, timeout, accept)
        finally:
            response.release_conn()
            pool.close()
    raise OutboundError(f"More than {max_redirects} redirects.")


def _read(response, url, max_bytes, deadline, timeout, accept) -> Fetched:
    if response.status >= 400:
        raise OutboundError(f"The server answered {response.status}.")
    content_type = response.headers.get("Content-Type", "")
    if not accept(content_type):
        raise UnacceptedType(f"Unaccepted content type: {content_type or 'none'}.")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"The document is {int(declared):,} bytes; the limit is {max_bytes:,}.")
    chunks, size = [], 0
    try:
        for chunk in response.stream(65_536):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"The document is over the limit of {max_bytes:,} bytes.")
            if time.monotonic() > deadline:
                raise OutboundError(f"Timed out after {timeout:g} s.")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as error:
        raise OutboundError(f"The download failed: {type(error).__name__}.") from None
    return Fetched(
        url=url, status=response.status, content_type=content_type, body=b"".join(chunks)
    )


# --- Requests that reuse connections (webhook deliveries) -----------------------------------
# The same address rule (``resolve``) guards them; a keep-alive pool per checked address lets the
# worker's threads deliver hundreds of events a second.

OutboundRefused = OutboundError  # the name the webhook code catches


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def check_target(url: str) -> Target:
    """Resolve ``url``'s host through ``resolve``; raise OutboundError when it may not be called."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError("Only http and https URLs with a host are allowed.")
    if parts.username or parts.password:
        raise OutboundError("URLs with a user name or password are not called.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundError("The URL's port is not valid.") from None
    try:
        address = resolve(
            parts.hostname, port, allow_private=settings.ALLOW_PRIVATE_NETWORK_TARGETS
        )
    except UnicodeError:
        raise OutboundError(f"The host {parts.hostname!r} does not resolve.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, address, path)


_pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


def _kept_pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
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
                    ca_certs=certifi.where(),
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
    checked: Target | None = None,
) -> urllib3.BaseHTTPResponse:
    """Send one request to a checked address; follow at most ``follow_redirects`` redirects,
    checking every hop. ``checked``: ``check_target(url)`` done by the caller (the webhook
    worker checks each endpoint once per batch of deliveries, not once per delivery)."""
    for hop in range(follow_redirects + 1):
        target = checked if hop == 0 and checked is not None else check_target(url)
        host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
        response = _kept_pool(target, timeout).urlopen(
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
    raise OutboundError("Too many redirects.")
