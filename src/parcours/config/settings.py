"""Settings, read from environment variables.

PARCOURS_ENV        production (default) | demo | development | test
DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/parcours; default: SQLite in the data folder
PARCOURS_DATA_DIR   where the SQLite file and collected static files live (default ./data)
PARCOURS_SECRET_KEY required in production
PARCOURS_ALLOWED_HOSTS  comma separated (default: localhost names)
PARCOURS_TIME_ZONE  the association's time zone (default Europe/Paris)
PARCOURS_JOURNEY    the shipped journey new associations start from (default beneficiary)
PARCOURS_TIME_ZONE  a new association's time zone (default Europe/Paris); each association
                    sets its own on its settings page
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("PARCOURS_ENV", "production")
DEBUG = ENV == "development"
DATA_DIR = Path(os.environ.get("PARCOURS_DATA_DIR", Path.cwd() / "data")).resolve()

_secret = os.environ.get("PARCOURS_SECRET_KEY")
if not _secret:
    if ENV == "production":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PARCOURS_SECRET_KEY must be set in production.")
    _secret = "insecure-local-only-" + ENV + "-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = _secret

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PARCOURS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "parcours.accounts",
    "parcours.audit",
    "parcours.activities",
    "parcours.households",
    "parcours.consent",
    "parcours.outreach",
    "parcours.frontdesk",
    "parcours.support",
    "parcours.community",
    "parcours.journey",
    "parcours.home",
    "parcours.analytics",
    "parcours.worklists",
    "parcours.privacy",
    "parcours.core",
    "parcours.compliance",
    "parcours.background",
    "parcours.imports",
    "parcours.familylist",
    "parcours.exports",
    "parcours.reports",
    "parcours.team",
    "parcours.agenda",
    "parcours.journey_editor",
    "parcours.directory",
    "parcours.association_settings",
    "parcours.guides",
    "parcours.operations",
    "parcours.federation",
    # the REST API (/api/v1); before "ninja", whose Swagger UI page it overrides
    "parcours.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parcours.accounts.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "parcours.accounts.middleware.AssociationScopeMiddleware",
    # Filters and posted values no page can use (NUL bytes...): a 400 naming the field.
    "parcours.core.middleware.InputGuardMiddleware",
    # A double submit of a form writes one record (parcours.core.submissions).
    "parcours.core.submissions.SubmitOnceMiddleware",
]

ROOT_URLCONF = "parcours.config.urls"
WSGI_APPLICATION = "parcours.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parcours.accounts.context_processors.membership",
                "parcours.core.navigation.navigation",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'parcours.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
SQLITE_AUTOCHECKPOINT_PAGES = 10_000  # see parcours.operations.checkpoint
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the write
    # lock up front, so concurrent writers wait (busy_timeout) instead of failing "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # wal_autocheckpoint: the background worker checkpoints (operations/checkpoint.py);
        # a commit checkpoints by itself only past this many pages (no worker running)
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES};"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PARCOURS_TEST_SQLITE") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "account_login"

# French first, English one click away.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = os.environ.get("PARCOURS_TIME_ZONE", "Europe/Paris")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENV in ("production", "demo")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SESSION_COOKIE_AGE = 12 * 3600  # a working day; sessions expire
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if ENV == "production":
    # Behind HTTPS in production. The demo is served on http://127.0.0.1 only.
    SECURE_SSL_REDIRECT = os.environ.get("PARCOURS_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

EMAIL_BACKEND = os.environ.get(
    "PARCOURS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if ENV == "production"
    else "django.core.mail.backends.console.EmailBackend",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Background work (django-tasks, database backend): docs/operations.md "Background work" ---
# Tasks are rows of the database; `parcours worker` runs them (`parcours serve` and `parcours
# demo` start one beside the web server). Tests run them at once (settings_test).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The shipped journey (journeys/<name>.toml) of the associations created from now on; each
# then edits its own thresholds in the browser (parcours.journey_editor) and may choose the
# other vocabulary of the same journey. A name without its file fails `manage check`.
PARCOURS_JOURNEY = os.environ.get("PARCOURS_JOURNEY", "beneficiary")

# --- Security headers: Content-Security-Policy and no-store -------------------------------
# No inline script, no eval, no inline <style> nor style attribute: every script and style is a
# static file of the app (htmx's own indicator styles are off, see base.html; ECharts draws its
# tooltips on the canvas, see analytics/dashboard.js). img-src allows data: for Pico's icons
# (SVG data URIs in its CSS). Signed-in pages are never stored by a browser or a proxy.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE[_after_static:_after_static] = [
    "csp.middleware.CSPMiddleware",
    "parcours.accounts.cache_headers.NoStoreForSignedInMiddleware",
]

# --- Sign-in (django-allauth): lockout, two-factor, password reset, idle timeout -------------
# One block, so that rebases with other settings changes stay easy. See docs/operations.md.
INSTALLED_APPS += ["allauth", "allauth.account", "allauth.mfa"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "allauth.account.middleware.AccountMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("parcours.accounts.middleware.AssociationScopeMiddleware") + 1,
    "parcours.accounts.signin.SignInPolicyMiddleware",
)
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "parcours.accounts.adapters.AccountAdapter"
MFA_ADAPTER = "parcours.accounts.adapters.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]  # sign-up is closed (adapter)
ACCOUNT_EMAIL_VERIFICATION = "none"  # an administrator gives each account its email address
ACCOUNT_SESSION_REMEMBER = False  # sessions end when the browser closes, as before
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parcours] "
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # no "sign up" email to unknown addresses: sign-up is closed
# Lockout: 5 failed sign-ins for one username within 15 minutes refuse it (even with the right
# password) until the 15 minutes have passed; 20 a minute from one address, whatever the names.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/15m/key"}
# The rate limits live in the cache: a file cache is shared by every gunicorn worker.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
        if ENV in ("production", "demo")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The dashboard's measures, inputs and results, cached in each worker's memory up to this many
# bytes (least recently used first out; parcours.analytics.cache).
ANALYTICS_CACHE_BYTES = int(os.environ.get("PARCOURS_ANALYTICS_CACHE_MB", "2048")) * 1024 * 1024
# The dashboard page may show figures up to this many seconds older than the data, and says so
# (0: always the current data's). Under a team's attendance taps the data changes every second
# or so; computing afresh on each page cost seconds of CPU (parcours.analytics.cache).
ANALYTICS_MAX_AGE = int(os.environ.get("PARCOURS_ANALYTICS_MAX_AGE", "60"))
# Two-factor: TOTP with recovery codes. Required for the roles that read sensitive data
# (parcours.accounts.signin.SECOND_FACTOR_ROLES), optional for the others.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Parcours"
MFA_RECOVERY_CODE_COUNT = 10
# Idle timeout, in seconds, for the roles that read sensitive data (others: SESSION_COOKIE_AGE).
PARCOURS_SENSITIVE_IDLE_TIMEOUT = int(os.environ.get("PARCOURS_SENSITIVE_IDLE_TIMEOUT", 30 * 60))
# An invitation to join the team (parcours.team) is good for this many days.
PARCOURS_INVITATION_DAYS = int(os.environ.get("PARCOURS_INVITATION_DAYS", 7))
# Password reset emails go through SMTP in production (docs/operations.md).
EMAIL_HOST = os.environ.get("PARCOURS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PARCOURS_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("PARCOURS_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARCOURS_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("PARCOURS_EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("PARCOURS_EMAIL_USE_SSL", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("PARCOURS_DEFAULT_FROM_EMAIL", "parcours@localhost")
