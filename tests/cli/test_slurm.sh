#!/bin/sh
# test_slurm.sh: scripts/sweep-slurm.sbatch on a real, one-node Slurm cluster
# started here on localhost (munged, slurmctld, slurmd, each in its own
# scratch folder, on free ports), as a job array: the shard databases merged
# must equal the same sweep run locally in one process, run for run. Every
# daemon it started is stopped at exit, also on failure. Skipped (visibly)
# when not root or Slurm or munge is not installed (scripts/install-deps.sh
# installs them).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: test_slurm.sh needs root (munged and slurmd run as root here)"
    exit 0
fi
for b in munged slurmctld slurmd sbatch squeue sinfo; do
    if ! command -v "$b" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$b" ]; then
        echo "SKIPPED: test_slurm.sh: $b not installed (scripts/install-deps.sh installs slurmctld slurmd slurm-client munge)"
        exit 0
    fi
done
PATH=$PATH:/usr/sbin
D="$TMP/slurm"
mkdir -p "$D/state" "$D/spool" "$D/munge" "$D/shards"
chmod 755 "$D/munge"
PIDS=""
# Processes started from this test's cluster: the daemons, and the job steps
# (slurmstepd) slurmd forked, which outlive it by design; they carry this
# cluster's SLURM_CONF in their environment.
ours() {
    for e in /proc/[0-9]*/environ; do
        p=${e#/proc/}
        p=${p%/environ}
        [ "$p" != $$ ] && { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qxF "SLURM_CONF=$D/slurm.conf" &&
            echo "$p"
    done
}
stop_all() {
    PIDS="$PIDS $(ours)"
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap stop_all EXIT
trap 'exit 1' INT TERM

# Two free TCP ports on 127.0.0.1.
set -- $(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
CTLD_PORT=$1 SLURMD_PORT=$2
HOST=$(hostname -s)

dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$D/munge/munge.key"
SOCK="$D/munge/munge.socket"
munged -F --force --key-file="$D/munge/munge.key" --socket="$SOCK" \
    --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
    --seed-file="$D/munge/munged.seed" 2>"$D/munge/munged.err" &
PIDS="$PIDS $!"

cat >"$D/slurm.conf" <<CONF
ClusterName=spotbench-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=30
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=spotbench Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$SOCK" ] && ok || { bad "munged did not start: $(cat "$D/munge/munged.log" 2>/dev/null | tail -3)"; finish; exit 1; }
slurmctld -D -i -f "$SLURM_CONF" >"$D/slurmctld.out" 2>&1 &
PIDS="$PIDS $!"
slurmd -D -f "$SLURM_CONF" -N "$HOST" >"$D/slurmd.out" 2>&1 &
PIDS="$PIDS $!"

# The node up and idle (at most 60 s).
i=0
until sinfo -h -N -o '%t' 2>/dev/null | grep -q '^idle'; do
    i=$((i + 1))
    if [ $i -gt 120 ]; then
        bad "the node never came up: $(sinfo -N 2>&1 | tail -2) $(tail -3 "$D/slurmctld.log" "$D/slurmd.log" 2>&1)"
        finish
        exit 1
    fi
    sleep 0.5
done
ok

# The job array as the script describes it (8 tasks); one CPU a task, since
# this node has two, and the shards in the scratch folder.
timeout 600 sbatch --wait --parsable --cpus-per-task=1 --chdir="$PWD" \
    --output="$D/shards/shard-%a.log" \
    --export="ALL,SPOTBENCH=$SB,SPOTBENCH_RESULTS=$D/shards" \
    scripts/sweep-slurm.sbatch >"$TMP/job" 2>"$TMP/joberr"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "sbatch --wait: exit $rc: $(cat "$TMP/joberr") $(tail -3 "$D"/shards/*.log 2>/dev/null)"
n=$(ls "$D"/shards/shard-*.db 2>/dev/null | wc -l)
[ "$n" -eq 8 ] && ok || bad "$n shard databases, wanted 8 (one per array task)"

run "$SB" merge "$D/merged.db" "$D"/shards/shard-*.db
expect_rc "merge the shards" 0
n=$(sqlite3 "$D/merged.db" "SELECT count(*) FROM sweep_runs")
[ "$n" = 16 ] && ok || bad "$n runs merged, wanted 16 (4 x 4 points)"

# The same sweep in one process (the command of the sbatch file).
"$SB" sweep traces/scenarios/seed-week/scenario.json --policy classic \
    --grid window=300:1200:300 --grid asg.DefaultCooldown=60,300,900,2700 \
    -j 2 --quiet --db "$D/local.db" >/dev/null || bad "local sweep"
rows() {
    sqlite3 "$1" "SELECT w.point, w.scenario, w.params, r.policy, r.params, r.sets, r.seed,
                   s.hash, s.name FROM sweep_runs w JOIN runs r ON r.id = w.run_id
            JOIN scenarios s ON s.id = r.scenario_id ORDER BY w.point, w.scenario"
    sqlite3 "$1" "SELECT w.point, w.scenario, m.* FROM sweep_runs w
            JOIN summaries m ON m.run_id = w.run_id ORDER BY w.point, w.scenario" |
        cut -d'|' -f1,2,4-
    sqlite3 "$1" "SELECT policy, spec, points, scenarios FROM sweeps"
}
rows "$D/local.db" >"$TMP/local.txt"
rows "$D/merged.db" >"$TMP/merged.txt"
[ "$(grep -c . "$TMP/local.txt")" -ge 33 ] && ok || bad "too few rows compared"
cmp -s "$TMP/local.txt" "$TMP/merged.txt" && ok ||
    bad "the cluster's merged shards differ from the local sweep: $(diff "$TMP/local.txt" "$TMP/merged.txt" | head -5)"
run "$SB" best --sweep 1 --min-coverage 99 --db "$D/merged.db"
expect_rc "best on the merged sweep" 0
finish
