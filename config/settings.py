"""One settings module, read from the environment (DESIGN.md, "Running").

Zero configuration gives a SQLite file and a Celery broker on kombu's filesystem transport, so
`make run` works on a bare machine. Production means `DJANGO_DEBUG=0`; `DATABASE_URL` selects
PostgreSQL, `REDIS_URL` a Redis broker and `CACHE_URL` the cache (the database by default). Test overrides live in the pytest configuration.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) needs a long random secret key: "
            "set DJANGO_SECRET_KEY in the environment."
        )
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "django_celery_results",
    "flights",
    "verification",
    "tourism",
    "tourism.medical",
    "tourism.preflight",
    "config",  # the project's infrastructure tables (the throttle's counts, config/throttling.py)
    "portal",  # issue 14: navigation by role, role homes, the passenger checklist (reads every app above)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url reads) from DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests that start a real worker need a test database another process can open, so the
    # SQLite test database is a file rather than memory. A timeout lets web and worker share it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        # Web, worker and beat write to one file: take the write lock when a transaction begins (a
        # deferred one fails at once with "database is locked" when two upgrade together), and let
        # readers go on while one process writes.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
# The hold's written-out reads run as prepared statements on PostgreSQL (config/rows.py execute_fixed), once per
# session. Set 0 behind a pooler that hands one server session to many clients (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache (DRF throttles) is configured in "Faults and outages" below: it does not share Redis with the broker.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"  # each person lands on their own home (portal.navigation.home_url)
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored and computed in UTC; shown in the spaceport's local time with UTC beside it
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files are private (medical documents): never under STATIC_URL and never served by URL.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "private-media"))
# Shared file storage (issue 15): uploads (verification attachments: "default"; medical documents, encrypted by
# the app first: "medical") on local disk for `make run`, in an S3-compatible object store when S3_BUCKET is set
# (S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION, S3_ADDRESSING_STYLE=path, S3_PREFIX).
# Production without S3_BUCKET refuses to start unless FILE_STORAGE=local says it runs on one host.
from config.filestore import storages_from_env  # noqa: E402

STORAGES.update(storages_from_env(os.environ, debug=DEBUG))
# Health probes (issue 15): /healthz (alive) and /readyz (database and file store answer; cache and broker only
# degrade), answered before host checks and the HTTPS redirect, for load balancers probing by address.
MIDDLEWARE.insert(0, "config.health.HealthMiddleware")


def email_settings_from_url(url: str) -> dict:
    """EMAIL_URL such as smtp://user:password@host:587?tls=1 (or smtps:// for implicit TLS)."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps", "console", "locmem", "file"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not one of smtp, smtps, console, locmem, file.")
    if parsed.scheme == "file":  # one file per message in a folder: file:///var/mail/flightops
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": unquote(parsed.path)}
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in {"1", "true", "yes"},
        "EMAIL_TIMEOUT": 20,
    }


