/*
** run_one.c: what the commands that run scenarios (run, regress) print
** around lab's one stored run (lab/runs.c): its error, and the note on a
** fallback capacity that is not the fleet's.
*/
#include "cli.h"

#include "lab/lab.h"

void cli_note_fallback(const sim_scenario *sc, const pol_policy *pol,
                       const pol_params *params) {
    char note[1024];
    if (lab_note_fallback(sc, pol, params, note, sizeof note))
        fprintf(stderr, "spotbench: note: %s\n", note);
}

int cli_run_one(st_db *db, const sim_scenario *sc, const pol_policy *pol,
                const pol_params *params, const char *const *sets, size_t nsets,
                int timeseries, sim_result *res, int64_t *run_id) {
    char err[4096];
    if (lab_run_store(db, sc, pol, params, sets, nsets, timeseries, cli_version(), res,
                      run_id, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    return CLI_OK;
}
