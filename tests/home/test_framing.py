"""One framing policy: X-Frame-Options SAMEORIGIN and CSP frame-ancestors 'self', in every settings module."""

import importlib

from home.middleware import ADMIN_CSP, PUBLIC_CSP


def test_framing_policy_is_the_same_everywhere(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "care.example.com")
    for name in ("config.settings.base", "config.settings.production"):
        module = importlib.import_module(name)
        assert module.X_FRAME_OPTIONS == "SAMEORIGIN", name
    for csp in (ADMIN_CSP, PUBLIC_CSP):
        assert "frame-ancestors 'self'" in csp