globals().update(email_settings_from_url(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Flight Operations <flight-ops@localhost>")

# Celery (cookiecutter-django style: the CELERY_ prefix, read by config/celery.py).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    # Redis redelivers a task not acknowledged within this time; nothing is scheduled with a
    # far-future eta (DESIGN.md), so an hour is ample for any task's run.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Each app's periodic sweeps, by task name. Sweeps are idempotent: a second run changes nothing.
    "refresh-catalog": {"task": "flights.refresh_catalog", "schedule": 6 * 3600},
    "countdown-sweep": {"task": "flights.countdown_sweep", "schedule": 30},
    "send-notifications": {"task": "flights.send_notifications", "schedule": 60},
    "verification-verify-signoff-chain": {
        "task": "verification.verify_signoff_chain",
        "schedule": 6 * 60 * 60,  # seconds: re-verify every sign-off four times a day
    },
}
# One beat (issue 15): with a Redis broker, celery-redbeat keeps the schedule (and when each entry last ran) in
# Redis and lets one beat hold a lock; a beat started on another host waits on the lock and takes over when the
# holder stops extending it. The lock lives redbeat_lock_timeout seconds and is extended every tick, a tick being
# at most beat_max_loop_interval: both set here, since the defaults (300 s ticks, 25 min lock) would leave up to
# 25 minutes without a schedule after a beat host dies. Without Redis (`make run`) the local file scheduler.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = os.environ.get("REDBEAT_REDIS_URL", CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = os.environ.get("REDBEAT_KEY_PREFIX", "flightops:redbeat")
    CELERY_BEAT_MAX_LOOP_INTERVAL = int(os.environ.get("BEAT_MAX_LOOP_INTERVAL", "5"))
    CELERY_REDBEAT_LOCK_TIMEOUT = int(os.environ.get("BEAT_LOCK_TIMEOUT", "30"))
    if CELERY_REDBEAT_LOCK_TIMEOUT < 3 * CELERY_BEAT_MAX_LOOP_INTERVAL:
        raise ImproperlyConfigured(
            "BEAT_LOCK_TIMEOUT must be at least 3 x BEAT_MAX_LOOP_INTERVAL, or the lock could lapse between two ticks "
            "of a healthy beat and a second beat would schedule too."
        )

# Faults and outages (issue 11): the outbox, the cache apart from the broker, stale-job recovery.
# Production needs a real broker: a per-host filesystem queue would strand tasks on the machine that sent them.
if not DEBUG and not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Production (DJANGO_DEBUG=0) needs a Redis broker that every web process and "
        "worker shares, e.g. REDIS_URL=redis://redis.internal:6379/0. (The filesystem broker is for one "
        "development machine only.)"
    )


def cache_settings_from_url(url: str) -> dict:
    """CACHE_URL: empty or db:// (the database, default), redis://host:6379/2, locmem://, dummy://.

    Every backend fails open (config/cache.py): an unreachable cache is logged and reads as empty, so
    throttles let requests through instead of answering 500.
    """
    parsed = urlparse(url or "db://")
    if parsed.scheme in {"db", "database"}:
        return {
            "BACKEND": "config.cache.FailOpenDatabaseCache",
            "LOCATION": "flightops_cache",
            # Throttle history is one entry per client and scope: do not cull it at Django's default 300.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
        }
    if parsed.scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if parsed.scheme == "locmem":
        return {"BACKEND": "config.cache.FailOpenLocMemCache", "LOCATION": "flightops"}
    if parsed.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL scheme {parsed.scheme!r} is not one of db, redis, rediss, locmem, dummy.")


CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {"default": cache_settings_from_url(CACHE_URL)}
if REDIS_URL:
    # A broker that is down must not hold a request for long: a guarded .delay() gives up after about a
    # second (the change is committed; the beat sweeps deliver or requeue the work later).
    CELERY_BROKER_TRANSPORT_OPTIONS.update({"socket_connect_timeout": 1, "socket_timeout": 5})
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# The outbox (flights/notifications.py): attempts before a message is marked failed, the first retry's
# wait (doubling each time, at most NOTIFICATION_RETRY_MAX_SECONDS), and when an unsent message is overdue.
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "8"))
NOTIFICATION_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_BASE_SECONDS", "60"))
NOTIFICATION_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_MAX_SECONDS", str(6 * 3600)))
NOTIFICATION_OVERDUE_MINUTES = int(os.environ.get("NOTIFICATION_OVERDUE_MINUTES", "15"))
# With a Redis broker, a wake-up sent after commit is trusted to be pending for this long: further messages send
# none until the sender takes it (or this passes, should it be lost). 0 sends one per transaction, as without Redis.
NOTIFICATION_WAKE_UP_SECONDS = int(os.environ.get("NOTIFICATION_WAKE_UP_SECONDS", "30"))
# Stuck work (flights/jobs.py): a queued or running job not heard of for this long is sent to a worker again,
# and failed after this many dispatches. Well under the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT).
JOB_STALE_AFTER_SECONDS = int(os.environ.get("JOB_STALE_AFTER_SECONDS", "180"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
# Fault injection for tests/integration/test_faults.py only (a worker killed mid-computation): seconds a
# window computation pauses after its first progress step. Always 0 outside that test.
LAUNCH_WINDOWS_TEST_DELAY_S = float(os.environ.get("LAUNCH_WINDOWS_TEST_DELAY_S", "0"))
CELERY_BEAT_SCHEDULE["send-notifications"] = {"task": "flights.send_notifications", "schedule": 60}
CELERY_BEAT_SCHEDULE["requeue-stale-jobs"] = {"task": "flights.requeue_stale_jobs", "schedule": 60}

# Django REST Framework: token auth for other systems, session auth for the portal's own calls.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["config.filtering.FilterBackend"],  # django-filter, per-action FilterSets
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("THROTTLE_AUTH", "20/min"),
        "booking": os.environ.get("THROTTLE_BOOKING", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Flight Operations API",
    "DESCRIPTION": "Bookings, flights, medical clearance, verification and launch readiness.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerificationKindEnum": "verification.models.VerificationFlight.Kind",
        "AttachmentKindEnum": "verification.models.Attachment.Kind",
        # Two models have a `result`: each gets its own name (the objective's keeps the one it always had).
        "ResultEnum": "verification.models.TestObjective.Result",
        "ScreeningResultEnum": "tourism.preflight.models.SecurityScreening.Result",
    },
}

# Security: strict when DJANGO_DEBUG=0, so `check --deploy` has nothing to warn about.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Portal (issue 14): expected refusals (403, 404) log one line without a traceback.
LOGGING["filters"] = {"expected_refusals": {"()": "portal.logging.ExpectedRefusalsOneLine"}}
LOGGING["handlers"]["console"]["filters"] = ["expected_refusals"]

def medical_encryption_keys(raw: list[str], *, debug: bool, key_file: Path) -> list[str]:
    """Fernet keys for medical records, newest first (MultiFernet: the first encrypts, all decrypt).

    Without MEDICAL_ENCRYPTION_KEYS, development uses a key generated once into a git-ignored file
    under the var folder; production refuses to start, because records written with a throwaway
    key would be unreadable after a redeploy.
    """
    from cryptography.fernet import Fernet

    if not raw:
        if not debug:
            raise ImproperlyConfigured(
                "MEDICAL_ENCRYPTION_KEYS is not set. Production (DJANGO_DEBUG=0) encrypts medical answers, notes "
                "and documents with it: set it to one or more Fernet keys, newest first, comma-separated. Make one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made earlier (or just now by the worker starting beside us)
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(Fernet.generate_key().decode() + "\n")
        key = key_file.read_text().strip()
        for _ in range(50):  # another process may have created the file a moment before writing it
            if key:
                break
            time.sleep(0.02)
            key = key_file.read_text().strip()
        raw = [key]
    for position, key in enumerate(raw, start=1):
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"MEDICAL_ENCRYPTION_KEYS entry {position} is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from exc
    return raw


# Medical records (tourism.medical): encryption at rest and the screening policy (DOMAIN.md).
MEDICAL_ENCRYPTION_KEYS = medical_encryption_keys(
    env_list("MEDICAL_ENCRYPTION_KEYS"), debug=DEBUG, key_file=VAR_DIR / "medical.key"
)
MEDICAL_CLEARANCE_VALIDITY_MONTHS = int(os.environ.get("MEDICAL_CLEARANCE_VALIDITY_MONTHS", "12"))
MEDICAL_SELF_CERTIFICATION_HOURS = int(os.environ.get("MEDICAL_SELF_CERTIFICATION_HOURS", "24"))
MEDICAL_EXPIRY_REMINDER_DAYS = int(os.environ.get("MEDICAL_EXPIRY_REMINDER_DAYS", "30"))
MEDICAL_DOCUMENT_MAX_BYTES = int(os.environ.get("MEDICAL_DOCUMENT_MAX_MB", "10")) * 1024 * 1024
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "RegimeEnum": "flights.models.Regime",
    "ClearanceNoteKindEnum": "tourism.medical.models.ClearanceNote.Kind",
    "MedicalExaminationKindEnum": "tourism.medical.models.MedicalExamination.Kind",
    "MedicalDocumentKindEnum": "tourism.medical.models.MedicalDocument.Kind",
})
CELERY_BEAT_SCHEDULE["medical-expire-clearances"] = {"task": "medical.expire_clearances", "schedule": 60 * 60}
CELERY_BEAT_SCHEDULE["medical-expiry-reminders"] = {"task": "medical.send_expiry_reminders", "schedule": 6 * 60 * 60}

