/*
** fuzz_bounds.c: the regression suite's bounds.json (lab/regress.c). Bounds
** it accepts are written back (as --update does) and read again the same.
*/
#include "fuzz.h"

#include "lab/regress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512], path[300];
    snprintf(path, sizeof path, "%s", fz_write("bounds.json", data, size));
    lab_bounds b, again;
    if (lab_bounds_load(path, &b, err, sizeof err)) {
        fz_check_msg(err, sizeof err);
        return 0;
    }
    char out[300];
    snprintf(out, sizeof out, "%s", fz_path("written.json"));
    if (lab_bounds_write(out, &b, err, sizeof err) ||
        lab_bounds_load(out, &again, err, sizeof err) || again.npolicies != b.npolicies)
        abort();
    for (size_t k = 0; k < b.npolicies; k++)
        if (strcmp(b.p[k].label, again.p[k].label) || b.p[k].pol != again.p[k].pol ||
            b.p[k].nparams != again.p[k].nparams || b.p[k].nsets != again.p[k].nsets)
            abort();
    lab_bounds_free(&again);
    lab_bounds_free(&b);
    return 0;
}
