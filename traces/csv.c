/*
** csv.c: a CSV reader for traces (spot price history, pool capacity,
** recorded fleet metrics, demand): a header row naming the columns, then one
** record per line (RFC 4180, plus comments: a quoted field may span lines).
** See traces.h for the accepted format; trc_csv_quote() writes a field.
**
** The reader streams: it reads the input in blocks into one buffer, splits
** each line in place (each cell a NUL-terminated string inside the buffer)
** and hands the caller one row at a time, so a trace costs its parsed
** numbers and a block of text, never a copy of the whole file. It can fold
** every byte it reads into a hash (hash.c) on the way. A large file is read
** ahead, and hashed, by a thread of the reader's own while the caller parses
** (the hash is still over exactly the bytes parsed, in order): that once
** hid FNV-1a's cost, about that of the parsing, and still overlaps the
** reads; its blocks become the reader's buffer in turn, not copied. A small
** file is hashed line by line in the scan that parses it.
**
** A trace has hundreds of thousands of rows, nearly all of one shape: the
** common row (plain cells, its line wholly in the buffer) is read by
** plain_row() without the general steps, and the common cells (10-digit
** epoch seconds, a short decimal) inline (text.h); anything else, and
** every message, goes the general way, with the same result.
** trc_csv_parse() builds a whole table with the same reader, for callers
** that want random access.
*/
#include "traces.h"
#include "traces/ahead.h"
#include "traces/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* What the reader reads at a time, as the read-ahead thread (ahead.h). */
#define BLOCK TRC_AHEAD_BLOCK
/* Bytes kept free past the text in the buffer: the sentinel newline, and
** what the line scan reads past it 16 bytes at a time (scan_bytes). */
#define SCAN_SLACK TRC_AHEAD_SLACK
/* Files at least this long, read with a hash, are read ahead on a thread:
** below it, starting a thread costs more than the hash it takes away. */
#define AHEAD_MIN (256 * 1024)

