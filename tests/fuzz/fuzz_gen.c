/*
** fuzz_gen.c: the option values `trace gen` parses itself (traces/gen.c):
** --pools TYPE/AZ=PRICE,..., --regime START:END:MEAN and
** --outage AT:DURATION:SCOPE[:KIND]; the input's first byte picks which.
*/
#include "fuzz.h"

#include "traces/gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char *s = fz_str(data + 1, size - 1);
    char err[512];
    switch (data[0] % 3) {
    case 0: {
        size_t n = 0;
        trc_gen_pool *p = trc_gen_parse_pools(s, &n, err, sizeof err);
        if (p && n == 0) abort();
        free(p);
        break;
    }
    case 1: {
        trc_gen_regime r;
        trc_gen_parse_regime(s, &r, err, sizeof err);
        break;
    }
    default: {
        trc_gen_outage o;
        trc_gen_parse_outage(s, &o, err, sizeof err);
        break;
    }
    }
    free(s);
    return 0;
}
