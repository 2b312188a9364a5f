/*
** result.c: the table of sim_result's fields (name, type, offset): one list
** that the store's summaries table and `spotbench run --json` both follow.
*/
#include "sim.h"

#define SF(type, f) {#f, type, offsetof(sim_result, f), 1}
#define SF2(type, f) {#f, type, offsetof(sim_result, f), 2}
#define SF4(type, f) {#f, type, offsetof(sim_result, f), 4}
const sim_field sim_result_fields[] = {
    SF(SIM_F_DOUBLE, spot_cost),
    SF(SIM_F_DOUBLE, od_cost),
    SF(SIM_F_DOUBLE, total_cost),
    SF(SIM_F_DOUBLE, all_od_cost),
    SF(SIM_F_DOUBLE, pct_of_all_od),
    SF(SIM_F_DOUBLE, coverage_pct),
    SF(SIM_F_DOUBLE, required_unit_hours),
    SF(SIM_F_DOUBLE, shortfall_unit_hours),
    SF(SIM_F_INT64, longest_shortfall_s),
    SF(SIM_F_DOUBLE, minutes_below_target),
    SF(SIM_F_DOUBLE, od_instance_hours),
    SF(SIM_F_DOUBLE, spot_instance_hours),
    SF(SIM_F_INT, od_launches),
    SF(SIM_F_INT, spot_launches),
    SF(SIM_F_INT, set_calls),
    SF(SIM_F_INT, set_rejected),
    SF(SIM_F_INT, invocations),
    SF(SIM_F_INT, invocation_failures),
    SF(SIM_F_INT, interruptions),
    SF2(SIM_F_INT, capacity_events),
    SF2(SIM_F_INT, rebalances),
    SF2(SIM_F_INT, holds),
    SF(SIM_F_INT, shortfalls),
    SF(SIM_F_INT64, fallback_latency_median_s),
    SF(SIM_F_INT64, fallback_latency_max_s),
    SF(SIM_F_INT, uncovered_shortfalls),
    SF(SIM_F_INT64, return_delay_median_s),
    SF(SIM_F_INT64, return_delay_max_s),
    SF(SIM_F_DOUBLE, od_hours_after_recovery),
    SF(SIM_F_INT, flaps),
    SF(SIM_F_DOUBLE, oracle_cost),
    SF(SIM_F_INT64, events),
    /* Later versions' columns go last: an upgraded database gets them
    ** there (ALTER TABLE ADD COLUMN), so its order stays a new one's. */
    SF4(SIM_F_DOUBLE, reactive_cost),
    SF4(SIM_F_DOUBLE, reactive_coverage_pct),
};
#undef SF
#undef SF2
#undef SF4
const size_t sim_result_nfields = sizeof sim_result_fields / sizeof sim_result_fields[0];