static void vmsg(char *err, size_t errlen, const char *pre, const char *fmt,
                 va_list ap) {
    int n = snprintf(err, errlen, "%s", pre);
    if (n >= 0 && (size_t)n < errlen) vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

/* "FILE:LINE: COLUMN: " + the message. */
static int vcell_fail(const char *file, long line, const char *col, char *err,
                      size_t errlen, const char *fmt, va_list ap) {
    char pre[600];
    snprintf(pre, sizeof pre, "%s:%ld: %s: ", file, line, col);
    vmsg(err, errlen, pre, fmt, ap);
    return -1;
}

static int cell_fail(const char *file, long line, const char *col, char *err,
                     size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int cell_fail(const char *file, long line, const char *col, char *err,
                     size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vcell_fail(file, line, col, err, errlen, fmt, ap);
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
    const char *p = s;
    uint64_t m = 0; /* wraps only for digit strings rejected below */
    /* Significant digits: those from the first one that is not a zero, that
    ** is the digits after which m is not 0 (m can wrap to 0 only after 19
    ** of them: rejected all the same), counted on the way. */
    int digits = 0;
    unsigned d;
    while ((d = (unsigned)(*p - '0')) < 10) {
        m = m * 10 + d;
        digits += m != 0;
        p++;
    }
    int frac = -1;
    if (*p == '.') {
        const char *f = ++p;
        while ((d = (unsigned)(*p - '0')) < 10) {
            m = m * 10 + d;
            digits += m != 0;
            p++;
        }
        frac = (int)(p - f);
    }
    /* "5." is left to strtod's judgement. */
    if (*p != '\0' || frac == 0 || frac > 22) return 0;
    if (digits > 15) return 0;
    *out = frac > 0 ? (double)(int64_t)m / pow10[frac] : (double)(int64_t)m;
    return 1;
}

const trc_csv_col trc_metrics_cols[TRC_METRICS_NCOLS] = {
    {"Timestamp", 0},         {"TargetCapacity", 0},      {"FulfilledCapacity", 1},
    {"PendingCapacity", 1},   {"TerminatingCapacity", 1}};
const pol_metric trc_metrics_col_metric[TRC_METRICS_NCOLS] = {
    POL_TARGET /* unused: the Timestamp */, POL_TARGET, POL_FULFILLED, POL_PENDING,
    POL_TERMINATING};

/* ---- cells: numbers and times, for tables and readers alike ------------- */

/* The general readings of a cell, with every message: cell_number() and
** cell_time() below try the common shapes first, inline (a trace has
** hundreds of thousands of rows), and hand anything else over to these.
** s is NUL-terminated (len long, for time_general). */
static __attribute__((noinline)) int number_general(const char *file, long line,
                                                    const char *col, const char *s,
                                                    double *out, char *err, size_t errlen) {
    if (!s) return cell_fail(file, line, col, err, errlen, "no such column");
    if (!*s) return cell_fail(file, line, col, err, errlen, "is empty");
    if (simple_decimal(s, out)) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* strtod also reads "inf", "nan" and hex; none is a trace value. */
    if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE ||
        strpbrk(s, "xXnN"))
        return cell_fail(file, line, col, err, errlen, "'%s' is not a number", s);
    *out = v;
    return 0;
}

static __attribute__((noinline)) int time_general(const char *file, long line,
                                                  const char *col, const char *s,
                                                  size_t len, int64_t *out, char *err,
                                                  size_t errlen) {
    if (!s) return cell_fail(file, line, col, err, errlen, "no such column");
    if (!*s) return cell_fail(file, line, col, err, errlen, "is empty");
    /* Epoch seconds; 18 digits keep well inside int64_t. */
    if (len <= 18) {
        uint64_t v = 0, x;
        size_t n = 0;
        if (len >= 8 && trc_digits8(s, &x)) {
            v = x;
            n = 8;
        }
        for (unsigned d; n < len && (d = (unsigned)(s[n] - '0')) < 10; n++) v = v * 10 + d;
        if (n == len) {
            if (v > (uint64_t)TRC_TIME_MAX)
                return cell_fail(file, line, col, err, errlen,
                                 "'%s' is out of range (after year 9999)", s);
            *out = (int64_t)v;
            return 0;
        }
    } else if (strspn(s, "0123456789") == len)
        return cell_fail(file, line, col, err, errlen, "'%s' is out of range", s);
    if (trc_time_parse(s, out) != 0)
        return cell_fail(file, line, col, err, errlen,
                         "'%s' is not an ISO-8601 UTC time or epoch seconds", s);
    return 0;
}

/* A number, a time: first as their common shapes (text.h). */
static inline int cell_number(const char *file, long line, const char *col, const char *s,
                              size_t len, double *out, char *err, size_t errlen) {
    if (trc_short_decimal(s, len, out)) return 0;
    return number_general(file, line, col, s, out, err, errlen);
}

static inline int cell_time(const char *file, long line, const char *col, const char *s,
                            size_t len, int64_t *out, char *err, size_t errlen) {
    if (trc_epoch10(s, len, out)) return 0;
    return time_general(file, line, col, s, len, out, err, errlen);
}

/* Splits the record that starts at p (inside [p, end), which holds no NUL)
** into fields in place: each field's text is moved to its own start and
** NUL-terminated. A quoted field may hold ',', '"' (doubled) and line
** breaks, as RFC 4180 allows; outside quotes a record ends at the line's
** end ("\n" or "\r\n"). Stores at most `max` field pointers in f (their
** lengths in fl), sets *next to the following record and *lines to the line
** breaks passed, and returns the number of fields, or -1 with a message. */
static long split(char *p, char *end, char **next, long *lines, char **f, size_t *fl,
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
        if (n < max) {
            f[n] = start;
            fl[n] = (size_t)(w - start);
        }
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

/* ---- the reader ------------------------------------------------------------ */

struct trc_csv_reader {
    char *file;              /* for messages */
    const trc_csv_col *cols; /* borrowed */
    size_t ncols;
    int fd;                  /* the file, or -1 when reading memory */
    const char *mem;         /* ... this memory */
    size_t memlen, memoff;
    char *buf;               /* the unread text is buf[a, b); cap > b */
    size_t cap, a, b;
    int eof;                 /* nothing more comes into buf */
    trc_hash *hash;          /* the hash state of the bytes read, or NULL */
    trc_hash *line_hash;     /* ... when the lines are hashed as scanned (not
                                read ahead), else NULL */
    int cut;                 /* the end was reached and the piece cut */
    trc_ahead *ahead_rd;     /* the read-ahead thread, which hashes, or NULL */
    long line;
    long nheader;            /* fields in the header, once read */
    long *pos;               /* per expected column: its header field, or -1 */
    int *present;
    char **f;                /* the fields of the current line */
    size_t *flen;            /* ... and their lengths */
    const char **cell;       /* per expected column: the current row's cell */
    size_t *len;             /* ... and its length */
    int same;                /* the header is the expected columns in order:
                                the cells are the fields (f, flen) */
    int ahead;               /* the first row was read with the header */
    long row_line;           /* the line the current row starts on */
    char *rec;               /* a record that spans lines, put together */
    size_t nrec, caprec;
    char **comma;            /* the current line's first ncols + 1 commas */
    size_t ncomma;           /* ... and how many it has */
    int plain;               /* it needs no quote or blank handling */
};

/* Reads more text into the buffer; 0, or -1 on a read error. */
static int fill(trc_csv_reader *r, char *err, size_t errlen) {
    size_t n = r->b - r->a;
    if (r->ahead_rd && n <= TRC_AHEAD_HEAD && r->cap >= TRC_AHEAD_SPAN) {
        /* The next block becomes the buffer, the unread part in front. */
        int error = 0;
        char *buf = r->buf;
        ssize_t k = trc_ahead_swap(r->ahead_rd, &buf, r->a, n, r->hash, &error);
        if (k == -1) return line_fail(r->file, 0, err, errlen, "%s", strerror(error));
        if (k > 0) {
            r->buf = buf;
            r->cap = TRC_AHEAD_SPAN;
            r->a = TRC_AHEAD_HEAD - n;
            r->b = TRC_AHEAD_HEAD + (size_t)k;
        }
        if (k >= 0) {
            r->eof = k == 0;
            return 0;
        }
    }
    if (r->a > 0) { /* keep the unread part at the front */
        memmove(r->buf, r->buf + r->a, n);
        r->a = 0;
        r->b = n;
    }
    if (r->cap - r->b < BLOCK / 2) { /* a line longer than the buffer */
        size_t cap = r->cap * 2;
        char *p = realloc(r->buf, cap);
        if (!p) return line_fail(r->file, 0, err, errlen, "out of memory");
        memset(p + r->cap, 0, cap - r->cap); /* the scan may read any of it */
        r->buf = p;
        r->cap = cap;
    }
    size_t room = r->cap - r->b - SCAN_SLACK; /* the sentinel and the scan's reach */
    if (r->fd < 0) {
        size_t k = r->memlen - r->memoff < room ? r->memlen - r->memoff : room;
        memcpy(r->buf + r->b, r->mem + r->memoff, k);
        r->memoff += k;
        r->b += k;
        r->eof = r->memoff == r->memlen;
        return 0;
    }
    if (r->ahead_rd) {
        int error = 0;
        ssize_t k = trc_ahead_take(r->ahead_rd, r->buf + r->b, room, r->hash, &error);
        if (k < 0) return line_fail(r->file, 0, err, errlen, "%s", strerror(error));
        r->b += (size_t)k;
        r->eof = k == 0;
        return 0;
    }
    for (;;) {
        ssize_t k = read(r->fd, r->buf + r->b, room);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return line_fail(r->file, 0, err, errlen, "%s", strerror(errno));
        r->b += (size_t)k;
        r->eof = k == 0;
        return 0;
    }
}

/* Bytes the line scan stops at: the newline, the comma, and what makes a
** line need the general splitter (quotes, blanks around fields, a carriage
** return, a NUL). The SSE2 scan stops at every byte up to ',' and hands
** the line over at any but those two (also '#', '+', control bytes...):
** the general splitter reads a line as the plain path would, so handing a
** line over changes only the time it takes. */
#ifndef __SSE2__
static const unsigned char special[256] = {
    ['\n'] = 1, [','] = 1, ['"'] = 2, [' '] = 2, ['\t'] = 2, ['\r'] = 2, ['\0'] = 2};
#endif

/* Scans from q to the first newline (there is one: the sentinel), noting
** the first maxc commas' places and their count in *nc, and clearing
** *plain at any byte that needs the general splitter. Returns the
** newline. With SSE2 (every x86-64) it looks at 16 bytes at a time for
** the bytes up to ',' (one comparison: in a trace's rows, only the commas
** and the newline are), then at each of those: it may read up to 15 bytes
** past the sentinel, which the buffer keeps (SCAN_SLACK). */
static inline __attribute__((always_inline)) char *scan_bytes(char *q, char **comma,
                                                              size_t maxc, size_t *nc,
                                                              int *plain) {
#ifdef __SSE2__
    const __m128i cm = _mm_set1_epi8(',');
    size_t k = *nc;
    for (;; q += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, cm), v));
        for (; m; m &= m - 1) {
            char *x = q + __builtin_ctz(m);
            if (*x == ',') {
                if (k < maxc) comma[k] = x;
                k++;
            } else if (*x == '\n') {
                *nc = k;
                return x;
            } else {
                *plain = 0;
            }
        }
    }
