/*
** fuzz_polproto.c: the lines an external policy writes (traces/polproto.c):
** its description, its lookback, its decisions. The first byte chooses the
** reader. An accepted description must hold a usable parameter table
** (defaults within bounds, whole where integer, names unique), an accepted
** decision a count >= 0 and a NUL-terminated reason, and an accepted
** lookback a whole number of seconds within range.
*/
#include "fuzz.h"

#include <math.h>

#include "traces/polproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char *line = fz_str(data + 1, size - 1);
    char err[512];
    if (data[0] % 3 == 0) {
        trc_poldesc d;
        if (trc_describe_parse(line, &d, err, sizeof err) == 0) {
            if (!d.name[0] || d.nparams > POL_MAX_PARAMS) abort();
            for (size_t i = 0; i < d.nparams; i++) {
                const pol_param_def *p = &d.params[i];
                if (!(p->min <= p->def && p->def <= p->max)) abort();
                if (p->integer && p->def != floor(p->def)) abort();
                for (size_t k = 0; k < i; k++)
                    if (!strcmp(d.params[k].name, p->name)) abort();
            }
            char buf[4096];
            pol_params pp;
            for (size_t i = 0; i < d.nparams; i++) pp.v[i] = d.params[i].def;
            trc_params_format(buf, sizeof buf, d.params, d.nparams, &pp);
        } else {
            fz_check_msg(err, sizeof err);
        }
    } else if (data[0] % 3 == 1) {
        int64_t s;
        if (trc_lookback_parse(line, &s, err, sizeof err) == 0) {
            if (s < 0 || s > 1000000000) abort();
        } else {
            fz_check_msg(err, sizeof err);
        }
    } else {
        pol_decision d;
        memset(&d, 0x55, sizeof d);
        if (trc_decision_parse(line, 1488369600, &d, err, sizeof err) == 0) {
            if (d.action == POL_ACT_SET && d.desired < 0) abort();
            if (d.action != POL_ACT_SET && d.action != POL_ACT_NONE) abort();
            if (memchr(d.reason, '\0', sizeof d.reason) == NULL) abort();
            if (d.action == POL_ACT_SET && d.held) abort();
        } else {
            fz_check_msg(err, sizeof err);
        }
    }
    free(line);
    return 0;
}
