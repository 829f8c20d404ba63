"""pytest: PostgreSQL and Redis on localhost, as on the machines CI runs on."""
from .base import *  # noqa: F401,F403
from .base import env

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django-checks"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/agora")}
DATABASES["default"]["ENGINE"] = "apps.common.db"
DATABASES["default"]["CONN_MAX_AGE"] = 0
# pytest empties the database between transactional tests with TRUNCATE, which the receipt table refuses
# unless the session allows it (jobs migration 0008). Only test connections do; the test of the trigger
# switches it off again.
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}),
                                   "options": "-c agora.allow_receipt_truncate=on"}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}
AGORA_SERVICE_STAGE = "dev"
AGORA_BASE_URL = "http://testserver"
AGORA_CHAIN_ID = 31337
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
LOG_LEVEL = "WARNING"
from agora.logging import logging_config  # noqa: E402

LOGGING = logging_config(LOG_LEVEL)
# Generous limits so suites that sign in many wallets don't trip them; tests/test_errors_and_limits.py
# lowers them to prove the 429 path.
AGORA_AUTH_RATE_LIMIT_PER_MIN = 100000
AGORA_WRITE_RATE_LIMIT_PER_MIN = 100000
AGORA_RATE_LIMIT_PER_MIN = 100000
AGORA_LIVE_RATE_LIMIT_PER_MIN = 100000
AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN = 100000

# Serve static files from the apps directly (no collectstatic step outside production).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests never read a developer's local deployment; chain tests deploy their own on anvil.
AGORA_DEPLOYMENT_FILE = "/nonexistent/agora-deployment.json"
AGORA_RPC_URL = env("AGORA_RPC_URL", default="")  # set by tests that run the indexer in a subprocess
AGORA_STAKE_CONTRACT_ADDRESS = AGORA_TREASURY_ADDRESS = AGORA_ANCHOR_REGISTRY_ADDRESS = ""
AGORA_USDC_ADDRESS = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913"
AGORA_AUTH_EIP1271_ENABLED = False

# Anchored snapshots go to a throwaway folder, never a developer's .local/anchors.
import tempfile as _tempfile  # noqa: E402

STORAGES = {**STORAGES, "anchors": {"BACKEND": "django.core.files.storage.FileSystemStorage",  # noqa: F405
                                    "OPTIONS": {"location": _tempfile.mkdtemp(prefix="agora-test-anchors-")}}}
AGORA_ANCHOR_SALT_KEY = "test-anchor-salt-key"
