/*
** fuzz_import.c: every `trace import` format (traces/import.c): AWS spot
** price histories, get-metric-statistics and get-metric-data answers,
** policy-eval observations and the canonical CSVs, plain or gzip, and the
** public spot availability traces (--format spot-traces). The input's first
** byte picks the format: auto-detected from a file (gzip inflated there),
** one format read from memory, or (6) an availability trace; the import is
** then finished, written, and summed up.
*/
#include "fuzz.h"

#include "traces/import.h"
#include "traces/traces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int pick = data[0] % 7;
    if (pick == 6) {
        /* --format spot-traces: a public availability trace, written as a
        ** pool's capacity and as a fleet's metrics. */
        char *text = fz_str(data + 1, size - 1);
        trc_avail av;
        char err[512];
        if (trc_avail_parse("in", text, size - 1, &av, err, sizeof err) == 0) {
            char *out = NULL;
            size_t n = 0;
            FILE *f = open_memstream(&out, &n);
            if (!f || trc_avail_write_pool(&av, 1488326400, "c4,large", " az", 1.5, f) ||
                trc_avail_write_direct(&av, 1488326400, 32, 4, f))
                abort();
            fclose(f);
            free(out);
            trc_avail_free(&av);
        } else {
            fz_check_msg(err, sizeof err);
        }
        free(text);
        return 0;
    }
    data++;
    size--;
    trc_import im = {0};
    char err[512];
    int rc;
    if (pick == 0) {
        trc_format f = TRC_FMT_AUTO;
        rc = trc_import_add_file(&im, &f, fz_write("in", data, size), err, sizeof err);
    } else {
        char *text = fz_str(data, size);
        rc = trc_import_add(&im, (trc_format)pick, "in", text, size, err, sizeof err);
        free(text);
    }
    if (rc == 0) rc = trc_import_finish(&im, err, sizeof err);
    if (rc) {
        fz_check_msg(err, sizeof err);
    } else {
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);
        if (!f || trc_import_write_csv(&im, f)) abort();
        fclose(f);
        /* What import writes, import reads back. */
        trc_import back = {0};
        if (trc_import_add(&back, TRC_FMT_CSV, "out.csv", out, n, err, sizeof err) ||
            trc_import_finish(&back, err, sizeof err) || back.n != im.n)
            abort();
        trc_import_free(&back);
        free(out);
        trc_series_stats *st;
        long ns = trc_import_stats(&im, 0.05, &st);
        if (ns < 0) abort();
        free(st);
        int64_t a, b;
        trc_import_span(&im, &a, &b);
        if (b < a) abort();
    }
    trc_import_free(&im);
    return 0;
}
