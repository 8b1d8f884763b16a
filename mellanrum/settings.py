"""Django settings for Mellanrum.

Configuration comes from environment variables (see docs/configuration.md). The default is a
zero-setup SQLite database in the checkout; ``DB=postgres`` switches to PostgreSQL.
"""

import os
import re
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes (ModelForm, ModelAdmin, ...) take type parameters, as django-stubs
# declares them, so that `class InitiativeForm(forms.ModelForm[Initiative])` runs.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envsecret(name: str, default: str) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd style)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from None
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envsecret("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.getenv("MELLANRUM_REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set for a shared installation")
    # A per-checkout key, so a local demo needs no configuration and is not shared with others.
    _key_file = BASE_DIR / ".secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.write_text(get_random_secret_key(), encoding="utf-8")
    SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = [h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
# Every absolute link the product writes is built from this, never from the Host header.
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000")
if not SITE_ROOT.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_ROOT must start with http:// or https://, not {SITE_ROOT!r}")

INSTALLED_APPS = [
    "mellanrum.core.apps.MellanrumAdminConfig",  # django.contrib.admin, throttled log-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mellanrum.core",
    "mellanrum.landscape",
    "mellanrum.benefits",
    "mellanrum.commonality",
    "mellanrum.journeys",
    "mellanrum.collaborations",
    "mellanrum.community",
    "mellanrum.health",
    "mellanrum.kolada",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so that static files get the same headers and method check as pages.
    "mellanrum.core.middleware.SecurityHeadersMiddleware",
    "mellanrum.core.middleware.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything below may touch the database; a brief outage gets a clear 503 page.
    "mellanrum.core.middleware_db.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mellanrum.core.middleware.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mellanrum.urls"
WSGI_APPLICATION = "mellanrum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

if os.getenv("DB", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.getenv("DB_HOST", "localhost"),
            "PORT": os.getenv("DB_PORT", "5432"),
            "NAME": os.getenv("DB_NAME", "mellanrum"),
            "USER": os.getenv("DB_USER", "postgres"),
            "PASSWORD": envsecret("DB_PASSWORD", ""),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "0"),
            # Reused connections are checked first, so a restarted server is reconnected to.
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": os.getenv("DB_TEST_NAME", "test_mellanrum")},
        }
    }
elif os.getenv("DB", "sqlite") == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("DB_NAME", str(BASE_DIR / "mellanrum.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while an import writes; IMMEDIATE avoids lock upgrades
                # failing half-way through a transaction under concurrent writers.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests use a file in WAL mode like production, not a shared-cache in-memory
            # database, whose table locks fail at once when a background thread writes while
            # the test reads.
            "TEST": {"NAME": os.getenv("DB_TEST_NAME", str(BASE_DIR / "test-mellanrum.sqlite3"))},
        }
    }
else:
    raise ImproperlyConfigured("DB must be 'sqlite' or 'postgres'")

AUTH_USER_MODEL = "core.User"
# Finds users by normalised name and throttles password guessing at every door (core/login.py,
# docs/security.md).
AUTHENTICATION_BACKENDS = ["mellanrum.core.login.ThrottlingBackend"]
# How many reverse proxies of this installation stand in front of the app. 0: the client address
# is REMOTE_ADDR. N: it is the N-th address from the right in X-Forwarded-For (each proxy
# appends the address it saw). Too high a number lets clients choose their own address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "mellanrum" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve from the app directories too, so `mellanrum serve` works without collectstatic.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating reverse proxy: trust its X-Forwarded-Proto header, send HSTS
# (Django sends it only on HTTPS requests) and redirect plain HTTP.
if envbool("BEHIND_HTTPS_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_SSL_REDIRECT = envbool("SSL_REDIRECT", "false")
CSRF_TRUSTED_ORIGINS = [SITE_ROOT] if SITE_ROOT.startswith("https://") else []
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Uploads: the import view reads the file itself and enforces its own limit with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(25 * 1024 * 1024))
# Uploaded files (protocol extracts of partners' formal decisions). Never served as static
# files: a view checks that the user may see the initiative first.
MEDIA_ROOT = os.getenv("MEDIA_ROOT", str(BASE_DIR / "media"))
PROTOCOL_MAX_BYTES = envint("PROTOCOL_MAX_BYTES", str(10 * 1024 * 1024))

# Charts (mellanrum/lib/charts.py): what each chart is drawn from, and its picture, keyed by a
# hash of the content. On disk, so that every app process on this machine shares them and they
# survive a restart; a few kB for a description, ~30 kB for a picture.
CHART_CACHE_DIR = os.getenv("CHART_CACHE_DIR", str(BASE_DIR / ".cache" / "charts"))
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "charts": {
        "BACKEND": "mellanrum.core.file_cache.FileCache",
        "LOCATION": CHART_CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": envint("CHART_CACHE_ENTRIES", "20000")},
    },
    # Whole pages (mellanrum/core/page_cache.py), shared by every app process on this machine;
    # each is keyed by the data versions of the tables it read, so a write reaches every process
    # on its next request. The expiry only bounds the disk.
    "pages": {
        "BACKEND": "mellanrum.core.file_cache.FileCache",
        "LOCATION": os.getenv("PAGE_CACHE_DIR", str(BASE_DIR / ".cache" / "pages")),
        "OPTIONS": {"MAX_ENTRIES": envint("PAGE_CACHE_ENTRIES", "5000")},
    },
}
PAGE_CACHE = envbool("PAGE_CACHE", "true")
# Charts are drawn in this many helper processes (vl-convert holds the interpreter lock while it
# draws, which would stall the web process's other threads); 0 draws them in the web process.
CHART_RENDER_PROCESSES = envint("CHART_RENDER_PROCESSES", "1")
# `mellanrum serve`: each app process and chart helper hands the memory malloc holds free back to
# the system this often (glibc only; 0 never; mellanrum/lib/memory.py).
MALLOC_TRIM_SECONDS = envint("MELLANRUM_MALLOC_TRIM_SECONDS", "30")
# Draw the charts of organisation and concept pages in the background when an analysis, an
# import or a Kolada sync has finished, rather than when a page is first viewed (core/predraw.py).
CHART_PREDRAW = envbool("CHART_PREDRAW", "true")