#else
    for (;; q++) {
        unsigned char c = (unsigned char)*q;
        if (special[c]) {
            if (c == '\n') return q;
            if (c == ',') {
                if (*nc < maxc) comma[*nc] = q;
                (*nc)++;
            } else {
                *plain = 0;
            }
        }
    }
#endif
}

/* The next line [*p, *e) without its newline: its commas and whether it
** is plain (scan_bytes) and, when the hash is made here rather than on the
** read-ahead thread (a small file), its bytes and newline folded into the
** hash. Returns 1, 0 at the end of the input, -1 on error. */
static int next_line(trc_csv_reader *r, char **p, char **e, char *err, size_t errlen) {
    for (;;) {
        char *s = r->buf + r->a, *end = r->buf + r->b;
        *end = '\n'; /* a sentinel in the spare bytes: the scan needs no bound */
        size_t nc = 0;
        int plain = 1;
        char *q = scan_bytes(s, r->comma, r->ncols + 1, &nc, &plain);
        if (q < end || (r->eof && q > s)) {
            if (r->line_hash) trc_hash_add(r->line_hash, s, (size_t)(q - s) + (q < end));
            r->a = (size_t)(q - r->buf) + (q < end);
            r->ncomma = nc;
            r->plain = plain;
            *p = s;
            *e = q;
            return 1;
        }
        if (r->eof) {
            if (r->hash && !r->cut) trc_hash_cut(r->hash); /* the file is one piece */
            r->cut = 1;
            return 0;
        }
        if (fill(r, err, errlen)) return -1; /* a partial line: scanned again */
    }
}

