/*
** cmd_export.c: `spotbench export`: the rows of a sweep (or of several, as a
** compare stores them, or every run) as CSV or JSON Lines, one row per run
** with each swept key as a column: exactly the rows and columns of the
** database's views (store/views.c), so a file and a query agree; or a
** run's timeseries, one row per stored sample (--run), as the store's
** reader gives it back from either storage format.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cmd_export_usage[] =
    "usage: spotbench export (--sweep ID|last)... | --runs | --run ID\n"
    "                        [--format csv|jsonl] [--db FILE] [-o FILE]\n"
    "\n"
    "Prints one row per run: with --sweep, the runs of the sweep in the order\n"
    "of its points and scenarios, with columns sweep_id, point,\n"
    "scenario_index, scenario, scenario_hash, run_id, policy, seed, one column\n"
    "per swept key (confirm, asg.DefaultCooldown), then every summary figure\n"
    "(total_cost, coverage_pct, ...: docs/store.md); the view\n"
    "sweep_<ID>_runs of the database holds the same. Several --sweep (the\n"
    "sweeps of one compare, one per policy) are printed one after the other\n"
    "under one header, and must have the same columns. --runs prints every\n"
    "run of the database (the view run_results: its parameters as JSON).\n"
    "--run ID prints the timeseries of run ID (stored with 'run --timeseries'),\n"
    "one row per simulated minute: t (epoch seconds), required, target,\n"
    "fulfilled, pending, terminating, spot_units, od_units, od_desired,\n"
    "od_in_service, then price_0, price_1, ... (each pool's spot price).\n"
    "\n"
    "  --format csv    RFC 4180: a header line, then a line per run; numbers\n"
    "                  exact (%.17g), an empty field for a missing value\n"
    "                  (the default)\n"
    "  --format jsonl  one JSON object per line, keyed by column\n"
    "  -o FILE         the output (default: standard output), written whole or\n"
    "                  not at all\n"
    "  --db FILE       the SQLite database (default results/spotbench.db)\n"
    "\n"
    "exit status: 0; 1 when the database cannot be read or the file written;\n"
    "2 for no such database, sweep or run, a run without its timeseries, or\n"
    "sweeps of different columns.\n"
    "\n"
    "example:\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --grid confirm=1,2 --db export.db --quiet\n"
    "  spotbench export --sweep 1 --db export.db -o sweep1.csv\n"
    "  spotbench run traces/scenarios/seed-week/scenario.json --timeseries --db ts.db\n"
    "  spotbench export --run 1 --db ts.db -o run1.csv\n";

static const cli_opt export_opts[] = {{"--sweep", "ID"}, {"--runs", NULL}, {"--run", "ID"},
                                      {"--format", "csv|jsonl"}, {"--db", "FILE"},
                                      {"-o", "FILE"}, {NULL, NULL}};
const cli_opt *const cmd_export_opts[] = {export_opts, NULL};

#define MAX_SWEEPS 64

typedef struct {
    FILE *f;
    int jsonl;
    char **header; /* the first sweep's column names (owned) */
    size_t nheader;
    int mismatch;  /* a later sweep's columns differ */
    int check;     /* the next row is a sweep's first: check its columns */
} export_ctx;

/* A CSV field: quoted when it holds a comma, quote, line break or an
** outer space. */
static void csv_text(FILE *f, const char *s) {
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; *p && !quote; p++) quote = *p == ',' || *p == '"' ||
                                                       *p == '\n' || *p == '\r';
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static int keep_header(export_ctx *c, size_t n, const char *const *names) {
    if (c->header) {
        int same = n == c->nheader;
        for (size_t i = 0; same && i < n; i++) same = strcmp(names[i], c->header[i]) == 0;
        if (!same) c->mismatch = 1;
        return !same;
    }
    c->header = calloc(n, sizeof *c->header);
    if (!c->header) return -1;
    c->nheader = n;
    for (size_t i = 0; i < n; i++)
        if (!(c->header[i] = strdup(names[i]))) return -1;
    if (!c->jsonl) {
        for (size_t i = 0; i < n; i++) {
            if (i) fputc(',', c->f);
            csv_text(c->f, names[i]);
        }
        fputs("\r\n", c->f);
    }
    return 0;
}

