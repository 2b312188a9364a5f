#!/bin/sh
# test_trace.sh: `spotbench trace import|check|info` end to end: detection,
# gzip, pages, the product filter, errors (exit 2, FILE: RECORD.FIELD, no
# output written), and the round trip AWS JSON -> import -> CSV -> `spotbench
# run`, which must match the run on the hand-written prices.
. "$(dirname "$0")/lib.sh"
FX=tests/fixtures/spot-c4.large-2021-05-30.json
SC=traces/scenarios/all-outbid-3h

# The real slice: 48 records, 14 Linux/UNIX in 6 pools, 4 unchanged.
run "$SB" trace import "$FX" -o "$TMP/slice.csv"
expect_rc "import slice" 0
expect_err "import slice" "spotbench: $FX: detected aws-spot-price-history"
expect_err "import slice" "10 price rows from 48 records (34 filtered"
[ "$(head -1 "$TMP/slice.csv")" = "Timestamp,InstanceType,AvailabilityZone,SpotPrice" ] && ok || bad "slice header"
[ "$(wc -l <"$TMP/slice.csv")" -eq 11 ] && ok || bad "slice rows: $(wc -l <"$TMP/slice.csv")"
grep -qx '2021-05-30T19:31:06Z,c4.large,us-east-1e,0.0397' "$TMP/slice.csv" && ok || bad "slice newest row"
# Sorted by Timestamp.
tail -n +2 "$TMP/slice.csv" | sort -c -t, -k1,1 && ok || bad "slice sorted"

# The gzip copy, detected by its magic bytes, gives the same CSV.
run "$SB" trace import "$FX.gz" -o "$TMP/slice-gz.csv"
expect_rc "import gzip" 0
cmp -s "$TMP/slice.csv" "$TMP/slice-gz.csv" && ok || bad "gzip import differs"
# A stated format is not "detected".
run "$SB" trace import --format aws-spot-price-history "$FX" -o "$TMP/slice2.csv"
expect_rc "import --format" 0
grep -q detected "$TMP/err" && bad "--format still detects" || ok

# --product: another product, and one with no records.
run "$SB" trace import --product Windows "$FX" -o "$TMP/win.csv"
expect_rc "product Windows" 0
expect_err "product Windows" "6 price rows from 48 records (42 filtered"
run "$SB" trace import --product 'Nope' "$FX" -o "$TMP/none.csv"
expect_rc "product without records" 2
expect_err "product without records" "no records of the chosen product (all were filtered)"
[ ! -e "$TMP/none.csv" ] && ok || bad "output written without records"

# check
run "$SB" trace check "$FX.gz"
expect_rc "check" 0
expect_out "check" "kind: prices"
expect_out "check" "records: 48 read, 10 kept"
expect_out "check" "filtered: 34 (product other than Linux/UNIX)"
expect_out "check" "duplicates: 0 identical collapsed, 0 conflicting"
expect_out "check" "pools: 6"
expect_out "check" "span: 2021-05-29T12:16:55Z .. 2021-05-30T19:31:06Z"

# info with episodes above a price.
run "$SB" trace info "$TMP/slice.csv" --above on-demand:0.0398
expect_rc "info" 0
expect_err "info" "detected csv"
expect_out "info" "pools: 6"
expect_out "info" "above on-demand (0.0398)"
expect_out "info" "c4.large us-east-1e: 1 episodes, total 19441 s (5.4 h), longest 19441 s"
expect_out "info" "all pools: 1 episodes"
run "$SB" trace info "$TMP/slice.csv" --above cheap
expect_rc "info bad --above" 2

# Duplicates across files: identical collapse, different -> later wins.
cat >"$TMP/p1.json" <<'EOF'
{"SpotPriceHistory": [
 {"AvailabilityZone": "us-east-1a", "InstanceType": "c4.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.05", "Timestamp": "2021-05-30T10:00:00+00:00"},
 {"AvailabilityZone": "us-east-1a", "InstanceType": "c4.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.04", "Timestamp": "2021-05-30T09:00:00+00:00"}]}
