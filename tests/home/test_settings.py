import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import email_settings

ROOT = Path(__file__).resolve().parents[2]


def test_email_url_is_parsed():
    parsed = email_settings("smtp://mailer:p%40ss@smtp.example.com:587/?tls=True")
    assert parsed["EMAIL_BACKEND"] == "home.mail.EmailBackend"  # Django's SMTP backend + EMAIL_SSL_CAFILE
    assert (parsed["EMAIL_HOST"], parsed["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert (parsed["EMAIL_HOST_USER"], parsed["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss")
    assert parsed["EMAIL_USE_TLS"] is True and parsed["EMAIL_USE_SSL"] is False
    assert email_settings("smtps://smtp.example.com")["EMAIL_PORT"] == 465
    assert email_settings("smtps://relay.internal/?cafile=/etc/relay-ca.pem")["EMAIL_SSL_CAFILE"] == "/etc/relay-ca.pem"
    assert email_settings("")["EMAIL_BACKEND"].endswith("filebased.EmailBackend")


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60 + "-production-only-secret-for-the-check",
        "ALLOWED_HOSTS": "care.example.com",
        "BASE_URL": "https://care.example.com",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_generated_once_into_var(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.strip()
    first, second = run(), run()
    assert len(first) > 40 and first == second
    assert (tmp_path / "secret_key").read_text().strip() == first


@pytest.mark.django_db
def test_staff_avatars_are_not_fetched_from_gravatar(admin_client):
    """Gravatar cannot be reached from mainland China: the admin showed a broken image on every page."""
    body = admin_client.get("/admin/", follow=True).content.decode()
    assert "gravatar" not in body and "default-user-avatar" in body