static int row(void *vctx, size_t n, const char *const *names, const st_value *v) {
    export_ctx *c = vctx;
    if (c->check) {
        if (keep_header(c, n, names)) return -1;
        c->check = 0;
    }
    if (c->jsonl) {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; o && i < n; i++) {
            cJSON *x = v[i].type == ST_V_INT    ? cJSON_CreateNumber((double)v[i].i)
                       : v[i].type == ST_V_REAL ? cJSON_CreateNumber(v[i].d)
                       : v[i].type == ST_V_TEXT ? cli_json_str(v[i].s)
                                                : cJSON_CreateNull();
            cJSON_AddItemToObject(o, names[i], x);
        }
        char *t = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        if (!t) return -1;
        fputs(t, c->f);
        fputc('\n', c->f);
        cJSON_free(t);
        return ferror(c->f) ? -1 : 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', c->f);
        switch (v[i].type) {
        case ST_V_INT: fprintf(c->f, "%lld", (long long)v[i].i); break;
        case ST_V_REAL: fprintf(c->f, "%.17g", v[i].d); break;
        case ST_V_TEXT: csv_text(c->f, v[i].s); break;
        case ST_V_NULL: break;
        }
    }
    fputs("\r\n", c->f);
    return ferror(c->f) ? -1 : 0;
}

/* ---- a run's timeseries (--run) ------------------------------------------ */

typedef struct {
    FILE *f;
    int jsonl;
    size_t npools; /* the header's price columns: the first sample's */
    int started;
} series_ctx;

static const char *const series_cols[] = {"t",           "required",   "target",
                                          "fulfilled",   "pending",    "terminating",
                                          "spot_units",  "od_units",   "od_desired",
                                          "od_in_service"};
#define NSERIES_COLS (sizeof series_cols / sizeof series_cols[0])

/* A number exactly ("%.17g"); a value that is not finite is missing: an
** empty CSV field, a JSON null. */
static void put_num(series_ctx *c, double v) {
    char t[ST_G17_MAX];
    if (!isfinite(v)) {
        if (c->jsonl) fputs("null", c->f);
        return;
    }
    st_g17(v, t);
    fputs(t, c->f);
}

static void put_field(series_ctx *c, size_t i, const char *name) {
    if (c->jsonl) fprintf(c->f, "%s\"%s\": ", i ? ", " : "{", name);
    else if (i) fputc(',', c->f);
}

static int series_row(void *vctx, const sim_minute_rec *r) {
    series_ctx *c = vctx;
    if (!c->started) {
        c->started = 1;
        c->npools = r->nprices;
        if (!c->jsonl) {
            for (size_t i = 0; i < NSERIES_COLS; i++)
                fprintf(c->f, "%s%s", i ? "," : "", series_cols[i]);
            for (size_t p = 0; p < c->npools; p++) fprintf(c->f, ",price_%zu", p);
            fputs("\r\n", c->f);
        }
    }
    const double v[] = {r->required,    r->target,     r->fulfilled,
                        r->pending,     r->terminating, r->spot_units,
                        r->od_units};
    put_field(c, 0, "t");
    fprintf(c->f, "%lld", (long long)r->t);
    for (size_t i = 0; i < 7; i++) {
        put_field(c, i + 1, series_cols[i + 1]);
        put_num(c, v[i]);
    }
    put_field(c, 8, "od_desired");
    fprintf(c->f, "%d", r->od_desired);
    put_field(c, 9, "od_in_service");
    fprintf(c->f, "%d", r->od_in_service);
    for (size_t p = 0; p < c->npools; p++) {
        char name[32];
        snprintf(name, sizeof name, "price_%zu", p);
        put_field(c, NSERIES_COLS + p, name);
        if (p < r->nprices) put_num(c, r->prices[p]);
        else if (c->jsonl) fputs("null", c->f);
    }
    fputs(c->jsonl ? "}\n" : "\r\n", c->f);
    return ferror(c->f) ? -1 : 0;
}

