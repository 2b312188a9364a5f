/*
** cmd_report.c: `spotbench report`: one self-contained HTML file for a
** team to read and act on: a sweep's (a tune's, a compare's) parameter
** sets as sortable tables, the pick at a coverage floor, the frontier and
** heatmap drawn by gnuplot as inline SVG, the notes of its runs, and the
** provenance (scenario hashes, seeds, versions, the commands that make
** every figure and table again). No network, no external file: styles and
** the few lines of sorting script are inline. Readable on a phone (tables
** scroll inside their box, figures scale) and in print; colours from the
** Okabe-Ito palette, which stays distinct under deuteranopia and
** protanopia.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot/plot.h"
#include "store/sweeptab.h"

const char cmd_report_usage[] =
    "usage: spotbench report [--sweep ID|last]... [--run ID]... [--runs ID,ID,...]\n"
    "                        [--min-coverage PCT] [--db FILE] -o FILE.html\n"
    "\n"
    "Writes one HTML file, self-contained (no network, no external file), on\n"
    "one or more stored sweeps: a tune's, a compare's (one sweep per policy:\n"
    "give each), a sensitivity's or a sweep's. For each: what it is (policy,\n"
    "scenarios, axes, runs), its parameter sets in a table sorted by cost\n"
    "(click a heading to sort by another column), with --min-coverage the\n"
    "cheapest set meeting it on every scenario, the cost-coverage frontier and,\n"
    "over two swept keys, the coverage heatmap (inline SVG from gnuplot; a\n"
    "note instead when gnuplot is missing), the notes of its runs; with\n"
    "several sweeps, a table of them side by side; and the provenance: the\n"
    "spotbench version, the scenarios' hashes, the seeds, and the commands\n"
    "that run the sweep and draw each figure again. For each chosen run (any\n"
    "stored run: 'spotbench export --runs' lists them): what it is (scenario,\n"
    "policy, parameters, seed, hash), its whole summary, its timeline (inline\n"
    "SVG) when it was stored with --timeseries, and the command that makes it\n"
    "again; with several, a table of them side by side.\n"
    "\n"
    "  --sweep ID|last    a sweep to report (repeat for a compare's sweeps)\n"
    "  --run ID           a run to report (repeat for several)\n"
    "  --runs ID,ID,...   runs to report, in this order\n"
    "  --min-coverage PCT the coverage floor the pick must meet\n"
    "  --db FILE          the SQLite database (default results/spotbench.db)\n"
    "  -o FILE.html       the report (written whole or not at all)\n"
    "\n"
    "exit status: 0; 1 when the database cannot be read or the file written;\n"
    "2 for no such database, sweep or run, or an -o that does not end in .html.\n"
    "\n"
    "example:\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --grid confirm=1,2 --db report.db --quiet\n"
    "  spotbench report --sweep 1 --min-coverage 99.9 --db report.db -o report.html\n"
    "  spotbench run traces/scenarios/seed-week/scenario.json --policy classic \\\n"
    "      --policy guarded --timeseries --db report.db\n"
    "  spotbench report --runs 3,4 --db report.db -o runs.html\n";

static const cli_opt report_opts[] = {{"--sweep", "ID"}, {"--run", "ID"},
                                      {"--runs", "ID,ID,..."}, {"--min-coverage", "PCT"},
                                      {"--db", "FILE"}, {"-o", "FILE"}, {NULL, NULL}};
const cli_opt *const cmd_report_opts[] = {report_opts, NULL};

#define MAX_SWEEPS 32
#define MAX_TABLE_ROWS 500
#define MAX_RUNS 64

/* One run of a sweep, as its view gives it. */
typedef struct {
    size_t point, scenario;
    int64_t run_id, seed;
    double cost, coverage, oracle;
    char hash[20];
} rep_run;

/* One parameter set over the sweep's scenarios (and, when its last axis
** is the seed, over its seeds: point is then the set's first seed's). */
typedef struct {
    size_t point, nruns;
    double cost, oracle, cov_min; /* cost, oracle: summed over scenarios,
                                     the mean over seeds */
} rep_set;

typedef struct {
    int64_t id;
    st_sweep_info info;
    lab_sweep_spec spec;
    rep_run *runs;
    size_t nruns, cap;
    rep_set *sets;
    size_t nsets;
    const rep_set *pick;
    char *frontier_svg, *heatmap_svg; /* NULL: not drawn */
    char figure_err[1024];
} rep_sweep;

/* ---- HTML output ---------------------------------------------------------- */

static void esc(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A shell word, quoted when it needs to be. */
static void shell_word(FILE *f, const char *s) {
    int plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "-_./=,:+@%",
                       *p) != NULL;
    if (plain) {
        esc(f, s);
        return;
    }
    fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '\'') fputs("'\\''", f);
        else {
            char c[2] = {*p, 0};
            esc(f, c);
        }
    }
    fputc('\'', f);
}