EOF
cat >"$TMP/p2.json" <<'EOF'
{"SpotPriceHistory": [
 {"AvailabilityZone": "us-east-1a", "InstanceType": "c4.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.06", "Timestamp": "2021-05-30T10:00:00+00:00"},
 {"AvailabilityZone": "us-east-1a", "InstanceType": "c4.large", "ProductDescription": "Linux/UNIX (Amazon VPC)", "SpotPrice": "0.04", "Timestamp": "2021-05-30T09:00:00+00:00"}]}
EOF
run "$SB" trace check "$TMP/p1.json" "$TMP/p2.json"
expect_rc "check two files" 0
expect_out "check two files" "duplicates: 1 identical collapsed, 1 conflicting (the later record won)"
run "$SB" trace import "$TMP/p1.json" "$TMP/p2.json" -o "$TMP/p.csv"
grep -qx '2021-05-30T10:00:00Z,c4.large,us-east-1a,0.06' "$TMP/p.csv" && ok || bad "later record wins"

# Errors: exit 2, FILE: RECORD.FIELD, no output.
sed 's/"0.06"/"-0.06"/' "$TMP/p2.json" >"$TMP/neg.json"
run "$SB" trace import "$TMP/p1.json" "$TMP/neg.json" -o "$TMP/neg.csv"
expect_rc "negative price" 2
expect_err "negative price" "spotbench: $TMP/neg.json: SpotPriceHistory[0].SpotPrice: '-0.06' must be >= 0"
[ ! -e "$TMP/neg.csv" ] && ok || bad "output written after an error"
head -c 200 "$TMP/p1.json" >"$TMP/cut.json"
run "$SB" trace check "$TMP/cut.json"
expect_rc "truncated" 2
expect_err "truncated" "$TMP/cut.json:3: invalid JSON: ends too early (truncated?)"
run "$SB" trace check "$TMP/nosuch.json"
expect_rc "missing file" 2
expect_err "missing file" "nosuch.json: No such file or directory"
echo 'hello' >"$TMP/what.txt"
run "$SB" trace check "$TMP/what.txt"
expect_rc "undetectable" 2
expect_err "undetectable" "cannot tell its format (give --format)"
run "$SB" trace import "$FX"
expect_rc "no -o" 2
expect_err "no -o" "-o OUT.csv is required"
run "$SB" trace import --format xml "$FX" -o "$TMP/x.csv"
expect_rc "unknown format" 2
# A misspelt option: the closest one named, exit 2, nothing written.
run "$SB" trace import "$FX" --fromat csv -o "$TMP/x.csv"
expect_rc "misspelt import option" 2
expect_err "misspelt import option" "import: unknown option '--fromat' (did you mean '--format'?)"
[ ! -e "$TMP/x.csv" ] && ok || bad "a misspelt option wrote an output"
run "$SB" trace import "$FX" --prodcut Linux/UNIX -o "$TMP/x.csv"
expect_rc "misspelt --product" 2
expect_err "misspelt --product" "unknown option '--prodcut' (did you mean '--product'?)"
# An option of the other form of import is not one of this form's.
run "$SB" trace import "$FX" --pool c4.large/us-east-1a -o "$TMP/x.csv"
expect_rc "--pool without spot-traces" 2
expect_err "--pool without spot-traces" "import: unknown option '--pool'"
run "$SB" trace check "$FX" "$TMP/slice.csv" "$TMP/p1.json"
expect_rc "mixed kinds ok" 0
printf 'Timestamp,TargetCapacity,PendingCapacity\n2017-03-01T00:00:00Z,32,0\n' >"$TMP/m.csv"
run "$SB" trace check "$FX" "$TMP/m.csv"
expect_rc "prices then metrics" 2
expect_err "prices then metrics" "holds metrics, but the inputs before it hold prices"
run "$SB" trace
expect_rc "no subcommand" 2
run "$SB" help trace
expect_rc "help" 0
expect_out "help" "spotbench trace import"