/* The --run form: 0, or the exit status. */
static int export_run(st_db *db, int64_t run_id, const char *out, int jsonl) {
    char err[1024];
    /* The run must exist and have its timeseries before a file is made. */
    st_run_desc d;
    if (st_run_describe(db, run_id, &d, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    if (!d.timeseries) {
        cli_error("%s: run %lld was stored without its timeseries; run it again with "
                  "'spotbench run --timeseries'",
                  st_path(db), (long long)run_id);
        return CLI_BADINPUT;
    }
    trc_out o;
    int rc = cli_out_open(&o, out);
    if (rc) return rc;
    series_ctx c = {o.f, jsonl, 0, 0};
    int r = st_timeseries_each(db, run_id, series_row, &c, err, sizeof err);
    if (r == -1) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    } else if (r) {
        cli_error("%s: %s", out, "cannot write");
        rc = CLI_FAIL;
    }
    int crc = cli_out_close(&o, rc == CLI_OK);
    return rc ? rc : crc;
}

int cmd_export(int argc, char **argv) {
    const char *db_path = "results/spotbench.db", *out = "-", *format = "csv";
    int64_t sweeps[MAX_SWEEPS];
    size_t nsweeps = 0;
    int runs = 0;
    int64_t run_id = 0;
    int have_run = 0;
    cli_args a;
    cli_args_init(&a, "export", NULL, export_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("export", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--sweep")) {
            if (nsweeps == MAX_SWEEPS)
                return cli_usage("export", "more than %d --sweep", MAX_SWEEPS);
            if (cli_sweep_arg("export", a.val, &sweeps[nsweeps])) return CLI_BADINPUT;
            nsweeps++;
        } else if (cli_is(&a, "--runs")) runs = 1;
        else if (cli_is(&a, "--run")) {
            char *end;
            long long v = strtoll(a.val, &end, 10);
            if (*a.val == '\0' || *end != '\0' || v < 1)
                return cli_usage("export", "--run %s: expected a run id (1, 2, ...)", a.val);
            run_id = v;
            have_run = 1;
        }
        else if (cli_is(&a, "--format")) format = a.val;
        else if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "-o")) out = a.val;
    }
    if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)
        return cli_usage("export", "--format %s: expected csv or jsonl", format);
    if ((nsweeps != 0) + runs + have_run != 1)
        return cli_usage("export", "give --sweep ID (one or more), --runs or --run ID");
    if (strcmp(out, "-") != 0 && cli_out_check(out)) return CLI_BADINPUT;
    if (access(db_path, F_OK) != 0) {
        cli_error("%s: no such database", db_path);
        return CLI_BADINPUT;
    }
    char err[1024];
    st_db *db = NULL;
    if (st_open(db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    if (have_run) {
        int rc = export_run(db, run_id, out, strcmp(format, "jsonl") == 0);
        st_close(db);
        return rc;
    }
    /* Every sweep named must exist before anything is written. */
    for (size_t i = 0; i < nsweeps; i++) {
        char *spec = NULL;
        if (cli_sweep_resolve(db, &sweeps[i], err, sizeof err) ||
            st_sweep_spec(db, sweeps[i], &spec, err, sizeof err)) {
            cli_error("%s", err);
            st_close(db);
            return CLI_BADINPUT;
        }
        free(spec);
    }
    trc_out o;
    int rc = cli_out_open(&o, out);
    if (rc) {
        st_close(db);
        return rc;
    }
    export_ctx c = {o.f, strcmp(format, "jsonl") == 0, NULL, 0, 0, 1};
    int ok = 1;
    if (runs) ok = st_view_each(db, 0, row, &c, err, sizeof err) == 0;
    for (size_t i = 0; ok && i < nsweeps; i++) {
        c.check = 1;
        ok = st_view_each(db, sweeps[i], row, &c, err, sizeof err) == 0;
    }
    st_close(db);
    if (c.mismatch) { /* it stopped the reading */
        cli_error("export: the sweeps given do not have the same columns (their swept "
                  "keys differ): export them one at a time");
        rc = CLI_BADINPUT;
    } else if (!ok) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    for (size_t i = 0; i < c.nheader; i++) free(c.header[i]);
    free(c.header);
    int crc = cli_out_close(&o, rc == CLI_OK);
    return rc ? rc : crc;
}
