"""Django settings, read from environment variables.

DATABASE_URL chooses the database (SQLite by default); SECRET_KEY, DEBUG,
ALLOWED_HOSTS and the keys under SAHAYATA_* configure the rest.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from sahayata.core.deploy import REFUSAL, insecure_defaults
from sahayata.dburl import parse_database_url, parse_replica_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAHAYATA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for: `make run`, `make demo` and the test settings (tests/settings.py)
# turn it on. With DEBUG off the development keys below are refused (end of this block).
DEBUG = env_bool("DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"  # noqa: S105 (refused in production)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS_FROM_ENV = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
ALLOWED_HOSTS = ALLOWED_HOSTS_FROM_ENV or (
    ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below); its checks and tags
    "django_otp",  # second factor (TOTP and recovery codes) for finance and administrators
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",  # throttling of failed logins (username + IP), on the staff and the admin login
    "django_q",  # the job queue (ORM broker): sahayata/site/jobs.py, manage.py run_jobs
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "sahayata.core",
    "sahayata.audit",
    "sahayata.places",
    "sahayata.catalogue",
    "sahayata.people",
    "sahayata.wallet",
    "sahayata.integrations",
    "sahayata.applications",
    "sahayata.certificates",
    "sahayata.notifications",
    "sahayata.transparency",
    "sahayata.consoles",
    "sahayata.ledgerlog",
    "sahayata.simulator",
    "sahayata.api",
    "sahayata.site",  # the composition root: API assembly, jobs, demo loader, home page
]

MIDDLEWARE = [
    "sahayata.core.requestid.RequestIdMiddleware",
    "sahayata.audit.context.AuditContextMiddleware",  # IP and API token of each audit event
    "sahayata.site.limits.RequestSizeLimitMiddleware",  # 413 before a large body is read
    "multidb.middleware.PinningRouterMiddleware",  # read-your-writes with a replica
    "django.middleware.security.SecurityMiddleware",
    # Both outside whitenoise, so that static files carry them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Bengali unless the person chose English (cookie); Accept-Language only in the API.
    "sahayata.core.middleware.BengaliFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "sahayata.people.middleware.IdleTimeoutMiddleware",  # logged out after idling
    "sahayata.people.middleware.SecondFactorMiddleware",  # finance and admin: code first
    "sahayata.site.replica.AuditorReplicaMiddleware",  # the auditor reads from the replica
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its page
]

# A failed login counts against the username *at* its IP: a centre's PC is shared by its
# operators, and one operator's typing must not lock the others out (nor a user be locked
# out from everywhere by a stranger). A success resets the count; a lock-out cools off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SAHAYATA_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAHAYATA_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sahayata.people.login.locked_out"
# The same client IP as the public lookups' limits (SAHAYATA_TRUST_X_FORWARDED_FOR).
AXES_CLIENT_IP_CALLABLE = "sahayata.people.login.login_ip"
AXES_VERBOSE = False

# Two-factor login (sahayata/people/twofactor.py): these roles give a TOTP code (or a
# recovery code) after the password, on the staff login and the admin's, before any page.
SAHAYATA_OTP_REQUIRED_ROLES = ["finance", "admin"]
OTP_TOTP_ISSUER = "Sahayata"
# django-otp's throttling of wrong codes: each failure doubles the wait (1 s, 2 s, 4 s…).
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = 1
SAHAYATA_OTP_RECOVERY_CODES = 10

# Sessions: a counter PC is shared, so a staff session ends after this many seconds without
# a request (the login page then says why), and after 12 hours whatever happens. Django
# gives a new session key at every login; the second factor gives another.
SAHAYATA_SESSION_IDLE_SECONDS = int(os.environ.get("SAHAYATA_SESSION_IDLE_SECONDS", "1800"))
SESSION_COOKIE_AGE = int(os.environ.get("SAHAYATA_SESSION_MAX_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # no script of ours reads either
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "sahayata.urls"
WSGI_APPLICATION = "sahayata.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sahayata.sqlite3'}"),
        base_dir=BASE_DIR,
    )
}
# A streaming standby serves the reads marked @replica_read (sahayata/core/dbrouter.py);
# a user who has just written reads from the primary for MULTIDB_PINNING_SECONDS.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = parse_replica_url(os.environ["DATABASE_REPLICA_URL"], base_dir=BASE_DIR)
DATABASE_ROUTERS = ["sahayata.core.dbrouter.ReplicaRouter"]
MULTIDB_PINNING_SECONDS = int(os.environ.get("SAHAYATA_REPLICA_PIN_SECONDS", "15"))
MULTIDB_PINNING_COOKIE = "sahayata_primary"
MULTIDB_PINNING_COOKIE_HTTPONLY = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "consoles:start"  # each role's console (consoles.views.CONSOLES)
LOGOUT_REDIRECT_URL = "home"

# Every way to set a password (add_user, the admin, the password forms) checks these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "bn"
LANGUAGES = [("bn", "বাংলা"), ("en", "English")]
# The switch in the header is remembered for a year, not only for the browser session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS: list[Path] = []  # each app keeps its own locale/ (see scripts/i18n.py)
USE_I18N = True
TIME_ZONE = "Asia/Kolkata"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every request about a missing one
MEDIA_ROOT = VAR_DIR / "uploads"  # outside the web root: served only through permission checks
# Production serves what `collectstatic` gathered into STATIC_ROOT (`make serve-prod`
# collects): compressed, with hashed names cached for a year. A name missing from the
# manifest falls back to the plain file, so a DEBUG=0 run without collecting still works.
STATIC_COLLECTED = env_bool("SAHAYATA_STATIC_COLLECTED", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Production is reached over TLS only, usually through a TLS-terminating proxy: secure
# cookies, HSTS and a redirect of plain http, on by default with DEBUG off (DEPLOYMENT.md).
# A loopback trial on plain http (tests/deploy, make loadtest) sets SAHAYATA_HTTPS=0.
SAHAYATA_HTTPS = env_bool("SAHAYATA_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SAHAYATA_HTTPS
MULTIDB_PINNING_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SAHAYATA_HTTPS
SECURE_SSL_REDIRECT = env_bool("SAHAYATA_SSL_REDIRECT", SAHAYATA_HTTPS)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SAHAYATA_HSTS_SECONDS", 31_536_000 if SAHAYATA_HTTPS else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SAHAYATA_HSTS_INCLUDE_SUBDOMAINS", SAHAYATA_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SAHAYATA_HSTS_PRELOAD", SAHAYATA_HTTPS)
# The proxy says the request came over TLS; only trust it when a proxy is really in front.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SAHAYATA_TLS_PROXY", SAHAYATA_HTTPS) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page, the API, the admin and the static files: our own origin only, no inline
# script or style, no eval, no plugins, no framing (SECURITY.md, "Browser security
# headers"). A response that needs more says so itself (sahayata/core/csp.py), never here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sahayata",
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox-mail"

# Keyed hash for Aadhaar de-duplication. Production must set its own secret (32 bytes or
# more, kept outside the database): under a known key the 12 digits fall in minutes.
DEV_AADHAAR_HMAC_KEY = "dev-only-aadhaar-hmac-key-change-me"
SAHAYATA_AADHAAR_HMAC_KEY = os.environ.get("SAHAYATA_AADHAAR_HMAC_KEY", DEV_AADHAAR_HMAC_KEY)
# A simulated deployment (demo data with its public password, the network simulator,
# simulated back ends): on by default only with DEBUG on. seed_demo and simulate refuse
# to run without it.
SAHAYATA_SIMULATED = env_bool("SAHAYATA_SIMULATED", DEBUG)

if not DEBUG:
    _problems = insecure_defaults(
        secret_key=SECRET_KEY,
        dev_secret_key=DEV_SECRET_KEY,
        aadhaar_key=SAHAYATA_AADHAAR_HMAC_KEY,
        dev_aadhaar_key=DEV_AADHAAR_HMAC_KEY,
        allowed_hosts_from_env=ALLOWED_HOSTS_FROM_ENV,
    )
    if _problems:
        raise ImproperlyConfigured(
            REFUSAL + "; ".join(_problems) + " (for development, set DEBUG=1)"
        )

# JSON lines in production (LOG_FORMAT=json, the default with DEBUG off), each with the
# request id that the response echoes in X-Request-ID.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sahayata.core.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Ed25519 key that signs certificates (PEM, PKCS#8); generated in var/ when unset (dev only).
SAHAYATA_SIGNING_KEY_PATH = os.environ.get("SAHAYATA_SIGNING_KEY_PATH") or None
# Retired public keys (manage.py certificates_rotate_key), so older certificates still verify.
SAHAYATA_SIGNING_KEYRING_DIR = os.environ.get("SAHAYATA_SIGNING_KEYRING_DIR") or None
# Who a bearer token of the API belongs to (token in, user or None out).
SAHAYATA_API_TOKEN_USER = "sahayata.people.tokens.user_for_token"  # noqa: S105 - a dotted path
# Called with (request, user) once a bearer token is known: an auditor's reads to the replica.
SAHAYATA_API_ON_AUTHENTICATED = ["sahayata.site.replica.api_authenticated"]
# How long a new API token works (manage.py create_api_token --days overrides it).
SAHAYATA_API_TOKEN_DAYS = int(os.environ.get("SAHAYATA_API_TOKEN_DAYS", "90"))
# The transparency log's own Ed25519 key (never the certificate key) and its keyring.
SAHAYATA_LOG_KEY_PATH = os.environ.get("SAHAYATA_LOG_KEY_PATH") or None
SAHAYATA_LOG_KEYRING_DIR = os.environ.get("SAHAYATA_LOG_KEYRING_DIR") or None
# Where log_publish writes each signed head (with the ledger's seal chain head) outside the
# database, one JSON file a head: what an operator mirrors to a public place. ledger_check
# verifies the ledger against every head found there. Default: var/log-published/.
SAHAYATA_LOG_PUBLISH_DIR = os.environ.get("SAHAYATA_LOG_PUBLISH_DIR") or None
# Simulated back ends per adapter, as JSON, e.g. {"treasury_challan": {"failure_rate": 0.01}}.
SAHAYATA_ADAPTERS = json.loads(os.environ.get("SAHAYATA_ADAPTERS", "{}"))
# SMS gateway class (dotted path); the default appends to SAHAYATA_SMS_FILE.
SAHAYATA_SMS_BACKEND = os.environ.get(
    "SAHAYATA_SMS_BACKEND", "sahayata.notifications.backends.FileSmsBackend"
)
SAHAYATA_SMS_FILE = os.environ.get("SAHAYATA_SMS_FILE", str(VAR_DIR / "outbox-sms.log"))
# Limits on public lookups that did not match, as JSON {scope: {"misses_per_number": 5,
# "misses_per_ip": 300, "window_seconds": 900}} ("track": tracking); correct lookups never count.
SAHAYATA_LOOKUP_LIMITS = json.loads(os.environ.get("SAHAYATA_LOOKUP_LIMITS", "{}"))
# Only behind a reverse proxy: take the client IP from the last hop of X-Forwarded-For.
SAHAYATA_TRUST_X_FORWARDED_FOR = env_bool("SAHAYATA_TRUST_X_FORWARDED_FOR", False)
# Audit events are kept a year (the DPDP Rules' one year; over CERT-In's 180 days of logs),
# then pruned by ``manage.py audit_prune`` behind a checkpoint (SECURITY.md, "Audit trail").
SAHAYATA_AUDIT_RETENTION_DAYS = int(os.environ.get("SAHAYATA_AUDIT_RETENTION_DAYS", "365"))
# A request does only its own transaction: the rollup fold, the notification send and the
# back-end call run in the worker (run_jobs; sahayata/site/outbox.py). Each of these turns
# one back into an after-commit hook inside the request: a development convenience only.
SAHAYATA_ROLLUPS_ON_COMMIT = env_bool("SAHAYATA_ROLLUPS_ON_COMMIT", False)
SAHAYATA_NOTIFICATIONS_ON_COMMIT = env_bool("SAHAYATA_NOTIFICATIONS_ON_COMMIT", False)
SAHAYATA_DISPATCH_ON_COMMIT = env_bool("SAHAYATA_DISPATCH_ON_COMMIT", False)
# How often run_jobs' relay looks for waiting outbox rows (seconds), and the back-end calls
# one dispatch task makes at once (each thread waits on its back end, not on the CPU).
SAHAYATA_OUTBOX_RELAY_SECONDS = float(os.environ.get("SAHAYATA_OUTBOX_RELAY_SECONDS", "0.25"))
SAHAYATA_DISPATCH_THREADS = int(os.environ.get("SAHAYATA_DISPATCH_THREADS", "16"))
# /readyz: not ready when a job or an outbox row has waited longer than this (seconds).
SAHAYATA_QUEUE_LAG_LIMIT_SECONDS = int(os.environ.get("SAHAYATA_QUEUE_LAG_LIMIT_SECONDS", "60"))
SAHAYATA_READY_CHECKS = ["sahayata.site.outbox.queue_lag_check"]
# A replica that lags by more than this (seconds) serves no reads (they go to the primary)
# and makes /readyz not ready; below the read-your-writes pinning window, so that a user's
# own write is on the replica by the time their pin runs out.
SAHAYATA_REPLICA_LAG_LIMIT_SECONDS = float(
    os.environ.get("SAHAYATA_REPLICA_LAG_LIMIT_SECONDS", "10")
)
if "replica" in DATABASES:
    SAHAYATA_READY_CHECKS.append("sahayata.core.dbrouter.replica_lag_check")
# Only for `make loadtest`: POST /api/v1/bench/ceiling, a minimal durable write (one
# insert and one update) through the same server, middleware and token auth. Never on in
# production.
SAHAYATA_BENCH_CEILING = env_bool("SAHAYATA_BENCH_CEILING", False)

# The job queue (django-q2, broker in the database: SQLite or PostgreSQL, no other server).
# A task not acknowledged (failed, or its worker died) comes back after "retry" seconds,
# doubling per failed attempt (sahayata/site/queue.py), at most "max_attempts" times.
Q_CLUSTER = {
    "name": "sahayata",
    "orm": "default",
    "broker_class": "sahayata.site.queue.BackoffORM",
    # Four: one per outbox kind (a dispatch pass holds its worker up to 5 s) and one for the
    # periodic jobs, so that no drain waits behind another (the lag; BENCHMARKS.md).
    "workers": int(os.environ.get("SAHAYATA_JOB_WORKERS", "4")),
    "timeout": int(os.environ.get("SAHAYATA_JOB_TIMEOUT", "300")),
    "retry": int(os.environ.get("SAHAYATA_JOB_RETRY", "360")),
    "max_attempts": 5,
    "ack_failures": False,
    "catch_up": False,  # a worker back after a stop runs each job once, not every missed tick
    "poll": 0.2,  # the broker's look for due tasks: one cheap query, five a second
    "save_limit": 1000,
    "label": "Job queue",
}

# A submission's form with its documents (each at most 2 MB, at most seven): refused by
# its Content-Length above this, before it is read (sahayata/site/limits.py).
SAHAYATA_MAX_UPLOAD_REQUEST_BYTES = int(
    os.environ.get("SAHAYATA_MAX_UPLOAD_REQUEST_BYTES", str(15 * 1024 * 1024))
)
