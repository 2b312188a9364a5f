/*
** fuzz_csv.c: the CSV table reader (traces/csv.c) on any text, every cell
** read as a number and a time; and the writer's quoting: any value quoted
** by trc_csv_quote reads back as itself.
*/
#include "fuzz.h"

#include "traces/traces.h"

static const trc_csv_col cols[] = {
    {"Timestamp", 0}, {"InstanceType", 1}, {"AvailabilityZone", 1}, {"SpotPrice", 0}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    trc_csv t;
    char err[512];
    const trc_csv_col *which[] = {cols, trc_metrics_cols};
    size_t nc[] = {4, TRC_METRICS_NCOLS};
    for (int k = 0; k < 2; k++) {
        if (trc_csv_parse("f.csv", (const char *)data, size, which[k], nc[k], &t, err,
                          sizeof err)) {
            fz_check_msg(err, sizeof err);
            continue;
        }
        for (size_t r = 0; r < t.nrows; r++)
            for (size_t c = 0; c < t.ncols; c++) {
                double v;
                int64_t ts;
                if (!trc_csv_cell(&t, r, c)) continue;
                if (trc_csv_number(&t, r, c, &v, err, sizeof err) == 0 && !(v == v)) abort();
                trc_csv_time(&t, r, c, &ts, err, sizeof err);
            }
        trc_csv_free(&t);
    }
    /* Round trip of one value (up to its first NUL) through the quoting. */
    char *value = fz_str(data, size);
    size_t vl = strlen(value);
    size_t qn = 2 * vl + 3;
    char *doc = malloc(qn + 32);
    if (!doc) abort();
    int head = snprintf(doc, qn + 32, "Timestamp,SpotPrice\n1,");
    size_t ql = trc_csv_quote(doc + head, qn, value);
    if (ql >= qn) abort();
    doc[head + ql] = '\n';
    static const trc_csv_col two[] = {{"Timestamp", 0}, {"SpotPrice", 0}};
    if (trc_csv_parse("q.csv", doc, (size_t)head + ql + 1, two, 2, &t, err, sizeof err) ||
        t.nrows != 1 || strcmp(trc_csv_cell(&t, 0, 1), value) != 0)
        abort();
    trc_csv_free(&t);
    free(doc);
    free(value);
    return 0;
}
