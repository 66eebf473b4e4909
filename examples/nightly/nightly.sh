#!/usr/bin/env bash
# Nightly drift check of one Intacct environment, run from cron (see crontab.txt and the README).
#
# Cron gives a job almost no environment (PATH=/usr/bin:/bin, HOME, SHELL, LOGNAME), so nothing here is
# found through PATH. The script reads these variables only:
#   INTACCT_VENV   required: the virtual environment pytest-intacct is installed in ($INTACCT_VENV/bin/python)
#   ENV_NAME       the environment to check (default prod)
#   STATE_DIR      its folder (default $HOME/intacct-nightly): .env and .env.$ENV_NAME with the settings
#                  (keep the passwords there, mode 600, or in INTACCT_<ENV>_<KEY> variables), baseline.json,
#                  tonight.md and reports/
#
# Each run keeps its own folder, reports/<UTC time to the second>[-N]/, holding report.html, acceptance.json,
# acceptance.md and output.txt, so two runs in one minute keep both. tonight.md is always this run's:
# its Markdown summary or, when pytest wrote none (missing settings, no venv), a note with the exit code and
# the end of the output -- never an older night's summary. Tonight's acceptance file becomes the next
# baseline unless the verdict is INCOMPLETE, so a night with the gateway down does not reset what "new"
# means. Exit code: pytest-intacct's (0 nothing new, 1 a requirement newly failed, 10 one newly could not
# be checked, 4 a usage error such as a missing setting), and 4 when INTACCT_VENV names no virtual
# environment.
set -euo pipefail

ENV_NAME="${ENV_NAME:-prod}"
STATE_DIR="${STATE_DIR:-$HOME/intacct-nightly}"
mkdir -p "$STATE_DIR/reports"
cd "$STATE_DIR"
rm -f tonight.md   # never mail an older night's summary as tonight's

# mkdir is atomic: a second run started in the same second gets the next free folder.
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
run="reports/$stamp"
n=1
until mkdir "$run" 2>/dev/null; do
    run="reports/$stamp-$n"
    n=$((n + 1))
done

python="${INTACCT_VENV:-}/bin/python"
if [[ -z "${INTACCT_VENV:-}" || ! -x "$python" ]]; then
    echo "INTACCT_VENV must name the virtual environment pytest-intacct is installed in" \
        "(got '${INTACCT_VENV:-}')" | tee "$run/output.txt" >&2
    status=4
else
    baseline=()
    [[ -f baseline.json ]] && baseline=(--intacct-baseline=baseline.json --intacct-fail-on=new)
    set +e
    "$python" -m pytest --intacct-env="$ENV_NAME" ${baseline[@]+"${baseline[@]}"} \
        --html="$run/report.html" --self-contained-html \
        --intacct-json="$run/acceptance.json" --intacct-markdown="$run/acceptance.md" -q 2>&1 |
        tee "$run/output.txt"
    status=${PIPESTATUS[0]}
    set -e
fi

if [[ -f "$run/acceptance.md" ]]; then
    cp "$run/acceptance.md" tonight.md
else
    {
        echo "# Intacct nightly: no report tonight (exit $status)"
        echo
        echo "pytest-intacct wrote no summary for $ENV_NAME. The end of its output ($STATE_DIR/$run/output.txt):"
        echo
        echo '```'
        tail -n 40 "$run/output.txt"
        echo '```'
    } >tonight.md
fi

verdict=INCOMPLETE
if [[ -f "$run/acceptance.json" ]]; then
    verdict="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["verdict"])' \
        "$run/acceptance.json")" || verdict=INCOMPLETE
fi
if [[ "$verdict" != INCOMPLETE ]]; then
    cp "$run/acceptance.json" "baseline.json.$$"
    mv "baseline.json.$$" baseline.json   # atomic on one filesystem
fi
exit "$status"