# Verification sign-offs: the keys that seal each signature (HMAC-SHA256, README "Verification sign-offs").
def signoff_keys(raw: list[str], *, debug: bool, key_file: Path) -> list[tuple[str, bytes]]:
    """(key id, key) pairs, newest first: the first seals new signatures, all verify older ones.

    SIGNOFF_KEYS is comma-separated `kid:base64key` (at least 32 random bytes each). Without it, development
    uses a key generated once into a git-ignored file under the var folder; production refuses to start,
    because signatures sealed with a throwaway key could never be verified again.
    """
    import base64
    import binascii
    import re
    import secrets

    if not raw:
        if not debug:
            raise ImproperlyConfigured(
                "SIGNOFF_KEYS is not set. Production (DJANGO_DEBUG=0) seals every flight director's sign-off with "
                "it (HMAC-SHA256), so a database edit cannot forge one: set it to one or more `kid:base64key` "
                "entries, newest first, comma-separated, kept outside the database. Make one with "
                "python -c 'import base64,os; print(\"k2026a:\" + base64.b64encode(os.urandom(32)).decode())'"
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made earlier (or just now by the worker starting beside us)
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(f"dev-{secrets.token_hex(4)}:{base64.b64encode(secrets.token_bytes(32)).decode()}\n")
        entry = key_file.read_text().strip()
        for _ in range(50):  # another process may have created the file a moment before writing it
            if entry:
                break
            time.sleep(0.02)
            entry = key_file.read_text().strip()
        raw = [entry]
    keys: list[tuple[str, bytes]] = []
    for position, entry in enumerate(raw, start=1):
        kid, colon, encoded = entry.partition(":")
        kid = kid.strip()
        if not colon or not re.fullmatch(r"[A-Za-z0-9._-]{1,32}", kid):
            raise ImproperlyConfigured(
                f"SIGNOFF_KEYS entry {position} has no valid key id: write it as kid:base64key, the key id being "
                "1 to 32 letters, digits, dots, dashes or underscores."
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) < 32:
            raise ImproperlyConfigured(
                f"SIGNOFF_KEYS entry {position} (key id {kid}) is not at least 32 base64-encoded bytes."
            )
        if kid in dict(keys):
            raise ImproperlyConfigured(f"SIGNOFF_KEYS names key id {kid} twice: each key needs its own id.")
        keys.append((kid, key))
    return keys


SIGNOFF_KEYS = signoff_keys(env_list("SIGNOFF_KEYS"), debug=DEBUG, key_file=VAR_DIR / "signoff.key")
CELERY_BEAT_SCHEDULE["verification-publish-chain-head"] = {
    "task": "verification.publish_chain_head",
    "schedule": 24 * 60 * 60,  # seconds: the chain head goes to the log and the flight directors daily
}

# Product settings (policy the operator may change).
CATALOG_FEED_URL = os.environ.get("CATALOG_FEED_URL", "")
SEAT_HOLD_HOURS = int(os.environ.get("SEAT_HOLD_HOURS", "72"))
# What every visitor sees alike (the catalog, the flights lists, a flight page's public part) is kept this long at
# most, and dropped on every change (config/fragments.py); 0: built afresh on every request.
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", "30"))
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "spaceport-demo-2026")
# Collision-avoidance screening fails closed (issue 12; README "What makes the launch chain fail closed").
# Elements further than this from a liftoff make an object uncertain; its stand-off then grows by the
# in-track error growth per day of element age (2 km/day: middle of the published 1-3 km/day TLE/SGP4 LEO growth).
SCREENING_MAX_ELEMENT_AGE_DAYS = float(os.environ.get("SCREENING_MAX_ELEMENT_AGE_DAYS", "7"))
SCREENING_ERROR_GROWTH_KM_PER_DAY = float(os.environ.get("SCREENING_ERROR_GROWTH_KM_PER_DAY", "2"))
# Screening refuses a catalog whose newest import is older than this (launch day: a day at most).
CATALOG_MAX_AGE_HOURS = float(os.environ.get("CATALOG_MAX_AGE_HOURS", "24"))
# The full-catalog launch screen is split into chunks of this many objects (by catalog number), screened by
# Celery workers in parallel and joined in the database (issue 15; README "Screening spread over workers").
# 0 screens the whole catalog in the one process that computes the windows.
SCREENING_CHUNK_OBJECTS = int(os.environ.get("SCREENING_CHUNK_OBJECTS", "4000"))
if SCREENING_CHUNK_OBJECTS < 0:
    raise ImproperlyConfigured("SCREENING_CHUNK_OBJECTS must be 0 (one process) or a number of objects per chunk.")