# Metrics: get-metric-statistics files (one per metric) -> direct-mode CSV.
cat >"$TMP/target.json" <<'EOF'
{
    "Label": "TargetCapacity",
    "Datapoints": [
        {"Timestamp": "2017-03-01T00:01:00+00:00", "Maximum": 32.0, "Unit": "Count"},
        {"Timestamp": "2017-03-01T00:00:00+00:00", "Maximum": 32.0, "Unit": "Count"}
    ]
}
EOF
cat >"$TMP/pending.json" <<'EOF'
{
    "Label": "PendingCapacity",
    "Datapoints": [
        {"Timestamp": "2017-03-01T00:01:00+00:00", "Maximum": 8.0, "Unit": "Count"}
    ]
}
EOF
gzip -c "$TMP/pending.json" >"$TMP/pending.json.gz"
run "$SB" trace import "$TMP/target.json" "$TMP/pending.json.gz" -o "$TMP/metrics.csv"
expect_rc "metrics import" 0
expect_err "metrics import" "detected aws-get-metric-statistics"
printf 'Timestamp,TargetCapacity,PendingCapacity\n2017-03-01T00:00:00Z,32,\n2017-03-01T00:01:00Z,32,8\n' >"$TMP/metrics.want"
cmp -s "$TMP/metrics.csv" "$TMP/metrics.want" && ok || bad "metrics CSV: $(cat "$TMP/metrics.csv")"
run "$SB" trace check "$TMP/metrics.csv"
expect_out "metrics check" "kind: metrics"
expect_out "metrics check" "period: 60 s"
expect_out "metrics check" "PendingCapacity: 1 datapoints"
# The imported metrics drive a direct-mode scenario.
cat >"$TMP/direct.json" <<'EOF2'
{"mode": "direct", "start": "2017-03-01T00:00:00Z", "end": "2017-03-01T00:02:00Z",
 "direct": {"metrics": "metrics.csv", "Period": 60, "SpotPrice": 0.01},
 "asg": {"OnDemandPrice": 0.21}}
EOF2
run "$SB" run "$TMP/direct.json" --db "$TMP/direct.db"
expect_rc "direct run on imported metrics" 0
# policy eval observations -> metrics.
printf '%s\n' '{"now": 1488326520, "metrics": {"TargetCapacity": [[1488326400, 32], [1488326460, 32]], "PendingCapacity": [[1488326460, 8]]}, "asg": null}' \
    '{"now": 1488326580, "metrics": {"TargetCapacity": [[1488326460, 32]], "PendingCapacity": [[1488326460, 8]]}, "asg": null}' >"$TMP/obs.jsonl"
run "$SB" trace import "$TMP/obs.jsonl" -o "$TMP/obs.csv"
expect_rc "obs import" 0
expect_err "obs import" "detected policy-eval"
cmp -s "$TMP/obs.csv" "$TMP/metrics.want" && ok || bad "obs CSV: $(cat "$TMP/obs.csv")"

# get-metric-data: metrics by Label or Id, 300 s period.
cat >"$TMP/gmd.json" <<'EOF2'
{
    "MetricDataResults": [
        {"Id": "target", "Label": "TargetCapacity", "Timestamps": ["2017-03-01T00:05:00+00:00", "2017-03-01T00:00:00+00:00"], "Values": [32.0, 32.0], "StatusCode": "Complete"},
        {"Id": "fulfilledCapacity", "Label": "fulfilled", "Timestamps": ["2017-03-01T00:05:00+00:00", "2017-03-01T00:00:00+00:00"], "Values": [24.0, 32.0], "StatusCode": "Complete"}
    ],
    "Messages": []
}
EOF2
run "$SB" trace check "$TMP/gmd.json"
expect_rc "gmd check" 0
expect_err "gmd check" "detected aws-get-metric-data"
expect_out "gmd check" "period: 300 s"
expect_out "gmd check" "FulfilledCapacity: 2 datapoints"
sed 's/24.0, 32.0/24.0/' "$TMP/gmd.json" >"$TMP/gmd-bad.json"
run "$SB" trace import "$TMP/gmd-bad.json" -o "$TMP/gmd.csv"
expect_rc "gmd bad" 2
expect_err "gmd bad" "gmd-bad.json: MetricDataResults[1].Values: 1 values for 2 Timestamps"
# A bad observation line is named by its line.
printf '%s\n' '{"now": 1488326520, "asg": null}' '{"now": 1488326520, "metrics": {"PendingCapacity": [[1488326460, "x"]]}, "asg": null}' >"$TMP/bad.jsonl"
run "$SB" trace import "$TMP/bad.jsonl" -o "$TMP/bad.csv"
expect_rc "bad observation" 2
expect_err "bad observation" "bad.jsonl:2: metrics.PendingCapacity[0]: expected a number"

