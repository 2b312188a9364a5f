/*
** plot.c: frontier, timeline and heatmap figures through gnuplot (plot.h).
**
** Data goes to gnuplot inline, as datablocks ($name << EOD) in the script
** written to its standard input; gnuplot writes the figure to its standard
** output, which is the output file's temporary (traces/outfile.h), so the
** output's name never enters the script and a figure replaces the old one
** only when gnuplot succeeded and the figure is whole. Every string from a
** database or the command line (scenario names, policy names, swept values
** and keys) reaches gnuplot either as data in a datablock or as a
** single-quoted string with its quotes doubled (pl_str): never as code.
** gnuplot may exit early (a bad terminal, a full disk) while we still write,
** so SIGPIPE is blocked for the duration and any pending one discarded: a
** library must not kill its caller, and the failure shows in its exit
** status.
*/
#include "plot/plot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/sweep.h"
#include "store/sweep.h"
#include "traces/outfile.h"
#include "traces/text.h"

extern char **environ;

/* ---- gnuplot --------------------------------------------------------------- */

static int have_gnuplot(void) {
    const char *path = getenv("PATH");
    if (!path) return 0;
    char dir[4096];
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len > 0 && len < sizeof dir - 10) {
            memcpy(dir, path, len);
            strcpy(dir + len, "/gnuplot");
            if (access(dir, X_OK) == 0) return 1;
        }
        path += len;
        if (*path == ':') path++;
    }
    return 0;
}

typedef struct {
    FILE *f;      /* gnuplot's standard input: the script */
    pid_t pid;
    trc_out out;  /* gnuplot's standard output: the figure */
    int svg;
    sigset_t old;
} gp;

/* The terminal for an output name: .png or .svg, or PNG for "-". */
static int terminal_of(const char *out, int *svg, char *err, size_t errlen) {
    const char *dot = strrchr(out, '.');
    if (strcmp(out, "-") == 0 || (dot && strcmp(dot, ".png") == 0)) *svg = 0;
    else if (dot && strcmp(dot, ".svg") == 0) *svg = 1;
    else {
        snprintf(err, errlen, "%s: the output must end in .png or .svg (or be - for "
                              "a PNG on standard output)", out);
        return -1;
    }
    return 0;
}

/* Writes s as a single-quoted gnuplot string: the only special character
** there is ' (doubled); no backslash, backquote or macro processing happens
** inside single quotes. Control characters would end the command line and
** become spaces; bytes that are not UTF-8 become '?'. */
static void pl_str(FILE *f, const char *s) {
    fputc('\'', f);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ok = trc_utf8_valid(s + i, n - i);
        for (size_t k = 0; k < ok; k++, i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\'') fputs("''", f);
            else if (c < 0x20 || c == 0x7f) fputc(' ', f);
            else fputc(c, f);
        }
        if (i < n) {
            fputc('?', f); /* a byte that is not UTF-8 */
            i++;
        }
    }
    fputc('\'', f);
}

/* Writes s as a double-quoted string column of a datablock line: data, never
** read as a command. */
static void pl_data_str(FILE *f, const char *s) {
    fputc('"', f);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ok = trc_utf8_valid(s + i, n - i);
        for (size_t k = 0; k < ok; k++, i++) {
            unsigned char c = (unsigned char)s[i];
            /* A '"' would end the column early: shown as a ' instead. */
            if (c == '"') fputc('\'', f);
            else if (c < 0x20 || c == 0x7f) fputc(' ', f);
            else fputc(c, f);
        }
        if (i < n) {
            fputc('?', f);
            i++;
        }
    }
    fputc('"', f);
}