# Heavy analyses run on a Dask cluster when this scheduler address is set (tcp://host:8786).
DASK_SCHEDULER = os.getenv("MELLANRUM_DASK_SCHEDULER", "")

# Background work (imports) runs in a thread of the web process; tests run it inline.
TASKS_INLINE = envbool("TASKS_INLINE", "false")
# Jobs are rows of core.Task (mellanrum/core/tasks.py). "thread": the process that queues a job
# runs it in a thread (zero setup); "worker": `mellanrum worker` processes run them.
TASKS_RUNNER = os.getenv("TASKS_RUNNER", "thread")
if TASKS_RUNNER not in {"thread", "worker"}:
    raise ImproperlyConfigured("TASKS_RUNNER must be 'thread' or 'worker'")
# A running job whose heartbeat is older than this is taken to have died with its process.
TASKS_STALE_SECONDS = envint("TASKS_STALE_SECONDS", "120")
TASKS_HEARTBEAT_SECONDS = envint("TASKS_HEARTBEAT_SECONDS", "3")

# Kolada's open API (docs/kolada.md): the base address including the version path, and how
# patiently a sync waits. Only `mellanrum kolada sync` and the superusers' sync job call it.
KOLADA_API_URL = os.getenv("KOLADA_API_URL", "https://api.kolada.se/v3").rstrip("/")
if not KOLADA_API_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("KOLADA_API_URL must be an http(s) address, e.g. "
                               "https://api.kolada.se/v3")
KOLADA_TIMEOUT_SECONDS = envint("KOLADA_TIMEOUT_SECONDS", "30")
KOLADA_RETRIES = envint("KOLADA_RETRIES", "4")
KOLADA_RETRY_BACKOFF_MS = envint("KOLADA_RETRY_BACKOFF_MS", "1000")
KOLADA_PER_PAGE = envint("KOLADA_PER_PAGE", "5000")
# The open reference API (/api/reference/...) answers each client address this often.
REFERENCE_API_RATE = os.getenv("REFERENCE_API_RATE", "120/min")
if not re.fullmatch(r"\d+/(s|sec|m|min|h|hour|d|day)", REFERENCE_API_RATE):
    raise ImproperlyConfigured("REFERENCE_API_RATE must look like 120/min (s, min, hour, day)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

if (BASE_DIR / "mellanrum" / "local_settings.py").exists():
    from .local_settings import *  # noqa: F403
