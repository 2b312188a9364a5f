#!/bin/sh
# deploy-walkthrough.sh: steps 1, 2 and 4 of docs/deploy.md's "From best to a
# stack", run for real, printed as a terminal shows them (commands after "$",
# standard error included), for scripts/figures.py. Needs $SB and $TMP; the
# files it writes (tune.db, live.json, stack.json) go to $TMP and are shown
# as the walkthrough names them.
set -eu
cd "$(dirname "$0")/.."
SC=traces/scenarios/seed-week/scenario.json
step() {
    echo "\$ $*" | sed "s#$TMP/##g; s#\"\$SB\"#spotbench#"
    eval "$*" 2>&1 | sed "s#$TMP/##g"
}
step "\"\$SB\" sweep $SC --policy guarded --set fleet.kind=asg --grid confirm=1:3:1 --grid asg.DefaultCooldown=300,900 -j 1 --db $TMP/tune.db --quiet"
step "\"\$SB\" best --sweep 1 --min-coverage 99.5 --db $TMP/tune.db --live-config $TMP/live.json"
step "\"\$SB\" deploy cloudformation $SC --sweep 1 --point 1 --db $TMP/tune.db -o $TMP/stack.json"
step "grep -A 3 '\"confirm\"' $TMP/live.json"
