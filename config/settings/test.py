"""Settings for the test suite: the same as base, with fast hashing and a throwaway var/."""

import os
import tempfile

os.environ.setdefault("VAR_DIR", os.path.join(tempfile.gettempdir(), f"carejournal-test-{os.getpid()}"))

from .base import *  # noqa: E402,F403
from .base import DATABASES, VAR_DIR  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BASE_URL = "https://journal.example.com"
WAGTAILADMIN_BASE_URL = BASE_URL
ALLOWED_HOSTS = ["*"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# A worker started by a test runs in another process, so the SQLite test database lives in a file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# A worker process started by a test connects straight to the test database the suite created.
if os.environ.get("TEST_WORKER_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_WORKER_DATABASE_NAME"]
SMS_BACKEND = "home.sms.MemoryBackend"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Other apps' tests sign care managers and superusers in with force_login; the second-factor requirement is switched on
# (to the value in base.py) by tests/home/test_security.py, which checks it.
OTP_REQUIRED_GROUPS = []
OTP_REQUIRED_FOR_SUPERUSERS = False