# Round trip: the all-outbid-3h prices as AWS would give them (newest first,
# two pages, other products mixed in, +00:00 times), imported, must give the
# hand-written CSV byte for byte and the same `spotbench run` summary.
tail -n +2 "$SC/prices.csv" | sort -r | awk -F, '
    function rec(prod, price) {
        printf "%s        {\"AvailabilityZone\": \"%s\", \"InstanceType\": \"%s\", \"ProductDescription\": \"%s\", \"SpotPrice\": \"%.6f\", \"Timestamp\": \"%s\"}",
            (n++ % 6 ? ",\n" : ""), $3, $2, prod, price, substr($1, 1, 19) "+00:00"
        if (n % 6 == 0) printf "\n    ]\n}\n{\n    \"SpotPriceHistory\": [\n"
    }
    BEGIN { printf "{\n    \"SpotPriceHistory\": [\n" }
    { rec("Linux/UNIX", $4); rec("Windows", $4 * 3) }
    END { printf "\n    ]\n}\n" }' >"$TMP/aws.json"
gzip -c "$TMP/aws.json" >"$TMP/aws.json.gz"
run "$SB" trace import "$TMP/aws.json.gz" -o "$TMP/rt/prices.csv"
expect_rc "round trip: dir missing (a bad -o, found before the inputs are read)" 2
mkdir -p "$TMP/rt" "$TMP/hand"
run "$SB" trace import "$TMP/aws.json.gz" -o "$TMP/rt/prices.csv"
expect_rc "round trip import" 0
expect_err "round trip import" "12 price rows from 24 records (12 filtered"
cmp -s "$TMP/rt/prices.csv" "$SC/prices.csv" && ok ||
    bad "round trip CSV differs: $(diff "$SC/prices.csv" "$TMP/rt/prices.csv" | head -5)"
cp "$SC/scenario.json" "$TMP/rt/scenario.json"
cp "$SC/scenario.json" "$SC/prices.csv" "$TMP/hand/"
run "$SB" run "$TMP/rt/scenario.json" --policy classic --policy guarded --db "$TMP/rt.db"
expect_rc "round trip run" 0
cp "$TMP/out" "$TMP/rt.out"
run "$SB" run "$TMP/hand/scenario.json" --policy classic --policy guarded --db "$TMP/hand.db"
expect_rc "hand-written run" 0
expect_same "round trip summary" "$TMP/rt.out"

# The public spot availability traces format: one value every gap_seconds,
# honoured exactly (195 s is not rounded to 180 s).
printf '{"metadata": {"gap_seconds": 195}, "data": [1, 1, 0, 2]}' >"$TMP/st.json"
run "$SB" trace import --format spot-traces "$TMP/st.json" --start 2023-02-15T00:00:00Z \
    --pool p3.2xlarge/us-east-1a --scale 4 -o "$TMP/st-av.csv"
expect_rc "spot-traces pool" 0
# Changes only: 4 at 0 s, 0 at 390 s (00:06:30), 8 at 585 s (00:09:45).
cat >"$TMP/st-av.want" <<'W'
Timestamp,InstanceType,AvailabilityZone,Capacity
2023-02-15T00:00:00Z,p3.2xlarge,us-east-1a,4
2023-02-15T00:06:30Z,p3.2xlarge,us-east-1a,0
2023-02-15T00:09:45Z,p3.2xlarge,us-east-1a,8
W
cmp -s "$TMP/st-av.csv" "$TMP/st-av.want" && ok || bad "spot-traces pool CSV: $(diff "$TMP/st-av.want" "$TMP/st-av.csv")"
run "$SB" trace import --format spot-traces "$TMP/st.json" --start 2023-02-15T00:00:00Z \
    --target 8 --weight 4 -o "$TMP/st-dm.csv"
