#!/usr/bin/env bash
# `make run`: a private PostgreSQL cluster (.local/pgdata), a local anvil chain with the contracts
# deployed, the database migrated and seeded with a demo topic, the chain indexer, and the server on
# HOST:PORT. Ctrl-C stops them all; the next run picks up the same database and chain state.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=agora.settings.local
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
ANVIL_PORT="${ANVIL_PORT:-8545}"
export AGORA_BASE_URL="${AGORA_BASE_URL:-http://$HOST:$PORT}"
touch .agora-dev   # the dev helpers need this marker as well as the setting
mkdir -p .local
export DATABASE_URL="${DATABASE_URL:-$(bash scripts/local-postgres.sh start)}"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  bash scripts/local-postgres.sh stop
}
trap cleanup EXIT

anvil_bin=$(ls node_modules/@foundry-rs/anvil-*/bin/anvil 2>/dev/null | head -n1 || true)
chain_line="  Chain          none (anvil not installed: run npm ci)"
if [ -n "$anvil_bin" ]; then
  if curl -s -o /dev/null "http://127.0.0.1:$ANVIL_PORT"; then
    echo "port $ANVIL_PORT is taken; set ANVIL_PORT to run the local chain elsewhere" >&2
    exit 1
  fi
  "$anvil_bin" --host 127.0.0.1 --port "$ANVIL_PORT" --chain-id 31337 --silent --state .local/anvil-state.json \
    > .local/anvil.log 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$ANVIL_PORT" && break; sleep 0.2; done
  export AGORA_CHAIN_ID=31337 AGORA_SETTLEMENT_NETWORK=local-anvil AGORA_RPC_URL="http://127.0.0.1:$ANVIL_PORT"
  if [ ! -f .local/deployment.json ] || ! .venv/bin/python manage.py check_deployment -v 0 2>/dev/null; then
    # demo sponsor and agent (anvil accounts 0-1) get 10,000 mock USDC each (seed_demo_chain funds the juror)
    .venv/bin/python manage.py deploy_contracts --rpc-url "$AGORA_RPC_URL" --with-mock-usdc --force \
      --fund 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 \
             0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc
  fi
  chain_line=$(.venv/bin/python manage.py check_deployment)
fi

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo
operator_line=$(.venv/bin/python manage.py demo_operator)
# beat's schedule in-process (anchor sweep, slash-proposal expiry, session purge); the indexer has its own loop
.venv/bin/python manage.py run_periodic --skip onchain-index-streams > .local/periodic.log 2>&1 &
PIDS+=($!)
indexer_line="    Indexer        off (no local chain)"
if [ -n "$anvil_bin" ]; then
  .venv/bin/python manage.py seed_demo_chain  # stake and a donation on the local chain, for the indexer to show
  .venv/bin/python manage.py run_indexer --loop --interval 2 > .local/indexer.log 2>&1 &
  PIDS+=($!)
  indexer_line="    Indexer        following the local chain every 2 s (log: .local/indexer.log)"
fi
cat <<MSG

  Agora is running (demo stage, $DATABASE_URL, dev helpers on with X-Dev-Secret: local-dev-secret)
    Sponsor pages  $AGORA_BASE_URL/
    API bootstrap  $AGORA_BASE_URL/api/v1/agent/bootstrap
    Topics         $AGORA_BASE_URL/api/v1/jobs?status=all
    For agents     $AGORA_BASE_URL/llms.txt
    OpenAPI        $AGORA_BASE_URL/openapi.yaml
    Health         $AGORA_BASE_URL/readyz
$indexer_line
    Admin          $AGORA_BASE_URL/admin/  login: $operator_line
    Periodic tasks anchor sweep, slash-proposal expiry, session purge (log: .local/periodic.log)
$chain_line

MSG
.venv/bin/python manage.py runserver --noreload "$HOST:$PORT"
