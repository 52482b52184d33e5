"""Settings for Incident Desk, driven by environment variables.

Every default needs no service (SQLite, console email) so that `make run` works on a
fresh machine. Production (`ENVIRONMENT=production`) refuses to start without a real
secret key. See `.env.example` for every variable.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# Under pytest-xdist (`make test` runs two test processes) each worker keeps its own database
# file, media, keys and daemons beneath VAR_DIR.
if os.environ.get("PYTEST_XDIST_WORKER"):
    VAR_DIR = VAR_DIR / os.environ["PYTEST_XDIST_WORKER"]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (refused in production)
ENVIRONMENT = os.environ.get("ENVIRONMENT", "development")
PRODUCTION = ENVIRONMENT == "production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people reach the service at, used in links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "crontask",
    "core",
    "accounts",
    "organisations",
    "audit",
    "incidents",
    "evidence",
    "breaches",
    "actions",
    "parties",
    "casefile",
    "notifications",
    "deadlines",
    "intake",
    "inbound",
    "anonymous",
    "insights",
    "webhooks",
    "onboarding",
    "policies",
    "learning",
    "retention",
    "demo",
    "api",
    "ninja",  # the interactive API docs' templates and static files
]

MIDDLEWARE = [
    # First: strips address, user agent, cookies and headers from public report pages
    # before anything else sees the request (docs/anonymous-reporting.md).
    "anonymous.middleware.AnonymousRequestMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.PdfErrorMiddleware",
    "core.middleware.StorageFullMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # WhiteNoise, its look at the files made once a process (core/middleware.py).
    "core.middleware.StaticFilesMiddleware",
    # Below WhiteNoise: every response of the application itself, never a static file,
    # is marked no-store (pages, downloads, PDFs, 404 and 500 carry incident data).
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Handlers, DPOs, SIROs, admins and superusers: a second factor before any page.
    "organisations.mfa.SecondFactorMiddleware",
]

ROOT_URLCONF = "incidentdesk.urls"
WSGI_APPLICATION = "incidentdesk.wsgi.application"

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
                "incidentdesk.navigation.navigation",
                # {{ csp_nonce }} for an inline script, should one ever be needed.
                "django.template.context_processors.csp",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.GovukRenderer"

# Database: SQLite in var/ unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each process keeps its SQLite connection: opening one costs about 2.5 ms a request (the file
    # opened, the pragmas below, the schema read again) and throws away SQLite's page cache, which
    # a kept connection holds between requests. Nothing to exhaust: no server, no connection limit.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock
    # at the start of a transaction, so concurrent reports queue instead of failing
    # with "database is locked" when a read lock would have to be upgraded.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so tests that use threads see one real database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it starts on any query the planner costs above 100,000 (the log's
    # export, the home page's "things to do" over a large county) and compiled for 1 to 2.5 s
    # to save milliseconds (bench/README.md, "JIT"). Pages here run many short queries.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A pool of connections in each process on PostgreSQL (Django's "pool" option, psycopg_pool),
# opt-in: DATABASE_POOL=1. Each process keeps between MIN and MAX connections open and a request
# waits at most TIMEOUT seconds for one. Not with CONN_MAX_AGE: Django refuses the two together.
if env_bool("DATABASE_POOL"):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOL works with PostgreSQL only: set DATABASE_URL to postgres://…")
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DATABASE_POOL and CONN_MAX_AGE cannot be combined: leave CONN_MAX_AGE at 0.")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email and password only; people join by invitation, never by sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Incident Desk: "
# Failed sign-ins (accounts/throttle.py): 5 per account per 5 minutes, and at most
# SIGNIN_FAILURES_PER_ADDRESS per address per 5 minutes; browsers where the person signed in
# before (a signed device cookie) are exempt from both, so neither an address nor an account
# can be locked out for the people who use it. Counts are shared by every process (CACHES).
# allauth's own "login" limit (30 sign-ins a minute per address, successful ones included)
# would lock a whole school out on a Monday morning: switched off.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key", "login": ""}
SIGNIN_FAILURES_PER_ADDRESS = f"{int(os.environ.get('SIGNIN_FAILURES_PER_ADDRESS', '30'))}/5m/key"
SIGNIN_DEVICE_COOKIE_NAME = "__Host-signin_device" if PRODUCTION else "signin_device"
# Behind a reverse proxy: how many proxies add to X-Forwarded-For, so the sign-in limits
# count the visitor's address and not the proxy's (0: REMOTE_ADDR is the visitor's).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("SIGNIN_TRUSTED_PROXY_COUNT", "0"))
# Two-step verification (docs/security.md, "Signing in"): required for every role in
# organisations.powers.SECOND_FACTOR_ROLES by organisations.mfa.SecondFactorMiddleware.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Incident Desk"
MFA_ADAPTER = "organisations.mfa.MFAAdapter"
# allauth's "enter your code" sign-in step, skipped when the identity provider did MFA (issue 14)
MFA_AUTHENTICATE_STAGE = "organisations.sso.AuthenticateStage"
MFA_PASSKEY_LOGIN_ENABLED = True
# Browsers allow passkeys on http://localhost only; elsewhere the site must be served over https.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION and DEBUG
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here in production; elsewhere WhiteNoise serves straight from static/.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Evidence files (evidence/storage.py, docs/deploy.md "Object storage"): by default the folder
# MEDIA_ROOT/evidence/; EVIDENCE_STORAGE=s3 keeps them in a private bucket of an S3-compatible
# store that every machine shares. Keys may be left unset where the machine's own role or
# instance profile gives access (boto3 finds it).
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "folder")
if EVIDENCE_STORAGE == "folder":
    STORAGES["evidence"] = {"BACKEND": "evidence.storage.FolderStorage"}
elif EVIDENCE_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("EVIDENCE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket that holds evidence.")
    STORAGES["evidence"] = {
        "BACKEND": "evidence.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # Empty for AWS itself; the store's address otherwise (https://minio.county.example:9000).
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for stores without a name per bucket (MinIO's default); empty: boto3 chooses.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }
else:
    raise ImproperlyConfigured(f"EVIDENCE_STORAGE must be 'folder' or 's3', not {EVIDENCE_STORAGE!r}.")
# Uploaded files live outside the web root and are only served through views that check access.
# Folders of fonts the PDFs may use beside those typst carries: Noto covers every script and
# emoji (Debian: fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji; scripts/ensure-fonts).
PDF_FONT_DIRS = env_list("PDF_FONT_DIRS", "/usr/share/fonts/truetype/noto,/usr/share/fonts/opentype/noto")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "files"))
# Largest evidence file accepted, in bytes (default 20 MB).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
# Malware scanning of every uploaded file by ClamAV's daemon (docs/deploy.md): its socket
# path or tcp://host:port. Empty: no scanning (development without clamd; `make run` sets
# it when clamd is installed). Production refuses to start without it (evidence.E001).
CLAMAV_SOCKET = os.environ.get("CLAMAV_SOCKET", "")
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "30"))
# Reports by email (docs/channels.md, "By email"): the SMTP listener `manage.py receive_mail`
# listens here, and refuses (and the mailbox fetch leaves aside) any message over the size
# limit, in bytes (default 25 MB: a report's attachments, encoded, plus the message).
INBOUND_SMTP_HOST = os.environ.get("INBOUND_SMTP_HOST", "127.0.0.1")
INBOUND_SMTP_PORT = int(os.environ.get("INBOUND_SMTP_PORT", "2525"))
INBOUND_MAX_BYTES = int(os.environ.get("INBOUND_MAX_BYTES", 25 * 1024 * 1024))
# Seconds to wait for an IMAP server or an OAuth token endpoint.
INBOUND_IMAP_TIMEOUT = float(os.environ.get("INBOUND_IMAP_TIMEOUT", "30"))
# Hours left on the 72-hour ICO clock at which the DPO and SIRO are reminded (and again
# when it passes), comma-separated.
ICO_REMINDER_HOURS = [int(h) for h in os.environ.get("ICO_REMINDER_HOURS", "48,24,6").split(",") if h.strip()]

# The record (docs/record.md). The keys that sign every organisation's event chain live in
# a file outside the database (JSON, mode 0600, made and rotated by `manage.py
# rotate_record_key`); production names it, development and tests make one under var/.
RECORD_KEYS_FILE = Path(os.environ.get("RECORD_KEYS_FILE") or VAR_DIR / "record-keys.json")
if PRODUCTION and not os.environ.get("RECORD_KEYS_FILE"):
    raise ImproperlyConfigured(
        "RECORD_KEYS_FILE must name the record's keys file in production, outside VAR_DIR and the "
        "database (create it with: python manage.py rotate_record_key)."
    )
# Signed checkpoints of every chain head, written outside the database every 15 minutes and
# by `manage.py checkpoint_record`; `verify_events` compares the chains with the latest.
# Secrets kept to be used again (identity-provider client secrets, webhooks' signing secrets) are
# sealed (lib/sealed.py, Fernet) with a key kept in this file, outside the database: by default
# beside the record's keys (outside VAR_DIR in production), made on first use.
SECRETS_KEY_FILE = Path(os.environ.get("SECRETS_KEY_FILE") or RECORD_KEYS_FILE.parent / "secrets.key")
# Incidents' content is sealed at rest (decision 0038, docs/retention.md): each incident's data
# key is wrapped by a master key kept in this file (JSON, mode 0600, made and rotated by
# `manage.py rotate_content_keys`), beside the record's keys by default, outside VAR_DIR in
# production. Losing it loses every incident's content: the backup archive keeps a copy.
CONTENT_KEYS_FILE = Path(os.environ.get("CONTENT_KEYS_FILE") or RECORD_KEYS_FILE.parent / "content-keys.json")
# Single sign-on (docs/sign-in.md).
SOCIALACCOUNT_ADAPTER = "organisations.sso.SignInAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# A verified address from the organisation's own provider signs in its existing account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Installation-wide providers, for every organisation without its own: set the client id and
# secret (and, for Entra ID, the server address of the tenant or "organizations").
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": kind,
                "name": name,
                "client_id": os.environ[f"SSO_{kind.upper()}_CLIENT_ID"],
                "secret": os.environ.get(f"SSO_{kind.upper()}_CLIENT_SECRET", ""),
                "settings": {"server_url": os.environ.get(f"SSO_{kind.upper()}_SERVER_URL", server)},
            }
            for kind, name, server in (
                ("microsoft", "Microsoft", "https://login.microsoftonline.com/organizations/v2.0"),
                ("google", "Google", "https://accounts.google.com"),
            )
            if os.environ.get(f"SSO_{kind.upper()}_CLIENT_ID")
        ],
    }
}
RECORD_CHECKPOINT_FILE = Path(os.environ.get("RECORD_CHECKPOINT_FILE") or VAR_DIR / "record-checkpoint.json")
# Every disposal of an incident, one JSON line each, appended and fsynced (retention/ledger.py):
# kept outside the database and outside the backup archive, so `manage.py restore` of an older
# backup disposes again of whatever was disposed of since (decision 0038, docs/retention.md).
DISPOSAL_LEDGER_FILE = Path(
    os.environ.get("DISPOSAL_LEDGER_FILE") or RECORD_CHECKPOINT_FILE.parent / "disposal-ledger.jsonl"
)
# Addresses (the DPO's) sent a copy of the checkpoint every morning, comma-separated.
RECORD_CHECKPOINT_EMAILS = env_list("RECORD_CHECKPOINT_EMAILS")
# Whether verify_events fails when there is no checkpoint file (on by default in production).
RECORD_CHECKPOINT_REQUIRED = env_bool("RECORD_CHECKPOINT_REQUIRED", default=PRODUCTION)

# Email (Django 6.1 MAILERS): the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    _email_port = int(os.environ.get("EMAIL_PORT", "587"))
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": _email_port,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=_email_port == 587),
                "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
                "timeout": 30,
            },
        }
    }
else:
    # The console, readable: who, the subject and the plain text of each email (lib/console.py).
    MAILERS = {"default": {"BACKEND": "lib.console.EmailBackend"}}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Incident Desk <incidents@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbox: how long a worker may hold an email it claimed before another may take it
# (a worker that died mid-batch), and the first retry delay (doubling each attempt).
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))

# Webhooks (docs/api.md "Webhooks", decision 0033). Plain http only outside production and
# only when asked for (a developer's receiver); private, loopback and link-local addresses
# only in the networks listed (CIDRs, e.g. "127.0.0.0/8" for a receiver on the same machine).
WEBHOOK_ALLOW_HTTP = not PRODUCTION and env_bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS")
WEBHOOK_CONNECT_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_CONNECT_TIMEOUT_SECONDS", "5"))
WEBHOOK_READ_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_READ_TIMEOUT_SECONDS", "10"))
WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_LEASE_SECONDS = int(os.environ.get("WEBHOOK_LEASE_SECONDS", "120"))
# Turned off after this many failed attempts in a row, failing for at least this long.
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "10"))
WEBHOOK_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOK_DISABLE_AFTER_SECONDS", str(24 * 60 * 60)))

# A person with a role who has not signed in for this many days is flagged to their
# organisation's admin as a possible leaver (onboarding.leavers).
LEAVER_AFTER_DAYS = int(os.environ.get("LEAVER_AFTER_DAYS", "180"))

# Background work: django.tasks with the database worker (no broker to run).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Headers and cookies (docs/security.md, "Input, output and headers"; decision 0021).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
# Messages ("Added the action …", "… is now DPO") name people and incidents: they wait in
# the server-side session, never in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only the service's own files run or load; no inline script or style (a nonce is there
# for an inline script should one be needed: {{ csp_nonce }}); nothing may frame a page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # data: for the blank favicon and the two-step verification QR code.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    # __Host- cookies are sent only over HTTPS, only to this host, for every path: no
    # other site under the same domain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # The service's own name and everything under it is HTTPS only (ASVS 3.4.1 asks it for
    # subdomains too); preload lets browsers know before the first visit. Both can be
    # turned off for a deployment that shares its name with plain-HTTP hosts.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Public report pages: no access lines, and error records lose the request.
    "filters": {
        "anonymous": {"()": "anonymous.middleware.ScrubAnonymousRequests"},
        "one_line_per_task": {"()": "lib.console.OneLinePerTask"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["anonymous"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Quiet console (issue 13): Django's own "django" handler prints every record a second
        # time, unformatted, when DEBUG is on; the root handler above is the one place they go.
        "django": {"handlers": [], "level": "INFO"},
        # One line per background task: how it ended, not also that it started.
        "django.tasks": {"filters": ["one_line_per_task"]},
        # The access log would print addresses; anonymous reporting (a later issue) depends
        # on the project never writing them, so request lines are not logged by Django.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.request": {"filters": ["anonymous"]},
        # Pillow logs the EXIF it reads (camera, author, GPS) at DEBUG while cleaning an
        # anonymous reporter's photo: never let that reach a log, whatever LOG_LEVEL says.
        "PIL": {"level": "INFO"},
        # The scheduler logs every run of its lock refresh (every 5 seconds) at INFO.
        "apscheduler": {"level": "WARNING"},
    },
}

# Anonymous reporting (docs/anonymous-reporting.md). Public report pages live under this
# prefix; the middleware keeps nothing that identifies their senders.
ANONYMOUS_PATH_PREFIX = "/r/"
# Where the sender's address is read from, for rate limits only (hashed, never stored):
# REMOTE_ADDR, or e.g. HTTP_X_FORWARDED_FOR behind a reverse proxy.
ANONYMOUS_CLIENT_ADDRESS_HEADER = os.environ.get("ANONYMOUS_CLIENT_ADDRESS_HEADER", "REMOTE_ADDR")
# Handlers hear of an anonymous report (or a reply through its receipt) after a random
# delay in this window, so an email's arrival does not tell when, and so who, reported.
_alert_delay = [int(m) for m in os.environ.get("ANONYMOUS_ALERT_DELAY_MINUTES", "5-45").split("-", 1)]
ANONYMOUS_ALERT_DELAY_SECONDS = (_alert_delay[0] * 60, _alert_delay[-1] * 60)
del _alert_delay
# Files from anonymous reporters: at most this many, each at most this big.
REPORT_ATTACHMENT_MAX_FILES = 5
REPORT_ATTACHMENT_MAX_BYTES = int(os.environ.get("REPORT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# Form fields (not files) of any request: 2 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CACHES = {
    # Sign-in throttling and used authenticator codes (allauth), shared by every worker
    # process; the table is made by accounts/migrations/0002.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "accounts_signin_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    # This process's own memory: what may be a little old and is checked again before it is
    # shown ("Similar incidents" on an incident page: learning/search.py).
    "process": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10_000}},
    # Rate limits of the public pages are not a cache: anonymous.ratelimit counts them in
    # the database under a random salt per window (docs/anonymous-reporting.md).
}

# The public API (docs/api.md): calls a minute for each token, counted in the database so
# every process shares the count.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
