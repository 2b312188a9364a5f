/*
** fuzz.h: what the fuzz harnesses in tests/fuzz/ share. Each fuzz_*.c
** defines LLVMFuzzerTestOneInput() for one family of parsers; it is linked
** either with libFuzzer (`make fuzz`, clang, -fsanitize=fuzzer,address,
** undefined) or with replay.c, which feeds it the seed corpus
** (tests/fuzz/corpus/NAME/) under `make test` with any compiler.
**
** A harness must never fail on bad input (parsers return errors, not
** crashes); it only aborts on a broken invariant, which is a bug. Files a
** parser must read from a path go into one scratch directory per process,
** removed at exit.
*/
#ifndef SPOTBENCH_FUZZ_H
#define SPOTBENCH_FUZZ_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_scratch[64];

static inline void fz_cleanup(void) {
    DIR *d = opendir(fz_scratch);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", fz_scratch, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(fz_scratch);
}

/* The scratch directory, made on first use. */
static inline const char *fz_dir(void) {
    if (!fz_scratch[0]) {
        snprintf(fz_scratch, sizeof fz_scratch, "/tmp/spotbench-fuzz-XXXXXX");
        if (!mkdtemp(fz_scratch)) abort();
        atexit(fz_cleanup);
    }
    return fz_scratch;
}

/* The path of `name` in the scratch directory (a static buffer per call
** site is the caller's business: this one is overwritten each call). */
static inline const char *fz_path(const char *name) {
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", fz_dir(), name);
    return p;
}

/* Writes n bytes to the scratch file `name`; returns its path. */
static inline const char *fz_write(const char *name, const void *data, size_t n) {
    const char *p = fz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f) abort();
    if (n && fwrite(data, 1, n, f) != n) abort();
    fclose(f);
    return p;
}

/* A NUL-terminated malloc'd copy of the input (the caller frees it). */
static inline char *fz_str(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Aborts when a message is not NUL-terminated within its buffer or empty:
** every error must say something. */
static inline void fz_check_msg(const char *err, size_t n) {
    if (!memchr(err, '\0', n) || !err[0]) abort();
}

#endif
