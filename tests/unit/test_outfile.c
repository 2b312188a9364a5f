/*
** test_outfile.c: output files replaced whole or not at all
** (traces/outfile.c): "-" is standard output, what is not a regular file is
** refused, a failed write (a file size limit standing in for a full disk)
** leaves the old file and no temporary, a replaced file keeps its mode; a
** file appended to follows the same refusals; and the bounds of the
** regression suite written through it.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/regress.h"
#include "traces/outfile.h"

typedef struct {
    char dir[64];
    char path[128];
} fx;

static int setup(void **st) {
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/spotbench-out-XXXXXX");
    if (!f || !mkdtemp(f->dir)) return -1;
    *st = f;
    return 0;
}

static int teardown(void **st) {
    fx *f = *st;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))) {
            snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

static const char *at(fx *f, const char *name) {
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    return f->path;
}

/* The number of entries in the fixture's directory, hidden ones included. */
static int entries(fx *f) {
    DIR *d = opendir(f->dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void put(const char *path, const char *text) {
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *slurp(const char *path) {
    static char buf[4096];
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void writes_and_replaces(void **st) {
    fx *f = *st;
    char err[512];
    trc_out o;
    put(at(f, "a.csv"), "old\n");
    chmod(f->path, 0640);
    assert_int_equal(trc_out_open(&o, at(f, "a.csv"), err, sizeof err), 0);
    fputs("new\n", o.f);
    /* Until the commit the old content stands, and no name is added. */
    assert_string_equal(slurp(at(f, "a.csv")), "old\n");
    assert_int_equal(entries(f), 1);
    assert_int_equal(trc_out_commit(&o, err, sizeof err), 0);
    assert_string_equal(slurp(at(f, "a.csv")), "new\n");
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0640);
    assert_int_equal(entries(f), 1);
    /* A new file, and an abort leaving nothing. */
    assert_int_equal(trc_out_open(&o, at(f, "b.csv"), err, sizeof err), 0);
    fputs("b\n", o.f);
    assert_int_equal(trc_out_commit(&o, err, sizeof err), 0);
    assert_string_equal(slurp(at(f, "b.csv")), "b\n");
    assert_int_equal(trc_out_open(&o, at(f, "c.csv"), err, sizeof err), 0);
    fputs("c\n", o.f);
    trc_out_abort(&o);
    assert_int_equal(entries(f), 2);
}

static void refuses_what_is_not_a_regular_file(void **st) {
    fx *f = *st;
    char err[512];
    trc_out o;
    put(at(f, "target"), "keep\n");
    assert_int_equal(symlink("target", at(f, "link")), 0);
    assert_int_equal(trc_out_open(&o, at(f, "link"), err, sizeof err), -1);
    assert_non_null(strstr(err, "is a symbolic link"));
    assert_string_equal(slurp(at(f, "target")), "keep\n");
    assert_int_equal(trc_out_open(&o, "/dev/null", err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/null: exists and is not a regular file"));
    assert_int_equal(trc_out_check(f->dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "is a directory"));
    assert_int_equal(trc_out_check(at(f, "no/such/x.csv"), err, sizeof err), -1);
    assert_non_null(strstr(err, "directory"));
    assert_int_equal(trc_out_check("/dev/stdout", err, sizeof err), -1);
    assert_non_null(strstr(err, "give -"));
    assert_int_equal(trc_out_check("-", err, sizeof err), 0);
    assert_int_equal(trc_out_check("", err, sizeof err), -1);
    assert_int_equal(entries(f), 2);
}

/* A file appended to (live --record): created when missing, appended to
** after, and refused as every output is when it is a link, a FIFO or a
** device, or "-". */
static void appends_never_through_a_link(void **st) {
    fx *f = *st;
    char err[512];
    FILE *fp = trc_append_open(at(f, "rec.jsonl"), err, sizeof err);
    assert_non_null(fp);
    fputs("one\n", fp);
    fclose(fp);
    fp = trc_append_open(at(f, "rec.jsonl"), err, sizeof err);
    assert_non_null(fp);
    fputs("two\n", fp);
    fclose(fp);
    assert_string_equal(slurp(at(f, "rec.jsonl")), "one\ntwo\n");
    put(at(f, "target"), "keep\n");
    assert_int_equal(symlink("target", at(f, "link")), 0);
    assert_null(trc_append_open(at(f, "link"), err, sizeof err));
    assert_non_null(strstr(err, "is a symbolic link"));
    assert_string_equal(slurp(at(f, "target")), "keep\n");
    assert_int_equal(mkfifo(at(f, "fifo"), 0600), 0);
    assert_null(trc_append_open(at(f, "fifo"), err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    assert_null(trc_append_open("/dev/null", err, sizeof err));
    assert_null(trc_append_open("-", err, sizeof err));
    assert_null(trc_append_open(at(f, "no/such/rec.jsonl"), err, sizeof err));
}

/* A write past RLIMIT_FSIZE fails with EFBIG, as one on a full disk fails
** with ENOSPC: the commit reports it and the old file stands whole. */
static void failed_write_keeps_the_old_file(void **st) {
    fx *f = *st;
    char err[512];
    trc_out o;
    put(at(f, "big.csv"), "old content\n");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    assert_int_equal(trc_out_open(&o, at(f, "big.csv"), err, sizeof err), 0);
    for (int i = 0; i < 2000; i++) fputs("0123456789\n", o.f);
    int rc = trc_out_commit(&o, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_string_equal(slurp(at(f, "big.csv")), "old content\n");
    assert_int_equal(entries(f), 1);
}

/* The regression suite's bounds go through the same rule, numbers at the
** precision they are compared at. */
static void bounds_written_whole_and_rounded(void **st) {
    fx *f = *st;
    char err[512];
    const char *text = "{\"guarded\": {\"coverage_pct_min\": 99.5}}\n";
    put(at(f, "bounds.json"), text);
    lab_bounds b;
    assert_int_equal(lab_bounds_load(f->path, &b, err, sizeof err), 0);
    sim_result r;
    memset(&r, 0, sizeof r);
    /* Figures away from rounding edges; the bounds by hand: */
    r.coverage_pct = 98.7364;       /* floor((v - 0.05) * 1000) / 1000 = 98.686 */
    r.shortfall_unit_hours = 1.234; /* ceil((v * 1.1 + 0.01) * 100) / 100 = 1.37 */
    r.od_cost = 10.004;             /* ... = ceil(1101.44) / 100 = 11.02 */
    r.set_rejected = 7;             /* ceil(v * 1.1 + 2) = 10 */
    lab_bounds_update(&b.p[0], &r, 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 20;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = lab_bounds_write(at(f, "bounds.json"), &b, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, -1);
    assert_string_equal(slurp(at(f, "bounds.json")), text);
    assert_int_equal(entries(f), 1);
    assert_int_equal(lab_bounds_write(at(f, "bounds.json"), &b, err, sizeof err), 0);
    assert_string_equal(slurp(at(f, "bounds.json")),
                        "{\n  \"guarded\": {\"coverage_pct_min\": 98.686, "
                        "\"shortfall_unit_hours_max\": 1.37, \"od_cost_max\": 11.02, "
                        "\"set_rejected_max\": 10}\n}\n");
    lab_bounds_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_and_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_what_is_not_a_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(appends_never_through_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_write_keeps_the_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(bounds_written_whole_and_rounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
