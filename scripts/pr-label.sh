#!/usr/bin/env bash
# usage: scripts/pr-label.sh LABEL MEASURED_AT < EVENTS
# Whether the accept label counts for the head measured at MEASURED_AT (ISO 8601), from the pull
# request's issue events (a JSON array, as `gh api .../events` gives them, pages joined): prints
# `none` (not on the pull request), `stale` (added before that head's measuring run began: it
# accepted an earlier head) or `current` (added after). Removing the label ends it; the last
# addition counts. scripts/pr-judge.sh reads it; harness/tests/pr_label.rs tests every case.
set -euo pipefail
label=${1:?usage: pr-label.sh LABEL MEASURED_AT} measured=${2:?usage: pr-label.sh LABEL MEASURED_AT}
python3 -c '
import json, sys
from datetime import datetime
events = json.load(sys.stdin)
when = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
label, measured = sys.argv[1], when(sys.argv[2])
on = None
for e in sorted((e for e in events if e.get("label", {}).get("name") == label), key=lambda e: when(e["created_at"])):
    on = when(e["created_at"]) if e["event"] == "labeled" else None
print("none" if on is None else "current" if on >= measured else "stale")' "$label" "$measured"
