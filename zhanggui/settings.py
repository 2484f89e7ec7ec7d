"""Settings: everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ZHANGGUI_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# A fixed key is only acceptable for the local demo and the tests; production must set DJANGO_SECRET_KEY: the web
# application (zhanggui.wsgi: gunicorn, and runserver) refuses to start without it outside DEBUG (`make run`
# passes a key generated once into var/secret_key).
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("DJANGO_SECRET_KEY"))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "zhanggui-local-development-only-key-change-me-in-production"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "bootstrap",
    "fontawesome",
    "zhanggui.core",
    "zhanggui.shops",
    "zhanggui.team",
    "zhanggui.channels",
    "zhanggui.crm",
    "zhanggui.catalog",
    "zhanggui.inventory",
    "zhanggui.purchasing",
    "zhanggui.orders",
    "zhanggui.fulfilment",
    "zhanggui.aftersales",
    "zhanggui.analytics",
    "zhanggui.finance",
    "zhanggui.workbench",  # the shell on top: home page, navigation, demo
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhanggui.core.middleware.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhanggui.core.middleware.ShopScopeMiddleware",
    "axes.middleware.AxesMiddleware",
    "zhanggui.core.middleware.MethodNotAllowedPageMiddleware",
    "zhanggui.core.middleware.OutOfRangeInputMiddleware",
]

ROOT_URLCONF = "zhanggui.urls"
CSRF_FAILURE_VIEW = "zhanggui.core.views.csrf_failure"  # our Chinese page, not Django's English one
WSGI_APPLICATION = "zhanggui.wsgi.application"

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
                "zhanggui.workbench.context_processors.shell",
            ],
        },
    }
]

# SQLite (WAL) by default; PostgreSQL via DATABASE_URL=postgres://…
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "zhanggui.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "team.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling against password guessing (django-axes): lock a user+IP after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("ZHANGGUI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ZHANGGUI_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the UI is Chinese for everyone, whatever the browser asks for
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # shown and reasoned about in Beijing time; stored in UTC
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZHANGGUI_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
# ECharts comes from npm at install time (package.json); see Makefile `static`.
_ECHARTS_DIR = PROJECT_DIR / "node_modules" / "echarts" / "dist"
STATICFILES_DIRS = [("echarts", _ECHARTS_DIR)] if _ECHARTS_DIR.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or not env_bool("ZHANGGUI_MANIFEST_STATIC", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("ZHANGGUI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Upload size limits in MB per kind of upload (core.uploads checks every upload against them); an environment
# variable ZHANGGUI_UPLOAD_MAX_MB_<KIND> (e.g. ..._ORDER_IMPORT=300) overrides one.
UPLOAD_LIMITS_MB = {
    kind: int(os.environ.get(f"ZHANGGUI_UPLOAD_MAX_MB_{kind.upper()}", default))
    for kind, default in {
        "catalog_image": 10,  # PROD-4: product photos
        "catalog_import": 20,  # PROD-1: 50,000 SKU rows are about 4 MB as XLSX, 6 MB as CSV
        "order_import": 200,  # ORD-1: seller-centre exports, several months at once
        "custom_file": 20,  # ORD-8: design files, proofs, QC photos
        "dropship_tracking": 5,  # PROD-10: the supplier's tracking numbers
        "shipping_table": 20,  # SHIP-1, SHIP-5: waybill numbers, tracking scans, carrier bills
        "aftersales_photo": 10,  # AS-2: photos of returned goods and waybills
        "review_import": 50,  # AS-7: review exports (20,000 reviews are about 4 MB as CSV)
    }.items()
}

# What one spreadsheet may hold (core.sheets checks these before any row is parsed: a 1.5 KB XLSX can declare a
# cell at XFD1048576). ZHANGGUI_SHEET_MAX_<KIND> overrides one.
SHEET_LIMITS = {
    kind: int(os.environ.get(f"ZHANGGUI_SHEET_MAX_{kind.upper()}", default))
    for kind, default in {
        "rows": 1_000_000,  # ORD-1: a year of a busy shop's orders is well under this
        "columns": 1_000,  # the widest seller-centre export has about 120 columns
        "cells": 30_000_000,  # rows × columns of the sheet's range, what the reader allocates
        "unzipped_mb": 2_000,  # the XML inside an XLSX, all parts together
    }.items()
}

# The business bounds of money and quantity inputs (core.bounds): above them a value is a typo, not an order.
# ZHANGGUI_BOUND_<KIND> overrides one.
BUSINESS_BOUNDS = {
    kind: int(os.environ.get(f"ZHANGGUI_BOUND_{kind.upper()}", default))
    for kind, default in {
        "money_max_fen": 100_000_000,  # ¥1,000,000 for one price, cost or fee
        "total_max_fen": 1_000_000_000,  # ¥10,000,000 for one order's or purchase's total, or one payment
        "quantity_max": 1_000_000,  # pieces on one line
        "weight_max_g": 100_000,  # 100 kg for one SKU or parcel: a courier's own limit is lower
    }.items()
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ZHANGGUI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Background jobs and scheduled work (docs/developers.md "Background and scheduled work"). With a broker, Celery
# workers run the jobs and `celery beat` the schedule. Without one (`make run`, a broker-less gunicorn), jobs run in
# a background thread of the web process (ZHANGGUI_JOBS = "thread": never inside the request) and the web process
# runs CELERY_BEAT_SCHEDULE itself (core.scheduler, started by zhanggui.wsgi).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
ZHANGGUI_JOBS = os.environ.get("ZHANGGUI_JOBS") or ("celery" if CELERY_BROKER_URL else "thread")
ZHANGGUI_JOB_HEARTBEAT_SECONDS = int(os.environ.get("ZHANGGUI_JOB_HEARTBEAT_SECONDS", "15"))
ZHANGGUI_JOB_LEASE_SECONDS = int(os.environ.get("ZHANGGUI_JOB_LEASE_SECONDS", "120"))  # no heartbeat that long: dead
ZHANGGUI_SCHEDULER = env_bool("ZHANGGUI_SCHEDULER", not CELERY_BROKER_URL)
ZHANGGUI_SCHEDULER_TICK_SECONDS = float(os.environ.get("ZHANGGUI_SCHEDULER_TICK_SECONDS", "10"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE: dict = {
    # PROD-2: scheduled listing and delisting, every minute (each schedule runs once).
    "catalog-listing-schedules": {"task": "zhanggui.catalog.tasks.run_listing_schedules", "schedule": 60.0},
    # INV-6: the monthly stocktake reminder, once a day (idempotent per warehouse and window).
    "inventory-stocktake-reminder": {"task": "zhanggui.inventory.tasks.remind_stocktakes", "schedule": 6 * 3600.0},
    # ORD-7: automatic review of what became clean since (stock arrived, a flag lifted), every 10 minutes.
    "fulfilment-auto-review": {"task": "zhanggui.fulfilment.tasks.auto_review_shops", "schedule": 600.0},
    # SHIP-2: tell customer service about orders that cannot ship for missing goods, every 30 minutes (once each).
    "fulfilment-missing-goods": {"task": "zhanggui.fulfilment.tasks.flag_missing_goods", "schedule": 1800.0},
    # AS-6: overdue after-sales cases escalate to the manager, every 5 minutes (each case once).
    "aftersales-escalate-overdue": {"task": "zhanggui.aftersales.tasks.escalate_overdue", "schedule": 300.0},
    # Background jobs whose process died are marked failed with the reason (core.jobs), every minute.
    "core-reap-stale-jobs": {"task": "zhanggui.core.tasks.reap_stale_jobs", "schedule": 60.0},
    # DATA-6: last week's report per shop, Monday 07:00 Beijing (idempotent; also run once when the web process starts).
    "analytics-weekly-reports": {
        "task": "zhanggui.analytics.tasks.weekly_reports",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "zhanggui.core.privacy.MaskPIIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ZHANGGUI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
