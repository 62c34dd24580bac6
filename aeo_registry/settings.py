"""Settings for AEO Registry: one module, every deployment choice read from the environment.

Safe defaults for development (SQLite under var/, DEBUG on, a throwaway key); production sets
DJANGO_DEBUG=0 and must then provide DJANGO_SECRET_KEY, or the process refuses to start.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AEO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "agreements",
    "dashboard",
    "api",
    "ops",
]

MIDDLEWARE = [
    # Outermost: logs the status the client gets, and the time every other layer took.
    "ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ops.middleware.PermissionsPolicyMiddleware",
    # Static files are answered here, before sessions or the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ops.middleware.DatabaseUnavailableMiddleware",
    "ops.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the URL prefix (/zh-hans/) alone, never from the browser (dashboard.i18n).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the language is known: a bare 405 becomes the site's page in that language.
    "ops.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the signed-in user on each history row (agreements.history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Staff sign in at this path (DJANGO_ADMIN_PATH, e.g. "staff-7f3a/"); a less obvious path keeps
# the login page out of the way of scanners. Login guessing is throttled by django-axes anyway.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_PATH must not be empty: the site's pages live at /")

ROOT_URLCONF = "aeo_registry.urls"

# Form widgets: inputs and selects written in Python, the rest from Django's templates
# (agreements.widgets.FastFormRenderer).
FORM_RENDERER = "agreements.widgets.FastFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "dashboard.i18n.language_links",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Django's `date` filter, each day written once per process (dashboard.templatetags.day_filters).
            "builtins": ["dashboard.templatetags.day_filters"],
        },
    },
]

WSGI_APPLICATION = "aeo_registry.wsgi.application"

# DATABASE_URL selects the store (postgres://user@host/name in production); unset, a SQLite file.
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    # Persistent connections are checked before reuse, so a restarted database is picked up again.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
    # Bounds that hold even when the server hangs, all well inside gunicorn's 30 s worker timeout:
    # libpq gives up connecting after AEO_DB_CONNECT_TIMEOUT_SECONDS; the server cancels a statement
    # after AEO_DB_STATEMENT_TIMEOUT_MS (a slow query; 0: never); keepalives notice a dead peer;
    # and a request waits on the database AEO_DB_REQUEST_SECONDS in all (ops.database, which also
    # covers a server that accepts packets but never answers, where the others cannot help).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env_int("AEO_DB_CONNECT_TIMEOUT_SECONDS", 5),
            "options": f"-c statement_timeout={env_int('AEO_DB_STATEMENT_TIMEOUT_MS', 20_000)}",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            # Write transactions take the write lock when they begin (IMMEDIATE), so two writers
            # queue instead of one failing on upgrade from reading; a locked database is waited
            # for up to `timeout` seconds, not reported as unreachable.
            "OPTIONS": {
                "timeout": env_int("AEO_SQLITE_TIMEOUT_SECONDS", 20),
                "transaction_mode": "IMMEDIATE",
            },
            # The tests' database is a file too: an in-memory database shared between threads
            # fails at once with "table is locked" instead of waiting as a real deployment does.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Access: anonymous visitors read; staff (is_staff, with the model permissions a superuser gives
# them) edit in the admin; only superusers manage users and permissions (Django's default
# permissions: nobody else holds auth.* permissions).
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME (HTTP 429). Attempts are kept in the
# database, so every app server behind a load balancer sees them.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"  # the site's page (status 429), not a bare line of text

# The site's own 403 page for a failed CSRF check, as for every other error (ops.views).
CSRF_FAILURE_VIEW = "ops.views.csrf_failure"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True

# English at /, Simplified Chinese at /zh-hans/ (aeo_registry/urls.py). Catalogues are compiled from
# locale/*/LC_MESSAGES/django.po by `make messages`; dates follow aeo_registry/formats (ISO 8601
# in English, 2021年8月31日 in Chinese).
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["aeo_registry.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Production serves collected static files through whitenoise: gzip-compressed, content-hashed
# names with far-future cache headers (collectstatic first; `make serve` does). Development and the
# tests (DEBUG on, or any process that imported pytest) keep plain storage: runserver and
# live_server serve through the finders, where hashed names do not exist. AEO_STATIC_MANIFEST
# overrides the choice.
_static_manifest = env_bool("AEO_STATIC_MANIFEST", not DEBUG and "pytest" not in sys.modules)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _static_manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Decided here, not from the DEBUG that the test runner switches off: tests look files up like
# development does, and whitenoise does not expect a STATIC_ROOT that only collectstatic creates.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG

# Caches: per process by default; REDIS_URL (redis://host:6379/0) shares one cache between app
# servers. Sessions are stored in the database, so no app server keeps state of its own.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
_redis_url = os.environ.get("REDIS_URL", "")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security headers. The Content-Security-Policy allows scripts and styles from this site only:
# charts are drawn by static/js/charts.js from json_script data, and plotly.js writes no <style>
# element (plotly.css is linked instead). Two style attributes that plotly.js sets are allowed by
# their hashes ('unsafe-hashes' covers attributes only, never <style> or script): the empty
# style="" of the colour bar, and style="font-weight:bold" of the <b> in hover labels.
# The admin of Django 6.1 needs nothing more.
# Images may also come from data: and blob: URLs, and only for the chart downloads (issue 15): plotly
# draws a PNG by loading the chart's SVG into an <img> from such a URL and painting it on a canvas,
# and `img-src 'self'` alone blocked it. Images cannot run script, so this opens no way for one.
CSP_STYLE_ATTRIBUTE_HASHES = {
    "": "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "font-weight:bold": "'sha256-wkY2X5hecQzbhnFCqvTpwrUJ1f4X8LH5WFjYUzv1wmU='",
}
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-hashes'", *CSP_STYLE_ATTRIBUTE_HASHES.values()],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Who may frame the embeddable charts (/embed/..., dashboard/views/embeds.py): the CSP
# frame-ancestors sources, space-separated; "*" (the default) lets any site embed them. Every other
# page refuses to be framed (X-Frame-Options DENY and frame-ancestors 'none').
AEO_EMBED_FRAME_ANCESTORS = os.environ.get("AEO_EMBED_FRAME_ANCESTORS", "*").split() or ["'none'"]
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS (DJANGO_SECURE_SSL=1 when the site is served over HTTPS): redirect plain HTTP, secure
# cookies and HSTS. Behind a proxy that terminates TLS, DJANGO_SECURE_PROXY_SSL_HEADER=1 trusts its
# X-Forwarded-Proto header (only if the proxy sets it and strips it from clients).
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", False)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed by load balancers over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Mail: the site sends none by itself (error reports go to ADMINS, empty by default). Development
# prints mail on the console; production sends through SMTP (DJANGO_EMAIL_HOST, default localhost).
MAILERS: dict[str, dict[str, Any]]
if DEBUG and not os.environ.get("DJANGO_EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
                "port": env_int("DJANGO_EMAIL_PORT", 25),
                "username": os.environ.get("DJANGO_EMAIL_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
            },
        }
    }
SERVER_EMAIL = DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_FROM_EMAIL", "webmaster@localhost")

# How long one request may wait on the database in all, and /healthz on its probe (ops.database).
AEO_DB_REQUEST_SECONDS = float(os.environ.get("AEO_DB_REQUEST_SECONDS", "10"))
AEO_HEALTHZ_DB_SECONDS = float(os.environ.get("AEO_HEALTHZ_DB_SECONDS", "0.5"))
AEO_DB_ADMIN_SECONDS = float(os.environ.get("AEO_DB_ADMIN_SECONDS", "25"))

# Whole pages are cached under the data version (ops/caching.py); 0 turns it off.
AEO_PAGE_CACHE_SECONDS = int(os.environ.get("AEO_PAGE_CACHE_SECONDS", "600"))
# At most this many entries are stored per page (path) and data version within one cache
# lifetime: parameters take any value, so the key space of a page is otherwise unbounded.
AEO_PAGE_CACHE_ENTRIES = int(os.environ.get("AEO_PAGE_CACHE_ENTRIES", "200"))

# The workers of one machine learn that the data changed from a shared counter in this file
# (agreements/change_signal.py) instead of asking the database on every request; they still ask
# at least every AEO_VERSION_RECHECK_SECONDS, the longest a change made without that counter
# (from another machine sharing the database) can go unseen. An empty path turns the counter off:
# every request then reads the version from the database.
AEO_CHANGE_SIGNAL_FILE = os.environ.get("AEO_CHANGE_SIGNAL_FILE", str(VAR_DIR / "data-changed"))
AEO_VERSION_RECHECK_SECONDS = float(os.environ.get("AEO_VERSION_RECHECK_SECONDS", "1"))

# The bundled reference dataset that `manage.py load_reference` reads by default.
AEO_REFERENCE_DIR = Path(os.environ.get("AEO_REFERENCE_DIR", BASE_DIR / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One line per request (ops.middleware.RequestLogMiddleware): "GET /ranking/ 200 41.3ms".
        "request": {"format": "%(asctime)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "request"},
    },
    "loggers": {
        "aeo_registry.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # The request line replaces Django's own warnings for 4xx (the 5xx keep their traceback).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The REST API under /api/v1/ (api.viewsets): anyone reads; staff write with a token
# (Authorization: Token <key>) or the admin's session. JSON only: no browsable API pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.policy.StaffWritesOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "api.policy.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# OpenAPI 3 at /api/v1/schema/, Swagger UI at /api/v1/docs/ from drf-spectacular-sidecar's
# static files (no CDN); no validator badge, which would call another host.
SPECTACULAR_SETTINGS = {
    "TITLE": "AEO Registry API",
    "DESCRIPTION": "AEO mutual recognition arrangements, counted as of any date. Data: CC BY 4.0.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The four dated events of an arrangement share one precision choice set.
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "agreements.choices.DatePrecision"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}
