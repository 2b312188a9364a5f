/*
** fuzz_obs.c: observation JSON Lines (traces/obsjson.c, the input of
** `policy eval` and what `live --record` writes). An accepted line must be
** a valid observation, format back to a line that parses to the same
** observation, and go through every policy.
*/
#include "fuzz.h"

#include "policy/policy.h"
#include "traces/traces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *line = fz_str(data, size);
    trc_obsbuf buf = {0}, buf2 = {0};
    pol_obs obs, obs2;
    char err[512];
    if (trc_obs_parse(line, &buf, &obs, err, sizeof err) == 0) {
        if (pol_obs_check(&obs, err, sizeof err)) abort();
        char *text = trc_obs_format(&obs);
        if (!text || trc_obs_parse(text, &buf2, &obs2, err, sizeof err)) abort();
        char *again = trc_obs_format(&obs2);
        if (!again || strcmp(text, again) != 0) abort();
        free(again);
        free(text);
        for (const pol_policy *const *p = pol_list(); *p; p++) {
            if ((*p)->simulation_only) continue;
            pol_params params;
            pol_params_default(*p, &params);
            pol_decision d;
            pol_decide(*p, &obs, &params, &d);
            if (d.action == POL_ACT_SET && d.desired < 0) abort();
            char out[POL_REASON_MAX + 160];
            trc_decision_format(out, sizeof out, obs.now, &d);
        }
    } else {
        fz_check_msg(err, sizeof err);
    }
    trc_obsbuf_free(&buf);
    trc_obsbuf_free(&buf2);
    free(line);
    return 0;
}
