/*
** scenario_base.h: valid scenario and trace files for the harnesses that
** load scenarios (fuzz_scenario, fuzz_traces, fuzz_set): each replaces one
** of them with the fuzzer's input and loads, so the loader's every reader is
** reached from a file that is otherwise right.
*/
#ifndef SPOTBENCH_FUZZ_SCENARIO_BASE_H
#define SPOTBENCH_FUZZ_SCENARIO_BASE_H

#include "fuzz.h"

static const char fz_model_json[] =
    "{\"name\": \"fuzz\", \"mode\": \"model\", \"seed\": 1,\n"
    " \"start\": \"2017-03-01T00:00:00Z\", \"end\": \"2017-03-01T06:00:00Z\",\n"
    " \"fleet\": {\"TargetCapacity\": 8, \"AllocationStrategy\": \"diversified\",\n"
    "   \"LaunchSpecifications\": [\n"
    "     {\"InstanceType\": \"c4.large\", \"AvailabilityZone\": \"us-east-1a\",\n"
    "      \"WeightedCapacity\": 2, \"OnDemandPrice\": 0.1},\n"
    "     {\"InstanceType\": \"m4.large\", \"AvailabilityZone\": \"us-east-1b\",\n"
    "      \"WeightedCapacity\": 2, \"OnDemandPrice\": 0.12}],\n"
    "   \"TargetTracking\": {\"Demand\": \"demand.csv\", \"TargetValue\": 80}},\n"
    " \"traces\": {\"prices\": \"prices.csv\", \"availability\": \"availability.csv\",\n"
    "   \"events\": \"events.csv\"},\n"
    " \"market\": {},\n"
    " \"controller\": {\"policy\": \"guarded\", \"params\": {\"guarded\": {\"window\": 600}}},\n"
    " \"asg\": {\"OnDemandPrice\": 0.21, \"MaxSize\": 20}}\n";

static const char fz_direct_json[] =
    "{\"name\": \"fuzz-direct\", \"mode\": \"direct\",\n"
    " \"start\": \"2017-03-01T00:00:00Z\", \"end\": \"2017-03-01T01:00:00Z\",\n"
    " \"direct\": {\"metrics\": \"metrics.csv\", \"SpotPrice\": 0.03},\n"
    " \"asg\": {\"OnDemandPrice\": 0.21}}\n";

static const char fz_prices_csv[] =
    "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
    "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
    "2017-03-01T00:00:00Z,m4.large,us-east-1b,0.04\n"
    "2017-03-01T02:00:00Z,c4.large,us-east-1a,0.2\n";
static const char fz_avail_csv[] =
    "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
    "2017-03-01T00:00:00Z,c4.large,us-east-1a,100\n";
static const char fz_demand_csv[] = "Timestamp,Demand\n2017-03-01T00:00:00Z,6\n";
static const char fz_events_csv[] =
    "Timestamp,Scope,InstanceType,AvailabilityZone,Share,InsufficientCapacity,"
    "RebalanceLead\n"
    "2017-03-01T01:00:00Z,Pool,c4.large,us-east-1a,0.5,600,120\n";
static const char fz_metrics_csv[] =
    "Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity\n"
    "2017-03-01T00:00:00Z,32,32,0\n2017-03-01T00:05:00Z,32,24,8\n";

/* Writes every base file; `skip` (a file name or NULL) is left to the
** caller. */
static inline void fz_base_files(const char *skip) {
    static const struct {
        const char *name, *text;
    } files[] = {{"model.json", fz_model_json},     {"direct.json", fz_direct_json},
                 {"prices.csv", fz_prices_csv},     {"availability.csv", fz_avail_csv},
                 {"demand.csv", fz_demand_csv},     {"events.csv", fz_events_csv},
                 {"metrics.csv", fz_metrics_csv}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (!skip || strcmp(skip, files[i].name) != 0)
            fz_write(files[i].name, files[i].text, strlen(files[i].text));
}

#endif
