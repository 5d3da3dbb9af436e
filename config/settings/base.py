"""Settings read from the environment, with defaults that run the whole site on one machine.

Defaults need no services: SQLite and a file-system Celery broker under ``var/``, email written to
files under ``var/mail``, a secret key generated once into ``var/secret_key``.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key():
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def email_settings(url):
    """Turn ``smtp://user:pass@host:587/?tls=True`` into Django's EMAIL_* settings."""
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
        }
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme in {"console", "locmem", "dummy"}:
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{scheme}.EmailBackend"}
    if scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL scheme {scheme!r} is not supported (use smtp:// or smtps://)")
    truthy = {"1", "true", "yes", "on"}
    return {
        "EMAIL_BACKEND": "home.mail.EmailBackend",  # Django's, trusting EMAIL_SSL_CAFILE when set
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", "").lower() in truthy,
        "EMAIL_USE_SSL": scheme == "smtps" or query.get("ssl", "").lower() in truthy,
        "EMAIL_TIMEOUT": int(query.get("timeout", 30)),
        # A private relay's CA (PEM file) to trust instead of the system's: ?cafile=/path or EMAIL_SSL_CAFILE.
        "EMAIL_SSL_CAFILE": query.get("cafile", "") or os.environ.get("EMAIL_SSL_CAFILE", ""),
    }


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL

INSTALLED_APPS = [
    "newsletter",
    "training",
    "care",
    "home",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "home.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "home.middleware.TwoFactorMiddleware",
    "home.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
            "builtins": ["home.templatetags.labels"],
        },
    },
]

# Database: SQLite in var/ by default. IMMEDIATE transactions plus a busy timeout make concurrent
# writers wait for each other instead of failing with "database is locked".
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", 0)),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between the web server's processes and the workers, unlike the local-memory cache:
    # rate limits count across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Simplified Chinese first, English second; the browser's choice picks one.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "site" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640

WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Care & Journal")
# Search: the database's own full-text search with Chinese word segmentation (home.search). A site that
# outgrows one database sets SEARCH_BACKEND=elasticsearch8 (or elasticsearch9, opensearch2, opensearch3)
# and SEARCH_URL; the index then analyses Chinese with the smartcn plugin (see README, "Search").
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
if SEARCH_BACKEND == "database":
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "home.search.backend"}}
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{SEARCH_BACKEND}",
            "URLS": [os.environ.get("SEARCH_URL", "http://localhost:9200")],
            "INDEX": os.environ.get("SEARCH_INDEX", "carejournal"),
            "INDEX_SETTINGS": {
                "settings": {
                    "analysis": {
                        "analyzer": {
                            "default": {"type": "smartcn"},
                        },
                    },
                },
            },
        }
    }
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "csv", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Staff avatars are Wagtail's own picture or an uploaded one: Gravatar cannot be reached from mainland China
# (nor from a server without internet access), so every admin page showed a broken image.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Email
globals().update(email_settings(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Care & Journal <care@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 5))
# Customers' passwordless sign-in (home.services.customers): text messages go through SMS_BACKEND
# (default: files in var/sms/, like the mail file backend; home.sms.MemoryBackend in tests).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "home.sms.FileBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
CUSTOMER_SIGNIN_MINUTES = int(os.environ.get("CUSTOMER_SIGNIN_MINUTES", 15))
CUSTOMER_SIGNIN_PER_HOUR = 3

# Celery. The application is `config` (`celery -A config worker`). Without CELERY_BROKER_URL a
# file-system broker under var/ lets a real worker process consume what the web process enqueues.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")  # the host only quiets a warning
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Apps' tasks.py modules are found by autodiscovery; home defines each task beside the service it runs.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic job, in one place. Each is idempotent: running it twice changes nothing more.
CELERY_BEAT_SCHEDULE = {
    "training-holds-expire": {"task": "training.tasks.signup_holds_expire_task", "schedule": 300.0},
    "training-payment-reminders": {"task": "training.tasks.signup_payment_reminders_task", "schedule": 3600.0},
    "training-class-reminders": {"task": "training.tasks.session_reminders_task", "schedule": 3600.0},
    "training-minimum-attendance": {"task": "training.tasks.session_check_minimum_task", "schedule": crontab(minute=5)},
    "outbox-sweep": {"task": "home.tasks.outbox_sweep_task", "schedule": 60.0},
    "privacy-retention": {"task": "home.tasks.retention_enforce_task", "schedule": crontab(minute=30, hour=3)},
    "journal-delivery-sweep": {"task": "newsletter.tasks.delivery_sweep_task", "schedule": 60.0},
    "journal-abandoned-drafts": {"task": "newsletter.tasks.issue_drafts_abandoned_task", "schedule": 900.0},
    "care-workorders-overdue": {"task": "care.tasks.workorders_flag_overdue_task", "schedule": 300.0},
    "care-complaint-weekly-report": {
        "task": "care.tasks.complaint_weekly_report_task", "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "care-key-account-reports": {
        "task": "care.tasks.key_account_reports_generate_task", "schedule": crontab(minute=0, hour=6, day_of_month="1"),
    },
    # The dashboards' per-day counts are kept by the services that write calls and complaints; recounted
    # nightly in case anything wrote around them.
    "care-day-counts": {"task": "care.tasks.day_counts_rebuild_task", "schedule": crontab(minute=40, hour=3)},
    "care-schedule-calls": {"task": "care.tasks.calls_schedule_task", "schedule": crontab(minute=15, hour="7-18")},
    "training-certificate-reminders": {
        "task": "training.tasks.certificate_reminders_task", "schedule": crontab(minute=0, hour=9),
    },
}

