"""A fixed-window rate limit on the shared cache, for public forms."""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_ip(request) -> str:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


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
