#!/usr/bin/env bash
# Proves the README's set-up: `npm start` serves /health and the tools API with a dev token, from a clean tree.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
npm start >"$log" 2>&1 &
pid=$!
cleanup() { kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; pkill -f "wrangler dev --ip 127.0.0.1 --port 8787" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:8787/health >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "npm start exited early"; exit 1; fi
  sleep 1
done
curl -fsS http://127.0.0.1:8787/health | grep -q '"status":"ok"' || { cat "$log"; echo "health check failed"; exit 1; }
# The README's "Try it" block, run as written.
awk '/<!-- try-it -->/{found=1; next} found && /^```sh/{inblock=1; next} inblock && /^```/{exit} inblock{print}' README.md > "$log.try-it.sh"
try_it=$(bash -e "$log.try-it.sh" 2>&1) || { echo "$try_it"; echo "the README's Try it block failed"; exit 1; }
echo "$try_it" | grep -q '"type":"complete"' || { echo "$try_it"; echo "Try it: the original endpoint did not complete"; exit 1; }
echo "$try_it" | grep -q 'event: execution.completed' || { echo "$try_it"; echo "Try it: the events did not complete"; exit 1; }
echo "$try_it" | grep -q '"status":"completed"' || { echo "$try_it"; echo "Try it: the record is not completed"; exit 1; }
token=$(npm run --silent token -- smoke-user)
tools=$(curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:8787/api/tools)
echo "$tools" | grep -q "Demo lesson planner" || { echo "$tools"; echo "seeded demo tool missing"; exit 1; }
curl -fsS http://127.0.0.1:8787/ | grep -q '<script type="module" src="/app.js">' || { echo "the page is not served at /"; exit 1; }
curl -fsS http://127.0.0.1:8787/app.js >/dev/null || { echo "the page's bundle was not built"; exit 1; }
curl -fsS http://127.0.0.1:8787/favicon.ico >/dev/null || { echo "no /favicon.ico"; exit 1; }
echo "$try_it" | grep -q 'for grade \.' && { echo "$try_it"; echo "Try it: the demo reads 'for grade .'"; exit 1; }
echo "smoke: npm start serves /health, the page and the seeded demo tool"
