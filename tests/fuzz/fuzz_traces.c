/*
** fuzz_traces.c: the scenario loader's trace readers (prices,
** availability, demand, capacity events, direct-mode metrics) on any CSV:
** the input's first byte picks the trace, the rest is its content, and the
** other files are valid.
*/
#include "scenario_base.h"

#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {"prices.csv", "availability.csv", "demand.csv",
                                        "events.csv", "metrics.csv"};
    if (size < 1) return 0;
    const char *name = names[data[0] % 5];
    fz_base_files(name);
    fz_write(name, data + 1, size - 1);
    sim_scenario sc;
    char err[512], path[300];
    snprintf(path, sizeof path, "%s",
             fz_path(strcmp(name, "metrics.csv") == 0 ? "direct.json" : "model.json"));
    if (sim_scenario_load(path, NULL, 0, &sc, err, sizeof err)) {
        fz_check_msg(err, sizeof err);
        return 0;
    }
    /* Step functions come out sorted by time, one point per Timestamp. */
    for (size_t p = 0; p < sc.npools; p++)
        for (size_t i = 1; i < sc.pools[p].price.n; i++)
            if (sc.pools[p].price.pts[i].t <= sc.pools[p].price.pts[i - 1].t) abort();
    for (size_t i = 1; i < sc.demand.n; i++)
        if (sc.demand.pts[i].t <= sc.demand.pts[i - 1].t) abort();
    sim_scenario_free(&sc);
    return 0;
}
