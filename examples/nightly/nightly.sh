#!/usr/bin/env bash
# Nightly drift check of one Intacct environment (run from cron; see crontab.txt and the README).
#
# Compares tonight with the last run that was not INCOMPLETE, keeps the HTML report of every night, and
# exits with pytest-intacct's code: 0 nothing new, 1 a requirement newly failed, 10 one newly could not be
# checked (with --intacct-fail-on=new). A night with the gateway down does not replace the baseline.
set -euo pipefail

ENV_NAME="${ENV_NAME:-prod}"
STATE_DIR="${STATE_DIR:-$HOME/intacct-nightly}"   # holds baseline.json and the reports
STAMP="$(date -u +%Y-%m-%dT%H%MZ)"
mkdir -p "$STATE_DIR/reports"
cd "$STATE_DIR"   # .env / .env.$ENV_NAME live here; passwords come from INTACCT_<ENV>_* variables

rm -f tonight.json   # never mistake an older night for tonight
baseline=()
[[ -f baseline.json ]] && baseline=(--intacct-baseline=baseline.json --intacct-fail-on=new)

set +e
pytest --intacct-env="$ENV_NAME" "${baseline[@]}" \
    --html="reports/$STAMP.html" --self-contained-html \
    --intacct-json=tonight.json --intacct-markdown=tonight.md -q
status=$?
set -e

if [[ -f tonight.json ]] && python3 -c 'import json,sys; sys.exit(json.load(open("tonight.json"))["verdict"] == "INCOMPLETE")'; then
    mv tonight.json baseline.json   # atomic on one filesystem
fi
exit "$status"
