/*
** traces.h: reading and writing the data spotbench consumes and produces.
**
** This part: the `spotbench policy eval` JSON Lines format, one observation
** per line in and one decision per line out, and ISO-8601 UTC timestamps.
** The same format is what `spotbench live --record` writes, so a recorded
** live day replays through a policy offline.
**
** Observation line:
**   {"now": 1488369600 | "2017-03-01T12:00:00Z",
**    "metrics": {"TargetCapacity": [[t, v], ...], ...},
**    "failed": ["FulfilledCapacity", ...],
**    "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200,
**            "InService": 0} | null}
** Datapoints may come in any order; they are sorted by Timestamp, and two
** with the same Timestamp are an error.
*/
#ifndef SPOTBENCH_TRACES_H
#define SPOTBENCH_TRACES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/policy.h"

/* The times spotbench reads and writes: 0000-01-01T00:00:00Z to
** 9999-12-31T23:59:59Z, what its four-digit ISO-8601 text can hold, so
** every time it writes reads back. Epoch seconds outside are refused. */
#define TRC_TIME_MIN (-62167219200LL)
#define TRC_TIME_MAX 253402300799LL

/* Parses "2017-03-01T12:00:00Z" (also "+00:00", fractional seconds, or a
** space for the T) into epoch seconds. Returns 0, or -1 when it is not a
** valid UTC time. */
int trc_time_parse(const char *s, int64_t *out);
/* Formats epoch seconds as "2017-03-01T12:00:00Z" into buf (>= 21 bytes). */
void trc_time_format(int64_t t, char *buf, size_t n);

/* Storage for the datapoints of parsed observations, reused line after
** line. Zero-initialise it; release it with trc_obsbuf_free(). */
typedef struct {
    pol_point *pts[POL_NMETRICS];
    size_t cap[POL_NMETRICS];
    pol_point *ev[POL_NEVENTS]; /* the events' [time, units] pairs */
    size_t evcap[POL_NEVENTS];
    int64_t *lf; /* the failed launches' times */
    size_t lfcap;
} trc_obsbuf;

void trc_obsbuf_free(trc_obsbuf *b);

/* Parses one observation line. On success fills *obs, whose datapoint
** arrays point into *buf (valid until the next call), and returns 0. On
** failure returns -1 with a message naming the field at fault. */
int trc_obs_parse(const char *line, trc_obsbuf *buf, pol_obs *obs, char *err,
                  size_t errlen);

/* Writes an observation as one JSON line (no newline) into a malloc'd string
** the caller frees; NULL when out of memory. */
char *trc_obs_format(const pol_obs *obs);

/* Writes s into buf as the inside of a JSON string (quotes, backslashes and
** control characters escaped). Returns the length, or the length needed when
** it does not fit (as snprintf). */
size_t trc_json_escape(char *buf, size_t n, const char *s);
/* What JSON string escapes read as, one rule for both JSON readers (this
** file's, from memory; import.c's, from a stream). The byte a one-character
** escape "\e" stands for, or -1 when e is not one ("\u" included). */
int trc_json_unescape(int e);
/* The value of c as a hex digit of a "\uXXXX" escape, or -1 (EOF too). */
int trc_json_hexdigit(int c);
/* The byte the escape "\u" h[0..3] is read as: ASCII as itself, any other
** code unit '?' (the strings read are names, ids and reasons); -1 when
** they are not 4 hex digits. Reading stops at the first that is not one,
** so h may end early at a NUL. */
int trc_json_unescape_u(const char *h);

/* Formats a decision as one JSON line (no newline). Returns the length, or
** the length needed when it does not fit (as snprintf). */
int trc_decision_format(char *buf, size_t n, int64_t now,
                        const pol_decision *d);

/* ---- CSV tables -----------------------------------------------------------
**
** A CSV file with a header row, read into the columns the caller names. The
** header must list the expected columns in the caller's order; an optional
** column may be left out, and any column not expected is an error. Cells are
** addressed by the caller's column index, whatever their place in the file.
**
** Format (RFC 4180, plus comments): one record per line ('\n' or "\r\n");
** fields separated by ','; spaces and tabs around a field are dropped; a
** field may be quoted with '"' ("" inside quotes is one '"'), and a quoted
** field may hold ',' and line breaks. Blank lines and lines whose first
** non-blank character is '#' are skipped. Every row must have as many fields
** as the header.
**
** Messages name the file, the line and the column:
** "prices.csv:17: SpotPrice: 'abc' is not a number".
*/

