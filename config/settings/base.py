"""Shared settings. Everything deployment-specific comes from environment variables."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "annotator",
]

MIDDLEWARE = [
    # First: request id + access log around everything; then a clean 503 when the DB is down.
    "annotator.middleware.RequestIdMiddleware",
    "annotator.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: Accept-Language or the switcher's cookie here; the signed-in user's own
    # preference (annotator.languages.UserLanguageMiddleware) once the user is known.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "annotator.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Must stay last: django-axes throttles failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "annotator.web.context_processors.theme",
                "annotator.notifications.views.bell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user:pass@host:5432/name, through psycopg 3);
# unset, an embedded SQLite file is used so that a first run needs no server.
DEFAULT_SQLITE_PATH = BASE_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Wait for the write lock instead of failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))

# DATABASE_REPLICA_URL adds a read replica that only exports read from (config/db_router.py);
# every other read stays on the primary so a reviewer always sees their own writes.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"].setdefault("TEST", {"MIRROR": "default"})
DATABASE_ROUTERS = ["config.db_router.ExportReplicaRouter"]

# --- Cache ---------------------------------------------------------------------------------------
# API throttles count in the cache. With several workers or containers the counts must be
# shared: set REDIS_URL (redis://host:6379/0). Unset, each process keeps its own counts in
# memory, which is right for one process (development, tests) and documented for the rest.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "annotator"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "annotator.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The interface's languages (docs/web-ui.md, "Languages"). Names in their own script: the
# switcher shows each language as its readers write it.
LANGUAGES = [
    ("en", "English"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in English stay ISO (2024-01-28); Chinese pages use Django's formats (2024年1月28日).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "annotator@localhost")

# Request bodies above this size are refused (413) before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1_048_576)

# --- Client addresses behind reverse proxies ---------------------------------------------------
# How many reverse proxies, each appending to X-Forwarded-For, stand between clients and the
# application. 0 (the default): REMOTE_ADDR is the client. annotator.client_ip applies it for
# login lockouts and API throttles; see docs/deployment.md.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Login throttling (django-axes) ---------------------------------------------------------
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25)  # hours
# Lock a username only from the address that failed: a stranger elsewhere cannot lock a
# reviewer out by guessing wrong passwords for their name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "annotator.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "annotator/lockout.html"

# --- REST framework --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "annotator.api.schema.ApiAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an anonymous request gets 401 with WWW-Authenticate: Bearer.
        "annotator.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "annotator.api.permissions.TokenScopeAllowsMethod",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["annotator.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "annotator.api.pagination.IdCursorPagination",
    "EXCEPTION_HANDLER": "annotator.api.errors.api_exception_handler",
    # `format` selects an export format (jsonl, csv, ...), not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": [
        "annotator.api.throttling.AnonThrottle",
        "annotator.api.throttling.UserThrottle",
        "annotator.api.throttling.TokenThrottle",
    ],
    # Rates as "<n>/<second|minute|hour|day>"; an empty value turns that limit off.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute") or None,
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute") or None,
        "token": os.environ.get("API_THROTTLE_TOKEN", "1200/minute") or None,
        "export": os.environ.get("API_THROTTLE_EXPORT", "120/hour") or None,
    },
    # The throttles use annotator.client_ip; DRF's own get_ident agrees through this.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# JSON request bodies above this size get 413 from the API.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 262_144)
# JSON request bodies nesting arrays/objects deeper than this get 400 (Python's decoder recurses).
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 64)
# A CSRF failure on an /api/ path answers in JSON like the rest of the API.
CSRF_FAILURE_VIEW = "annotator.api.errors.csrf_failure"

SPECTACULAR_SETTINGS = {
    "TITLE": "Source reliability annotation API",
    "DESCRIPTION": "Rate passages of source documents, flag unsupported claims, export consensus.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema and its Swagger/Redoc pages are public; every operation still needs auth.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "ENUM_NAME_OVERRIDES": {
        "AnnotationStatusEnum": "annotator.models.AnnotationStatus",
        "ConsensusStatusEnum": "annotator.models.ConsensusStatus",
        "ReliabilityEnum": "annotator.models.Reliability",
        "TokenScopeEnum": "annotator.models.ApiToken.Scope",
    },
    # Swagger UI assets from drf-spectacular-sidecar: served from 'self' (CSP), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Product settings --------------------------------------------------------------------------
ANNOTATOR = {
    # Reviewers see others' annotations on a passage only after submitting their own.
    "BLIND_REVIEW": env_bool("ANNOTATOR_BLIND_REVIEW", True),
    # Distinct reviewers needed before a consensus leaves `pending`.
    "QUORUM": env_int("ANNOTATOR_QUORUM", 3),
    # A flag raised by a share of reviewers strictly between these bounds disputes a consensus.
    "FLAG_DISPUTE_LOWER": env_float("ANNOTATOR_FLAG_DISPUTE_LOWER", 0.34),
    "FLAG_DISPUTE_UPPER": env_float("ANNOTATOR_FLAG_DISPUTE_UPPER", 0.66),
    # Ratings whose interquartile range exceeds this many steps make a consensus disputed.
    "MAX_AGREED_SPREAD": env_float("ANNOTATOR_MAX_AGREED_SPREAD", 1.0),
    # PostgreSQL may write a consensus export's rows in parallel workers (up to its
    # max_parallel_workers_per_gather, 2 by default): faster exports, more cores while they run.
    "EXPORT_PARALLEL": env_bool("ANNOTATOR_EXPORT_PARALLEL", True),
    "MAX_NOTE_LENGTH": env_int("ANNOTATOR_MAX_NOTE_LENGTH", 10_000),
    "MAX_EVIDENCE_ITEMS": env_int("ANNOTATOR_MAX_EVIDENCE_ITEMS", 20),
    # Live (unrevoked) API tokens one user may hold; each token used to carry its own limits.
    "MAX_TOKENS_PER_USER": env_int("ANNOTATOR_MAX_TOKENS_PER_USER", 10),
    # Machine suggestions (docs/suggestions.md): hide those below this calibrated confidence;
    # mute a detector (per language) whose acceptance rate falls below MUTE_BELOW once it has
    # MUTE_MIN_DECISIONS decisions; hide a suggestion from others once this many reviewers
    # dismissed it.
    "SUGGESTION_MIN_CONFIDENCE": env_float("ANNOTATOR_SUGGESTION_MIN_CONFIDENCE", 0.5),
    "SUGGESTION_MUTE_BELOW": env_float("ANNOTATOR_SUGGESTION_MUTE_BELOW", 0.3),
    "SUGGESTION_MUTE_MIN_DECISIONS": env_int("ANNOTATOR_SUGGESTION_MUTE_MIN_DECISIONS", 10),
    "SUGGESTION_SUPPRESS_DISMISSALS": env_int("ANNOTATOR_SUGGESTION_SUPPRESS_DISMISSALS", 2),
    # Claim matching (docs/claim-matching.md): how many candidates per language, and whether
    # import embeds each document's sentences (off only in tests that do not need it).
    "CLAIM_CANDIDATES": env_int("ANNOTATOR_CLAIM_CANDIDATES", 10),
    "CLAIM_EMBED_ON_IMPORT": env_bool("ANNOTATOR_CLAIM_EMBED_ON_IMPORT", True),
    # Campaigns: at most this many tie-breaker reviewers per disputed passage (docs/campaigns.md).
    "CAMPAIGN_TIE_BREAKER_CAP": env_int("ANNOTATOR_CAMPAIGN_TIE_BREAKER_CAP", 1),
}

# --- Public identity (exports, fact-checks) ---------------------------------------------------
# The one origin every exported IRI starts with, whoever asks and however (API or
# `manage.py export`): stable, dereferenceable ids. Set it to the public https origin.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
# Who publishes fact-checks (schema.org ClaimReview `author`, Web Annotation `generator`).
PUBLISHER = {
    "NAME": os.environ.get("PUBLISHER_NAME", "Source reliability annotation"),
    "URL": os.environ.get("PUBLISHER_URL", "") or PUBLIC_BASE_URL + "/",
    "LOGO": os.environ.get("PUBLISHER_LOGO", "") or PUBLIC_BASE_URL + "/static/annotator/logo.png",
}

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# No inline scripts or styles anywhere; the API docs load Swagger UI from
# drf-spectacular-sidecar's static files, so they are served from 'self' too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Logging ---------------------------------------------------------------------------------
# LOG_FORMAT=json (default): one JSON object per line with request_id and user_id on every line
# and method/path/status/latency_ms on the access log (logger "annotator.access").
# LOG_FORMAT=plain: human-readable lines for a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "annotator.logging.RequestContextFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "annotator.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Documents in (annotator/ingest, docs/documents.md) ----------------------------------------
# Uploaded or fetched files above this size are refused (413).
DOCUMENT_MAX_UPLOAD_BYTES = env_int("DOCUMENT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Reviewers (not only editors, moderators and admins) may add documents.
DOCUMENT_REVIEWER_SUBMISSIONS = env_bool("DOCUMENT_REVIEWER_SUBMISSIONS", False)
# Fetching a document by URL: off by default; when on, private targets are refused (SSRF).
DOCUMENT_FETCH_ENABLED = env_bool("DOCUMENT_FETCH_ENABLED", False)
DOCUMENT_FETCH_TIMEOUT = env_float("DOCUMENT_FETCH_TIMEOUT", 10.0)  # seconds, whole fetch
DOCUMENT_FETCH_MAX_REDIRECTS = env_int("DOCUMENT_FETCH_MAX_REDIRECTS", 5)
# Development and tests only: let outbound requests reach loopback and private addresses.
ALLOW_PRIVATE_NETWORK_TARGETS = env_bool("ALLOW_PRIVATE_NETWORK_TARGETS", False)
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))

# --- Integrations: background jobs, outbox worker, webhooks (docs/integrations.md) -----------
# Jobs: the Django tasks API with its database backend; a job enqueued in a transaction is part
# of that transaction (docs/design.md, "Background jobs").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER = {
    "INTERVAL": env_float("WORKER_INTERVAL", 0.2),  # seconds idle between polls
    "RELAY_BATCH": env_int("WORKER_RELAY_BATCH", 500),
    "JOB_BATCH": env_int("WORKER_JOB_BATCH", 50),
    "JOB_LEASE_SECONDS": env_int("WORKER_JOB_LEASE_SECONDS", 600),
}
WEBHOOKS = {
    "TIMEOUT": env_float("WEBHOOK_TIMEOUT", 10.0),
    "BATCH": env_int("WEBHOOK_BATCH", 200),
    "CONCURRENCY": env_int("WEBHOOK_CONCURRENCY", 16),
    "LEASE_SECONDS": env_int("WEBHOOK_LEASE_SECONDS", 60),
    "MAX_ATTEMPTS": env_int("WEBHOOK_MAX_ATTEMPTS", 12),
    "BACKOFF_BASE": env_float("WEBHOOK_BACKOFF_BASE", 10.0),
    "BACKOFF_MAX": env_float("WEBHOOK_BACKOFF_MAX", 6 * 3600.0),
    "DISABLE_AFTER": env_int("WEBHOOK_DISABLE_AFTER", 20),
}
DISCUSSION = {"EDIT_WINDOW_MINUTES": env_int("DISCUSSION_EDIT_WINDOW_MINUTES", 15)}
NOTIFICATIONS = {"DIGEST_HOUR": env_int("NOTIFICATIONS_DIGEST_HOUR", 7)}  # UTC
# Absolute links in emails (notifications, unsubscribe).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Email: console by default; SMTP when EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Outbound HTTP (webhooks, OIDC discovery) refuses private and loopback targets unless true.
ALLOW_PRIVATE_NETWORK_TARGETS = env_bool("ALLOW_PRIVATE_NETWORK_TARGETS", False)

# --- Single sign-on (OIDC, mozilla-django-oidc), on when OIDC_RP_CLIENT_ID is set -------------
# docs/integrations.md has the values for Google, Microsoft Entra ID and Keycloak.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_TIMEOUT = env_float("OIDC_TIMEOUT", 10.0)
# The claim that carries roles or groups, and which of its values give which role, e.g.
# OIDC_ROLE_MAP="newsroom-moderators=Moderator,newsroom-reviewers=Reviewer".
OIDC_ROLE_CLAIM = os.environ.get("OIDC_ROLE_CLAIM", "groups")
OIDC_ROLE_MAP = [tuple(item.split("=", 1)) for item in env_list("OIDC_ROLE_MAP", []) if "=" in item]
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=refused"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "annotator.sso.backend.OIDCBackend"]
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