expect_rc "spot-traces direct" 0
# Units 4 on [0, 390), 0 on [390, 585), 8 on [585, 780). A minute's
# PendingCapacity is its worst: minutes 6 ([360, 420)) to 9 ([540, 600))
# touch the 0 step.
{
    echo "Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity,TerminatingCapacity"
    for m in 0 1 2 3 4 5; do echo "2023-02-15T00:0$m:00Z,8,4,4,0"; done
    for m in 6 7 8 9; do echo "2023-02-15T00:0$m:00Z,8,0,8,0"; done
    for m in 10 11 12; do echo "2023-02-15T00:$m:00Z,8,8,0,0"; done
} >"$TMP/st-dm.want"
cmp -s "$TMP/st-dm.csv" "$TMP/st-dm.want" && ok || bad "spot-traces direct CSV: $(diff "$TMP/st-dm.want" "$TMP/st-dm.csv")"
# The written metrics load as a direct-mode scenario.
cat >"$TMP/st-dm.json" <<'J'
{"mode": "direct", "start": "2023-02-15T00:00:00Z", "end": "2023-02-15T00:13:00Z",
 "direct": {"metrics": "st-dm.csv", "SpotPrice": 0.05}, "asg": {"OnDemandPrice": 0.2}}
J
run "$SB" run "$TMP/st-dm.json" --db "$TMP/st.db"
expect_rc "spot-traces direct scenario" 0
printf '{"metadata": {"gap_seconds": 0}, "data": [1]}' >"$TMP/st-bad.json"
run "$SB" trace import --format spot-traces "$TMP/st-bad.json" --start 2023-02-15T00:00:00Z --pool a/b -o "$TMP/x.csv"
expect_rc "spot-traces gap 0" 2
expect_err "spot-traces gap 0" "st-bad.json: metadata.gap_seconds: must be a whole number of seconds >= 1"
printf '{"metadata": {"gap_seconds": 60}, "data": [1, 2, -1]}' >"$TMP/st-bad.json"
run "$SB" trace import --format spot-traces "$TMP/st-bad.json" --start 2023-02-15T00:00:00Z --pool a/b -o "$TMP/x.csv"
expect_rc "spot-traces negative" 2
expect_err "spot-traces negative" "st-bad.json: data[2]: must be a number >= 0"
[ ! -e "$TMP/x.csv" ] && ok || bad "a failed import left an output"
run "$SB" trace import --format spot-traces "$TMP/st.json" --start 2023-02-15T00:00:00Z --pool a/b --target 3 -o "$TMP/x.csv"
expect_rc "spot-traces pool and target" 2
# --format=spot-traces is the same form as --format spot-traces, wherever
# it comes; a misspelt option names the closest one; --product is the other
# form's; "--format" as another option's value or after "--" is no format.
run "$SB" trace import "$TMP/st.json" --start 2023-02-15T00:00:00Z --pool p3.2xlarge/us-east-1a \
    --scale 4 --format=spot-traces -o "$TMP/st-eq.csv"
expect_rc "--format=spot-traces" 0
cmp -s "$TMP/st-eq.csv" "$TMP/st-av.want" && ok || bad "--format=spot-traces: another CSV"
run "$SB" trace import --format spot-traces "$TMP/st.json" --strat 2023-02-15T00:00:00Z --pool a/b -o "$TMP/x.csv"
expect_rc "spot-traces misspelt option" 2
expect_err "spot-traces misspelt option" "unknown option '--strat' (did you mean '--start'?)"
run "$SB" trace import --format spot-traces "$TMP/st.json" --start 2023-02-15T00:00:00Z --pool a/b \
    --product Linux/UNIX -o "$TMP/x.csv"
expect_rc "spot-traces --product" 2
expect_err "spot-traces --product" "import --format spot-traces: unknown option '--product'"
run "$SB" trace import "$TMP/st.json" --start 2023-02-15T00:00:00Z --pool a/b -o "$TMP/x.csv" -- --format spot-traces
expect_rc "--format after --" 2
expect_err "--format after --" "import: unknown option '--start'"
[ ! -e "$TMP/x.csv" ] && ok || bad "a refused import left an output"

finish
