#!/usr/bin/env bash
# What `make run` prints and what the demo people find unread after N minutes of the worker.
# Not a test: run it and read the figures. Uses its own database in a fresh directory.
#
#   bench/make_run_minutes.sh [minutes] [port]      (default 10 minutes, port 8765)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
port=${2:-8765}
dir=$(mktemp -d /tmp/incidentdesk-run.XXXXXX)
export VAR_DIR=$dir
log=$dir/make-run.log
setsid make run PORT="$port" >"$log" 2>&1 &
pid=$!
sleep $((minutes * 60))
kill -- -"$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
echo "lines printed by make run in $minutes minutes: $(wc -l <"$log")"
echo "emails printed (Subject: lines): $(grep -c '^Subject:' "$log" || true)"
.venv/bin/python - <<'PY'
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
django.setup()
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
people = get_user_model().objects.annotate(
    unread=Count("notifications", filter=Q(notifications__read_on__isnull=True))
).order_by("-unread", "email")
counts = [p.unread for p in people]
print(f"unread notifications per demo person: min {min(counts)}, max {max(counts)}, people {len(counts)}")
for p in people:
    print(f"  {p.unread:4d}  {p.email}")
PY
echo "log and database kept in $dir"
