/*
** suite.c: the cases a command runs (compare, tune), as lab/cases.c finds
** them, with the command's messages; and durations as the tables print
** them.
*/
#include "cli.h"

#include "lab/regress.h"

#include <stdlib.h>
#include <string.h>

int cli_suite_load(const char *path, lab_suite *s) {
    char err[1024];
    int rc = lab_suite_load(path, s, err, sizeof err);
    if (rc != CLI_OK) {
        cli_error("%s", err);
        return rc;
    }
    if (s->n == 0) {
        cli_error("%s: no case (a subfolder with a scenario.json) in the folder", path);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

int cli_suite_model_only(lab_suite *s, const pol_policy *const *pols, size_t n,
                         const char *const *sets, size_t nsets) {
    const char *native = NULL;
    for (size_t i = 0; i < n && !native; i++)
        if (pols[i]->native) native = pols[i]->name;
    /* The last fleet.kind set wins, as it does in the scenario. */
    for (size_t i = 0; i < nsets; i++)
        if (strncmp(sets[i], "fleet.kind=", 11) == 0)
            native = strcmp(sets[i] + 11, "asg") == 0 ? "fleet.kind=asg" : native;
    if (!native) return CLI_OK;
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        sim_scenario sc;
        char err[1024];
        int direct = 0;
        if (sim_scenario_load(s->path[i], NULL, 0, &sc, err, sizeof err) == 0) {
            direct = sc.mode == SIM_DIRECT;
            sim_scenario_free(&sc);
        } /* else: kept, for the run to report the error */
        if (direct) {
            cli_error("note: %s: left out: a direct-mode case replays a fleet's metrics, and %s "
                     "needs the model (mode model)",
                     s->name[i], native);
            free(s->name[i]);
            free(s->path[i]);
            continue;
        }
        s->name[kept] = s->name[i];
        s->path[kept++] = s->path[i];
    }
    s->n = kept;
    if (!kept) {
        cli_error("no model-mode case in the suite for %s", native);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

void cli_duration(char *buf, size_t n, int64_t s) {
    if (s < 60) snprintf(buf, n, "%llds", (long long)s);
    else if (s < 3600) snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}