typedef struct {
    const char *name; /* as in the header, case-sensitive */
    int optional;     /* may be absent from the header */
} trc_csv_col;

/* A parsed table. Owns its memory; release it with trc_csv_free(). */
typedef struct {
    char *file;         /* the name given to trc_csv_parse, for messages */
    const trc_csv_col *cols; /* borrowed from the caller: must outlive t */
    size_t ncols;
    int *present;       /* per expected column: 1 when in the header */
    size_t nrows;
    char **cell;        /* nrows * ncols: cell[r * ncols + c]; NULL when
                           column c is absent from the header */
    long *line;         /* per row: its line in the file (1-based) */
    char *buf;          /* the cells' text */
} trc_csv;

/* Parses `len` bytes of `text` (not modified, need not be NUL-terminated).
** `file` names the input in messages. On success fills *t and returns 0; on
** failure returns -1 with "FILE:LINE: what is wrong" in err and *t empty
** (trc_csv_free() on it is harmless). */
/* The recorded fleet metrics CSV (direct mode): Timestamp, then
** TargetCapacity (required) and FulfilledCapacity, PendingCapacity,
** TerminatingCapacity (optional); trc_metrics_col_metric[c] is column c's
** metric (column 0, the Timestamp, has none). */
#define TRC_METRICS_NCOLS 5
extern const trc_csv_col trc_metrics_cols[TRC_METRICS_NCOLS];
extern const pol_metric trc_metrics_col_metric[TRC_METRICS_NCOLS];

int trc_csv_parse(const char *file, const char *text, size_t len,
                  const trc_csv_col *cols, size_t ncols, trc_csv *t,
                  char *err, size_t errlen);
void trc_csv_free(trc_csv *t);

/* ---- the input hash (hash.c) -------------------------------------------
**
** What identifies a scenario's input, fed piece by piece (the scenario
** file, each trace file, each override): trc_hash_add() the bytes of a
** piece, trc_hash_cut() at its end; after a cut, h is the hash so far.
** TRC_HASH_XXH64 (schema version 6 on): XXH64 of each piece seeded with the
** previous piece's digest (0 first). TRC_HASH_FNV1A (version 5 and before):
** FNV-1a 64 of every byte in order, cuts changing nothing. */
typedef enum { TRC_HASH_XXH64 = 0, TRC_HASH_FNV1A = 1 } trc_hash_alg;
typedef struct {
    trc_hash_alg alg;
    uint64_t h;            /* the hash so far (complete after a cut) */
    uint64_t v[4], total;  /* XXH64: the piece being hashed */
    unsigned char mem[32];
    unsigned nmem;
} trc_hash;
void trc_hash_init(trc_hash *s, trc_hash_alg alg);
void trc_hash_add(trc_hash *s, const void *p, size_t n);
void trc_hash_cut(trc_hash *s);
/* Puts s at a piece's start with the hash so far h (as a cut leaves it). */
void trc_hash_set(trc_hash *s, uint64_t h);
/* A hash of n bytes for a hash table keyed by short strings (a pool's
** instance type and AZ): about fifty instructions up to 16 bytes, where
** FNV-1a takes one multiplication a byte. Not a scenario hash: its values
** are not stored and may change. */
uint64_t trc_key64(uint64_t seed, const void *p, size_t n);

/* ---- CSV readers: the same format, one row at a time ---------------------
**
** A reader streams a file: it holds one block of text, not the file, and
** can fold every byte it reads into a hash state (trc_hash below), the
** file one piece of it (the same value as hashing the whole file at once).
** The hash is final once trc_csv_next() has returned 0 (the end): before
** that it may be behind or ahead of the rows returned, as a large file is
** read ahead and hashed on a thread of the reader's own (joined by
** trc_csv_close()). The current row's cells are valid until the next
** trc_csv_next(). Messages are those of tables.
**
**   trc_csv_reader *r;
**   if (trc_csv_open(path, cols, n, &hash, &r, err, errlen)) ...
**   while ((k = trc_csv_next(r, err, errlen)) == 1) { ... trc_csv_rtime(r, 0, ...) }
**   trc_csv_close(r);      (k < 0: err says why)
*/
typedef struct trc_csv_reader trc_csv_reader;

/* Opens `path` and reads its header (as trc_csv_parse checks it). hash:
** a state at a piece's start that every byte read is added to, the piece
** cut at the end of the file (trc_hash_cut), or NULL. On success *out is
** the caller's, for trc_csv_close(). */
int trc_csv_open(const char *path, const trc_csv_col *cols, size_t ncols, trc_hash *hash,
                 trc_csv_reader **out, char *err, size_t errlen);
