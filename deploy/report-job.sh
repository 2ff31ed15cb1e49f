#!/bin/sh
# Scheduled reports: a report for every run whose survey changed since this job last
# succeeded (the first time: every run). Run by deploy/compose.yaml's `reports` service and by
# deploy/systemd/surveylab-reports.timer.
#
# It logs in as SURVEYLAB_REPORTS_USER (default `reports`: give it the Viewer role, which may
# render reports and change nothing), with the password from SURVEYLAB_REPORTS_PASSWORD_FILE
# (an owner-only file) or SURVEYLAB_REPORTS_PASSWORD; the token lives in an owner-only
# temporary file for the job's length and is never a command-line argument.
#
# Environment: SURVEYLAB_DATA_DIR (holds the stamp `reports-last-run`), SURVEYLAB_REPORTS_DIR
# (default $SURVEYLAB_DATA_DIR/reports), SURVEYLAB_REPORTS_FORMAT (pdf or html, default pdf),
# SURVEYLAB_REPORTS_TOKEN_MINUTES (the job's token lifetime, default 180), and surveylab's
# own settings (SURVEYLAB_DATABASE_URL, ...).
set -eu

user=${SURVEYLAB_REPORTS_USER:-reports}
data=${SURVEYLAB_DATA_DIR:?SURVEYLAB_DATA_DIR is not set}
out=${SURVEYLAB_REPORTS_DIR:-$data/reports}
stamp=$data/reports-last-run
since=$(cat "$stamp" 2>/dev/null || echo 1970-01-01T00:00:00+00:00)
started=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)

umask 077
token=$(mktemp)
trap 'rm -f "$token"' EXIT
if [ -n "${SURVEYLAB_REPORTS_PASSWORD_FILE:-}" ]; then
    SURVEYLAB_ACCESS_MINUTES=${SURVEYLAB_REPORTS_TOKEN_MINUTES:-180} \
        surveylab login "$user" < "$SURVEYLAB_REPORTS_PASSWORD_FILE" > "$token"
else
    printf '%s\n' "${SURVEYLAB_REPORTS_PASSWORD:?set SURVEYLAB_REPORTS_PASSWORD_FILE or SURVEYLAB_REPORTS_PASSWORD}" \
        | SURVEYLAB_ACCESS_MINUTES=${SURVEYLAB_REPORTS_TOKEN_MINUTES:-180} surveylab login "$user" > "$token"
fi
mkdir -p "$out"
SURVEYLAB_TOKEN_FILE=$token surveylab report-batch --changed-since "$since" \
    --output "$out" --format "${SURVEYLAB_REPORTS_FORMAT:-pdf}"
# only after every report succeeded: a failed run is tried again next time
echo "$started" > "$stamp"