/* The row's cells by expected column, from its fields. */
static void fill_cells(trc_csv_reader *r) {
    if (r->same) return;
    for (size_t c = 0; c < r->ncols; c++) {
        long k = r->pos[c];
        r->cell[c] = k >= 0 ? r->f[k] : NULL;
        r->len[c] = k >= 0 ? r->flen[k] : 0;
    }
}

/* Cuts the plain line [s, e) (scan_bytes found its commas) into its n
** fields, the row's cells. */
static inline void plain_fields(trc_csv_reader *r, char *s, char *e, long n) {
    char **f = r->f, **comma = r->comma;
    size_t *flen = r->flen;
    for (long i = 0; i + 1 < n; i++) {
        char *fe = comma[i];
        *fe = '\0';
        f[i] = s;
        flen[i] = (size_t)(fe - s);
        s = fe + 1;
    }
    *e = '\0';
    f[n - 1] = s;
    flen[n - 1] = (size_t)(e - s);
    r->row_line = r->line;
    fill_cells(r);
}

/* The common row, read without advance()'s general steps: a plain line
** wholly in the buffer (its newline read), not a comment, with as many
** fields as the header. Returns 1 with the row read, or 0 having changed
** nothing, for advance() to read the line as any other (and to give any
** message). */
static inline __attribute__((always_inline)) int plain_row(trc_csv_reader *r) {
    char *s = r->buf + r->a, *end = r->buf + r->b;
    *end = '\n'; /* the sentinel, as next_line() puts it */
    size_t nc = 0;
    int plain = 1;
    char *q = scan_bytes(s, r->comma, r->ncols + 1, &nc, &plain);
    if (q == end || !plain || q == s || *s == '#' || (long)nc + 1 != r->nheader) return 0;
    if (r->line_hash) trc_hash_add(r->line_hash, s, (size_t)(q - s) + 1);
    r->a = (size_t)(q - r->buf) + 1;
    r->line++;
    plain_fields(r, s, q, (long)nc + 1);
    return 1;
}

