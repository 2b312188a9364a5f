/*
** runs.c: one simulation run stored as one transaction (run, regress), and
** the note a run's settings may need before it runs: a fallback capacity
** that is not the fleet's.
*/
#include "lab/lab.h"

#include <stdio.h>

#include "store/store.h"

int lab_note_fallback(const sim_scenario *sc, const pol_policy *pol,
                      const pol_params *params, char *note, size_t len) {
    if (sc->mode != SIM_MODEL) return 0;
    int k = pol_param_index(pol, "fallback_capacity");
    if (k < 0 || params->v[k] == sc->target_capacity) return 0;
    snprintf(note, len,
             "%s: %s assumes fallback_capacity %g units are pending when "
             "PendingCapacity is missing or stale, but the fleet's TargetCapacity is %g "
             "(--set fallback_capacity=%g to match)",
             sc->path, pol->name, params->v[k], sc->target_capacity, sc->target_capacity);
    return 1;
}

int lab_run_store(st_db *db, const sim_scenario *sc, const pol_policy *pol,
                  const pol_params *params, const char *const *sets, size_t nsets,
                  int timeseries, const char *tool_version, sim_result *res,
                  int64_t *run_id, char *err, size_t errlen) {
    st_run_info info = {sc, pol, params, sets, nsets, tool_version, timeseries};
    if (st_run_begin(db, &info, run_id, err, errlen)) return -1;
    sim_sink sink = st_sink(db);
    if (sim_run(sc, pol, params, &sink, res, err, errlen)) {
        /* A failed write stops the run: its reason is the store's. */
        const char *why = st_sink_error(db);
        char e[4096]; /* an external policy's failure quotes a whole line */
        snprintf(e, sizeof e, "%s", why ? why : err);
        st_run_rollback(db);
        snprintf(err, errlen, "%s: %s", sc->path, e);
        return -1;
    }
    if (st_run_commit(db, res, err, errlen)) {
        st_run_rollback(db);
        return -1;
    }
    return 0;
}
