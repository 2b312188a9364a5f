/*
** fuzz_sweep.c: sweep specs (lab/sweep.c): --grid and --random arguments
** (one per line, "g ..." or "r ..."), and a stored spec's JSON as read from
** a database (first byte '{'), which a merged shard makes untrusted input.
** An accepted spec must name its points and survive its JSON round trip.
*/
#include "fuzz.h"

#include "lab/sweep.h"

static void exercise(const lab_sweep_spec *s) {
    char err[512];
    if (lab_sweep_check_size(s, err, sizeof err)) return;
    size_t np = lab_sweep_npoints(s);
    char buf[8192];
    const char *kv[64];
    for (size_t p = 0; p < np && p < 16 && s->ngrid + s->nrnd <= 64; p++)
        lab_sweep_point(s, p, buf, sizeof buf, kv);
    /* The JSON round trip of a 100,000-value axis takes a fifth of a second,
    ** and seconds under the sanitizers: time the fuzzer spends better on
    ** small specs. */
    size_t values = 0;
    for (size_t i = 0; i < s->ngrid; i++) values += s->grid[i].nvalues;
    if (values > 5000) return;
    char *json = lab_sweep_spec_json(s);
    if (!json) abort();
    lab_sweep_spec t;
    if (lab_sweep_spec_parse(json, &t, err, sizeof err)) abort();
    char *again = lab_sweep_spec_json(&t);
    if (!again || strcmp(json, again) != 0) abort();
    free(again);
    free(json);
    lab_sweep_spec_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fz_str(data, size);
    char err[512];
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    if (text[0] == '{') {
        if (lab_sweep_spec_parse(text, &s, err, sizeof err) == 0) exercise(&s);
        lab_sweep_spec_free(&s);
        free(text);
        return 0;
    }
    s.policy = strdup("guarded");
    int ok = s.policy && lab_sweep_add_str(&s.scenarios, &s.nscenarios, "a.json", err,
                                           sizeof err) == 0;
    for (char *line = text, *nl; ok && line; line = nl) {
        nl = strchr(line, '\n');
        if (nl) *nl++ = '\0';
        if (line[0] == 'g' && line[1] == ' ')
            ok = lab_sweep_add_grid(&s, line + 2, err, sizeof err) == 0;
        else if (line[0] == 'r' && line[1] == ' ')
            ok = lab_sweep_add_random(&s, line + 2, err, sizeof err) == 0;
    }
    if (ok) {
        if (s.nrnd) s.samples = 3;
        exercise(&s);
    }
    lab_sweep_spec_free(&s);
    free(text);
    return 0;
}
