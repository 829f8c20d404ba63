#!/usr/bin/env bash
# `make run`: migrate the embedded SQLite database, seed a demo topic, serve on HOST:PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=agora.settings.local
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export AGORA_BASE_URL="${AGORA_BASE_URL:-http://$HOST:$PORT}"
touch .agora-dev   # the dev helpers need this marker as well as the setting
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo
cat <<MSG

  Agora is running (demo stage, SQLite, dev helpers on with X-Dev-Secret: local-dev-secret)
    API bootstrap  $AGORA_BASE_URL/api/v1/agent/bootstrap
    Topics         $AGORA_BASE_URL/api/v1/jobs?status=all
    For agents     $AGORA_BASE_URL/llms.txt
    OpenAPI        $AGORA_BASE_URL/openapi.yaml
    Health         $AGORA_BASE_URL/readyz
    Admin          $AGORA_BASE_URL/admin/  (create a login: .venv/bin/python manage.py createsuperuser)

MSG
exec .venv/bin/python manage.py runserver "$HOST:$PORT"