static const char style[] =
    "<style>\n"
    ":root{--ink:#1a1a1a;--muted:#555;--rule:#ccc;--blue:#0072B2;--orange:#E69F00;"
    "--green:#009E73;--vermillion:#D55E00;--sky:#56B4E9;--pick:#fff3d6}\n"
    "*{box-sizing:border-box}\n"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);"
    "margin:0;padding:0 1rem 2rem;max-width:72rem;margin-inline:auto}\n"
    "h1{font-size:1.5rem;margin:1.2rem 0 .3rem}h2{font-size:1.25rem;margin-top:2rem;"
    "border-bottom:2px solid var(--blue);padding-bottom:.2rem}h3{font-size:1.05rem}\n"
    "p,li{max-width:48rem}.muted{color:var(--muted)}\n"
    "dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
    "dl.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));"
    "gap:0 2rem;font-size:.9rem;font-variant-numeric:tabular-nums}\n"
    "dl.summary div{display:flex;justify-content:space-between;gap:1rem;"
    "border-bottom:1px solid var(--rule);padding:.2rem 0}\n"
    "dl.summary dt,dl.summary dd{margin:0}\n"
    ".scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.9rem}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid var(--rule);text-align:right;"
    "white-space:nowrap}\n"
    "th{background:#f2f2f2;position:sticky;top:0}th.sortable{cursor:pointer}\n"
    "th.sortable::after{content:' \\2195';color:var(--muted)}\n"
    "td.text,th.text{text-align:left}\n"
    "tr.pick td{background:var(--pick);font-weight:600}tr.partial td{color:#767676}\n"
    "tr.pick td:first-child{border-left:4px solid var(--orange)}\n"
    "figure{margin:1rem 0}figure .scroll svg{width:100%;min-width:36rem;height:auto;"
    "display:block;border:1px solid var(--rule);background:#fff}\n"
    "figcaption{font-size:.9rem;color:var(--muted)}\n"
    "pre{background:#f6f6f6;border-left:4px solid var(--blue);padding:.5rem;"
    "overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}\n"
    "code{font-family:ui-monospace,'DejaVu Sans Mono',monospace}\n"
    ".callout{border-left:4px solid var(--green);background:#eef8f4;padding:.5rem 1rem}\n"
    ".warn{border-left:4px solid var(--vermillion);background:#fbeee6;padding:.5rem 1rem}\n"
    "@media (max-width:40rem){body{font-size:15px}dl.facts{grid-template-columns:1fr}"
    "dl.facts dd{margin-bottom:.4rem}}\n"
    /* Print: figures (gnuplot's, 1400 px wide at 10 px type, laid out for
    ** it: larger type would cut the key's text) each on a
    ** landscape page, the widest the type can be; nothing split that reads
    ** as one: a heading from what follows it, a command, a figure. */
    "@page wide{size:landscape;margin:.4in}\n"
    "@media print{body{max-width:none;font-size:11pt;padding:0}th{position:static}"
    ".figs{page:wide}figure .scroll svg{min-width:0;border:0}"
    ".scroll{overflow:visible}table{font-size:9pt}th,td{white-space:normal}"
    "h2,h3,p:has(+pre){break-after:avoid}figure,tr,pre,dl.summary div,.callout"
    "{break-inside:avoid}th.sortable::after{content:''}.screen{display:none}}\n"
    "</style>\n";

/* Sorting: a click on a heading sorts its table's body by that column,
** as numbers when every cell reads as one, again to reverse. */
static const char script[] =
    "<script>\n"
    "document.querySelectorAll('th.sortable').forEach(function(th){\n"
    " th.addEventListener('click',function(){\n"
    "  var tb=th.closest('table').tBodies[0],i=th.cellIndex,up=th.dataset.dir!=='up';\n"
    "  var rows=Array.prototype.slice.call(tb.rows),num=function(r){\n"
    "   return parseFloat(r.cells[i].dataset.v!==undefined?r.cells[i].dataset.v:"
    "r.cells[i].textContent.replace(/[$%+,]/g,''));};\n"
    "  var isnum=rows.every(function(r){return !isNaN(num(r));});\n"
    "  rows.sort(function(a,b){var x=isnum?num(a)-num(b):a.cells[i].textContent"
    ".localeCompare(b.cells[i].textContent);return up?x:-x;});\n"
    "  rows.forEach(function(r){tb.appendChild(r);});th.dataset.dir=up?'up':'down';\n"
    " });\n"
    "});\n"
    "</script>\n";

/* ---- reading a sweep ------------------------------------------------------ */

static int col(size_t n, const char *const *names, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (int)i;
    return -1;
}

static double num(const st_value *v) {
    return v->type == ST_V_REAL ? v->d : v->type == ST_V_INT ? (double)v->i : NAN;
}

static int add_run(void *ctx, size_t n, const char *const *names, const st_value *v) {
    rep_sweep *w = ctx;
    if (w->nruns == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        rep_run *r = realloc(w->runs, cap * sizeof *r);
        if (!r) return -1;
        w->runs = r;
        w->cap = cap;
    }
    int cp = col(n, names, "point"), cs = col(n, names, "scenario_index"),
        cr = col(n, names, "run_id"), cseed = col(n, names, "seed"),
        cc = col(n, names, "total_cost"), cv = col(n, names, "coverage_pct"),
        co = col(n, names, "oracle_cost"), ch = col(n, names, "scenario_hash");
    if (cp < 0 || cs < 0 || cr < 0 || cc < 0 || cv < 0 || co < 0 || ch < 0 || cseed < 0)
        return -1;
    rep_run *r = &w->runs[w->nruns++];
    r->point = (size_t)v[cp].i;
    r->scenario = (size_t)v[cs].i;
    r->run_id = v[cr].i;
    r->seed = v[cseed].i;
    r->cost = num(&v[cc]);
    r->coverage = num(&v[cv]);
    r->oracle = num(&v[co]);
    snprintf(r->hash, sizeof r->hash, "%s", v[ch].type == ST_V_TEXT ? v[ch].s : "");
    return 0;
}

/* Seeds per parameter set: the seed axis's values (the last axis), or 1. */
static size_t nseeds(const rep_sweep *w) {
    return lab_sweep_seed_axis(&w->spec) ? lab_sweep_nseeds(&w->spec) : 1;
}

/* Aggregates the runs (by point, then scenario) into parameter sets, a
** seed axis's points into one set (as best does: mean cost over the seeds,
** coverage the lowest of every seed and scenario), and picks the cheapest
** complete set whose coverage meets the floor. */
static int aggregate(rep_sweep *w, double min_cov) {
    size_t ns = nseeds(w), per = w->spec.nscenarios * ns;
    w->sets = calloc(w->nruns + 1, sizeof *w->sets);
    if (!w->sets) return -1;
    for (size_t i = 0; i < w->nruns; i++) {
        const rep_run *r = &w->runs[i];
        size_t first = r->point / ns * ns;
        rep_set *s = w->nsets ? &w->sets[w->nsets - 1] : NULL;
        if (!s || s->point != first) {
            s = &w->sets[w->nsets++];
            s->point = first;
            s->cov_min = INFINITY;
        }
        s->nruns++;
        s->cost += r->cost;
        s->oracle += r->oracle;
        if (r->coverage < s->cov_min) s->cov_min = r->coverage;
    }
    /* Sums over the runs into the mean over seeds of the scenarios' sum. */
    for (size_t i = 0; i < w->nsets; i++) {
        rep_set *s = &w->sets[i];
        double k = (double)w->spec.nscenarios / (double)s->nruns;
        s->cost *= k;
        s->oracle *= k;
    }
    for (size_t i = 0; min_cov >= 0 && i < w->nsets; i++) {
        const rep_set *s = &w->sets[i];
        if (s->nruns == per && s->cov_min >= min_cov && (!w->pick || s->cost < w->pick->cost))
            w->pick = s;
    }
    return 0;
}

