/*
** csv.c: a CSV reader for traces (spot price history, pool capacity,
** recorded fleet metrics, demand): a header row naming the columns, then one
** record per line. See traces.h for the accepted format.
**
** The text is copied once and split in place: each cell is a NUL-terminated
** string inside that one copy, so a price history of a million rows costs
** two allocations that grow, not one per cell.
*/
#include "traces.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trc_csv_free(trc_csv *t) {
    free(t->file);
    free(t->present);
    free(t->cell);
    free(t->line);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

const char *trc_csv_cell(const trc_csv *t, size_t r, size_t c) {
    return t->cell[r * t->ncols + c];
}

static void vmsg(char *err, size_t errlen, const char *pre, const char *fmt,
                 va_list ap) {
    int n = snprintf(err, errlen, "%s", pre);
    if (n >= 0 && (size_t)n < errlen) vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

int trc_csv_fail(const trc_csv *t, size_t r, size_t c, char *err,
                 size_t errlen, const char *fmt, ...) {
    char pre[600];
    snprintf(pre, sizeof pre, "%s:%ld: %s: ", t->file, t->line[r],
             t->cols[c].name);
    va_list ap;
    va_start(ap, fmt);
    vmsg(err, errlen, pre, fmt, ap);
    va_end(ap);
    return -1;
}

/* A message about a line of the file, before any row is stored. */
static int line_fail(const char *file, long line, char *err, size_t errlen,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int line_fail(const char *file, long line, char *err, size_t errlen,
                     const char *fmt, ...) {
    char pre[560];
    if (line > 0) snprintf(pre, sizeof pre, "%s:%ld: ", file, line);
    else snprintf(pre, sizeof pre, "%s: ", file);
    va_list ap;
    va_start(ap, fmt);
    vmsg(err, errlen, pre, fmt, ap);
    va_end(ap);
    return -1;
}

/* Plain decimals ("0.0597", "32") without strtod: with at most 15
** significant digits and 22 decimals, both the digits and the power of ten are
** exact doubles, so one correctly rounded division gives strtod's very
** result (Clinger's fast path). Returns 0 when the text is not that simple. */
static int simple_decimal(const char *s, double *out) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int64_t m = 0;
    int digits = 0, frac = -1;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9') return 0;
        m = m * 10 + (*s - '0');
        if (m) digits++;
        if (frac >= 0) frac++;
        if (digits > 15 || frac > 22) return 0;
    }
    if (frac == 0) return 0; /* "5." is left to strtod's judgement */
    *out = frac > 0 ? (double)m / pow10[frac] : (double)m;
    return 1;
}

const trc_csv_col trc_metrics_cols[TRC_METRICS_NCOLS] = {
    {"Timestamp", 0},         {"TargetCapacity", 0},      {"FulfilledCapacity", 1},
    {"PendingCapacity", 1},   {"TerminatingCapacity", 1}};
const pol_metric trc_metrics_col_metric[TRC_METRICS_NCOLS] = {
    POL_TARGET /* unused: the Timestamp */, POL_TARGET, POL_FULFILLED, POL_PENDING,
    POL_TERMINATING};

int trc_csv_number(const trc_csv *t, size_t r, size_t c, double *out,
                   char *err, size_t errlen) {
    const char *s = trc_csv_cell(t, r, c);
    if (!s) return trc_csv_fail(t, r, c, err, errlen, "no such column");
    if (!*s) return trc_csv_fail(t, r, c, err, errlen, "is empty");
    if (simple_decimal(s, out)) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* strtod also reads "inf", "nan" and hex; none is a trace value. */
    if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE ||
        strpbrk(s, "xXnN"))
        return trc_csv_fail(t, r, c, err, errlen, "'%s' is not a number", s);
    *out = v;
    return 0;
}