# Customer care: a sample of resolved complaints (this share, 0-1) gets a quality-control call; for
# complaints of these categories (comma separated, "*" for every category) that get one, the
# satisfaction survey is emailed once that call is logged instead of on resolution.
CARE_QC_SAMPLE_RATE = float(os.environ.get("CARE_QC_SAMPLE_RATE", "0.2"))
CARE_SURVEY_AFTER_QUALITY_CALL = env_list("CARE_SURVEY_AFTER_QUALITY_CALL")

# E-journal delivery (newsletter): batch size, when a claimed batch counts as abandoned, the bounce
# address (a "+<reader id>" is added to it: VERP), the inbound webhook's secret, DKIM signing.
JOURNAL_BATCH_SIZE = int(os.environ.get("JOURNAL_BATCH_SIZE", 500))
JOURNAL_STALE_AFTER = int(os.environ.get("JOURNAL_STALE_AFTER", 180))
JOURNAL_BOUNCE_ADDRESS = os.environ.get("JOURNAL_BOUNCE_ADDRESS", "")
# A reader the server defers (4xx) is tried again after these delays (seconds; the last repeats) until
# JOURNAL_RETRY_LIMIT seconds of waiting, then marked failed. A batch re-checks that it still holds its
# rows before each JOURNAL_CLAIM_GROUP messages.
JOURNAL_RETRY_DELAYS = [int(v) for v in env_list("JOURNAL_RETRY_DELAYS", "300,1800,7200,21600,43200")]
JOURNAL_RETRY_LIMIT = int(os.environ.get("JOURNAL_RETRY_LIMIT", 48 * 3600))
JOURNAL_CLAIM_GROUP = int(os.environ.get("JOURNAL_CLAIM_GROUP", 50))
# Per receiving domain: batches sending to it at once ("connections") and messages per minute. JSON in
# JOURNAL_DOMAIN_PACING replaces these defaults; a domain not listed is not paced.
JOURNAL_DOMAIN_PACING = json.loads(os.environ["JOURNAL_DOMAIN_PACING"]) if os.environ.get("JOURNAL_DOMAIN_PACING") else {
    "qq.com": {"connections": 3, "per_minute": 600},
    "163.com": {"connections": 3, "per_minute": 300},
    "126.com": {"connections": 3, "per_minute": 300},
    "sina.com": {"connections": 2, "per_minute": 200},
    "gmail.com": {"connections": 10, "per_minute": 3000},
}
JOURNAL_REPLY_TO = os.environ.get("JOURNAL_REPLY_TO", "")
JOURNAL_INBOUND_SECRET = os.environ.get("JOURNAL_INBOUND_SECRET", "")
DKIM_PRIVATE_KEY_PATH = os.environ.get("DKIM_PRIVATE_KEY_PATH", "")
DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "")
DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN", "")

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
# Staff security (home.security): a session unused this long is signed out; sign-in lockout after
# repeated failures (django-axes, per username *and* client address, so nobody can lock out somebody
# else from elsewhere); a second factor (TOTP, with backup codes) required for superusers and these roles.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 3600))
AUTHENTICATION_BACKENDS = ["home.security.LockoutBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "home.security.LoginForm"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", 10))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 15 * 60)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "home.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "home.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The proxies in front of the site, outermost first (addresses or CIDR ranges, one per hop, comma
# separated). Only requests arriving from them have X-Forwarded-For read (home.ratelimit.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
OTP_REQUIRED_GROUPS = ["Care managers"]
OTP_REQUIRED_FOR_SUPERUSERS = True
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "Care & Journal")

# Personal data (home.privacy): retention periods in days, enforced nightly by home.tasks.retention_enforce_task
# through the rules each app declares in its privacy.py. Archives of rights requests live under PRIVATE_ROOT.
RETENTION = {
    "complaint_text_days": 3 * 365,
    "call_notes_days": 3 * 365,
    "unconfirmed_subscribers_days": 30,
    "reader_replies_days": 3 * 365,
    "signups_unpaid_days": 2 * 365,
    "sent_emails_days": 180,
    "access_log_days": 3 * 365,
    "login_attempts_days": 90,
    "rights_archive_days": 7,
    "rights_requests_days": 3 * 365,
}
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
RIGHTS_ARCHIVE_LINK_SECONDS = int(os.environ.get("RIGHTS_ARCHIVE_LINK_SECONDS", 7 * 24 * 3600))
# The email preview in the page editor (IssuePage.serve_preview, mode "email") is served with its own
# policy instead of the public site's: the email's inline styles apply (as in a mail program), its
# images load, and nothing in it runs (the email sits in sandboxed srcdoc frames that inherit this).
EMAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; font-src 'self' data: https:; "
    "script-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {app: {"level": os.environ.get("APP_LOG_LEVEL", "INFO")} for app in ("home", "newsletter", "training", "care")},
}

# Static files: served by WhiteNoise from STATIC_ROOT after collectstatic; from the sources in DEBUG.
WHITENOISE_USE_FINDERS = DEBUG
