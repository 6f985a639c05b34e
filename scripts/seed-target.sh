#!/usr/bin/env bash
# usage: scripts/seed-target.sh FROM TO
#
# Copies FROM/release's dependencies into TO/release, as a workflow's cache would restore them:
# never the project's own artifacts (every crate here is named spanalloc-*, but the outside
# example's custom-strategy), which the checked clone builds itself. Nothing to copy is no error.
#
# FROM may be written while it is read (CI's compile lane builds beside the checks): tar then says
# "file changed as we read it" (exit 1), and the copy may hold a half-written file that a copied
# fingerprint calls fresh. Such a copy is thrown away and taken again; after a minute of changes
# the clone gets no seed and builds everything itself (slower, never wrong).
set -uo pipefail
from=$1/release to=$2/release
[ -d "$from" ] || exit 0
for attempt in 1 2 3 4 5 6 7; do
    rm -rf "$to" && mkdir -p "$to" || exit 1
    tar -C "$from" --exclude='*spanalloc*' --exclude='*custom-strategy*' --exclude='*custom_strategy*' \
        --exclude=incremental --warning=no-file-changed -cf - . | tar -C "$to" -xf -
    status=("${PIPESTATUS[@]}")
    [ "${status[1]}" = 0 ] || { echo "seed-target: could not unpack into $to" >&2; exit 1; }
    case ${status[0]} in
    0) exit 0 ;;
    1) echo "seed-target: $from changed while it was copied (try $attempt); again in 10 s" >&2; sleep 10 ;;
    *) echo "seed-target: could not read $from (tar exit ${status[0]})" >&2; exit 1 ;;
    esac
done
rm -rf "$to"
echo "seed-target: $from kept changing; the clone builds its dependencies itself" >&2