/* Checks the output name and gnuplot, opens the output (traces/outfile.h)
** and starts gnuplot writing the figure to it, with the terminal the name
** asks for. Nothing of the output name goes into the script. */
static int gp_open(gp *g, const char *out, const char *size, char *err,
                   size_t errlen) {
    memset(g, 0, sizeof *g);
    if (terminal_of(out, &g->svg, err, errlen)) return -1;
    if (!have_gnuplot()) {
        snprintf(err, errlen, "gnuplot not found on PATH: install it (Debian: "
                              "apt-get install gnuplot-nox)");
        return -1;
    }
    if (trc_out_open(&g->out, out, err, errlen)) return -1;
    int p[2];
    if (pipe(p) != 0) {
        snprintf(err, errlen, "cannot run gnuplot: %s", strerror(errno));
        trc_out_abort(&g->out);
        return -1;
    }
    fcntl(p[1], F_SETFD, FD_CLOEXEC); /* only the child's dup2'd copy stays */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_adddup2(&fa, g->out.fd, 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *const argv[] = {"gnuplot", NULL};
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &g->old);
    fflush(NULL);
    int rc = posix_spawnp(&g->pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    if (rc != 0 || !(g->f = fdopen(p[1], "w"))) {
        snprintf(err, errlen, "cannot run gnuplot: %s", strerror(rc ? rc : errno));
        if (rc == 0) {
            close(p[1]);
            waitpid(g->pid, NULL, 0);
        } else {
            close(p[1]);
        }
        sigprocmask(SIG_SETMASK, &g->old, NULL);
        trc_out_abort(&g->out);
        return -1;
    }
    fprintf(g->f, "set terminal %s size %s font 'sans,10' noenhanced\n",
            g->svg ? "svg dynamic" : "pngcairo", size);
    return 0;
}

/* 1 when the figure in fd is whole: a PNG ends with its IEND chunk, an SVG
** with its closing tag. gnuplot does not always notice that a write
** failed (a full disk), so its exit status alone does not tell. */
static int figure_whole(int fd, int svg) {
    struct stat sb;
    if (fstat(fd, &sb) != 0 || sb.st_size < 16) return 0;
    unsigned char head[8], tail[64];
    size_t tn = sb.st_size < (off_t)sizeof tail ? (size_t)sb.st_size : sizeof tail;
    if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head ||
        pread(fd, tail, tn, sb.st_size - (off_t)tn) != (ssize_t)tn)
        return 0;
    if (!svg) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                               0xae, 0x42, 0x60, 0x82};
        return memcmp(head, sig, 8) == 0 && tn >= 12 && memcmp(tail + tn - 12, iend, 12) == 0;
    }
    while (tn && (tail[tn - 1] == '\n' || tail[tn - 1] == ' ' || tail[tn - 1] == '\r')) tn--;
    return tn >= 6 && memcmp(tail + tn - 6, "</svg>", 6) == 0;
}

/* Ends the script, waits for gnuplot, and makes the figure the output only
** when gnuplot succeeded and the figure is whole. */
static int gp_close(gp *g, const char *out, char *err, size_t errlen) {
    fprintf(g->f, "unset output\n");
    int werr = ferror(g->f);
    if (fclose(g->f) != 0) werr = 1;
    int st = 0;
    pid_t w;
    while ((w = waitpid(g->pid, &st, 0)) < 0 && errno == EINTR) {}
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {}
    sigprocmask(SIG_SETMASK, &g->old, NULL);
    if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (w >= 0 && WIFEXITED(st))
            snprintf(err, errlen, "%s: gnuplot failed with exit status %d (see its "
                                  "messages above); nothing written", out, WEXITSTATUS(st));
        else if (w >= 0 && WIFSIGNALED(st))
            snprintf(err, errlen, "%s: gnuplot was killed by signal %d; nothing written",
                     out, WTERMSIG(st));
        else
            snprintf(err, errlen, "%s: gnuplot failed; nothing written", out);
        trc_out_abort(&g->out);
        return -1;
    }
    if (werr) {
        snprintf(err, errlen, "%s: gnuplot stopped reading its script; nothing written", out);
        trc_out_abort(&g->out);
        return -1;
    }
    fflush(g->out.f);
    if (!figure_whole(g->out.fd, g->svg)) {
        snprintf(err, errlen, "%s: gnuplot wrote an incomplete %s (a full disk?); "
                              "nothing written", out, g->svg ? "SVG" : "PNG");
        trc_out_abort(&g->out);
        return -1;
    }
    return trc_out_commit(&g->out, err, errlen);
}

/* {"window": 300, "x.y": "a"} -> window=300 x.y=a (for labels). */
static void params_label(const char *json, char *out, size_t n) {
    size_t k = 0;
    for (const char *p = json; *p && k + 1 < n; p++) {
        if (*p == '{' || *p == '}' || *p == '"') continue;
        if (*p == ':') continue;
        if (*p == ' ' && p > json && p[-1] == ':') {
            out[k++] = '=';
            continue;
        }
        if (*p == ',') continue;
        out[k++] = *p;
    }
    out[k] = '\0';
}