/* Reads a file whole, from its "<svg" on (gnuplot's XML prologue is not
** HTML). NULL when it cannot. */
static char *read_svg(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (size_t k; b && (k = fread(b + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    if (!b) return NULL;
    b[n] = '\0';
    char *svg = strstr(b, "<svg");
    if (!svg) {
        free(b);
        return NULL;
    }
    memmove(b, svg, strlen(svg) + 1);
    return b;
}

/* The two swept keys of a heatmap, when the sweep has exactly two besides
** the seed. */
static int heat_keys(const lab_sweep_spec *spec, const char **x, const char **y) {
    size_t n = 0;
    for (size_t i = 0; i < spec->ngrid; i++) {
        if (strcmp(spec->grid[i].key, "seed") == 0) continue;
        if (n == 0) *x = spec->grid[i].key;
        else if (n == 1) *y = spec->grid[i].key;
        n++;
    }
    return n == 2 && spec->nrnd == 0;
}

/* A scratch folder for figures ($TMPDIR or /tmp) into tdir (512 bytes)
** and the path of its f.svg into path (600 bytes). 0, or -1. */
static int scratch(char *tdir, char *path) {
    const char *tmp = getenv("TMPDIR");
    snprintf(tdir, 512, "%s/spotbench-report-XXXXXX",
             tmp && *tmp && strlen(tmp) < 400 ? tmp : "/tmp");
    if (!mkdtemp(tdir)) return -1;
    snprintf(path, 600, "%s/f.svg", tdir);
    return 0;
}

/* Draws the sweep's figures into a scratch folder and reads them back. */
static void figures(st_db *db, rep_sweep *w) {
    char tdir[512], path[600], err[1000];
    if (scratch(tdir, path)) {
        snprintf(w->figure_err, sizeof w->figure_err, "no scratch folder for the figures");
        return;
    }
    if (pl_frontier(db, w->id, path, err, sizeof err) == 0) w->frontier_svg = read_svg(path);
    else snprintf(w->figure_err, sizeof w->figure_err, "%s", err);
    unlink(path);
    const char *x, *y;
    if (!w->figure_err[0] && heat_keys(&w->spec, &x, &y)) {
        if (pl_heatmap(db, w->id, x, y, PL_COVERAGE, path, err, sizeof err) == 0)
            w->heatmap_svg = read_svg(path);
        unlink(path);
    }
    rmdir(tdir);
}

static void sweep_free(rep_sweep *w) {
    free(w->runs);
    free(w->sets);
    free(w->frontier_svg);
    free(w->heatmap_svg);
    lab_sweep_spec_free(&w->spec);
    free(w->info.kind);
    free(w->info.policy);
    free(w->info.created);
    free(w->info.tool_version);
    free(w->info.spec);
}

/* ---- chosen runs ---------------------------------------------------------- */

/* A run chosen with --run: its row of the view run_results (provenance and
** summary, by column name, in the view's order) and its timeline. */
typedef struct {
    int64_t id;
    cJSON *row;          /* NULL until read: no such run */
    char *timeline_svg;  /* NULL: not drawn, timeline_err says why */
    char timeline_err[1024];
} rep_pick;

typedef struct {
    rep_pick *runs;
    size_t n;
} rep_picks;

static int add_pick_row(void *ctx, size_t n, const char *const *names, const st_value *v) {
    rep_picks *p = ctx;
    int cid = col(n, names, "run_id");
    if (cid < 0) return -1;
    for (size_t k = 0; k < p->n; k++) {
        rep_pick *r = &p->runs[k];
        if (r->id != v[cid].i || r->row) continue;
        if (!(r->row = cJSON_CreateObject())) return -1;
        for (size_t i = 0; i < n; i++) {
            /* An integer a double cannot hold (a seed may be any 64-bit
            ** value) as its digits. */
            char digits[24];
            snprintf(digits, sizeof digits, "%lld", (long long)v[i].i);
            int exact = v[i].i > -(1LL << 53) && v[i].i < (1LL << 53);
            cJSON *x = v[i].type == ST_V_INT    ? exact ? cJSON_CreateNumber((double)v[i].i)
                                                        : cli_json_str(digits)
                       : v[i].type == ST_V_REAL ? cJSON_CreateNumber(v[i].d)
                       : v[i].type == ST_V_TEXT ? cli_json_str(v[i].s)
                                                : cJSON_CreateNull();
            if (!x) return -1;
            cJSON_AddItemToObject(r->row, names[i], x);
        }
    }
    return 0;
}

/* Reads the chosen runs' rows (run_results, through st_view_each) and draws
** each timeline whose run kept its timeseries (plot/'s reader: the report
** does not read the samples itself). Returns an exit status, err set. */
static int load_picks(st_db *db, rep_picks *p, char *err, size_t errlen) {
    if (st_view_each(db, 0, add_pick_row, p, err, errlen)) {
        if (!err[0]) snprintf(err, errlen, "out of memory");
        return CLI_FAIL;
    }
    for (size_t k = 0; k < p->n; k++)
        if (!p->runs[k].row) {
            snprintf(err, errlen, "%s: no run %lld", st_path(db), (long long)p->runs[k].id);
            return CLI_BADINPUT;
        }
    char tdir[512], path[600];
    for (size_t k = 0; k < p->n; k++) {
        rep_pick *r = &p->runs[k];
        if (scratch(tdir, path)) {
            snprintf(r->timeline_err, sizeof r->timeline_err, "no scratch folder");
            continue;
        }
        if (pl_timeline(db, r->id, 0, 0, path, r->timeline_err, sizeof r->timeline_err) == 0)
            r->timeline_svg = read_svg(path);
        unlink(path);
        rmdir(tdir);
    }
    return CLI_OK;
}

static void picks_free(rep_picks *p) {
    for (size_t k = 0; k < p->n; k++) {
        cJSON_Delete(p->runs[k].row);
        free(p->runs[k].timeline_svg);
    }
    free(p->runs);
}

/* ---- writing the report --------------------------------------------------- */

static const char *kind_of(const rep_sweep *w) {
    if (*w->info.kind) return w->info.kind;
    return lab_sweep_all_unknown(&w->spec) ? "sensitivity" : "sweep";
}

/* The `spotbench sweep` that runs the same spec (so the same runs). */
static void sweep_command(FILE *f, const rep_sweep *w, const char *db) {
    const lab_sweep_spec *s = &w->spec;
    fputs("spotbench sweep", f);
    for (size_t i = 0; i < s->nscenarios; i++) {
        fputc(' ', f);
        shell_word(f, s->scenarios[i]);
    }
    fputs(" --policy ", f);
    shell_word(f, s->policy);
    for (size_t i = 0; i < s->nsets; i++) {
        fputs(" \\\n    --set ", f);
        shell_word(f, s->sets[i]);
    }
    for (size_t i = 0; i < s->ngrid; i++) {
        char buf[4096];
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s=", s->grid[i].key);
        for (size_t j = 0; j < s->grid[i].nvalues && n < sizeof buf; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", j ? "," : "",
                                  s->grid[i].values[j]);
        fputs(" \\\n    --grid ", f);
        shell_word(f, buf);
    }
    for (size_t i = 0; i < s->nrnd; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, s->rnd[i].integer ? "%s=%.0f:%.0f" : "%s=%.17g:%.17g",
                 s->rnd[i].key, s->rnd[i].lo, s->rnd[i].hi);
        fputs(" \\\n    --random ", f);
        shell_word(f, buf);
    }
    if (s->nrnd) fprintf(f, " --samples %zu --seed %llu", s->samples,
                         (unsigned long long)s->seed);
    fputs(" \\\n    --db ", f);
    shell_word(f, db);
    fputs(" --quiet\n", f);
}

static void fact(FILE *f, const char *k, const char *v) {
    fprintf(f, "<dt>%s</dt><dd>", k);
    esc(f, v);
    fputs("</dd>\n", f);
}

static void sets_table(FILE *f, const rep_sweep *w) {
    const lab_sweep_spec *s = &w->spec;
    size_t nswept = s->ngrid + s->nrnd, ns = nseeds(w);
    /* With a seed axis, the seed is not a setting: its column goes. */
    size_t shown_keys = nswept - (size_t)lab_sweep_seed_axis(s);
    /* The sets run on every scenario (and seed) first, cheapest first: the
    ** order a reader scans; the others after them, greyed. */
    size_t per = s->nscenarios * ns;
    size_t *order = malloc((w->nsets + 1) * sizeof *order);
    if (!order) return;
    for (size_t i = 0; i < w->nsets; i++) order[i] = i;
#define REP_BEFORE(a, b) ((a)->nruns == per) != ((b)->nruns == per) ? (a)->nruns == per \
                                                                    : (a)->cost < (b)->cost
    for (size_t i = 1; i < w->nsets; i++)
        for (size_t j = i; j > 0 && (REP_BEFORE(&w->sets[order[j]], &w->sets[order[j - 1]]));
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
#undef REP_BEFORE
    fprintf(f, "<div class=\"scroll\"><table><thead><tr><th class=\"sortable\">point%s</th>",
            ns > 1 ? " (first seed)" : "");
    for (size_t k = 0; k < shown_keys; k++) {
        fputs("<th class=\"sortable\">", f);
        esc(f, k < s->ngrid ? s->grid[k].key : s->rnd[k - s->ngrid].key);
        fputs("</th>", f);
    }
    fprintf(f, "<th class=\"sortable\">total cost%s</th>"
               "<th class=\"sortable\">gap to oracle</th>"
               "<th class=\"sortable\">coverage %% (lowest)</th>"
               "<th class=\"sortable\">runs</th></tr></thead><tbody>\n",
            ns > 1 ? " (mean over seeds)" : "");
    size_t shown = w->nsets < MAX_TABLE_ROWS ? w->nsets : MAX_TABLE_ROWS;
    for (size_t i = 0; i < shown; i++) {
        const rep_set *r = &w->sets[order[i]];
        char buf[8192];
        const char *kv[256];
        int named = nswept <= 256 && lab_sweep_point(s, r->point, buf, sizeof buf, kv) == 0;
        fprintf(f, "<tr%s><td>%zu</td>",
                r == w->pick ? " class=\"pick\"" : r->nruns < per ? " class=\"partial\"" : "",
                r->point);
        for (size_t k = 0; k < shown_keys; k++) {
            const char *eq = named ? strchr(kv[k], '=') : NULL;
            fputs("<td>", f);
            esc(f, eq ? eq + 1 : "?");
            fputs("</td>", f);
        }
        fprintf(f, "<td data-v=\"%.6f\">$%.2f</td><td data-v=\"%.6f\">%+.2f</td>"
                   "<td>%.3f</td><td>%zu of %zu</td></tr>\n",
                r->cost, r->cost, r->cost - r->oracle, r->cost - r->oracle, r->cov_min, r->nruns,
                s->nscenarios * ns);
    }
    fputs("</tbody></table></div>\n", f);
    if (per > 1)
        fprintf(f, "<p class=\"muted\">Sets not run on every %s (%zu runs a set) are listed "
                   "last, in grey: their figures are over the runs made.</p>\n",
                ns > 1 ? "scenario and seed" : "scenario", per);
    if (shown < w->nsets)
        fprintf(f, "<p class=\"muted\">The %zu cheapest of %zu parameter sets; every run is in "
                   "<code>spotbench export --sweep %lld</code>.</p>\n",
                shown, w->nsets, (long long)w->id);
    free(order);
}

static void notes_section(FILE *f, const char *db_path, const rep_sweep *w) {
    char err[1024];
    cli_notes *n = cli_notes_new("runs");
    if (!n) return;
    int64_t id = w->id;
    if (cli_notes_sweeps(n, db_path, &id, 1, SIZE_MAX, NULL, err, sizeof err) != 0) {
        fputs("<p class=\"warn\">The notes of its runs could not be read: ", f);
        esc(f, err);
        fputs("</p>\n", f);
        cli_notes_free(n);
        return;
    }
    cJSON *arr = cli_notes_json(n);
    cli_notes_free(n);
    if (!arr || cJSON_GetArraySize(arr) == 0) {
        fputs("<p class=\"muted\">No notes: no run held on missing data, ran beyond its "
              "traces or saw a fallback capacity other than its fleet's.</p>\n", f);
    } else {
        fputs("<ul>\n", f);
        const cJSON *x;
        cJSON_ArrayForEach(x, arr) {
            const cJSON *c = cJSON_GetObjectItem(x, "case"), *t = cJSON_GetObjectItem(x, "text"),
                        *r = cJSON_GetObjectItem(x, "runs"), *o = cJSON_GetObjectItem(x, "of");
            fputs("<li><strong>", f);
            esc(f, cJSON_IsString(c) ? c->valuestring : "");
            fprintf(f, "</strong> (%d of %d runs): ", r ? r->valueint : 0, o ? o->valueint : 0);
            esc(f, cJSON_IsString(t) ? t->valuestring : "");
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    cJSON_Delete(arr);
}

static void figure(FILE *f, const char *svg, const char *caption, const char *cmd) {
    fputs("<figure>\n<div class=\"scroll\">\n", f);
    fputs(svg, f);
    fputs("\n</div>\n<figcaption>", f);
    esc(f, caption);
    fputs(" Drawn by <code>", f);
    esc(f, cmd);
    fputs("</code>.</figcaption>\n</figure>\n", f);
}

static void sweep_section(FILE *f, const char *db_path, const rep_sweep *w, double min_cov) {
    const lab_sweep_spec *s = &w->spec;
    char buf[1024], db_q[600];
    snprintf(db_q, sizeof db_q, "%s", db_path);
    fprintf(f, "<section id=\"sweep-%lld\">\n<h2>%c%s %lld: policy ", (long long)w->id,
            kind_of(w)[0] - 32, kind_of(w) + 1, (long long)w->id);
    esc(f, s->policy);
    fputs("</h2>\n<dl class=\"facts\">\n", f);
    fact(f, "policy", s->policy);
    fact(f, "kind", kind_of(w));
    for (size_t i = 0; i < s->nscenarios; i++) fact(f, i ? "" : "scenarios", s->scenarios[i]);
    buf[0] = '\0';
    for (size_t i = 0, n = 0; i < s->ngrid + s->nrnd && n < sizeof buf; i++) {
        const char *k = i < s->ngrid ? s->grid[i].key : s->rnd[i - s->ngrid].key;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? ", " : "", k);
    }
    fact(f, "axes", buf[0] ? buf : "(none)");
    buf[0] = '\0';
    for (size_t i = 0, n = 0; i < s->nsets && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? " " : "", s->sets[i]);
    if (buf[0]) fact(f, "fixed settings", buf);
    snprintf(buf, sizeof buf, "%zu of %zu (%zu points x %zu scenario%s)", w->info.runs,
             w->info.points * w->info.scenarios, w->info.points, w->info.scenarios,
             w->info.scenarios == 1 ? "" : "s");
    fact(f, "runs stored", buf);
    fact(f, "started", w->info.created);
    fputs("</dl>\n", f);
    if (strcmp(kind_of(w), "sensitivity") == 0)
        fputs("<p class=\"warn\">Its axes are unknowns of the world (how late the metrics "
              "arrive, the schedule's second), not settings: read its spread, not a "
              "pick.</p>\n", f);
    if (min_cov >= 0 && w->pick) {
        char kvbuf[8192];
        const char *kv[256];
        size_t nswept = s->ngrid + s->nrnd;
        fprintf(f, "<div class=\"callout\"><p><strong>Pick at %.6g %% coverage:</strong> "
                   "point %zu, ", min_cov, w->pick->point);
        size_t nkeys = nswept - (size_t)lab_sweep_seed_axis(s);
        if (nswept <= 256 && lab_sweep_point(s, w->pick->point, kvbuf, sizeof kvbuf, kv) == 0)
            for (size_t k = 0; k < nkeys; k++) {
                fputs("<code>", f);
                esc(f, kv[k]);
                fputs("</code> ", f);
            }
        fprintf(f, "&mdash; $%.2f in total over %zu scenario%s%s (%+.2f above the oracle), "
                   "coverage at least %.3f %%%s.</p>\n<pre><code>spotbench deploy cloudformation ",
                w->pick->cost, s->nscenarios, s->nscenarios == 1 ? "" : "s",
                nseeds(w) > 1 ? ", the mean over its seeds" : "",
                w->pick->cost - w->pick->oracle, w->pick->cov_min,
                nseeds(w) > 1 ? " at every seed" : "");
        shell_word(f, s->scenarios[0]);
        fprintf(f, " --sweep %lld --point %zu --db ", (long long)w->id, w->pick->point);
        shell_word(f, db_path);
        fputs(" -o stack.json</code></pre></div>\n", f);
    } else if (min_cov >= 0) {
        fprintf(f, "<p class=\"warn\">No parameter set reaches %.6g %% coverage on every "
                   "scenario.</p>\n", min_cov);
    }
    fputs("<h3>Parameter sets, cheapest first</h3>\n", f);
    sets_table(f, w);
    /* The heading goes with its figures (on their own landscape page in
    ** print). */
    fputs(w->frontier_svg ? "<div class=\"figs\">\n<h3>Figures</h3>\n" : "<h3>Figures</h3>\n", f);
    char cmd[1024];
    if (w->frontier_svg) {
        snprintf(cmd, sizeof cmd, "spotbench plot frontier --sweep %lld --db %s -o frontier.svg",
                 (long long)w->id, db_q);
        figure(f, w->frontier_svg,
               "Total cost against coverage, each run a point; the Pareto front numbered.", cmd);
    }
    const char *x, *y;
    if (w->heatmap_svg && heat_keys(s, &x, &y)) {
        snprintf(cmd, sizeof cmd,
                 "spotbench plot heatmap --sweep %lld --x %s --y %s --db %s -o heatmap.svg",
                 (long long)w->id, x, y, db_q);
        figure(f, w->heatmap_svg, "Coverage over the two swept keys.", cmd);
    }
    if (w->frontier_svg) fputs("</div>\n", f);
    else {
        fputs("<p class=\"warn\">Figures not drawn: ", f);
        esc(f, w->figure_err[0] ? w->figure_err : "gnuplot failed");
        fputs("</p>\n", f);
    }
    fputs("<h3>Notes</h3>\n", f);
    notes_section(f, db_path, w);
    fputs("<h3>Provenance</h3>\n<dl class=\"facts\">\n", f);
    fact(f, "stored by", *w->info.tool_version ? w->info.tool_version : "(not stored)");
    /* Scenario hashes: each distinct (scenario, hash) once. */
    for (size_t i = 0, shown = 0; i < w->nruns && shown < 20; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = w->runs[j].scenario == w->runs[i].scenario &&
                   strcmp(w->runs[j].hash, w->runs[i].hash) == 0;
        if (seen) continue;
        snprintf(buf, sizeof buf, "%s (%s)", w->runs[i].hash,
                 w->runs[i].scenario < s->nscenarios ? s->scenarios[w->runs[i].scenario] : "?");
        fact(f, shown++ ? "" : "scenario hashes", buf);
    }
    buf[0] = '\0';
    for (size_t i = 0, n = 0, k = 0; i < w->nruns && n < sizeof buf && k < 40; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) seen = w->runs[j].seed == w->runs[i].seed;
        if (seen) continue;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu", k++ ? ", " : "",
                              (unsigned long long)w->runs[i].seed);
    }
    fact(f, "seeds", buf);
    fputs("</dl>\n<p class=\"muted\">A scenario's hash covers its file, its traces and the "
          "fields a point sets (a seed, a cooldown): one per distinct scenario as run.</p>\n"
          "<p>The same runs again (the same spec is the same sweep: in this database it "
          "runs nothing new), then its table:</p>\n<pre><code>", f);
    sweep_command(f, w, db_path);
    fprintf(f, "spotbench export --sweep %lld --db ", (long long)w->id);
    shell_word(f, db_path);
    fprintf(f, " -o sweep-%lld.csv</code></pre>\n</section>\n", (long long)w->id);
}

/* A field of a chosen run's row: its number (NAN when not one), its text. */
static double pick_num(const rep_pick *r, const char *k) {
    const cJSON *x = cJSON_GetObjectItem(r->row, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}
static const char *pick_str(const rep_pick *r, const char *k) {
    const cJSON *x = cJSON_GetObjectItem(r->row, k);
    return cJSON_IsString(x) ? x->valuestring : "";
}
/* The seed's digits into buf (24 bytes). */
static const char *pick_seed(const rep_pick *r, char *buf) {
    const cJSON *x = cJSON_GetObjectItem(r->row, "seed");
    if (cJSON_IsString(x)) snprintf(buf, 24, "%s", x->valuestring);
    else snprintf(buf, 24, "%.0f", cJSON_IsNumber(x) ? x->valuedouble : 0.0);
    return buf;
}

/* The chosen runs side by side: what each is and its main figures. */
static void picks_table(FILE *f, const rep_picks *p) {
    fputs("<h2>The runs side by side</h2>\n<div class=\"scroll\"><table><thead><tr>"
          "<th class=\"sortable\">run</th><th class=\"sortable text\">scenario</th>"
          "<th class=\"sortable text\">policy</th><th class=\"sortable\">seed</th>"
          "<th class=\"sortable\">total cost</th><th class=\"sortable\">gap to oracle</th>"
          "<th class=\"sortable\">coverage %</th><th class=\"sortable\">interrupted</th>"
          "<th class=\"sortable\">slowest fallback (s)</th>"
          "<th class=\"sortable\">flaps</th></tr></thead><tbody>\n", f);
    for (size_t k = 0; k < p->n; k++) {
        const rep_pick *r = &p->runs[k];
        double cost = pick_num(r, "total_cost"), oracle = pick_num(r, "oracle_cost");
        fprintf(f, "<tr><td><a href=\"#run-%lld\">%lld</a></td><td class=\"text\">",
                (long long)r->id, (long long)r->id);
        esc(f, pick_str(r, "scenario"));
        fputs("</td><td class=\"text\">", f);
        esc(f, pick_str(r, "policy"));
        char seed[24];
        fprintf(f, "</td><td>%s</td><td data-v=\"%.6f\">$%.2f</td><td data-v=\"%.6f\">"
                   "%+.2f</td><td>%.3f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td></tr>\n",
                pick_seed(r, seed), cost, cost, cost - oracle, cost - oracle,
                pick_num(r, "coverage_pct"), pick_num(r, "interruptions"),
                pick_num(r, "fallback_latency_max_s"), pick_num(r, "flaps"));
    }
    fputs("</tbody></table></div>\n<p class=\"muted\">Costs in USD; the gap is to the "
          "oracle on the same spot capacity; each run's every figure is in its section "
          "below.</p>\n", f);
}

/* The `spotbench run` that makes run r again: its scenario, policy, --set
** strings and seed. */
static void run_command(FILE *f, const rep_pick *r, const char *db_path) {
    fputs("spotbench run ", f);
    shell_word(f, pick_str(r, "scenario_path"));
    fputs(" --policy ", f);
    shell_word(f, pick_str(r, "policy"));
    cJSON *sets = cJSON_Parse(pick_str(r, "sets"));
    int seeded = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, sets) {
        if (!cJSON_IsString(x)) continue;
        seeded |= strncmp(x->valuestring, "seed=", 5) == 0;
        fputs(" \\\n    --set ", f);
        shell_word(f, x->valuestring);
    }
    cJSON_Delete(sets);
    char seed[24];
    if (!seeded) fprintf(f, " \\\n    --set seed=%s", pick_seed(r, seed));
    fputs(" --timeseries --db ", f);
    shell_word(f, db_path);
    fputc('\n', f);
}

/* The keys of run_results that say what a run is (the facts); the others
** are its summary. */
static int provenance_key(const char *k) {
    static const char *const keys[] = {"run_id", "scenario", "scenario_path", "scenario_hash",
                                       "policy", "seed", "params", "sets", "tool_version",
                                       "created"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i]) == 0) return 1;
    return 0;
}

