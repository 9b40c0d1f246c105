"""Settings for H2H, read from the environment.

DATABASE_URL selects PostgreSQL (production); without it an SQLite file under var/ is used.
H2H_AREA_FILE points at the area's configuration (cohorts, footprint, intervals); the Nottingham example ships.
"""

import os
from pathlib import Path

from h2h.lib.env import database_from_url, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("H2H_DEBUG", False)
SECRET_KEY = os.environ.get("H2H_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not os.environ.get("H2H_ALLOW_INSECURE_KEY"):
        raise RuntimeError("Set H2H_SECRET_KEY (or H2H_DEBUG=true for local development)")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("H2H_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("H2H_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # built-in widget templates, found through TEMPLATES by FORM_RENDERER below
    "h2h.area",
    "h2h.accounts",
    "h2h.audit",
    "h2h.directory",
    "h2h.referrals",
    "h2h.cases",
    "h2h.lettings",
    "h2h.repairs",
    "h2h.stepdown",
    "h2h.hardship",
    "h2h.calendar",
    "h2h.support",
    "h2h.surveys",
    "h2h.hospital",
    "h2h.reports",
    "h2h.evaluation",
    "h2h.notifications",
    "h2h.api",
    "h2h.demo",
    "ninja",  # only for its export_openapi_schema command (docs/api/openapi.json)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "h2h.lib.middleware.AbsoluteSessionLifetimeMiddleware",
    "h2h.api.middleware.ApiAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "h2h.lib.middleware.NoStoreMiddleware",
    "h2h.lib.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "h2h.urls"
WSGI_APPLICATION = "h2h.wsgi.application"

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
                "h2h.lib.context_processors.service",
            ],
            "builtins": ["h2h.lib.templatetags.govuk"],
        },
    }
]
# Widgets render through TEMPLATES, so templates/govuk/widgets/ (the GOV.UK date input) is found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    sqlite_path = Path(os.environ.get("H2H_SQLITE_PATH", BASE_DIR / "var" / "h2h.sqlite3"))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "h2h.lib.sqlite",  # Django's SQLite backend + planner statistics (h2h/lib/sqlite)
            "NAME": sqlite_path,
            # A wait rather than an immediate "database is locked" when two requests write at once.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (docs/security.md, check S2): the usual backend, refusing to check a password while the
# username or the address is throttled. Failures count per username and address together, per username, and
# per address; an address the account signed in from recently is exempt from the last two, so nobody can lock a
# colleague out from elsewhere and a hospital's shared address is not locked by one person's mistakes.
AUTHENTICATION_BACKENDS = ["h2h.accounts.throttle.ThrottledModelBackend"]
H2H_SIGNIN_WINDOW_SECONDS = envint("H2H_SIGNIN_WINDOW_SECONDS", 15 * 60)
H2H_SIGNIN_MAX_FAILURES = envint("H2H_SIGNIN_MAX_FAILURES", 5)
H2H_SIGNIN_ADDRESS_MAX_FAILURES = envint("H2H_SIGNIN_ADDRESS_MAX_FAILURES", 30)
H2H_SIGNIN_FAMILIAR_DAYS = envint("H2H_SIGNIN_FAMILIAR_DAYS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("H2H_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("H2H_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded medical evidence: outside the web root and never served by a URL; only the access-checked view
# lettings:evidence-download reads it. Do not add a MEDIA_URL route.
MEDIA_ROOT = Path(os.environ.get("H2H_MEDIA_ROOT", BASE_DIR / "var" / "media"))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
H2H_EVIDENCE_MAX_BYTES = envint("H2H_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# Without collectstatic (development, tests) a missing manifest entry falls back to the plain file name
# instead of failing the page.
WHITENOISE_MANIFEST_STRICT = False

# Sessions: a shared NHS workstation is the norm, so sessions end when idle and after a working day.
SESSION_COOKIE_AGE = envint("H2H_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# However active, a session ends this long after sign-in (h2h.lib.middleware.AbsoluteSessionLifetimeMiddleware).
H2H_SESSION_ABSOLUTE_SECONDS = envint("H2H_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads the token: forms carry it
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent on every response by h2h.lib.middleware.SecurityHeadersMiddleware (docs/security.md, check S1).
H2H_CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
H2H_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if envbool("H2H_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for this host exactly, with Path=/ (no Domain).
    SESSION_COOKIE_NAME = "__Host-h2h-session"
    CSRF_COOKIE_NAME = "__Host-h2h-csrftoken"
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Harmless on a subdomain (only a registrable domain can be submitted to the preload list); keeps
    # `check --deploy` at zero warnings.
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Email: referrers are told when a referral is accepted or declined and when the person is rehoused
# (docs/notifications.md). Development prints emails to the console; production needs an SMTP relay.
EMAIL_BACKEND = os.environ.get("H2H_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("H2H_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("H2H_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("H2H_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("H2H_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("H2H_EMAIL_USE_TLS", True)
# Emails are first tried during the request that made the change: a hung mail server must not hang the page.
EMAIL_TIMEOUT = envint("H2H_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("H2H_DEFAULT_FROM_EMAIL", "Housing to Health <no-reply@localhost>")
# The service's public address, for the sign-in link in emails (`h2h check --deploy` warns while it is local).
H2H_SITE_URL = os.environ.get("H2H_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Largest stock-and-voids CSV accepted (docs/formats/stock-and-voids-csv.md).
H2H_MAX_IMPORT_BYTES = envint("H2H_MAX_IMPORT_BYTES", 20 * 1024 * 1024)
H2H_AREA_FILE = os.environ.get("H2H_AREA_FILE", str(BASE_DIR / "h2h" / "area" / "nottingham.toml"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Calendar feed addresses carry a secret token: it never reaches the logs.
    "filters": {"redact_feed_tokens": {"()": "h2h.calendar.redaction.RedactFeedTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_feed_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("H2H_LOG_LEVEL", "INFO")},
}