/* ---- frontier ------------------------------------------------------------ */

int pl_frontier(st_db *db, int64_t sweep_id, const char *out, char *err,
                size_t errlen) {
    sim_sweep_spec spec;
    if (st_sweep_load(db, sweep_id, &spec, err, errlen)) return -1;
    st_sweep_row *rows = NULL;
    size_t n = 0;
    int rc = -1;
    double *cost = NULL, *cov = NULL;
    int *front = NULL;
    size_t *idx = NULL;
    if (st_sweep_rows(db, sweep_id, &rows, &n, err, errlen)) goto out;
    if (n == 0) {
        snprintf(err, errlen, "sweep %lld has no stored runs yet", (long long)sweep_id);
        goto out;
    }
    cost = malloc(n * sizeof *cost);
    cov = malloc(n * sizeof *cov);
    front = malloc(n * sizeof *front);
    idx = malloc(n * sizeof *idx);
    if (!cost || !cov || !front || !idx) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    char size[32];
    snprintf(size, sizeof size, "1100,%zu", 150 + 450 * spec.nscenarios);
    gp g;
    if (gp_open(&g, out, size, err, errlen)) goto out;
    FILE *f = g.f;
    char title[300];
    snprintf(title, sizeof title, "sweep %lld (%s): total cost vs coverage; line: Pareto front",
             (long long)sweep_id, spec.policy);
    fprintf(f, "set multiplot layout %zu,1 title ", spec.nscenarios);
    pl_str(f, title);
    fputc('\n', f);
    for (size_t s = 0; s < spec.nscenarios; s++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i].scenario == s) {
                idx[k] = i;
                cost[k] = rows[i].cost;
                cov[k] = rows[i].coverage;
                k++;
            }
        if (sim_pareto(cost, cov, k, front)) {
            fprintf(f, "unset multiplot\n");
            gp_close(&g, out, err, errlen);
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        fprintf(f, "$runs%zu << EOD\n", s);
        for (size_t j = 0; j < k; j++) fprintf(f, "%.17g %.17g\n", cost[j], cov[j]);
        fprintf(f, "EOD\n$front%zu << EOD\n", s);
        /* The front in cost order, each point with its parameters. */
        for (;;) {
            size_t best = k;
            for (size_t j = 0; j < k; j++)
                if (front[j] == 1 && (best == k || cost[j] < cost[best])) best = j;
            if (best == k) break;
            /* Equal points share one position: one label naming them all. */
            char label[600];
            size_t equal = 0;
            params_label(rows[idx[best]].params, label, sizeof label);
            for (size_t j = 0; j < k; j++)
                if (front[j] == 1 && cost[j] == cost[best] && cov[j] == cov[best]) {
                    front[j] = 2;
                    equal++;
                }
            if (equal > 1) {
                size_t l = strlen(label);
                snprintf(label + l, sizeof label - l, " (and %zu more with equal results)",
                         equal - 1);
            }
            fprintf(f, "%.17g %.17g ", cost[best], cov[best]);
            pl_data_str(f, label);
            fputc('\n', f);
        }
        fprintf(f, "EOD\n");
        fputs("set title ", f);
        pl_str(f, spec.scenarios[s]);
        fprintf(f, "\nset xlabel 'total cost (USD)'\n"
                   "set ylabel 'coverage (%%)'\nset grid\nset key top right\n"
                   "set offsets graph 0.05, graph 0.25, graph 0.1, graph 0.1\n");
        if (k == 0) {
            fprintf(f, "set label 1 'no runs' at graph 0.5, 0.5 center\n"
                       "plot 1/0 notitle\nunset label 1\n");
            continue;
        }
        /* The oracle's bound: the cheapest full coverage of this scenario's
        ** spot capacity, the same for every run that leaves the spot side
        ** alone (each run stores it; the first run's is shown). */
        sim_result first;
        if (st_summary_get(db, rows[idx[0]].run_id, &first, err, errlen)) {
            fprintf(f, "unset multiplot\n");
            gp_close(&g, out, err, errlen);
            goto out;
        }
        fprintf(f, "$oracle%zu << EOD\n%.17g 100 \"oracle: $%.2f at full coverage\"\nEOD\n", s,
                first.oracle_cost, first.oracle_cost);
        /* classic with its defaults (the seed's controller as shipped), when
        ** such a run of this scenario is in the database. */
        int64_t ref;
        sim_result cl;
        int found = st_reference_run(db, spec.scenarios[s], pol_find("classic"), &ref, err, errlen);
        if (found < 0 || (found && st_summary_get(db, ref, &cl, err, errlen))) {
            fprintf(f, "unset multiplot\n");
            gp_close(&g, out, err, errlen);
            goto out;
        }
        if (found)
            fprintf(f, "$classic%zu << EOD\n%.17g %.17g \"classic defaults (run %lld)\"\nEOD\n", s,
                    cl.total_cost, cl.coverage_pct, (long long)ref);
        else
            fprintf(f, "$classic%zu << EOD\nEOD\n", s);
        fprintf(f, "plot $runs%zu using 1:2 with points pt 7 ps 0.6 lc rgb '#9090a0' "
                   "title 'runs', $front%zu using 1:2 with linespoints pt 7 lw 2 "
                   "lc rgb '#c03020' title 'Pareto front', $front%zu using 1:2:3 "
                   "with labels left offset 1,0.5 font 'sans,8' notitle, "
                   "$oracle%zu using 1:2 with points pt 9 ps 2 lc rgb '#208040' "
                   "title 'oracle bound', $oracle%zu using 1:2:3 with labels right "
                   "offset -1,-1 font 'sans,8' notitle",
                s, s, s, s, s);
        if (found)
            fprintf(f, ", $classic%zu using 1:2 with points pt 5 ps 1.5 lc rgb '#2050c0' "
                       "title 'classic defaults', $classic%zu using 1:2:3 with labels "
                       "left offset 1,-1 font 'sans,8' notitle",
                    s, s);
        fputc('\n', f);
    }
    fprintf(f, "unset multiplot\n");
    rc = gp_close(&g, out, err, errlen);