# The launch screen's bulk (coarse-grid) propagator: "sgp4", the reference, or "astroz" (same interface, SIMD,
# cross-checked against sgp4 object by object; every closure still comes from sgp4). flights/orbits/propagation.py.
SCREENING_PROPAGATOR = os.environ.get("SCREENING_PROPAGATOR", "sgp4")
if SCREENING_PROPAGATOR not in ("sgp4", "astroz"):
    raise ImproperlyConfigured(f"SCREENING_PROPAGATOR must be sgp4 or astroz, got {SCREENING_PROPAGATOR!r}.")
# Fault injection for the integration test that kills a worker mid-run: seconds a countdown milestone
# waits after its checks, before it commits. Always 0 outside that test.
READINESS_TEST_DELAY_S = float(os.environ.get("READINESS_TEST_DELAY_S", "0"))
# Links in emails point here.
# The base of links in emails; `make run` on another WEB_PORT follows it unless SITE_URL says otherwise.
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('WEB_PORT', '8000')}"
# Bookings: a waitlist offer's deadline, and where passengers wire deposits and balances.
WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "24"))
# Passengers' email verification: how long a link works, and how often a new one may be sent.
EMAIL_VERIFICATION_DAYS = int(os.environ.get("EMAIL_VERIFICATION_DAYS", "3"))
EMAIL_VERIFICATION_RESEND_SECONDS = int(os.environ.get("EMAIL_VERIFICATION_RESEND_SECONDS", "60"))
BANK_TRANSFER_DETAILS = os.environ.get(
    "BANK_TRANSFER_DETAILS", "Spaceline Operations Ltd, IBAN GB00 DEMO 0000 0000 0000 00, BIC DEMOGB2L"
)
CELERY_BEAT_SCHEDULE["tourism-expire-lapsed-holds"] = {"task": "tourism.expire_lapsed_holds", "schedule": 60.0}
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "BookingStatusEnum": "tourism.models.Booking.Status",
    "WaitlistStatusEnum": "tourism.models.WaitlistEntry.Status",
    "LedgerEntryKindEnum": "tourism.models.LedgerEntry.Kind",
})

