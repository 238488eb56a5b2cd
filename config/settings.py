"""Xiangzhi settings: one module, driven by environment variables (see .env.example)."""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines from .env without overriding the real environment."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_env_file(BASE_DIR / ".env")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The test suite runs with DEBUG off (as Django forces) but over plain HTTP and without secrets.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]


def env_secret(name: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG or TESTING:
        return "insecure-development-key-only-for-debug-and-tests"
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


SECRET_KEY = env_secret("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "places",
    "people",
    "points",
    "notify",
    "shop",
    "work",
    "stars",
    "grievances",
    "activities",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "people.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: it answers the login views while an account or address
    # is locked out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -----------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode, write transactions take the lock at BEGIN (IMMEDIATE)
# so that read-then-write transactions never fail with "database is locked" under load.
SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "var" / "xiangzhi.sqlite3"))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}

if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Lets Django flush insert-only tables between transactional tests (see points migrations).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c xiangzhi.allow_truncate=on"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Failed logins are counted per account and per address (django-axes): after
# LOGIN_FAILURE_LIMIT failures either is locked until a township admin unlocks it (people's
# "locked logins" page) or LOGIN_LOCKOUT_MINUTES pass (0: only the unlock).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: an account, an address
AXES_COOLOFF_TIME = (
    datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 60))
    if env_int("LOGIN_LOCKOUT_MINUTES", 60)
    else None
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "people.security.lockout_response"
AXES_VERBOSE = False
# Township and county administrators may add an authenticator app (TOTP); a township can
# require it (its configuration). The issuer name shown in the app:
OTP_TOTP_ISSUER = "乡治"
AXES_CLIENT_IP_CALLABLE = "people.security.client_address"
# How many reverse proxies in front append to X-Forwarded-For (0: use the peer's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
# The CJK font embedded in printable PDFs (publications, points cards). A .ttc collection's
# Simplified Chinese face is picked by name. Debian: fonts-noto-cjk.
PDF_FONT_PATH = env_str("PDF_FONT_PATH", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

# --- Work-group robots (notify) ----------------------------------------------------------------
# The robots' send endpoints; a robot stores only its key/token. Overridable for an intranet
# relay (and in tests, where a local receiver stands in).
NOTIFY_WECOM_URL = env_str("NOTIFY_WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
NOTIFY_DINGTALK_URL = env_str("NOTIFY_DINGTALK_URL", "https://oapi.dingtalk.com/robot/send")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)  # seconds per robot POST

# --- The daily schedule (`manage.py schedule --loop`) ---------------------------------------
# Where the nightly backup goes (empty: no scheduled backup).
BACKUP_DIR = env_str("BACKUP_DIR", "")

# A month close started from its page is computed in a thread of the web process at once (the
# scheduler would otherwise take it on its next pass). Off in tests: see assessment/jobs.py.
ASSESSMENT_RUN_IN_WEB = env_bool("ASSESSMENT_RUN_IN_WEB", not TESTING)

# --- Security (secure defaults outside DEBUG; each switch can be turned off by env) -----------
# Content-Security-Policy: scripts only from this site (no inline code, no eval); inline styles
# are allowed (htmx injects its indicator style). Every page's scripts are static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_DEFAULT = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_DEFAULT)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_DEFAULT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_DEFAULT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS preloading is a deliberate, hard-to-undo opt-in for the operator's whole domain
# (SECURE_HSTS_PRELOAD=1), so `check --deploy` should not warn merely because it is off.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Xiangzhi API",
    "DESCRIPTION": "Grid governance: places, grids, households, residents and roles.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar (no CDN), its start-up script a static file (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.times_without_offset",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Units and responsibility areas both have a "kind" field, with different choices.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "places.models.Unit.Kind",
        "AreaKindEnum": "places.models.ResponsibilityArea.Kind",
        "PointsEntryKindEnum": "points.models.Entry.Kind",
        "PointsCategoryEnum": "points.models.Category",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