out:
    free(rows);
    free(cost);
    free(cov);
    free(front);
    free(idx);
    sim_sweep_spec_free(&spec);
    return rc;
}

/* ---- timeline ------------------------------------------------------------ */

int pl_timeline(st_db *db, int64_t run_id, const char *out, char *err,
                size_t errlen) {
    st_sample *rows;
    size_t n;
    if (st_timeseries_read(db, run_id, &rows, &n, err, errlen)) return -1;
    if (n == 0) {
        free(rows);
        snprintf(err, errlen, "run %lld has no samples", (long long)run_id);
        return -1;
    }
    gp g;
    if (gp_open(&g, out, "1400,600", err, errlen)) {
        free(rows);
        return -1;
    }
    FILE *f = g.f;
    fprintf(f, "$d << EOD\n");
    for (size_t i = 0; i < n; i++) {
        const st_sample *r = &rows[i];
        fprintf(f, "%lld %.17g %.17g %.17g %.17g %.17g", (long long)r->t, r->required,
                r->target, r->fulfilled, r->od_units, r->pending);
        for (size_t p = 0; p < rows[0].nprices; p++)
            fprintf(f, " %.17g", p < r->nprices ? r->prices[p] : 0.0);
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
    fprintf(f, "set title 'run %lld: capacity (units) and spot prices'\n"
               "set xdata time\nset timefmt '%%s'\nset format x \"%%m-%%d\\n%%H:%%M\"\n"
               "set xlabel 'time (UTC)'\nset ylabel 'capacity (units)'\n"
               "set y2label 'spot price (USD per instance-hour)'\n"
               "set ytics nomirror\nset y2tics\nset grid\nset key outside right top\n"
               "set yrange [0:*]\nset y2range [0:*]\n",
            (long long)run_id);
    /* Prices first and dotted, so that the capacity lines stay on top. */
    static const char *const pcol[] = {"#66a61e", "#7570b3", "#e7298a", "#a6761d"};
    fprintf(f, "plot ");
    for (size_t p = 0; p < rows[0].nprices; p++)
        fprintf(f, "$d using 1:%zu axes x1y2 with steps lw 1 dt 3 lc rgb '%s' "
                   "title 'price pool %zu', ",
                7 + p, pcol[p % 4], p);
    fprintf(f, "$d using 1:2 with steps lw 2 lc rgb 'black' title 'required', "
               "$d using 1:3 with steps dt 2 lc rgb '#606060' title 'target', "
               "$d using 1:4 with steps lw 2 lc rgb '#2060c0' title 'fulfilled spot', "
               "$d using 1:5 with steps lw 2 lc rgb '#d07010' title 'on-demand serving', "
               "$d using 1:6 with steps lc rgb '#c02020' title 'pending'");
    fputc('\n', f);
    free(rows);
    return gp_close(&g, out, err, errlen);
}

/* ---- heatmap ------------------------------------------------------------- */

/* The text of `key` in a params JSON object: numbers as %.15g. */
static int param_text(const char *json, const char *key, char *out, size_t n) {
    cJSON *o = cJSON_Parse(json);
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    int rc = 0;
    if (cJSON_IsNumber(v)) snprintf(out, n, "%.15g", v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(out, n, "%s", v->valuestring);
    else rc = -1;
    cJSON_Delete(o);
    return rc;
}

typedef struct {
    char **v;
    size_t n;
} axis_vals;

static int axis_index(axis_vals *a, const char *t) {
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], t) == 0) return (int)i;
    char err[64];
    if (sim_sweep_add_str(&a->v, &a->n, t, err, sizeof err)) return -1;
    return (int)a->n - 1;
}

