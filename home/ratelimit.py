"""The client's address behind trusted proxies, and a fixed-window rate limit on the shared cache for
public forms."""

import functools
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from python_ipware import IpWare


@functools.lru_cache(maxsize=4)
def _ipware(proxies: tuple[str, ...]) -> IpWare:
    # Misconfigured entries raise ValueError here, at the first request, not silently trust anyone.
    return IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_list=list(proxies))


def client_ip(request) -> str:
    """The address of the client that sent this request.

    ``settings.TRUSTED_PROXIES`` lists the proxies in front of the site, outermost first (addresses or
    CIDR ranges, one per hop). Only when the connection comes from the innermost of them is
    ``X-Forwarded-For`` read, and then from the right: the address just before the trusted hops is the
    client (django-ipware does the parsing). Entries a client put in the header itself are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded or not remote:
        return remote
    try:
        ipaddress.ip_address(remote)
    except ValueError:
        return remote
    chain = f"{forwarded}, {remote}"
    ip, trusted = _ipware(proxies).get_client_ip({"HTTP_X_FORWARDED_FOR": chain}, strict=False)
    return str(ip) if ip is not None and trusted else remote


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{digest}:{int(time.time() // window)}"


def hits(scope: str, ident: str, *, window: int) -> int:
    """How many hits (scope, ident) has in the current window, without counting one."""
    return cache.get(_key(scope, ident, window), 0)


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, ident); return False once more than ``limit`` hits fall in the window."""
    key = _key(scope, ident, window)
    if cache.add(key, 1, window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 1)
        count = 1
    return count <= limit


def ratelimit(scope: str, *, limit: int, window: int, methods=("POST",)):
    """Refuse a view with 429 and a translated page when one client sends too many requests."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not hit(scope, client_ip(request), limit=limit, window=window):
                return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