static void pick_section(FILE *f, const char *db_path, const rep_pick *r) {
    char buf[64];
    fprintf(f, "<section id=\"run-%lld\">\n<h2>Run %lld: ", (long long)r->id,
            (long long)r->id);
    esc(f, pick_str(r, "scenario"));
    fputs(", policy ", f);
    esc(f, pick_str(r, "policy"));
    fputs("</h2>\n<dl class=\"facts\">\n", f);
    fact(f, "scenario", pick_str(r, "scenario_path"));
    fact(f, "policy", pick_str(r, "policy"));
    fact(f, "parameters", pick_str(r, "params"));
    fact(f, "--set", strcmp(pick_str(r, "sets"), "[]") ? pick_str(r, "sets") : "(none)");
    fact(f, "seed", pick_seed(r, buf));
    fact(f, "scenario hash", pick_str(r, "scenario_hash"));
    fact(f, "stored by", *pick_str(r, "tool_version") ? pick_str(r, "tool_version")
                                                       : "(not stored)");
    fact(f, "stored", pick_str(r, "created"));
    /* The summary as name-value pairs in as many columns as fit: one on a
    ** phone. Whole numbers as they are, others to 6 significant digits. */
    fputs("</dl>\n<h3>Summary</h3>\n<dl class=\"summary\">\n", f);
    const cJSON *x;
    cJSON_ArrayForEach(x, r->row) {
        if (provenance_key(x->string)) continue;
        fputs("<div><dt><code>", f);
        esc(f, x->string);
        fputs("</code></dt><dd>", f);
        double v = x->valuedouble;
        if (cJSON_IsNumber(x)) fprintf(f, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%.6g", v);
        else esc(f, cJSON_IsString(x) ? x->valuestring : "");
        fputs("</dd></div>\n", f);
    }
    fputs("</dl>\n<p class=\"muted\">The fields of "
          "<code>spotbench run --json</code>'s summary (docs/store.md): costs in USD, "
          "durations in seconds, coverage in %.</p>\n", f);
    fputs(r->timeline_svg ? "<div class=\"figs\">\n<h3>Timeline</h3>\n" : "<h3>Timeline</h3>\n", f);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "spotbench plot timeline --run %lld --db %s -o timeline.svg",
             (long long)r->id, db_path);
    if (r->timeline_svg)
        figure(f, r->timeline_svg,
               "Minute by minute: required, target, fulfilled spot, on-demand serving, "
               "pending (shaded), and each pool's spot price and max price.", cmd);
    if (r->timeline_svg) fputs("</div>\n", f);
    else {
        fputs("<p class=\"muted\">No timeline: ", f);
        esc(f, r->timeline_err[0] ? r->timeline_err : "it could not be drawn");
        fputs("</p>\n", f);
    }
    fputs("<h3>Provenance</h3>\n<p>The same run again, with its timeseries:</p>\n"
          "<pre><code>", f);
    run_command(f, r, db_path);
    fputs("</code></pre>\n</section>\n", f);
}

