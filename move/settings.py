"""Settings for Move, read from environment variables (see .env.example)."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from move.env import env_bool, env_choice, env_float, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("MOVE_DEBUG", False)
TESTING = env_bool("MOVE_TESTING", False)
# A real server: not the demo (MOVE_DEBUG) and not the test suite (MOVE_TESTING).
PRODUCTION = not (DEBUG or TESTING)

SECRET_KEY = env_secret("MOVE_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("MOVE_SECRET_KEY is required when MOVE_DEBUG is false.")
    SECRET_KEY = "insecure-demo-key-only-for-make-demo-never-in-production-1234567890"

# Key for encrypted fields (TOTP secrets today, identities later). Separate from
# SECRET_KEY so that rotating one does not make the other's data unreadable.
ENCRYPTION_KEY = env_secret("MOVE_ENCRYPTION_KEY")
if not ENCRYPTION_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("MOVE_ENCRYPTION_KEY is required when MOVE_DEBUG is false.")
    ENCRYPTION_KEY = SECRET_KEY
# Keys used before the current one: they still decrypt, never encrypt, until
# `manage.py rotate_encryption_key` has re-encrypted everything with the current key.
ENCRYPTION_OLD_KEYS = env_list("MOVE_ENCRYPTION_OLD_KEYS")
if not DEBUG:
    # A short key would let the identities be decrypted by brute force: refuse to start.
    for _name, _key in [("MOVE_ENCRYPTION_KEY", ENCRYPTION_KEY)] + [
        ("MOVE_ENCRYPTION_OLD_KEYS", key) for key in ENCRYPTION_OLD_KEYS
    ]:
        if len(_key.strip()) < 32:
            raise ImproperlyConfigured(
                f"{_name} is too short: it needs at least 32 random characters "
                '(python3 -c "import secrets; print(secrets.token_urlsafe(64))").'
            )

ALLOWED_HOSTS = env_list("MOVE_ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "MOVE_ALLOWED_HOSTS is required when MOVE_DEBUG is false (e.g. move.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("MOVE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before django.contrib.admin, as it patches the admin
    "move.accounts.adminsite.MoveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "csp",
    "django_htmx",
    "django_countries",
    "auditlog",
    "move.accounts",
    "move.centres",
    "move.privacy",
    "move.ops",
    "visits",
    "detainees",
    "legal",
    "advocacy",
    "figures",
]
if TESTING:
    INSTALLED_APPS.append("tests.sharing")

MIDDLEWARE = [
    # Outermost: one log line per request with its duration, redirects included.
    "move.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Nothing shown to a signed-in person stays in a browser's or a proxy's cache
    # (outside the locale and common middlewares: their redirects too).
    "move.middleware.PrivateNoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "move.accounts.middleware.SessionUpkeepMiddleware",
    "move.accounts.middleware.RequireMFAMiddleware",
    "move.accounts.middleware.ClearBrowserDataOnLogoutMiddleware",
    # Who changed what, for the history of submitted reports.
    "auditlog.middleware.AuditlogMiddleware",
    # Redis unreachable where a view needs it: a 503 page saying so, not a 500.
    "move.middleware.RedisOutageMiddleware",
]

ROOT_URLCONF = "move.urls"
WSGI_APPLICATION = "move.wsgi.application"

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
                "move.accounts.context_processors.navigation",
            ],
        },
    }
]
if TESTING:
    # A misspelt variable in a template fails the test instead of rendering blank.
    TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE(%s)"

# Database: PostgreSQL through DATABASE_URL, or an embedded SQLite file for the demo.
# Production refuses to start without PostgreSQL rather than write to a file in the container.
_database_url = env_str("DATABASE_URL")
if PRODUCTION and not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is required when MOVE_DEBUG is false: the PostgreSQL database, "
        "e.g. postgres://move:password@postgres:5432/move."
    )
if _database_url:
    # Persistent connections in production; none in tests, where the live server's
    # request threads would otherwise leave theirs open and block dropping the test DB.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0 if TESTING else 60)}
    if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL database (postgres://...) when MOVE_DEBUG "
            f"is false, not {_database_url.split(':', 1)[0]}://..."
        )
else:
    _sqlite = Path(env_str("MOVE_SQLITE_PATH", str(BASE_DIR / "var" / "demo.sqlite3")))
    _sqlite.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite,
            # A small team clicking at once: readers do not wait for a writer (WAL), a
            # writer waits its turn (timeout, in seconds) instead of failing with
            # "database is locked", and a transaction takes the write lock when it begins
            # (IMMEDIATE), so that two never both read and then both want to write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
    # The covering columns of a few PostgreSQL indexes (Index(include=...): the meeting
    # tallies, the open detention spells) are left out on SQLite, as Django warns at
    # every command of the demo: the demo needs the rows, not those index-only scans.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker, cache and sessions. Without it the demo runs tasks inline;
# production refuses to start (a cache per process would count failed logins per process,
# and background work would run inside web requests).
REDIS_URL = env_str("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required when MOVE_DEBUG is false: the Redis of the cache and the "
        "background tasks, e.g. redis://redis:6379/0."
    )
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, which answers from the database while Redis cannot be
            # reached instead of raising (a miss for a read, a write dropped), except for
            # the sign-in rate limits, which answer 503 (move/cache.py, move/outage.py).
            "BACKEND": "move.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("MOVE_CACHE_PREFIX", "move"),
            # A Redis that does not answer costs a page one second, not a hang; it is
            # then taken as down for a few seconds in the process (move/outage.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions read through Redis and kept in the database: a Redis restart or outage
    # signs nobody out (the session is read from the database while Redis is down).
    # Django's cached_db, reading the reference rows' versions in the same round trip.
    SESSION_ENGINE = "move.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# No results are kept, so none expire: beat adds no nightly "celery.backend_cleanup".
CELERY_RESULT_EXPIRES = None
# Inline without a broker (the demo) and in tests, which test tasks as functions and
# patch `.delay` (STYLE.md); end-to-end worker tests turn this off themselves.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken from Redis and not acknowledged within this many seconds is handed to
# another worker: with tasks acknowledged late (above), that is how the task of a killed
# worker comes back. It must be longer than the longest task, or a job still running
# would start a second time beside itself: a yearly figures PDF takes seconds to a
# minute, a newsletter to 300 lawyers a few minutes (and up to MOVE_EMAIL_TIMEOUT per
# lawyer when the SMTP server is slow), so two hours by default. It must also be longer
# than a retry's countdown (retry_backoff, at most 10 minutes), which the worker holds
# unacknowledged: hence the minimum of 15 minutes. Jobs do not wait for it to come back:
# the "recover-jobs" entry below re-queues a job whose heartbeat stopped within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("MOVE_BROKER_VISIBILITY_TIMEOUT", 2 * 60 * 60, minimum=15 * 60),
    # An unreachable Redis costs a page that starts a job about a second, then a 503
    # (move/outage.py), not Celery's default of four seconds times three retries.
    "socket_connect_timeout": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Beat's crontab hours are Brussels hours (TIME_ZONE, below).
CELERY_TIMEZONE = env_str("MOVE_TIME_ZONE", "Europe/Brussels")
# Beat writes its state (each entry's last run) after every task it sends, not every
# three minutes: a beat killed right after sending neither repeats nor skips a run.
# The state file is on a volume (docker-compose.yml) or in systemd's StateDirectory
# (deploy/move-beat.service): a restart then keeps each entry's last run, and a night
# missed while beat was down is caught up once when it starts again.
CELERY_BEAT_SYNC_EVERY = 1
# Periodic work at fixed times of day, in CELERY_TIMEZONE (crontab), never "every 24 h
# from start", which every restart of beat pushed back. Times are outside 02:00-03:00,
# the hour that Brussels skips in March and lives twice in October. Each periodic
# task's last successful run is recorded for the health checks (move/beat.py).
CELERY_BEAT_SCHEDULE = {
    # Jobs (exports, figures PDFs, the newsletter) whose heartbeat stopped, because their
    # worker was killed, are queued again or, after their attempts, failed with a message.
    "recover-jobs": {
        "task": "move.privacy.tasks.recover_jobs",
        "schedule": 60,
    },
    # At night: the retention rules (identities, case files, contacts), then the
    # expired sessions.
    "apply-retention": {
        "task": "move.privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    "clear-expired-sessions": {
        "task": "move.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=45),
    },
    # The nightly backup, before the retention purge (03:30), which deletes files.
    "nightly-backup": {
        "task": "move.ops.tasks.nightly_backup",
        "schedule": crontab(hour=1, minute=30),
    },
    # The coordinators told when the last backup failed or is older than two days.
    "backup-check": {
        "task": "move.ops.tasks.check_backups",
        "schedule": crontab(hour=7, minute=50),
    },
    # Each morning: the help desk's deadlines due within 3 working days and the first
    # answers overdue, to the lawyers (legal/reminders.py); once per request and day.
    "help-desk-reminders": {
        "task": "legal.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # A quarter ended without its newsletter sent; the hearings of the coming week.
    "newsletter-due": {
        "task": "legal.tasks.remind_newsletter_due",
        "schedule": crontab(hour=7, minute=10),
    },
    "hearing-reminders": {
        "task": "legal.tasks.remind_hearings",
        "schedule": crontab(hour=7, minute=20),
    },
    # Follow-ups agreed with the authorities that are due; consents about to expire.
    "follow-up-reminders": {
        "task": "advocacy.tasks.remind_follow_ups",
        "schedule": crontab(hour=7, minute=30),
    },
    "consent-renewals": {
        "task": "advocacy.tasks.remind_expiring_consents",
        "schedule": crontab(hour=7, minute=40),
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login, no public sign-up (people are invited), MFA.
ACCOUNT_ADAPTER = "move.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins are counted per account and IP (5 in 5 minutes: someone mistyping is
# paused where they are), per account (20 an hour, from anywhere: a guesser spread over
# addresses), then per IP with a ceiling high enough that one person's failures never lock
# out an office behind one address. A paused attempt gives back what it counted, so an
# account already paused does not use up its office's allowance.
# Every sign-in, failed or not, is also counted per IP ("login"): allauth's 30 a minute
# would refuse an office whose people arrive at nine.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("MOVE_LOGIN_FAILED_RATE", "20/h/key,100/m/ip"),
    # Per account *and* IP (move.accounts.adapters.AccountAdapter.pre_authenticate).
    "login_failed_account_ip": env_str("MOVE_LOGIN_FAILED_ACCOUNT_IP_RATE", "5/300s/key"),
    "login": "300/m/ip",
}
MFA_ADAPTER = "move.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Move"
# Sessions are recorded at sign-in (listed and ended at /accounts/sessions/); following
# each request's IP and time would cost five queries a page.
USERSESSIONS_TRACK_ACTIVITY = False
MOVE_REQUIRE_MFA = env_bool("MOVE_REQUIRE_MFA", True)
MOVE_INVITATION_DAYS = env_int("MOVE_INVITATION_DAYS", 7, minimum=1)

GUARDIAN_ANONYMOUS_USER_NAME = None
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Languages: English source, French and Dutch for the people who use it.
LANGUAGE_CODE = env_choice("MOVE_LANGUAGE_CODE", ["fr", "nl", "en"], "fr")
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language (day first in English too).
FORMAT_MODULE_PATH = ["move.formats"]
USE_TZ = True
TIME_ZONE = env_str("MOVE_TIME_ZONE", "Europe/Brussels")
# Content is published in French and Dutch (required); reference data may also carry an
# English name for the English interface, which falls back to French where it has none.
MODELTRANSLATION_LANGUAGES = ("fr", "nl", "en")
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "nl")}
LANGUAGE_COOKIE_SECURE = False  # set below with the other cookies
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("MOVE_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MOVE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Backups (move/ops/backup.py): one encrypted archive a night in MOVE_BACKUP_DIR, the newest
# of each of KEEP_DAILY days and KEEP_WEEKLY weeks before them kept. The passphrase is none of
# the keys above (a backup refuses one that is).
MOVE_BACKUP_DIR = Path(env_str("MOVE_BACKUP_DIR", str(MEDIA_ROOT / "backups")))
MOVE_BACKUP_PASSPHRASE = env_secret("MOVE_BACKUP_PASSPHRASE")
MOVE_BACKUP_KEEP_DAILY = env_int("MOVE_BACKUP_KEEP_DAILY", 7, minimum=1)
MOVE_BACKUP_KEEP_WEEKLY = env_int("MOVE_BACKUP_KEEP_WEEKLY", 4, minimum=0)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: SMTP in production, printed to the console in the demo.
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not env_str("MOVE_EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("MOVE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MOVE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("MOVE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("MOVE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOVE_EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("MOVE_EMAIL_USE_SSL", False)  # port 465, implicit TLS
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set MOVE_EMAIL_USE_TLS or MOVE_EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("MOVE_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("MOVE_DEFAULT_FROM_EMAIL", "Move <no-reply@move.test>")
# Where the application answers, for the links of e-mails sent outside a request (the
# morning reminders of the help desk, answers told by a worker).
MOVE_SITE_URL = env_str("MOVE_SITE_URL", "http://127.0.0.1:8000/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. MOVE_SECURE is on unless in the demo: HTTPS only, HSTS, strict cookies.
SECURE = env_bool("MOVE_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
BEHIND_PROXY = env_bool("MOVE_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address from the proxy's X-Forwarded-For: otherwise every person would
# share the proxy's address, and one person's failed logins would lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sessions end when the browser closes and after MOVE_SESSION_IDLE_MINUTES without a request.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("MOVE_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False  # SessionUpkeepMiddleware refreshes it once a minute

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Error reports to Sentry (move/sentry.py), only when a DSN is given: the page and where in
# the code, never what people typed. Without a DSN, sentry_sdk is not even imported and a
# server error is e-mailed to MOVE_ADMINS instead (LOGGING, below): one place to look.
SENTRY_DSN = env_secret("MOVE_SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("MOVE_SENTRY_ENVIRONMENT", "production")
# The share of requests and tasks whose timings are sent; 0 (the default) sends none.
SENTRY_TRACES_SAMPLE_RATE = env_float("MOVE_SENTRY_TRACES_SAMPLE_RATE", 0.0, 0.0, 1.0)
if SENTRY_DSN:
    from move.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        # The version the System page shows (move/ops/views.py).
        release=env_str("MOVE_VERSION"),
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Production writes JSON lines on stdout (move/logging.py), which Docker and systemd
    # keep; the demo and the tests plain text.
    "formatters": {"json": {"()": "move.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            **({"formatter": "json"} if PRODUCTION else {}),
        },
        # A server error to MOVE_ADMINS, without what people typed (move/logging.py),
        # when there is no Sentry to report it.
        "admins": {"()": "move.logging.AdminErrorMail"},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "MOVE_LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], "INFO"
        ),
    },
    # WeasyPrint tells each step of each PDF at INFO: only its problems are worth a line.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One line per request (move.logging.RequestLogMiddleware), not in the demo, whose
        # runserver already prints one.
        "move.request": {"level": "WARNING" if DEBUG else "INFO"},
        # Django's own "mail_admins" handler is taken off the "django" logger: it mails
        # the query string, the form and the exception's message (what people typed).
        # Its records go on to the root's console.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"handlers": [] if SENTRY_DSN else ["admins"], "level": "ERROR"},
    },
}
# Who is told of a server error by e-mail (comma-separated addresses), when MOVE_SENTRY_DSN
# is not set; none by default.
ADMINS = [("", address) for address in env_list("MOVE_ADMINS", [])]

MOVE_DEMO_PASSWORD = env_secret("MOVE_DEMO_PASSWORD", "demo-move-2026")

# History of submitted reports (django-auditlog): who and what, not where from.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_STORE_JSON_CHANGES = True

# Retention (DESIGN.md §4, detainees/retention.py): identities are erased this many months
# after the person's last detention ended; case files of people gone this many years are
# reduced to what the yearly figures count.
MOVE_RETENTION_IDENTITY_MONTHS = env_int("MOVE_RETENTION_IDENTITY_MONTHS", 12, minimum=1)
MOVE_RETENTION_CASE_FILE_YEARS = env_int("MOVE_RETENTION_CASE_FILE_YEARS", 5, minimum=1)
# The help desk (legal/retention.py): an outside caller's contact is erased this many
# months after the request was closed.
MOVE_RETENTION_HELP_CONTACT_MONTHS = env_int("MOVE_RETENTION_HELP_CONTACT_MONTHS", 12, minimum=1)
# The witness pool (advocacy/retention.py): a witness's name and contact are erased this
# many months after they withdrew, or after their last consent expired unrenewed.
MOVE_RETENTION_WITNESS_CONTACT_MONTHS = env_int(
    "MOVE_RETENTION_WITNESS_CONTACT_MONTHS", 3, minimum=1
)
# The figures (figures/suppression.py): in the published variant (partners, exports "for
# publication") a count of people from 1 to this number minus one is suppressed.
MOVE_FIGURES_SUPPRESSION_THRESHOLD = env_int("MOVE_FIGURES_SUPPRESSION_THRESHOLD", 5, minimum=2)
# The largest attachment (a decision, a letter) a help request takes, in megabytes.
MOVE_HELP_ATTACHMENT_MAX_MB = env_int("MOVE_HELP_ATTACHMENT_MAX_MB", 10, minimum=1)