for _folder in (VAR_DIR, VAR_DIR / "broker" / "queue", VAR_DIR / "broker" / "control", MEDIA_ROOT, STATIC_ROOT):
    _folder.mkdir(parents=True, exist_ok=True)

# Hardening (issue 8): a Content Security Policy on every response (django-csp 4, dict-style), and
# login throttling and lockout (django-axes) on the portal, the admin and the API token endpoint.
from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp", "axes"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "axes.middleware.AxesMiddleware"]  # axes must come last
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # no inline scripts, no eval: every script is a static file
        "style-src": [SELF],  # htmx's indicator <style> is switched off in base.html
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username+IP before checking the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)  # lockouts are still logged as warnings
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",  # the default, kept
    "config.openapi.add_error_responses",
]

# Accounts (issue 8): two-factor login (TOTP, django-otp) for flight surgeons, flight directors, operations and
# every staff account, in the portal, the admin and the API; the admin site is accounts' TwoFactorAdminSite.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "accounts.apps.TwoFactorAdminConfig"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "accounts"]
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "accounts.middleware.TwoFactorRequiredMiddleware",  # staff sessions pass the code step first
]
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.TokenAuthentication",  # staff tokens are issued only with a valid otp_token
    "accounts.api.TwoFactorSessionAuthentication",
]
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Spaceline Flight Operations")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the TOTP device admin never shows a secret

# API hardening (issue 11): error shape everywhere, body limits, JSON-only bodies, trusted proxies.
# DJANGO_TRUSTED_PROXIES is how many reverse proxies in front of the app append to X-Forwarded-For; the
# client address for throttles (DRF NUM_PROXIES) and for log-in lockout (django-axes, keyed on username
# plus address) is the one the outermost trusted proxy saw. 0 (the default) trusts no header at all: the
# address is REMOTE_ADDR, so a client cannot pick a fresh address per request by sending the header.
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXIES is a count of reverse proxies: 0 or more.")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_ip_address"  # the same rule as DRF's throttles
API_MAX_JSON_BYTES = int(float(os.environ.get("API_MAX_JSON_MB", "1")) * 1024 * 1024)
API_MAX_UPLOAD_BYTES = int(float(os.environ.get("API_MAX_UPLOAD_MB", "0")) * 1024 * 1024) or (
    MEDICAL_DOCUMENT_MAX_BYTES + 1024 * 1024  # the largest file, plus room for the multipart envelope
)
API_MAX_JSON_DEPTH = int(os.environ.get("API_MAX_JSON_DEPTH", "32"))
MIDDLEWARE.insert(0, "config.errors.ApiBodyLimitMiddleware")  # before anything reads the body
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["config.parsers.JSONParser"]  # upload views add MultiPartParser
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "config.parsers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "config.openapi.AutoSchema"  # operation ids that read as verbs
SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"] = r"/api/v[0-9]+"  # tags by resource (flights, bookings), not "v1"

# Space traffic (issue 13): on-orbit conjunction events, CDMs, Pc, risk tiers, decisions (flights.traffic).
# Tier thresholds from the ISS flight rules for crewed vehicles (red Pc >= 1e-4, yellow >= 1e-5), the ISS
# "pizza box" screening volume (half-sizes radial, in-track, cross-track, km), and per vehicle model
# overrides as JSON: {"<vehicle model name>": {"red_pc": 1e-4, "yellow_pc": 1e-5, "volume_km": [2, 25, 25]}}.
import json as _json  # noqa: E402

