#!/usr/bin/env bash
# The README's demo: the lab court is up (make lab-up); check every host, run the SOPs
# given as arguments through `sop`, then show what was recorded and where the report is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
export PATH="$ROOT/.venv/bin:$PATH"

log "checking the lab court (every host over SSH, SIPP's database)"
ansible-playbook lab/check.yml

failed=0
for sop in "$@"; do
    log "sop run $sop"
    sop run "$sop" --operator "${SOP_OPERATOR:-demo}" || { warn_rc=$?; failed=1
        printf 'sop run %s exited %s\n' "$sop" "$warn_rc" >&2; }
done

log "what was recorded"
sop history
month=$(date +%Y-%m)
mkdir -p var/reports
report="var/reports/laporan-sop-$month.html"
sop report --month "$month" --format html -o "$report"
sop report --month "$month" --format md -o "${report%.html}.md"
log "report: $ROOT/$report (and ${report%.html}.md)"
exit $failed
