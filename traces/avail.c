/*
** avail.c: the public spot availability traces format, one value every
** gap_seconds:
**
**     {"metadata": {"gap_seconds": 195}, "data": [1, 1, 0, ...]}
**
** read as a pool's capacity (model mode: an availability CSV) or as a real
** fleet's metrics (direct mode: PendingCapacity = target - available). The
** value at index i holds over [start + i * gap, start + (i + 1) * gap)
** exactly: a 195 s step is never rounded to 180 s. Direct mode's 1-minute
** datapoints are what CloudWatch's Maximum (PendingCapacity) and Minimum
** (FulfilledCapacity) would be over each minute of that step function.
**
** Ownership: a trc_avail owns its values; trc_avail_free() releases them.
*/
#include "traces.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many steps: 10 years of 1-second steps is far beyond any
** published trace. */
#define MAX_STEPS 315360000.0

int trc_avail_parse(const char *file, const char *text, size_t len, trc_avail *out,
                    char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        snprintf(err, errlen, "%s: not valid JSON (expected {\"metadata\": "
                              "{\"gap_seconds\": N}, \"data\": [...]})",
                 file);
        return -1;
    }
    int rc = -1;
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    const cJSON *gap = meta ? cJSON_GetObjectItemCaseSensitive(meta, "gap_seconds") : NULL;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!cJSON_IsObject(root) || !cJSON_IsObject(meta)) {
        snprintf(err, errlen, "%s: metadata: must be an object with gap_seconds", file);
        goto out;
    }
    if (!cJSON_IsNumber(gap) || !(gap->valuedouble >= 1) ||
        gap->valuedouble != floor(gap->valuedouble) || gap->valuedouble > 86400 * 365.0) {
        snprintf(err, errlen, "%s: metadata.gap_seconds: must be a whole number of "
                              "seconds >= 1",
                 file);
        goto out;
    }
    if (!cJSON_IsArray(data) || cJSON_GetArraySize(data) == 0) {
        snprintf(err, errlen, "%s: data: must be a non-empty array of numbers", file);
        goto out;
    }
    size_t n = (size_t)cJSON_GetArraySize(data);
    if ((double)n > MAX_STEPS) {
        snprintf(err, errlen, "%s: data: more than %.0f steps", file, MAX_STEPS);
        goto out;
    }
    /* The direct-mode writer makes a row a minute of the span: bounded like
    ** a scenario's span (docs/scenario.md, "Limits"). */
    if ((double)n * gap->valuedouble > 3660.0 * 86400) {
        snprintf(err, errlen, "%s: data: %zu steps of %.0f s span %.0f days; at most 3660",
                 file, n, gap->valuedouble, (double)n * gap->valuedouble / 86400);
        goto out;
    }
    out->gap = (int64_t)gap->valuedouble;
    out->v = malloc(n * sizeof *out->v);
    if (!out->v) {
        snprintf(err, errlen, "%s: out of memory", file);
        goto out;
    }
    size_t i = 0;
    for (const cJSON *it = data->child; it; it = it->next, i++) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0) {
            snprintf(err, errlen, "%s: data[%zu]: must be a number >= 0", file, i);
            goto out;
        }
        out->v[i] = it->valuedouble;
    }
    out->n = n;
    rc = 0;
out:
    cJSON_Delete(root);
    if (rc) trc_avail_free(out);
    return rc;
}

void trc_avail_free(trc_avail *a) {
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Writes a CSV field, quoted as RFC 4180 says when it needs it. */
static void put_field(FILE *f, const char *s) {
    char q[2 * 32 + 3];
    if (strlen(s) >= 32) return; /* pool names are shorter: checked by the caller */
    trc_csv_quote(q, sizeof q, s);
    fputs(q, f);
}

int trc_avail_write_pool(const trc_avail *a, int64_t start, const char *type,
                         const char *az, double scale, FILE *f) {
    char ts[32];
    fputs("Timestamp,InstanceType,AvailabilityZone,Capacity\n", f);
    for (size_t i = 0; i < a->n; i++) {
        if (i && a->v[i] == a->v[i - 1]) continue; /* a value holds until it changes */
        trc_time_format(start + (int64_t)i * a->gap, ts, sizeof ts);
        fprintf(f, "%s,", ts);
        put_field(f, type);
        fputc(',', f);
        put_field(f, az);
        fprintf(f, ",%.17g\n", floor(a->v[i] * scale));
    }
    return ferror(f) ? -1 : 0;
}

int trc_avail_write_direct(const trc_avail *a, int64_t start, double target,
                           double weight, FILE *f) {
    char ts[32];
    int64_t end = start + (int64_t)a->n * a->gap;
    int64_t m = start - ((start % 60) + 60) % 60; /* floor to the minute */
    size_t i = 0;
    fputs("Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity,TerminatingCapacity\n", f);
    for (; m < end; m += 60) {
        /* Steps overlapping [m, m + 60) within the trace. */
        double lo = INFINITY;
        while (i + 1 < a->n && start + (int64_t)(i + 1) * a->gap <= m) i++;
        for (size_t j = i; j < a->n && start + (int64_t)j * a->gap < m + 60; j++) {
            double units = a->v[j] * weight;
            if (units < lo) lo = units;
        }
        double fulfilled = lo < target ? lo : target;
        trc_time_format(m, ts, sizeof ts);
        /* TerminatingCapacity 0: the trace has no interruption notices. */
        fprintf(f, "%s,%.17g,%.17g,%.17g,0\n", ts, target, fulfilled, target - fulfilled);
    }
    return ferror(f) ? -1 : 0;
}