/* Does the record text [s, s + n) end inside a quoted field? The
** splitter's grammar: a field is quoted when its first non-blank byte is a
** quote; inside, "" is a quote and " ends it. */
static int open_quote(const char *s, size_t n) {
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i < n && s[i] == '"') {
            for (i++;; i++) {
                if (i >= n) return 1;
                if (s[i] != '"') continue;
                if (i + 1 < n && s[i + 1] == '"') {
                    i++;
                    continue;
                }
                i++;
                break;
            }
        }
        while (i < n && s[i] != ',' && s[i] != '\n') i++;
        if (i >= n || s[i] == '\n') return 0;
        i++;
    }
}

/* Appends n bytes to the record buffer; 0, or -1 when out of memory. */
static int rec_add(trc_csv_reader *r, const char *p, size_t n) {
    if (r->nrec + n + 1 > r->caprec) {
        size_t cap = r->caprec ? r->caprec : 256;
        while (cap < r->nrec + n + 1) cap *= 2;
        char *b = realloc(r->rec, cap);
        if (!b) return -1;
        r->rec = b;
        r->caprec = cap;
    }
    memcpy(r->rec + r->nrec, p, n);
    r->nrec += n;
    r->rec[r->nrec] = '\0';
    return 0;
}

/* Reads lines until a row (1), the end (0) or an error (-1). The first
** non-blank, non-comment line is the header. */
static int advance(trc_csv_reader *r, char *err, size_t errlen) {
    char *p, *e;
    int k;
    while ((k = next_line(r, &p, &e, err, errlen)) == 1) {
        r->line++;
        if (r->plain && r->nheader >= 0 && e > p && *p != '#' && r->line > 1) {
            /* A plain row: its fields are between the commas found. */
            long n = (long)r->ncomma + 1;
            if (n != r->nheader)
                return line_fail(r->file, r->line, err, errlen,
                                 "%ld fields, the header has %ld", n, r->nheader);
            plain_fields(r, p, e, n);
            return 1;
        }
        /* A UTF-8 byte order mark, as spreadsheets write. */
        if (r->line == 1 && e - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
        if (e > p && memchr(p, '\0', (size_t)(e - p)))
            return line_fail(r->file, r->line, err, errlen, "NUL byte (not a text file?)");
        /* Blank lines and comments are skipped a physical line at a time. */
        char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q == e || *q == '#') continue;

        size_t ncols = r->ncols;
        long rec_line = r->line, lines;
        char *rec = p, *rec_end = e, *next;
        if (open_quote(p, (size_t)(e - p))) {
            /* A quoted field goes on past the line's end (RFC 4180): the
            ** record's lines are put together in a buffer of their own. */
            r->nrec = 0;
            if (rec_add(r, p, (size_t)(e - p))) goto oom;
            for (;;) {
                char *p2, *e2;
                int k2 = next_line(r, &p2, &e2, err, errlen);
                if (k2 < 0) return -1;
                if (k2 == 0) break; /* the splitter says what is unterminated */
                r->line++;
                if (e2 > p2 && memchr(p2, '\0', (size_t)(e2 - p2)))
                    return line_fail(r->file, r->line, err, errlen,
                                     "NUL byte (not a text file?)");
                if (rec_add(r, "\n", 1) || rec_add(r, p2, (size_t)(e2 - p2))) goto oom;
                if (!open_quote(r->rec, r->nrec)) break;
            }
            rec = r->rec;
            rec_end = r->rec + r->nrec;
        }
        long n = split(rec, rec_end, &next, &lines, r->f, r->flen, ncols + 1, r->file,
                       rec_line, err, errlen);
        if (n < 0) return -1;
        r->row_line = rec_line;
        if (r->nheader < 0) {
            if ((size_t)n > ncols) {
                /* Name the first column that is not expected. */
                if (match_header(r->f, ncols + 1, r->cols, ncols, r->pos, r->file,
                                 rec_line, err, errlen) == 0)
                    line_fail(r->file, rec_line, err, errlen, "too many columns");
                return -1;
            }
            if (match_header(r->f, (size_t)n, r->cols, ncols, r->pos, r->file, rec_line,
                             err, errlen) != 0)
                return -1;
            r->same = (size_t)n == ncols;
            for (size_t c = 0; c < ncols; c++) {
                r->present[c] = r->pos[c] >= 0;
                r->same &= r->pos[c] == (long)c;
            }
            r->nheader = n;
            continue;
        }
        if (n != r->nheader)
            return line_fail(r->file, rec_line, err, errlen,
                             "%ld fields, the header has %ld", n, r->nheader);
        fill_cells(r);
        return 1;
    }
    return k;
oom:
    return line_fail(r->file, 0, err, errlen, "out of memory");
}