/* Several sweeps (a compare's policies): side by side. */
static void compare_table(FILE *f, const rep_sweep *w, size_t n) {
    fputs("<h2>The sweeps side by side</h2>\n<div class=\"scroll\"><table><thead><tr>"
          "<th class=\"sortable\">sweep</th><th class=\"sortable text\">policy</th>"
          "<th class=\"sortable text\">kind</th><th class=\"sortable\">runs</th>"
          "<th class=\"sortable\">mean total cost</th>"
          "<th class=\"sortable\">cost min .. max</th>"
          "<th class=\"sortable\">mean gap to oracle</th>"
          "<th class=\"sortable\">lowest coverage %</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < n; i++) {
        double sum = 0, gap = 0, lo = INFINITY, hi = -INFINITY, cov = INFINITY;
        for (size_t j = 0; j < w[i].nruns; j++) {
            const rep_run *r = &w[i].runs[j];
            sum += r->cost;
            gap += r->cost - r->oracle;
            if (r->cost < lo) lo = r->cost;
            if (r->cost > hi) hi = r->cost;
            if (r->coverage < cov) cov = r->coverage;
        }
        size_t m = w[i].nruns ? w[i].nruns : 1;
        fprintf(f, "<tr><td>%lld</td><td class=\"text\">", (long long)w[i].id);
        esc(f, w[i].spec.policy);
        fprintf(f, "</td><td class=\"text\">%s</td><td>%zu</td><td data-v=\"%.6f\">$%.2f</td>"
                   "<td data-v=\"%.6f\">$%.2f .. $%.2f</td><td data-v=\"%.6f\">%+.2f</td>"
                   "<td>%.3f</td></tr>\n",
                kind_of(&w[i]), w[i].nruns, sum / (double)m, sum / (double)m, lo,
                w[i].nruns ? lo : 0, w[i].nruns ? hi : 0, gap / (double)m, gap / (double)m,
                w[i].nruns ? cov : 0);
    }
    fputs("</tbody></table></div>\n<p class=\"muted\">Means over every run of each sweep "
          "(every case and seed); the lowest coverage is over the same runs.</p>\n", f);
}

