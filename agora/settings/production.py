"""Production: no insecure defaults. SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, AGORA_BASE_URL (https) and
REDIS_URL are required."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Rotation (docs/runbook.md): the new key in SECRET_KEY, the old one here until what it signed has expired.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "apps.common.db"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
AGORA_SERVICE_STAGE = env("AGORA_SERVICE_STAGE", default="prod")
AGORA_ANCHOR_SALT_KEY = env("AGORA_ANCHOR_SALT_KEY")  # no default: leaf salts must not be guessable

# Sign-in messages name this domain and URI, and wallets show them: a default would bind every
# signature to 127.0.0.1, and plain http would let a network attacker relay the sign-in.
AGORA_BASE_URL = env("AGORA_BASE_URL")
if not AGORA_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("AGORA_BASE_URL must be the public https:// URL of this deployment")
# Without Redis the cache, the rate-limit counters and the Celery broker silently become per process.
if not env("REDIS_URL", default=""):
    raise ImproperlyConfigured("Set the REDIS_URL environment variable (cache, rate limits, Celery broker)")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks and Prometheus reach each web process directly over plain HTTP on its private address (no
# X-Forwarded-Proto): a redirect there would read as "down". Everything else goes to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