int trc_csv_time(const trc_csv *t, size_t r, size_t c, int64_t *out,
                 char *err, size_t errlen) {
    const char *s = trc_csv_cell(t, r, c);
    if (!s) return trc_csv_fail(t, r, c, err, errlen, "no such column");
    if (!*s) return trc_csv_fail(t, r, c, err, errlen, "is empty");
    if (strspn(s, "0123456789") == strlen(s)) {
        /* Epoch seconds; 18 digits keep well inside int64_t. */
        if (strlen(s) > 18)
            return trc_csv_fail(t, r, c, err, errlen, "'%s' is out of range", s);
        int64_t v = 0;
        for (const char *p = s; *p; p++) v = v * 10 + (*p - '0');
        if (v > TRC_TIME_MAX)
            return trc_csv_fail(t, r, c, err, errlen, "'%s' is out of range (after year 9999)",
                                s);
        *out = v;
        return 0;
    }
    if (trc_time_parse(s, out) != 0)
        return trc_csv_fail(t, r, c, err, errlen,
                            "'%s' is not an ISO-8601 UTC time or epoch seconds",
                            s);
    return 0;
}

/* Splits the record that starts at p (inside [p, end), which holds no NUL)
** into fields in place: each field's text is moved to its own start and
** NUL-terminated. A quoted field may hold ',', '"' (doubled) and line
** breaks, as RFC 4180 allows; outside quotes a record ends at the line's
** end ("\n" or "\r\n"). Stores at most `max` field pointers in f, sets *next
** to the following record and *lines to the line breaks passed, and returns
** the number of fields, or -1 with a message. */
static long split(char *p, char *end, char **next, long *lines, char **f,
                  size_t max, const char *file, long line, char *err,
                  size_t errlen) {
    size_t n = 0;
    long nl = 0;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        char *start = p, *w = p;
        if (p < end && *p == '"') {
            /* Quoted: copy down over the quotes, "" -> ". */
            p++;
            for (;;) {
                if (p >= end)
                    return line_fail(file, line, err, errlen,
                                     "field %zu: unterminated quote", n + 1);
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n') nl++;
                *w++ = *p++;
            }
            while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
            if (p < end && *p != ',' && *p != '\n')
                return line_fail(file, line + nl, err, errlen,
                                 "field %zu: text after the closing quote",
                                 n + 1);
        } else {
            while (p < end && *p != ',' && *p != '\n') p++;
            w = p;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r')) w--;
        }
        int more = p < end && *p == ',';
        int eol = p < end && *p == '\n';
        *w = '\0'; /* w <= p: overwrites the ',', the newline or the end */
        if (n < max) f[n] = start;
        n++;
        if (!more) {
            if (eol) nl++;
            *next = p < end ? p + 1 : end;
            break;
        }
        p++;
    }
    *lines = nl;
    return (long)n;
}

size_t trc_csv_quote(char *out, size_t n, const char *s) {
    size_t l = strlen(s);
    int quote = l && (s[0] == ' ' || s[0] == '\t' || s[l - 1] == ' ' || s[l - 1] == '\t' ||
                      s[0] == '#');
    if (!quote) quote = strpbrk(s, ",\"\r\n") != NULL;
    size_t k = 0;
#define PUT(c)                                                                 \
    do {                                                                       \
        if (k + 1 < n) out[k] = (c);                                           \
        k++;                                                                   \
    } while (0)
    if (quote) PUT('"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') PUT('"');
        PUT(*p);
    }
    if (quote) PUT('"');
#undef PUT
    if (n) out[k < n ? k : n - 1] = '\0';
    return k;
}

/* Checks the header fields h[0..nh) against the expected columns and fills
** pos[k] (the header field of expected column k, or -1). */
static int match_header(char **h, size_t nh, const trc_csv_col *cols,
                        size_t ncols, long *pos, const char *file, long line,
                        char *err, size_t errlen) {
    char want[400];
    size_t o = 0;
    want[0] = '\0';
    for (size_t k = 0; k < ncols && o < sizeof want; k++)
        o += (size_t)snprintf(want + o, sizeof want - o, "%s%s%s%s",
                              k ? "," : "", cols[k].optional ? "[" : "",
                              cols[k].name, cols[k].optional ? "]" : "");
    for (size_t k = 0; k < ncols; k++) pos[k] = -1;
    size_t next = 0; /* the expected columns before `next` are settled */
    for (size_t i = 0; i < nh; i++) {
        size_t k = 0;
        while (k < ncols && strcmp(h[i], cols[k].name) != 0) k++;
        if (k == ncols)
            return line_fail(file, line, err, errlen,
                             "unknown column '%s' (the header must be %s)",
                             h[i], want);
        if (pos[k] >= 0)
            return line_fail(file, line, err, errlen,
                             "duplicate column '%s'", h[i]);
        if (k < next)
            return line_fail(file, line, err, errlen,
                             "column '%s' out of order (the header must be %s)",
                             h[i], want);
        for (size_t j = next; j < k; j++)
            if (!cols[j].optional)
                return line_fail(file, line, err, errlen,
                                 "missing column '%s' (the header must be %s)",
                                 cols[j].name, want);
        pos[k] = (long)i;
        next = k + 1;
    }
    for (size_t j = next; j < ncols; j++)
        if (!cols[j].optional)
            return line_fail(file, line, err, errlen,
                             "missing column '%s' (the header must be %s)",
                             cols[j].name, want);
    return 0;
}

