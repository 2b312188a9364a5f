/*
** run_one.c: what the commands that run scenarios (run, regress) share: one
** simulation run stored as one transaction, and the note on a fallback
** capacity that is not the fleet's.
*/
#include "cli.h"

#include <string.h>

void cli_note_fallback(const sim_scenario *sc, const pol_policy *pol,
                       const pol_params *params) {
    if (sc->mode != SIM_MODEL) return;
    int k = pol_param_index(pol, "fallback_capacity");
    if (k < 0 || params->v[k] == sc->target_capacity) return;
    fprintf(stderr,
            "spotbench: note: %s: %s assumes fallback_capacity %g units are pending when "
            "PendingCapacity is missing or stale, but the fleet's TargetCapacity is %g "
            "(--set fallback_capacity=%g to match)\n",
            sc->path, pol->name, params->v[k], sc->target_capacity, sc->target_capacity);
}


int cli_run_one(st_db *db, const sim_scenario *sc, const pol_policy *pol,
                const pol_params *params, const char *const *sets, size_t nsets,
                int timeseries, sim_result *res, int64_t *run_id) {
    char err[512];
    st_run_info info = {sc, pol, params, sets, nsets, cli_version(), timeseries};
    if (st_run_begin(db, &info, run_id, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    sim_sink sink = st_sink(db);
    if (sim_run(sc, pol, params, &sink, res, err, sizeof err)) {
        const char *why = st_sink_error(db);
        st_run_rollback(db);
        cli_error("%s: %s", sc->path, why ? why : err);
        return CLI_FAIL;
    }
    if (st_run_commit(db, res, err, sizeof err)) {
        st_run_rollback(db);
        cli_error("%s", err);
        return CLI_FAIL;
    }
    return CLI_OK;
}
