#!/usr/bin/env bash
# Lighthouse (mobile) scores of the home, lesson, quiz and leaderboard pages against a local
# gunicorn with the demo content; writes the "## Lighthouse" section of BENCHMARKS.md.
# Needs .venv (make venv), npm (installs lighthouse@12.2.3 into ./node_modules) and
# /usr/bin/chromium (or CHROME_PATH). Loopback only. Options: --runs N, --no-write.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/lighthouse.py "$@"