static void axis_free(axis_vals *a) {
    for (size_t i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
}

/* Numeric axis values in increasing order. */
static int cmp_num(const void *a, const void *b) {
    double x = atof(*(char *const *)a), y = atof(*(char *const *)b);
    return x < y ? -1 : x > y;
}

static int is_swept(const sim_sweep_spec *s, const char *key) {
    for (size_t i = 0; i < s->ngrid; i++)
        if (strcmp(s->grid[i].key, key) == 0) return 1;
    for (size_t i = 0; i < s->nrnd; i++)
        if (strcmp(s->rnd[i].key, key) == 0) return 1;
    return 0;
}

int pl_heatmap(st_db *db, int64_t sweep_id, const char *xkey, const char *ykey,
               pl_z z, const char *out, char *err, size_t errlen) {
    sim_sweep_spec spec;
    if (st_sweep_load(db, sweep_id, &spec, err, errlen)) return -1;
    st_sweep_row *rows = NULL;
    st_sweep_point *pts = NULL;
    size_t n = 0, npts = 0;
    axis_vals ax = {0}, ay = {0};
    double *cell = NULL;
    int rc = -1;
    const char *bad = !is_swept(&spec, xkey) ? xkey : !is_swept(&spec, ykey) ? ykey : NULL;
    if (bad || strcmp(xkey, ykey) == 0) {
        size_t k = (size_t)snprintf(err, errlen, "%s is not a swept key of sweep %lld "
                                    "(two different keys of:",
                                    bad ? bad : xkey, (long long)sweep_id);
        for (size_t i = 0; i < spec.ngrid && k < errlen; i++)
            k += (size_t)snprintf(err + k, errlen - k, " %s", spec.grid[i].key);
        for (size_t i = 0; i < spec.nrnd && k < errlen; i++)
            k += (size_t)snprintf(err + k, errlen - k, " %s", spec.rnd[i].key);
        if (k < errlen) snprintf(err + k, errlen - k, ")");
        goto out;
    }
    if (st_sweep_rows(db, sweep_id, &rows, &n, err, errlen)) goto out;
    if (st_sweep_aggregate(rows, n, &pts, &npts)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    /* Axis values first, in numeric order when they are numbers. */
    for (size_t i = 0; i < npts; i++) {
        char tx[256], ty[256];
        if (pts[i].nruns != spec.nscenarios) continue;
        if (param_text(pts[i].params, xkey, tx, sizeof tx) ||
            param_text(pts[i].params, ykey, ty, sizeof ty) || axis_index(&ax, tx) < 0 ||
            axis_index(&ay, ty) < 0) {
            snprintf(err, errlen, "sweep %lld: unreadable parameters of point %zu",
                     (long long)sweep_id, pts[i].point);
            goto out;
        }
    }
    if (ax.n == 0) {
        snprintf(err, errlen, "sweep %lld has no parameter set run on every scenario yet",
                 (long long)sweep_id);
        goto out;
    }
    int numeric = 1;
    for (size_t i = 0; i < ax.n + ay.n; i++) {
        char *end;
        strtod(i < ax.n ? ax.v[i] : ay.v[i - ax.n], &end);
        if (*end) numeric = 0;
    }
    if (numeric) {
        qsort(ax.v, ax.n, sizeof *ax.v, cmp_num);
        qsort(ay.v, ay.n, sizeof *ay.v, cmp_num);
    }
    cell = malloc(ax.n * ay.n * sizeof *cell);
    if (!cell) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ax.n * ay.n; i++) cell[i] = z == PL_COST ? 1e300 : -1;
    /* Other swept keys: a cell shows the best over them. */
    for (size_t i = 0; i < npts; i++) {
        char tx[256], ty[256];
        if (pts[i].nruns != spec.nscenarios) continue;
        param_text(pts[i].params, xkey, tx, sizeof tx);
        param_text(pts[i].params, ykey, ty, sizeof ty);
        size_t c = (size_t)axis_index(&ay, ty) * ax.n + (size_t)axis_index(&ax, tx);
        if (z == PL_COST ? pts[i].cost < cell[c] : pts[i].coverage > cell[c])
            cell[c] = z == PL_COST ? pts[i].cost : pts[i].coverage;
    }
    char size[32];
    /* Cells shrink past 2000 pixels: random keys give many distinct values. */
    size_t w = 300 + 90 * ax.n, h = 200 + 60 * ay.n;
    snprintf(size, sizeof size, "%zu,%zu", w > 2000 ? 2000 : w, h > 2000 ? 2000 : h);
    gp g;
    if (gp_open(&g, out, size, err, errlen)) goto out;
    FILE *f = g.f;
    fprintf(f, "$d << EOD\n");
    for (size_t y = 0; y < ay.n; y++) {
        for (size_t x = 0; x < ax.n; x++) {
            double v = cell[y * ax.n + x];
            if (v == 1e300 || v < 0) fprintf(f, "%zu %zu NaN \"\"\n", x, y);
            else fprintf(f, "%zu %zu %.17g \"%.*f\"\n", x, y, v, z == PL_COST ? 2 : 3, v);
        }
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
    char title[300];
    snprintf(title, sizeof title, "sweep %lld (%s): %s%s", (long long)sweep_id, spec.policy,
             z == PL_COST ? "total cost, USD (summed over scenarios)"
                          : "coverage, % (the lowest of the scenarios)",
             spec.ngrid + spec.nrnd > 2 ? "; best over the other keys" : "");
    fputs("set title ", f);
    pl_str(f, title);
    fputs("\nset xlabel ", f);
    pl_str(f, xkey);
    fputs("\nset ylabel ", f);
    pl_str(f, ykey);
    fprintf(f, "\nset xtics (");
    for (size_t i = 0; i < ax.n; i++) {
        fputs(i ? ", " : "", f);
        pl_str(f, ax.v[i]);
        fprintf(f, " %zu", i);
    }
    fprintf(f, ")\nset ytics (");
    for (size_t i = 0; i < ay.n; i++) {
        fputs(i ? ", " : "", f);
        pl_str(f, ay.v[i]);
        fprintf(f, " %zu", i);
    }
    fprintf(f, ")\nset xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", ax.n - 1, ay.n - 1);
    fprintf(f, "set palette defined (0 '#b2182b', 0.5 '#f7f7f7', 1 '#2166ac')\n");
    if (z == PL_COST) fprintf(f, "set palette negative\n");
    fprintf(f, "set cblabel '%s'\n", z == PL_COST ? "USD" : "%");
    fprintf(f, "plot $d using 1:2:3 with image notitle, "
               "$d using 1:2:4 with labels font 'sans,9' notitle\n");
    rc = gp_close(&g, out, err, errlen);
out:
    free(rows);
    free(pts);
    free(cell);
    axis_free(&ax);
    axis_free(&ay);
    sim_sweep_spec_free(&spec);
    return rc;
}
