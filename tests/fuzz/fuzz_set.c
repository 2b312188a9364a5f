/*
** fuzz_set.c: --set KEY=VALUE overrides (the path walker and the JSON or
** string value) applied to a valid scenario: the input holds one override
** per line.
*/
#include "scenario_base.h"

#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        fz_base_files(NULL);
        ready = 1;
    }
    char *text = fz_str(data, size);
    const char *sets[16];
    size_t n = 0;
    for (char *line = text, *nl; line && n < 16; line = nl) {
        nl = strchr(line, '\n');
        if (nl) *nl++ = '\0';
        sets[n++] = line;
    }
    sim_scenario sc;
    char err[512], path[300];
    snprintf(path, sizeof path, "%s", fz_path("model.json"));
    if (sim_scenario_load(path, sets, n, &sc, err, sizeof err) == 0) sim_scenario_free(&sc);
    else fz_check_msg(err, sizeof err);
    free(text);
    return 0;
}
