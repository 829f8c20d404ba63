"""`make run`: embedded defaults, no external services: a private PostgreSQL cluster under .local/
(scripts/local-postgres.sh), a local cache, the demo stage."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-dev-only-not-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://agora@127.0.0.1:54329/agora")}
DATABASES["default"]["ENGINE"] = "apps.common.db"
AGORA_SERVICE_STAGE = env("AGORA_SERVICE_STAGE", default="demo")
AGORA_ENABLE_DEV_ENDPOINTS = env.bool("AGORA_ENABLE_DEV_ENDPOINTS", default=True)
AGORA_DEV_SECRET = env("AGORA_DEV_SECRET", default="local-dev-secret")

# Serve static files from the apps directly (no collectstatic step outside production).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The local anvil mines a block per transaction and never reorgs: index right away.
AGORA_ONCHAIN_CONFIRMATIONS = env.int("AGORA_ONCHAIN_CONFIRMATIONS", default=0)
# No worker process locally: Celery tasks (the anchor builder) run inline when enqueued.
CELERY_TASK_ALWAYS_EAGER = True
# The local registry is owned by anvil's default account: post anchors at once (anchor_post_dev
# refuses any non-dev chain), so close -> anchored -> confirmed shows without an operator.
AGORA_ANCHOR_AUTO_POST = env.bool("AGORA_ANCHOR_AUTO_POST", default=True)