static void write_report(FILE *f, const char *db_path, const rep_sweep *w, size_t n,
                         const rep_picks *p, double min_cov) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"spotbench ", f);
    esc(f, cli_version());
    fputs("\">\n<title>spotbench report: ", f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%ssweep %lld", i ? ", " : "", (long long)w[i].id);
    for (size_t i = 0; i < p->n; i++)
        fprintf(f, "%srun %lld", i || n ? ", " : "", (long long)p->runs[i].id);
    fputs("</title>\n", f);
    fputs(style, f);
    fputs("</head>\n<body>\n<header>\n<h1>spotbench report: ", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s %lld (", i ? "; " : "", kind_of(&w[i]), (long long)w[i].id);
        esc(f, w[i].spec.policy);
        fputs(")", f);
    }
    for (size_t i = 0; i < p->n; i++) {
        fprintf(f, "%srun %lld (", i || n ? "; " : "", (long long)p->runs[i].id);
        esc(f, pick_str(&p->runs[i], "policy"));
        fputs(")", f);
    }
    fputs("</h1>\n<p class=\"muted\">From <code>", f);
    esc(f, db_path);
    fputs("</code> by spotbench ", f);
    esc(f, cli_version());
    fputs(n ? ". Costs are USD summed over a sweep's scenarios; coverage is the share of the "
              "required unit-time served, the lowest of its scenarios; the oracle is the "
              "cheapest full coverage of the same spot capacity.</p>\n"
            : ". Costs are USD; coverage is the share of the required unit-time served; the "
              "oracle is the cheapest full coverage of the same spot capacity.</p>\n", f);
    fputs("</header>\n<main>\n", f);
    if (n > 1) compare_table(f, w, n);
    for (size_t i = 0; i < n; i++) sweep_section(f, db_path, &w[i], min_cov);
    if (p->n > 1) picks_table(f, p);
    for (size_t i = 0; i < p->n; i++) pick_section(f, db_path, &p->runs[i]);
    fputs("</main>\n<footer><p class=\"muted\">This file is self-contained: it loads "
          "nothing from the network.<span class=\"screen\"> Click a column heading to sort a "
          "table.</span></p></footer>\n",
          f);
    fputs(script, f);
    fputs("</body>\n</html>\n", f);
}

/* ---- the command ---------------------------------------------------------- */

static int load_sweep(st_db *db, const st_sweep_info *list, size_t nlist, rep_sweep *w,
                      double min_cov, char *err, size_t errlen) {
    const st_sweep_info *info = NULL;
    for (size_t i = 0; i < nlist; i++)
        if (list[i].id == w->id) info = &list[i];
    if (!info) {
        snprintf(err, errlen, "%s: no sweep %lld", st_path(db), (long long)w->id);
        return CLI_BADINPUT;
    }
    w->info = *info;
    w->info.kind = strdup(info->kind);
    w->info.policy = strdup(info->policy);
    w->info.created = strdup(info->created);
    w->info.tool_version = strdup(info->tool_version);
    w->info.spec = NULL;
    if (!w->info.kind || !w->info.policy || !w->info.created || !w->info.tool_version) {
        snprintf(err, errlen, "out of memory");
        return CLI_FAIL;
    }
    if (lab_sweep_spec_parse(info->spec, &w->spec, err, errlen)) return CLI_FAIL;
    if (st_view_each(db, w->id, add_run, w, err, errlen) || aggregate(w, min_cov)) {
        if (!err[0]) snprintf(err, errlen, "out of memory");
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* Appends the run ids of "ID" or "ID,ID,..." to runs. CLI_OK, or a usage
** error. */
static int add_runs(const char *opt, const char *v, int64_t *runs, size_t *n) {
    const char *p = v;
    do {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p || id < 1 || (*end && *end != ','))
            return cli_usage("report", "%s %s: expected run ids (ID or ID,ID,...)", opt, v);
        if (*n == MAX_RUNS) return cli_usage("report", "more than %d runs", MAX_RUNS);
        runs[(*n)++] = id;
        p = *end ? end + 1 : end;
    } while (*p);
    return CLI_OK;
}

int cmd_report(int argc, char **argv) {
    const char *db_path = "results/spotbench.db", *out = NULL;
    int64_t ids[MAX_SWEEPS], run_ids[MAX_RUNS];
    size_t n = 0, nruns = 0;
    double min_cov = -1;
    cli_args a;
    cli_args_init(&a, "report", NULL, report_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("report", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--sweep")) {
            if (n == MAX_SWEEPS) return cli_usage("report", "more than %d --sweep", MAX_SWEEPS);
            if (cli_sweep_arg("report", a.val, &ids[n])) return CLI_BADINPUT;
            n++;
        } else if (cli_is(&a, "--run") || cli_is(&a, "--runs")) {
            if (add_runs(a.opt, a.val, run_ids, &nruns)) return CLI_BADINPUT;
        } else if (cli_is(&a, "--min-coverage")) {
            if (cli_coverage("report", a.val, &min_cov)) return CLI_BADINPUT;
        } else if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "-o")) out = a.val;
    }
    if (!n && !nruns) return cli_usage("report", "--sweep ID or --run ID is required");
    if (!out) return cli_usage("report", "-o FILE.html is required");
    size_t olen = strlen(out);
    if (strcmp(out, "-") != 0 && (olen < 5 || strcmp(out + olen - 5, ".html") != 0))
        return cli_usage("report", "-o %s: the report is HTML: give a name ending in .html",
                         out);
    if (strcmp(out, "-") != 0 && cli_out_check(out)) return CLI_BADINPUT;
    if (access(db_path, F_OK) != 0) {
        cli_error("%s: no such database", db_path);
        return CLI_BADINPUT;
    }
    char err[1024] = "";
    st_db *db = NULL;
    st_sweep_info *list = NULL;
    size_t nlist = 0;
    if (st_open(db_path, &db, err, sizeof err) ||
        st_sweep_list(db, &list, &nlist, err, sizeof err)) {
        cli_error("%s", err);
        st_close(db);
        return CLI_FAIL;
    }
    rep_sweep *w = calloc(n + 1, sizeof *w);
    rep_picks picks = {calloc(nruns + 1, sizeof *picks.runs), nruns};
    int rc = w && picks.runs ? CLI_OK : CLI_FAIL;
    if (rc) cli_error("out of memory");
    for (size_t i = 0; rc == CLI_OK && i < nruns; i++) picks.runs[i].id = run_ids[i];
    if (rc == CLI_OK && nruns && (rc = load_picks(db, &picks, err, sizeof err)))
        cli_error("%s", err);
    for (size_t i = 0; rc == CLI_OK && i < n; i++) {
        w[i].id = ids[i];
        if (cli_sweep_resolve(db, &w[i].id, err, sizeof err)) {
            rc = CLI_BADINPUT;
        } else {
            err[0] = '\0';
            rc = load_sweep(db, list, nlist, &w[i], min_cov, err, sizeof err);
        }
        if (rc) cli_error("%s", err);
        else figures(db, &w[i]);
    }
    st_close(db);
    st_sweep_list_free(list, nlist);
    if (rc == CLI_OK) {
        trc_out o;
        rc = cli_out_open(&o, out);
        if (rc == CLI_OK) {
            write_report(o.f, db_path, w, n, &picks, min_cov);
            rc = cli_out_close(&o, !ferror(o.f));
        }
    }
    if (rc == CLI_OK && strcmp(out, "-") != 0) {
        size_t missing = 0;
        for (size_t i = 0; i < n; i++) missing += !w[i].frontier_svg;
        size_t timelines = 0;
        for (size_t i = 0; i < nruns; i++) timelines += picks.runs[i].timeline_svg != NULL;
        printf("%s: report on", out);
        if (n) printf(" %zu sweep%s", n, n == 1 ? "" : "s");
        if (nruns)
            printf("%s %zu run%s (%zu with a timeline)", n ? " and" : "", nruns,
                   nruns == 1 ? "" : "s", timelines);
        printf("%s\n", missing ? " (figures not drawn: see the file)" : "");
    }
    for (size_t i = 0; w && i < n; i++) sweep_free(&w[i]);
    free(w);
    if (picks.runs) picks_free(&picks);
    return rc;
}