INSTALLED_APPS.insert(INSTALLED_APPS.index("flights") + 1, "flights.traffic")
TRAFFIC_RED_PC = float(os.environ.get("TRAFFIC_RED_PC", "1e-4"))
TRAFFIC_YELLOW_PC = float(os.environ.get("TRAFFIC_YELLOW_PC", "1e-5"))
TRAFFIC_SCREENING_VOLUME_KM = tuple(float(v) for v in env_list("TRAFFIC_SCREENING_VOLUME_KM", "2,25,25"))
TRAFFIC_MODEL_THRESHOLDS = _json.loads(os.environ.get("TRAFFIC_MODEL_THRESHOLDS", "{}") or "{}")
# The combined hard-body radius when neither the caller nor the message (COMMENT HBR) gives one.
TRAFFIC_DEFAULT_HBR_M = float(os.environ.get("TRAFFIC_DEFAULT_HBR_M", "20"))
# A message for the same pair with a TCA within this many minutes updates the same event.
TRAFFIC_SAME_EVENT_MINUTES = float(os.environ.get("TRAFFIC_SAME_EVENT_MINUTES", "5"))
TRAFFIC_CDM_MAX_BYTES = int(os.environ.get("TRAFFIC_CDM_MAX_KB", "256")) * 1024
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "FlightStatusEnum": "flights.models.Flight.Status",
    "ConjunctionTierEnum": "flights.traffic.models.TIER_CHOICES",
    "ConjunctionSourceEnum": "flights.traffic.models.Source",
    "CovarianceStateEnum": "flights.traffic.models.CovarianceState",
    "ConjunctionDecisionKindEnum": "flights.traffic.models.ConjunctionDecision.Kind",
})
TRAFFIC_ORIGINATOR = os.environ.get("TRAFFIC_ORIGINATOR", "SPACELINE")
# Our own on-orbit screening (flights.traffic.screening): every TRAFFIC_SCREENING_INTERVAL_HOURS (CARA screens LEO
# about three times a day), each protected object TRAFFIC_SCREENING_DAYS ahead against the catalog. The beat's sweep
# (every minute) queues a run when one is due (or a protected object in orbit is newer than the last run) and requeues
# a stalled one. The Traffic position of a flight in orbit is NO-GO when the latest run failed, does not include one of
# its protected objects, or none finished in the last TRAFFIC_SCREENING_MAX_AGE_HOURS (default: two intervals, so one
# missed run is tolerated and two are not). Stale elements use SCREENING_MAX_ELEMENT_AGE_DAYS and
# SCREENING_ERROR_GROWTH_KM_PER_DAY, as the launch screening does.
TRAFFIC_SCREENING_INTERVAL_HOURS = float(os.environ.get("TRAFFIC_SCREENING_INTERVAL_HOURS", "8"))
TRAFFIC_SCREENING_DAYS = float(os.environ.get("TRAFFIC_SCREENING_DAYS", "7"))
# The on-orbit screening run in catalog chunks of this many objects, one Celery task each (0: in one process).
TRAFFIC_SCREENING_CHUNK_OBJECTS = int(os.environ.get("TRAFFIC_SCREENING_CHUNK_OBJECTS", str(SCREENING_CHUNK_OBJECTS)))
if TRAFFIC_SCREENING_CHUNK_OBJECTS < 0:
    raise ImproperlyConfigured(
        "TRAFFIC_SCREENING_CHUNK_OBJECTS must be 0 (one process) or a number of objects per chunk."
    )
TRAFFIC_SCREENING_MAX_AGE_HOURS = float(
    os.environ.get("TRAFFIC_SCREENING_MAX_AGE_HOURS", str(2 * TRAFFIC_SCREENING_INTERVAL_HOURS))
)
CELERY_BEAT_SCHEDULE["traffic-orbit-screening"] = {"task": "traffic.orbit_screening_sweep", "schedule": 60}
# Events close this many minutes after their TCA (a last message may still come), by a beat sweep.
TRAFFIC_CLOSE_AFTER_TCA_MINUTES = float(os.environ.get("TRAFFIC_CLOSE_AFTER_TCA_MINUTES", "30"))
CELERY_BEAT_SCHEDULE["traffic-close-passed-events"] = {"task": "traffic.close_passed_events", "schedule": 5 * 60}
