#!/usr/bin/env bash
# Installs the tools (scripts/setup.sh), then serves the app with live reload: `trunk serve`.
# Extra arguments go to trunk, e.g. `bash scripts/serve.sh --port 8081 --release`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

source scripts/tools-env.sh

port=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --port) port="${args[$((i + 1))]:-}" ;;
    --port=*) port="${args[$i]#--port=}" ;;
  esac
done
if [ -z "$port" ]; then
  port=8080
  args=(--port "$port" "${args[@]}")
fi
echo "serve: open http://127.0.0.1:$port/ once trunk has built the app (Ctrl-C stops)"
exec trunk serve "${args[@]}"