void trc_csv_close(trc_csv_reader *r) {
    if (!r) return;
    trc_ahead_free(r->ahead_rd); /* before the file it reads is closed */
    if (r->fd >= 0) close(r->fd);
    free(r->file);
    free(r->buf);
    free(r->pos);
    free(r->present);
    free(r->f);
    free(r->flen);
    free(r->rec);
    free(r->comma);
    free(r->cell);
    free(r->len);
    free(r);
}

/* Opens a reader on the file `path` (fd >= 0) or on memory, and reads the
** header. */
static int reader_open(const char *file, int fd, const char *mem, size_t memlen,
                       const trc_csv_col *cols, size_t ncols, trc_hash *hash,
                       trc_csv_reader **out, char *err, size_t errlen) {
    *out = NULL;
    trc_csv_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (fd >= 0) close(fd);
        snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    r->fd = fd;
    r->mem = mem;
    r->memlen = memlen;
    r->cols = cols;
    r->ncols = ncols;
    r->hash = hash;
    /* A large file with a hash is read ahead (and hashed) on a thread. */
    struct stat st;
    if (hash && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= AHEAD_MIN)
        r->ahead_rd = trc_ahead_start(fd, hash);
    r->line_hash = r->ahead_rd ? NULL : hash;
    r->nheader = -1;
    r->cap = r->ahead_rd ? TRC_AHEAD_SPAN : BLOCK; /* a read-ahead block's size */
    r->file = strdup(file);
    r->buf = calloc(1, r->cap); /* the scan may read any of it */
    size_t nc = ncols ? ncols : 1;
    r->pos = calloc(nc, sizeof *r->pos);
    r->present = calloc(nc, sizeof *r->present);
    /* One field more than expected shows a row that is too long. */
    r->f = calloc(ncols + 1, sizeof *r->f);
    r->flen = calloc(ncols + 1, sizeof *r->flen);
    r->comma = calloc(ncols + 1, sizeof *r->comma);
    r->cell = calloc(nc, sizeof *r->cell);
    r->len = calloc(nc, sizeof *r->len);
    if (!r->file || !r->buf || !r->pos || !r->present || !r->f || !r->flen || !r->comma ||
        !r->cell || !r->len) {
        snprintf(err, errlen, "%s: out of memory", file);
        trc_csv_close(r);
        return -1;
    }
    int k = advance(r, err, errlen);
    if (k < 0) {
        trc_csv_close(r);
        return -1;
    }
    if (r->nheader < 0) {
        line_fail(file, 0, err, errlen, "no header row (expected %s%s)",
                  ncols ? cols[0].name : "", ncols > 1 ? ",..." : "");
        trc_csv_close(r);
        return -1;
    }
    r->ahead = k == 1;
    *out = r;
    return 0;
}

int trc_csv_open(const char *path, const trc_csv_col *cols, size_t ncols, trc_hash *hash,
                 trc_csv_reader **out, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *out = NULL;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return reader_open(path, fd, NULL, 0, cols, ncols, hash, out, err, errlen);
}

int trc_csv_next(trc_csv_reader *r, char *err, size_t errlen) {
    if (r->ahead) { /* the row read with the header */
        r->ahead = 0;
        return 1;
    }
    if (plain_row(r)) return 1; /* an open reader has read its header */
    return advance(r, err, errlen);
}

/* The current row's cell c and its length. */
static const char *cell_of(const trc_csv_reader *r, size_t c, size_t *len) {
    *len = r->same ? r->flen[c] : r->len[c];
    return r->same ? r->f[c] : r->cell[c];
}

const char *trc_csv_get(const trc_csv_reader *r, size_t c, size_t *len) {
    size_t n;
    const char *x = cell_of(r, c, &n);
    if (len) *len = n;
    return x;
}

const char *const *trc_csv_cells(const trc_csv_reader *r, const size_t **len) {
    *len = r->same ? r->flen : r->len;
    return r->same ? (const char *const *)r->f : r->cell;
}