int trc_csv_parse(const char *file, const char *text, size_t len,
                  const trc_csv_col *cols, size_t ncols, trc_csv *t,
                  char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
    long *pos = NULL;
    char **f = NULL;
    size_t cap = 0;
    t->file = strdup(file);
    t->buf = malloc(len + 1);
    t->present = calloc(ncols ? ncols : 1, sizeof *t->present);
    pos = calloc(ncols ? ncols : 1, sizeof *pos);
    /* One field more than expected shows a row that is too long. */
    f = calloc(ncols + 1, sizeof *f);
    if (!t->file || !t->buf || !t->present || !pos || !f) {
        snprintf(err, errlen, "%s: out of memory", file);
        goto fail;
    }
    memcpy(t->buf, text, len);
    t->buf[len] = '\0';

    char *p = t->buf, *end = t->buf + len;
    /* A UTF-8 byte order mark, as spreadsheets write. */
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    long line = 1;     /* the line p is on */
    long nheader = -1; /* fields in the header, once read */
    const char *nul = memchr(p, '\0', (size_t)(end - p));
    if (nul) {
        long at = 1;
        for (const char *q = p; q < nul; q++) at += *q == '\n';
        line_fail(file, at, err, errlen, "NUL byte (not a text file?)");
        goto fail;
    }
    while (p < end) {
        /* Blank lines and comments are skipped a physical line at a time. */
        char *q = p;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q == end || *q == '\n' || *q == '#') {
            char *nl = memchr(q, '\n', (size_t)(end - q));
            p = nl ? nl + 1 : end;
            line++;
            continue;
        }
        char *next = end;
        long lines = 0;
        long n = split(p, end, &next, &lines, f, ncols + 1, file, line, err, errlen);
        if (n < 0) goto fail;
        long rec_line = line;
        line += lines;
        if (nheader < 0) {
            if ((size_t)n > ncols) {
                /* Name the first column that is not expected. */
                if (match_header(f, ncols + 1, cols, ncols, pos, file, rec_line,
                                 err, errlen) == 0)
                    line_fail(file, rec_line, err, errlen, "too many columns");
                goto fail;
            }
            if (match_header(f, (size_t)n, cols, ncols, pos, file, rec_line, err,
                             errlen) != 0)
                goto fail;
            for (size_t k = 0; k < ncols; k++) t->present[k] = pos[k] >= 0;
            nheader = n;
            p = next;
            continue;
        }
        if (n != nheader) {
            line_fail(file, rec_line, err, errlen, "%ld fields, the header has %ld",
                      n, nheader);
            goto fail;
        }
        if (t->nrows == cap) {
            size_t nc = cap ? cap * 2 : 256;
            char **cell = realloc(t->cell, nc * (ncols ? ncols : 1) * sizeof *cell);
            if (!cell) { snprintf(err, errlen, "%s: out of memory", file); goto fail; }
            t->cell = cell;
            long *ln = realloc(t->line, nc * sizeof *ln);
            if (!ln) { snprintf(err, errlen, "%s: out of memory", file); goto fail; }
            t->line = ln;
            cap = nc;
        }
        for (size_t k = 0; k < ncols; k++)
            t->cell[t->nrows * ncols + k] = pos[k] >= 0 ? f[pos[k]] : NULL;
        t->line[t->nrows] = rec_line;
        t->nrows++;
        p = next;
    }
    if (nheader < 0) {
        line_fail(file, 0, err, errlen, "no header row (expected %s%s)",
                  ncols ? cols[0].name : "", ncols > 1 ? ",..." : "");
        goto fail;
    }
    free(pos);
    free(f);
    return 0;
fail:
    free(pos);
    free(f);
    trc_csv_free(t);
    return -1;
}
