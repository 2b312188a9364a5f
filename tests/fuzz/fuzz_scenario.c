/*
** fuzz_scenario.c: the scenario loader (sim/scenario.c) on any scenario
** JSON, with valid traces beside it. A scenario it accepts must hold what
** the simulator relies on.
*/
#include "scenario_base.h"

#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        fz_base_files(NULL);
        ready = 1;
    }
    const char *path = fz_write("scenario.json", data, size);
    sim_scenario sc;
    char err[512];
    if (sim_scenario_load(path, NULL, 0, &sc, err, sizeof err)) {
        fz_check_msg(err, sizeof err);
        return 0;
    }
    if (sc.end <= sc.start || !sc.policy || sc.asg_min > sc.asg_max) abort();
    if (sc.mode == SIM_MODEL && (sc.npools == 0 || !(sc.target_capacity > 0))) abort();
    sim_scenario_free(&sc);
    return 0;
}