int trc_csv_has(const trc_csv_reader *r, size_t c) { return r->present[c]; }
const char *trc_csv_file(const trc_csv_reader *r) { return r->file; }
long trc_csv_line(const trc_csv_reader *r) { return r->row_line; }

int trc_csv_rnumber(const trc_csv_reader *r, size_t c, double *out, char *err,
                    size_t errlen) {
    size_t n;
    const char *x = cell_of(r, c, &n);
    return cell_number(r->file, r->row_line, r->cols[c].name, x, n, out, err, errlen);
}

int trc_csv_rtime(const trc_csv_reader *r, size_t c, int64_t *out, char *err,
                  size_t errlen) {
    size_t n;
    const char *x = cell_of(r, c, &n);
    return cell_time(r->file, r->row_line, r->cols[c].name, x, n, out, err, errlen);
}

int trc_csv_rfail(const trc_csv_reader *r, size_t c, char *err, size_t errlen,
                  const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vcell_fail(r->file, r->row_line, r->cols[c].name, err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- whole tables ---------------------------------------------------------- */

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

int trc_csv_fail(const trc_csv *t, size_t r, size_t c, char *err,
                 size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vcell_fail(t->file, t->line[r], t->cols[c].name, err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int trc_csv_number(const trc_csv *t, size_t r, size_t c, double *out,
                   char *err, size_t errlen) {
    const char *x = trc_csv_cell(t, r, c);
    return cell_number(t->file, t->line[r], t->cols[c].name, x, x ? strlen(x) : 0, out, err,
                       errlen);
}

int trc_csv_time(const trc_csv *t, size_t r, size_t c, int64_t *out,
                 char *err, size_t errlen) {
    const char *x = trc_csv_cell(t, r, c);
    return cell_time(t->file, t->line[r], t->cols[c].name, x, x ? strlen(x) : 0, out, err,
                     errlen);
}

int trc_csv_parse(const char *file, const char *text, size_t len,
                  const trc_csv_col *cols, size_t ncols, trc_csv *t,
                  char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
    trc_csv_reader *r;
    if (reader_open(file, -1, text, len, cols, ncols, NULL, &r, err, errlen)) return -1;
    /* Cells are kept as offsets + 1 into the table's text (0: absent) while
    ** it grows, then turned into pointers. */
    size_t nc = ncols ? ncols : 1, cap = 0, tcap = 0, tlen = 0;
    size_t *off = NULL;
    int k;
    t->file = strdup(file);
    t->present = calloc(nc, sizeof *t->present);
    if (!t->file || !t->present) goto oom;
    for (size_t c = 0; c < ncols; c++) t->present[c] = r->present[c];
    while ((k = trc_csv_next(r, err, errlen)) == 1) {
        if (t->nrows == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            size_t *o = realloc(off, ncap * nc * sizeof *o);
            if (!o) goto oom;
            off = o;
            long *ln = realloc(t->line, ncap * sizeof *ln);
            if (!ln) goto oom;
            t->line = ln;
            cap = ncap;
        }
        for (size_t c = 0; c < ncols; c++) {
            size_t *o = &off[t->nrows * nc + c];
            *o = 0;
            size_t n;
            const char *x = cell_of(r, c, &n);
            if (!x) continue;
            n++;
            if (tlen + n > tcap) {
                size_t ncap = tcap ? tcap : 4096;
                while (ncap < tlen + n) ncap *= 2;
                char *b = realloc(t->buf, ncap);
                if (!b) goto oom;
                t->buf = b;
                tcap = ncap;
            }
            memcpy(t->buf + tlen, x, n);
            *o = tlen + 1;
            tlen += n;
        }
        t->line[t->nrows++] = r->row_line;
    }
    if (k < 0) goto fail;
    if (!t->buf && !(t->buf = malloc(1))) goto oom;
    t->cell = malloc((t->nrows ? t->nrows : 1) * nc * sizeof *t->cell);
    if (!t->cell) goto oom;
    for (size_t i = 0; i < t->nrows * nc; i++)
        t->cell[i] = off[i] ? t->buf + off[i] - 1 : NULL;
    free(off);
    trc_csv_close(r);
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory", file);
fail:
    free(off);
    trc_csv_close(r);
    trc_csv_free(t);
    return -1;
}