/* The next row: 1, 0 at the end, or -1 with "FILE:LINE: what is wrong". */
int trc_csv_next(trc_csv_reader *r, char *err, size_t errlen);
void trc_csv_close(trc_csv_reader *r);
/* The current row's cell in expected column c and its length, or NULL when
** the column is absent from the header. */
const char *trc_csv_get(const trc_csv_reader *r, size_t c, size_t *len);
/* The current row's cells by expected column (NULL where the column is
** absent from the header), their lengths in *len: for a caller that reads
** the cells of many rows, without a call for each. */
const char *const *trc_csv_cells(const trc_csv_reader *r, const size_t **len);
/* Whether expected column c is in the header. */
int trc_csv_has(const trc_csv_reader *r, size_t c);
const char *trc_csv_file(const trc_csv_reader *r);
long trc_csv_line(const trc_csv_reader *r);
/* trc_csv_number, trc_csv_time and trc_csv_fail on the current row. */
int trc_csv_rnumber(const trc_csv_reader *r, size_t c, double *out, char *err,
                    size_t errlen);
int trc_csv_rtime(const trc_csv_reader *r, size_t c, int64_t *out, char *err,
                  size_t errlen);
int trc_csv_rfail(const trc_csv_reader *r, size_t c, char *err, size_t errlen,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* FNV-1a 64 of n bytes, continuing from state h (start:
** 14695981039346656037). */
uint64_t trc_fnv1a(uint64_t h, const void *p, size_t n);

/* The text of row r's cell in expected column c ("" when the cell is
** empty), or NULL when the column is absent from the header. */
const char *trc_csv_cell(const trc_csv *t, size_t r, size_t c);

/* Reads row r's cell in column c as a finite number. Returns 0, or -1 with
** "FILE:LINE: COLUMN: 'abc' is not a number" (or "... is empty"). */
int trc_csv_number(const trc_csv *t, size_t r, size_t c, double *out,
                   char *err, size_t errlen);

/* Reads row r's cell in column c as a time: ISO-8601 UTC or whole epoch
** seconds (digits only). Returns 0, or -1 with a message as above. */
int trc_csv_time(const trc_csv *t, size_t r, size_t c, int64_t *out,
                 char *err, size_t errlen);

/* Writes s as one CSV field into out (n bytes; 2 * strlen(s) + 3 always
** fit) and returns its length: quoted as RFC 4180 says ('"' doubled) when it
** holds ',', '"', a line break, or blanks at either end that an unquoted
** field would lose; as it is otherwise. What trc_csv_parse reads back is s. */
size_t trc_csv_quote(char *out, size_t n, const char *s);

/* Formats "FILE:LINE: COLUMN: " + the printf-style message into err and
** returns -1, for the caller's own checks of a cell. */
int trc_csv_fail(const trc_csv *t, size_t r, size_t c, char *err,
                 size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- availability traces (avail.c) ------------------------------------- */

/* The public spot availability traces format:
** {"metadata": {"gap_seconds": N}, "data": [v0, v1, ...]}, v_i the
** instances available over [start + i N, start + (i + 1) N). */
typedef struct {
    int64_t gap; /* seconds, exactly as given */
    double *v;
    size_t n;
} trc_avail;

/* Parses `len` bytes of `text`. Returns 0, or -1 with "FILE: FIELD: what is
** wrong" (data[17]: must be a number >= 0). */
int trc_avail_parse(const char *file, const char *text, size_t len, trc_avail *out,
                    char *err, size_t errlen);
void trc_avail_free(trc_avail *a);
/* Writes the trace as one pool's capacity CSV (model mode's
** traces.availability): floor(v_i * scale) instances, a row where it
** changes. Returns 0, or -1 when writing failed. */
int trc_avail_write_pool(const trc_avail *a, int64_t start, const char *type,
                         const char *az, double scale, FILE *f);
/* Writes the trace as a fleet's recorded metrics (direct mode), one row a
** minute: TargetCapacity = target, FulfilledCapacity = the minute's least
** min(target, v * weight), PendingCapacity = target - it (the minute's
** Maximum), TerminatingCapacity 0. Returns 0, or -1 when writing failed. */
int trc_avail_write_direct(const trc_avail *a, int64_t start, double target,
                           double weight, FILE *f);

#endif
