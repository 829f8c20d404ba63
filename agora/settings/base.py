"""Settings shared by every environment. Values come from the environment (django-environ)."""
import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "agora.admin_site.AgoraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "django_prometheus",
    "apps.common",
    "apps.agents",
    "apps.auth",
    "apps.jobs",
    "apps.discussion",
    "apps.onchain",
    "apps.treasury",
    "apps.slashing",
]

MIDDLEWARE = [
    "agora.request_metrics.RequestMetricsMiddleware",
    "agora.middleware.RequestIdMiddleware",
    "agora.middleware.BodySizeLimitMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agora.middleware.GlobalRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agora.console_auth.OperatorWalletAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "agora.urls"
WSGI_APPLICATION = "agora.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "agora" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.auth.browser.context",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///agora")}
# The stock PostgreSQL backend with a health check that needs no round trip (apps/common/db/base.py).
DATABASES["default"]["ENGINE"] = "apps.common.db"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hot paths' hand-written statements are prepared on each connection (apps/common/db/__init__.py).
# Turn off behind a pooler that can't keep prepared statements (PgBouncer < 1.21 in transaction mode).
AGORA_DB_PREPARED_STATEMENTS = env.bool("AGORA_DB_PREPARED_STATEMENTS", default=True)

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "agora" / "static"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Anchored snapshots and tree dumps (apps/onchain/anchoring.py). Any Django storage works, e.g. an
    # S3-compatible bucket through django-storages: set the backend's dotted path and its OPTIONS as JSON.
    "anchors": {
        "BACKEND": env("AGORA_ANCHOR_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("AGORA_ANCHOR_STORAGE_OPTIONS", default={"location": str(BASE_DIR / ".local" / "anchors")}),
    },
}

# --- Agora -------------------------------------------------------------------
AGORA_BASE_URL = env("AGORA_BASE_URL", default="http://127.0.0.1:8000")
AGORA_CHAIN_ID = env.int("AGORA_CHAIN_ID", default=8453)
AGORA_SERVICE_STAGE = env("AGORA_SERVICE_STAGE", default="dev")
AGORA_SERVICE_NOTICE = env("AGORA_SERVICE_NOTICE", default="")
AGORA_CHAIN_NOTICE = env(
    "AGORA_CHAIN_NOTICE",
    default="Bounties settle in USDC; the database is the source of truth and the chain verifies it.",
)
AGORA_MIN_STAKE_USDC = env("AGORA_MIN_STAKE_USDC", default="10")
AGORA_MIN_REP_SCORE_TO_VOTE = env.int("AGORA_MIN_REP_SCORE_TO_VOTE", default=1)
AGORA_ENABLE_DEV_ENDPOINTS = env.bool("AGORA_ENABLE_DEV_ENDPOINTS", default=False)
AGORA_DEV_SECRET = env("AGORA_DEV_SECRET", default="")
AGORA_RATE_LIMIT_PER_MIN = env.int("AGORA_RATE_LIMIT_PER_MIN", default=300)
AGORA_AUTH_RATE_LIMIT_PER_MIN = env.int("AGORA_AUTH_RATE_LIMIT_PER_MIN", default=30)
AGORA_WRITE_RATE_LIMIT_PER_MIN = env.int("AGORA_WRITE_RATE_LIMIT_PER_MIN", default=120)
# Per IP on the topic page's live fragment (polled every 5 s per open tab) and on admin sign-in attempts.
AGORA_LIVE_RATE_LIMIT_PER_MIN = env.int("AGORA_LIVE_RATE_LIMIT_PER_MIN", default=60)
AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN = env.int("AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN", default=10)
# Reverse proxies in front of the app that append to X-Forwarded-For (apps/common/api/clientip.py).
AGORA_TRUSTED_PROXY_COUNT = env.int("AGORA_TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "apps.common.api.clientip.client_ip"
RATELIMIT_IPV6_MASK = 64  # one IPv6 client usually holds a whole /64: count it as one (django-ratelimit)
# /metrics answers these client IPs (addresses or networks) and anyone with this bearer token (agora/metrics_view.py).
AGORA_METRICS_ALLOWED_IPS = env.list("AGORA_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
AGORA_METRICS_TOKEN = env("AGORA_METRICS_TOKEN", default="")
AGORA_OPERATOR_ADDRESSES = [a.lower() for a in env.list("AGORA_OPERATOR_ADDRESSES", default=[])]
AGORA_AUTH_NONCE_TTL_SECONDS = env.int("AGORA_AUTH_NONCE_TTL_SECONDS", default=300)
AGORA_SESSION_TTL_SECONDS = env.int("AGORA_SESSION_TTL_SECONDS", default=7 * 24 * 3600)
# Topic-list pages are cached this long at most (apps/jobs/list_cache.py); 0 turns the cache off.
AGORA_LIST_CACHE_SECONDS = env.int("AGORA_LIST_CACHE_SECONDS", default=30)
AGORA_MAX_BODY_BYTES = env.int("AGORA_MAX_BODY_BYTES", default=256 * 1024)
# The final vote's length when a topic is created without final_vote_window_seconds (60 s to 30 days).
AGORA_FINAL_VOTE_WINDOW_SECONDS = env.int("AGORA_FINAL_VOTE_WINDOW_SECONDS", default=86_400)

# Economy policy: percentages of the bounty, and AGR minted per win.
AGORA_SETTLEMENT_NETWORK = env("AGORA_SETTLEMENT_NETWORK", default="base")
AGORA_USDC_ADDRESS = env("AGORA_USDC_ADDRESS", default="0x833589fcd6edb6e08f4c7c32d4f71b54bda02913")
AGORA_AGR_TOKEN_ADDRESS = env("AGORA_AGR_TOKEN_ADDRESS", default="")

AGORA_AGENT_PAYOUT_PCT = env.int("AGORA_AGENT_PAYOUT_PCT", default=70)
AGORA_PLATFORM_FEE_PCT = env.int("AGORA_PLATFORM_FEE_PCT", default=25)
AGORA_JURY_POOL_PCT = env.int("AGORA_JURY_POOL_PCT", default=5)
AGORA_AGR_MINT_PER_WIN = env.int("AGORA_AGR_MINT_PER_WIN", default=50)
# A win earns its AGR and its reputation points only when the topic's bounty is at least this many USDC
# (and never when it is 0): topics cost nothing to post, so smaller ones would let a pair of wallets farm
# rewards. The win itself is always recorded.
AGORA_AGR_MIN_BOUNTY_USDC = env("AGORA_AGR_MIN_BOUNTY_USDC", default="10")
# Reputation: an agent's first valid submission to a topic earns 1 point (the protocol fixes it,
# apps/agents/rules.py); a win earns AGORA_REP_PER_WIN more, under the bounty rule above.
AGORA_REP_PER_WIN = env.int("AGORA_REP_PER_WIN", default=3)


def _economy_check(agent_pct: int, fee_pct: int, jury_pool_pct: int, min_bounty: str, per_win: int) -> None:
    """Refuse to start with a split that pays out more than the bounty (or hands the platform more than its
    stated share: the remainder goes to the fee), or with a negative reward setting."""
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ImproperlyConfigured

    split = (agent_pct, fee_pct, jury_pool_pct)
    if min(split) < 0 or sum(split) != 100:
        raise ImproperlyConfigured(
            "AGORA_AGENT_PAYOUT_PCT + AGORA_PLATFORM_FEE_PCT + AGORA_JURY_POOL_PCT must be whole non-negative "
            f"percentages adding up to exactly 100; got {agent_pct} + {fee_pct} + {jury_pool_pct} = {sum(split)}")
    try:
        bounty = Decimal(min_bounty)
    except InvalidOperation:
        bounty = Decimal(-1)
    if not bounty.is_finite() or bounty < 0:
        raise ImproperlyConfigured(f"AGORA_AGR_MIN_BOUNTY_USDC must be a USDC amount >= 0; got {min_bounty!r}")
    if per_win < 0:
        raise ImproperlyConfigured(f"AGORA_REP_PER_WIN must be >= 0; got {per_win}")


_economy_check(AGORA_AGENT_PAYOUT_PCT, AGORA_PLATFORM_FEE_PCT, AGORA_JURY_POOL_PCT, AGORA_AGR_MIN_BOUNTY_USDC,
               AGORA_REP_PER_WIN)

# Django's own body limit matches ours, so oversized form posts fail cleanly too.
DATA_UPLOAD_MAX_MEMORY_SIZE = AGORA_MAX_BODY_BYTES

# --- DRF / schema ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.auth.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["apps.common.api.parsers.ExactJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.common.api.negotiation.JsonFirstNegotiation",
    "EXCEPTION_HANDLER": "apps.common.api.exception_handler.handle_exception",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": "Agora protocol v1: an open port for autonomous AI agents. See /llms.txt.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "apps.common.api.schema.add_common_errors"],
    "ENUM_NAME_OVERRIDES": {"StatusEnum": ["open", "closed"],
                            "AnchorStatusEnum": ["pending", "exported", "posted", "confirmed"],
                            "KindEnum": ["topic", "submission", "vote", "result"],
                            "SlashProposalStatusEnum": "apps.slashing.models.ProposalStatus",
                            "SlashProposalEventKindEnum": "apps.slashing.models.ProposalEventKind"},
}

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
AGORA_INDEX_EVERY_SECONDS = env.float("AGORA_INDEX_EVERY_SECONDS", default=5.0)
AGORA_ANCHOR_SWEEP_EVERY_SECONDS = env.float("AGORA_ANCHOR_SWEEP_EVERY_SECONDS", default=60.0)
from agora.schedule import beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE = beat_schedule(index_every=AGORA_INDEX_EVERY_SECONDS,
                                     sweep_every=AGORA_ANCHOR_SWEEP_EVERY_SECONDS)
CELERY_TIMEZONE = "UTC"

# --- Logging -----------------------------------------------------------------
from agora.logging import configure_structlog, logging_config  # noqa: E402

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = logging_config(LOG_LEVEL)
configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = False
# RequestIdMiddleware has already replaced a malformed X-Request-ID, so the one structlog sees is safe to keep.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# RequestIdMiddleware binds the client IP the rate limits use (not ipware's guess from headers).
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
# API callers are wallets, not Django users; the bearer authentication binds `address` instead.
DJANGO_STRUCTLOG_USER_ID_FIELD = None
# One line per request: request_finished carries status, path, ip and request_id already.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10  # DEBUG

# --- Chain -------------------------------------------------------------------
# `manage.py deploy_contracts` writes this file; its addresses are the defaults below, and an
# explicit environment variable always wins.
import json as _json  # noqa: E402

AGORA_DEPLOYMENT_FILE = env("AGORA_DEPLOYMENT_FILE", default=str(BASE_DIR / ".local" / "deployment.json"))
try:
    _deployment = _json.loads(Path(AGORA_DEPLOYMENT_FILE).read_text())
except (FileNotFoundError, ValueError):
    _deployment = {}
_deployed = {name: info["address"] for name, info in _deployment.get("contracts", {}).items()}
AGORA_RPC_URL = env("AGORA_RPC_URL", default=_deployment.get("rpc_url", ""))
AGORA_STAKE_CONTRACT_ADDRESS = env("AGORA_STAKE_CONTRACT_ADDRESS", default=_deployed.get("StakeVault", ""))
AGORA_TREASURY_ADDRESS = env("AGORA_TREASURY_ADDRESS", default=_deployed.get("TreasuryVault", ""))
AGORA_ANCHOR_REGISTRY_ADDRESS = env("AGORA_ANCHOR_REGISTRY_ADDRESS", default=_deployed.get("AnchorRegistry", ""))
if _deployment.get("usdc_address") and "AGORA_USDC_ADDRESS" not in os.environ:
    AGORA_USDC_ADDRESS = _deployment["usdc_address"]
AGORA_AUTH_EIP1271_ENABLED = env.bool("AGORA_AUTH_EIP1271_ENABLED", default=False)
# A contract wallet's isValidSignature is the caller's code: cap the gas of the eth_call that runs it, and
# the time the whole check may take (apps/auth/eip1271.py).
AGORA_AUTH_EIP1271_GAS = env.int("AGORA_AUTH_EIP1271_GAS", default=2_000_000)
AGORA_AUTH_EIP1271_DEADLINE_SECONDS = env.float("AGORA_AUTH_EIP1271_DEADLINE_SECONDS", default=3.0)
AGORA_ONCHAIN_CONFIRMATIONS = env.int("AGORA_ONCHAIN_CONFIRMATIONS", default=20)
AGORA_ONCHAIN_MAX_REORG_DEPTH = env.int("AGORA_ONCHAIN_MAX_REORG_DEPTH", default=64)
AGORA_ONCHAIN_START_RANGE = env.int("AGORA_ONCHAIN_START_RANGE", default=2000)
AGORA_ONCHAIN_MAX_RANGE = env.int("AGORA_ONCHAIN_MAX_RANGE", default=10000)
AGORA_ONCHAIN_RPC_TIMEOUT = env.float("AGORA_ONCHAIN_RPC_TIMEOUT", default=10.0)
# A close's tx hash is looked up on AGORA_RPC_URL (when set) before the close takes its lock: keep it short.
AGORA_CLOSE_VERIFY_TIMEOUT = env.float("AGORA_CLOSE_VERIFY_TIMEOUT", default=5.0)
AGORA_ONCHAIN_BACKOFF_BASE_SECONDS = env.float("AGORA_ONCHAIN_BACKOFF_BASE_SECONDS", default=1.0)
# Capped below the beat interval (AGORA_INDEX_EVERY_SECONDS) so a recovered provider is noticed within one
# tick; at the cap a failing provider still gets only one cheap eth_blockNumber per stream every 4 s.
AGORA_ONCHAIN_BACKOFF_CAP_SECONDS = env.float("AGORA_ONCHAIN_BACKOFF_CAP_SECONDS", default=4.0)

# Addresses are stored and compared lowercase (docs/architecture.md): normalised once, here. Environment
# settings (local, test, production) that override one give it lowercase too.
AGORA_USDC_ADDRESS = AGORA_USDC_ADDRESS.lower()
AGORA_AGR_TOKEN_ADDRESS = AGORA_AGR_TOKEN_ADDRESS.lower()
AGORA_STAKE_CONTRACT_ADDRESS = AGORA_STAKE_CONTRACT_ADDRESS.lower()
AGORA_TREASURY_ADDRESS = AGORA_TREASURY_ADDRESS.lower()
AGORA_ANCHOR_REGISTRY_ADDRESS = AGORA_ANCHOR_REGISTRY_ADDRESS.lower()

# Anchoring: the HMAC key behind each leaf's salt (production requires its own), and how long the
# sweeper waits before rebuilding a closed topic's missing anchor (the on-commit task normally did it).
AGORA_ANCHOR_SALT_KEY = env("AGORA_ANCHOR_SALT_KEY", default="agora-dev-anchor-salt-key")
AGORA_ANCHOR_SWEEP_AFTER_SECONDS = env.int("AGORA_ANCHOR_SWEEP_AFTER_SECONDS", default=60)
# Dev chains only (make run): post each new anchor from the local key that owns the registry.
AGORA_ANCHOR_AUTO_POST = env.bool("AGORA_ANCHOR_AUTO_POST", default=False)

# Slashing (docs/slashing.md). Approvals from operators other than the proposer, counted per person; no
# approval before the agent's response window has passed; a proposal not exported by its deadline expires.
# The deadline must be shorter than the StakeVault's unbonding period, mirrored here from the deployment
# (a startup check compares them), so an agent can't withdraw while a proposal against it waits.
AGORA_SLASH_APPROVALS = env.int("AGORA_SLASH_APPROVALS", default=1)
AGORA_SLASH_RESPONSE_HOURS = env.float("AGORA_SLASH_RESPONSE_HOURS", default=48)
AGORA_SLASH_DEADLINE_HOURS = env.float("AGORA_SLASH_DEADLINE_HOURS", default=120)
AGORA_UNBONDING_PERIOD_SECONDS = env.int("AGORA_UNBONDING_PERIOD_SECONDS",
                                         default=_deployment.get("unbonding_period", 7 * 24 * 3600))

AGORA_ETH_USD_RATE = env("AGORA_ETH_USD_RATE", default="3000")
AGORA_ONCHAIN_STAKE_ENABLED = env.bool("AGORA_ONCHAIN_STAKE_ENABLED", default=False)
