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
#include "plot/palette.h"
#include "plot/plot.h"
#include "plot/plot_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/sweep.h"
#include "store/sweeptab.h"
#include "traces/outfile.h"
#include "traces/text.h"
#include "traces/traces.h"

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

int pl_check_output(const char *out, char *err, size_t errlen) {
    int svg;
    return terminal_of(out, &svg, err, errlen);
}

/* Writes s as a gnuplot string, never as code.
**   single-quoted (dq = 0): the only special character is ' (doubled); no
**     backslash, backquote or macro processing happens inside;
**   double-quoted (dq = 1), for titles whose '\n' are line breaks, which
**     only such a string can hold: gnuplot processes backslashes there
**     (escaped here, as is '"') and substitutes `commands` (a backquote is
**     written as a ' instead); macros (@) are not expanded inside quotes.
** Other control characters would end the command line and become spaces;
** bytes that are not UTF-8 become '?'. */
static void gp_quote(FILE *f, const char *s, int dq) {
    fputc(dq ? '"' : '\'', f);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ok = trc_utf8_valid(s + i, n - i);
        for (size_t k = 0; k < ok; k++, i++) {
            unsigned char c = (unsigned char)s[i];
            if (dq && c == '\n') fputs("\\n", f);
            else if (dq && (c == '"' || c == '\\')) fprintf(f, "\\%c", c);
            else if (dq && c == '`') fputc('\'', f);
            else if (!dq && c == '\'') fputs("''", f);
            else if (c < 0x20 || c == 0x7f) fputc(' ', f);
            else fputc(c, f);
        }
        if (i < n) {
            fputc('?', f);
            i++;
        }
    }
    fputc(dq ? '"' : '\'', f);
}

void pl_str(FILE *f, const char *s) { gp_quote(f, s, 0); }
void pl_str_lines(FILE *f, const char *s) { gp_quote(f, s, 1); }

/* Checks the output name and gnuplot, opens the output (traces/outfile.h)
** and starts gnuplot writing the figure to it, with the terminal the name
** asks for. Nothing of the output name goes into the script. */
int gp_open(gp *g, const char *out, const char *size, char *err,
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

const char *gp_cells(const gp *g) { return g->svg ? "image pixels" : "image"; }

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
int gp_close(gp *g, const char *out, char *err, size_t errlen) {
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

/* {"window": 300, "x.y": "a"} -> "window=300 x.y=a" (for labels); the
** text as it is when it is not a JSON object. */
static void params_label(const char *json, char *out, size_t n) {
    cJSON *o = cJSON_Parse(json);
    size_t k = 0;
    out[0] = '\0';
    if (!cJSON_IsObject(o)) {
        snprintf(out, n, "%s", json);
        cJSON_Delete(o);
        return;
    }
    for (const cJSON *c = o->child; c && k < n; c = c->next) {
        char v[64];
        if (cJSON_IsNumber(c)) snprintf(v, sizeof v, "%.15g", c->valuedouble);
        else if (cJSON_IsString(c)) snprintf(v, sizeof v, "%s", c->valuestring);
        else snprintf(v, sizeof v, "?");
        k += (size_t)snprintf(out + k, n - k, "%s%s=%s", k ? " " : "", c->string, v);
    }
    cJSON_Delete(o);
}

/* Cuts s to at most `width` characters (UTF-8 aware), ending in "..." when
** cut. */
static void fit(char *s, size_t width) {
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) chars++;
        if (chars > width) break;
    }
    if (!s[i]) return;
    /* Back to a character start leaving room for "...". */
    size_t cut = i, drop = 3;
    while (cut > 0 && drop) {
        cut--;
        if (((unsigned char)s[cut] & 0xC0) != 0x80) drop--;
    }
    strcpy(s + cut, "...");
}

/* ---- frontier ------------------------------------------------------------ */

/* One panel of the frontier: the runs (or the parameter sets over every
** scenario), their front, and the references. */
typedef struct {
    char title[700];
    size_t n;
    double *cost, *cov;
    const char **params;
    double oracle;          /* < 0: none */
    double ref_cost, ref_cov; /* classic with its defaults; ref_run 0: none */
    int64_t ref_run;
    int combined;           /* the panel over every scenario */
} fr_panel;

/* A front entry: front points equal once rounded as shown (cents, 0.001 %)
** are one entry, "and N more". */
typedef struct {
    double cost, cov;   /* rounded as listed */
    double x, y;        /* where its first point lies */
    size_t first, count;
} fr_entry;

#define FR_LIST_MAX 12

static int cmp_entry(const void *a, const void *b) {
    const fr_entry *x = a, *y = b;
    return x->cost < y->cost ? -1 : x->cost > y->cost ? 1 : (x->cov > y->cov) - (x->cov < y->cov);
}

/* The front's entries in cost order; *ne of them. Returns NULL when out of
** memory. */
static fr_entry *front_entries(const fr_panel *p, size_t *ne) {
    int *front = malloc((p->n ? p->n : 1) * sizeof *front);
    fr_entry *e = malloc((p->n ? p->n : 1) * sizeof *e);
    *ne = 0;
    if (!front || !e || lab_pareto(p->cost, p->cov, p->n, front)) {
        free(front);
        free(e);
        return NULL;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (!front[i]) continue;
        double c = round(p->cost[i] * 100) / 100, v = round(p->cov[i] * 1000) / 1000;
        size_t k = 0;
        while (k < *ne && !(e[k].cost == c && e[k].cov == v)) k++;
        if (k < *ne) {
            e[k].count++;
            continue;
        }
        e[(*ne)++] = (fr_entry){c, v, p->cost[i], p->cov[i], i, 1};
    }
    qsort(e, *ne, sizeof *e, cmp_entry);
    free(front);
    return e;
}

/* Axis ranges from the runs; a reference (the oracle, classic) widens them
** only when it lies within the runs' span of them (the range at most
** doubles), so a far-off one does not squeeze every run into one dot: it is
** named in the key instead. Coverage never runs past 100 %. */
typedef struct {
    double x0, x1, y0, y1;
    int oracle_in, ref_in;
} fr_ranges;

static void near_widen(double v, double *lo, double *hi, int *in) {
    double span = fmax(*hi - *lo, fabs(*hi) * 0.02);
    *in = v >= *lo - span && v <= *hi + span;
    if (*in) {
        if (v < *lo) *lo = v;
        if (v > *hi) *hi = v;
    }
}

static fr_ranges panel_ranges(const fr_panel *p) {
    fr_ranges r = {p->cost[0], p->cost[0], p->cov[0], p->cov[0], 0, 0};
    for (size_t i = 1; i < p->n; i++) {
        if (p->cost[i] < r.x0) r.x0 = p->cost[i];
        if (p->cost[i] > r.x1) r.x1 = p->cost[i];
        if (p->cov[i] < r.y0) r.y0 = p->cov[i];
        if (p->cov[i] > r.y1) r.y1 = p->cov[i];
    }
    double xlo = r.x0, xhi = r.x1, ylo = r.y0, yhi = r.y1;
    int in;
    if (p->oracle >= 0) {
        near_widen(p->oracle, &xlo, &xhi, &r.oracle_in);
        if (r.oracle_in) near_widen(100, &ylo, &yhi, &in), r.oracle_in = in;
    }
    if (p->ref_run) {
        double x0 = xlo, x1 = xhi, y0 = ylo, y1 = yhi;
        int inx, iny;
        near_widen(p->ref_cost, &x0, &x1, &inx);
        near_widen(p->ref_cov, &y0, &y1, &iny);
        r.ref_in = inx && iny;
        if (r.ref_in) xlo = x0, xhi = x1, ylo = y0, yhi = y1;
    }
    if (!r.oracle_in) {
        xlo = fmin(xlo, r.x0), xhi = fmax(xhi, r.x1);
    }
    /* A span at least what the labels can tell apart (a cent and a
    ** hundredth of a percent, or 2 % of the cost): differences below it are
    ** rounding, not a trend, and must not fill the panel. */
    double xs = fmax(xhi - xlo, fmax(fabs(xhi) * 0.02, 0.05));
    double ys = fmax(yhi - ylo, 0.02);
    double xc = (xlo + xhi) / 2, yc = (ylo + yhi) / 2;
    r.x0 = xc - xs * 0.58;
    r.x1 = xc + xs * 0.58;
    r.y0 = yc - ys * 0.62;
    r.y1 = yc + ys * 0.62;
    if (r.y1 > 100 + ys * 0.05) { /* nothing covers more than 100 % */
        r.y0 -= r.y1 - (100 + ys * 0.05);
        r.y1 = 100 + ys * 0.05;
    }
    return r;
}

/* A tic step of 1, 2 or 5 times a power of ten giving about n tics. */
static double tic_step(double span, int n) {
    double raw = span / n, p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* The frontier's geometry, in pixels: every panel PANEL_PX high in a
** figure FIG_W wide; the plot takes the left of a panel, its key and the
** numbered list of its front the right. */
#define FIG_W 1200
#define PANEL_PX 470
#define HEAD_PX 50
#define PLOT_L 0.08
#define PLOT_R 0.58
#define LIST_X 0.60
#define LINE_PX 14.0

/* Starts a panel whose top is `top_px` below the figure's top, in a figure
** fig_px high: its plot's margins, which *ptop and *pbot get (screen
** fractions from the bottom), ready for its title. */
static void panel_start(FILE *f, double top_px, double fig_px, double *ptop,
                        double *pbot) {
    *ptop = 1 - (top_px + 40) / fig_px;
    *pbot = 1 - (top_px + PANEL_PX - 55) / fig_px;
    fprintf(f, "reset\nset lmargin at screen %.3f\nset rmargin at screen %.3f\n"
               "set tmargin at screen %.5f\nset bmargin at screen %.5f\n",
            PLOT_L, PLOT_R, *ptop, *pbot);
}

/* The panel's title, axes (their labels and ranges, coverage tics) and
** where its key goes. */
static void panel_axes(FILE *f, const fr_panel *p, const fr_ranges *r, double ptop) {
    fputs("set title ", f);
    pl_str(f, p->title);
    fprintf(f, " font ',11'\nset xlabel 'total cost (USD)'\n"
               "set ylabel 'coverage (%%, unit-time)'\nset grid\n"
               "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n",
            r->x0, r->x1, r->y0, r->y1);
    /* Coverage tics stop at 100 %: nothing above it is possible. */
    double ys = tic_step(r->y1 - r->y0, 5);
    fprintf(f, "set ytics %.17g, %.17g, 100.0000001\n", floor(r->y0 / ys) * ys, ys);
    fprintf(f, "set key at screen %.3f, screen %.5f left top Left reverse samplen 2 "
               "font ',9' spacing 1.1\n", LIST_X, ptop);
}

/* The datablocks of panel idx: every run, and the front in cost order. */
static void panel_data(FILE *f, const fr_panel *p, const fr_entry *e, size_t ne,
                       size_t idx) {
    fprintf(f, "$runs%zu << EOD\n", idx);
    for (size_t i = 0; i < p->n; i++) fprintf(f, "%.17g %.17g\n", p->cost[i], p->cov[i]);
    /* Runs at one point (equal to the cent and the thousandth of a
    ** percent) would show as one dot: each such point says how many. */
    fprintf(f, "EOD\n$mult%zu << EOD\n", idx);
    for (size_t i = 0; i < p->n; i++) {
        size_t same = 0, first = 1;
        for (size_t j = 0; j < p->n; j++) {
            int eq = fabs(p->cost[j] - p->cost[i]) < 0.005 && fabs(p->cov[j] - p->cov[i]) < 0.0005;
            same += eq;
            if (eq && j < i) first = 0;
        }
        if (same > 1 && first)
            fprintf(f, "%.17g %.17g \"\u00d7%zu\"\n", p->cost[i], p->cov[i], same);
    }
    fprintf(f, "EOD\n$front%zu << EOD\n", idx);
    for (size_t k = 0; k < ne; k++) fprintf(f, "%.17g %.17g\n", e[k].x, e[k].y);
    fprintf(f, "EOD\n");
}

/* The numbers of the first `shown` front entries, as the datablock
** $num<idx>. sx, sy: pixels per unit of cost and of coverage. Numbers of
** entries less than a label apart would overprint: one label names them
** all ("3,4"). */
static void front_numbers(FILE *f, const fr_entry *e, size_t shown, double sx, double sy,
                          size_t idx) {
    size_t nl = 0;
    char lab[FR_LIST_MAX][48];
    double lx[FR_LIST_MAX], ly[FR_LIST_MAX];
    for (size_t k = 0; k < shown; k++) {
        size_t j = 0;
        while (j < nl && !(fabs((e[k].x - lx[j]) * sx) < 24 && fabs((e[k].y - ly[j]) * sy) < 14))
            j++;
        if (j < nl) {
            size_t l = strlen(lab[j]);
            snprintf(lab[j] + l, sizeof lab[j] - l, ",%zu", k + 1);
            continue;
        }
        snprintf(lab[nl], sizeof lab[nl], "%zu", k + 1);
        lx[nl] = e[k].x;
        ly[nl++] = e[k].y;
    }
    fprintf(f, "$num%zu << EOD\n", idx);
    for (size_t j = 0; j < nl; j++) fprintf(f, "%.17g %.17g \"%s\"\n", lx[j], ly[j], lab[j]);
    fprintf(f, "EOD\n");
}

/* The list under the key: number, cost, coverage and parameters of the
** first `shown` of the ne front entries, and how many more there are.
** Labels, placed in screen fractions from the key's top. */
static void front_list(FILE *f, const fr_panel *p, const fr_entry *e, size_t ne,
                       size_t shown, double ptop, double fig_px) {
    int keylines = 2 + (p->oracle >= 0) + (p->ref_run != 0);
    double y = ptop - (keylines * 16.0 + 16) / fig_px;
    fprintf(f, "set label 100 'Pareto front: cost, coverage, parameters' at screen %.3f, "
               "screen %.5f left font ',9'\n", LIST_X, y);
    for (size_t k = 0; k < shown; k++) {
        char params[600], text[760];
        if (p->params) params_label(p->params[e[k].first], params, sizeof params);
        else params[0] = '\0';
        fit(params, 52);
        int nn = snprintf(text, sizeof text, "%2zu  $%.2f  %.3f %%  %s", k + 1, e[k].cost,
                          e[k].cov, params);
        if (e[k].count > 1 && nn > 0)
            snprintf(text + nn, sizeof text - (size_t)nn, " (+%zu equal)", e[k].count - 1);
        fprintf(f, "set label %zu ", 101 + k);
        pl_str(f, text);
        fprintf(f, " at screen %.3f, screen %.5f left font 'mono,8'\n", LIST_X,
                y - (double)(k + 1) * LINE_PX / fig_px);
    }
    if (ne > shown)
        fprintf(f, "set label 99 '... and %zu more: spotbench sweep prints them all' at "
                   "screen %.3f, screen %.5f left font ',8'\n",
                ne - shown, LIST_X, y - (double)(shown + 1) * LINE_PX / fig_px);
}

/* The references, continuing the plot command: on the plot when near the
** runs, else named in the key only (a point at 1/0 is never drawn). */
static void panel_references(FILE *f, const fr_panel *p, const fr_ranges *r) {
    if (p->oracle >= 0) {
        char t[160];
        snprintf(t, sizeof t, "oracle bound: $%.2f at 100 %%%s", p->oracle,
                 r->oracle_in ? "" : " (off the plot)");
        if (r->oracle_in)
            fprintf(f, ", '+' using (%.17g):(100) with points pt 9 ps 1.8 lc rgb '" PL_GREEN "' "
                       "title ", p->oracle);
        else
            fprintf(f, ", 1/0 with points pt 9 ps 1.8 lc rgb '" PL_GREEN "' title ");
        pl_str(f, t);
    }
    if (p->ref_run) {
        char t[200];
        snprintf(t, sizeof t, "classic defaults (run %lld): $%.2f, %.3f %%%s",
                 (long long)p->ref_run, p->ref_cost, p->ref_cov,
                 r->ref_in ? "" : " (off the plot)");
        if (r->ref_in)
            fprintf(f, ", '+' using (%.17g):(%.17g) with points pt 4 ps 1.8 lw 2 "
                       "lc rgb '" PL_BLUE "' title ", p->ref_cost, p->ref_cov);
        else
            fprintf(f, ", 1/0 with points pt 4 ps 1.8 lw 2 lc rgb '" PL_BLUE "' title ");
        pl_str(f, t);
    }
}

/* A reference off the plot is pointed at from the edge it lies beyond, in
** its colour, so a reader sees where it is without the axes losing the
** runs: "<- oracle bound $86.61 at 100 %" in the corner toward it. */
static void offplot_label(FILE *f, int tag, double x, double y, const fr_ranges *r,
                          const char *what, const char *colour) {
    int left = x < r->x0, right = x > r->x1, below = y < r->y0, above = y > r->y1;
    const char *arrow = left && above    ? "\u2196 "
                        : left && below  ? "\u2199 "
                        : right && above ? "\u2197 "
                        : right && below ? "\u2198 "
                        : left           ? "\u2190 "
                        : right          ? "\u2192 "
                        : above          ? "\u2191 "
                                         : "\u2193 ";
    double gx = right ? 0.98 : left ? 0.02 : 0.5, gy = above ? 0.95 : below ? 0.05 : 0.5;
    char t[240];
    snprintf(t, sizeof t, right ? "%s %s" : "%s%s", right ? what : arrow, right ? arrow : what);
    fprintf(f, "set label %d ", tag);
    pl_str(f, t);
    fprintf(f, " at graph %.2f, graph %.2f %s front font ',9' tc rgb '%s'\n", gx, gy,
            right ? "right" : gx == 0.5 ? "center" : "left", colour);
}

static void offplot_labels(FILE *f, const fr_panel *p, const fr_ranges *r) {
    char t[200];
    if (p->oracle >= 0 && !r->oracle_in) {
        snprintf(t, sizeof t, "oracle bound $%.2f at 100 %%", p->oracle);
        offplot_label(f, 90, p->oracle, 100, r, t, PL_GREEN);
    }
    if (p->ref_run && !r->ref_in) {
        snprintf(t, sizeof t, "classic defaults $%.2f, %.3f %%", p->ref_cost, p->ref_cov);
        offplot_label(f, 91, p->ref_cost, p->ref_cov, r, t, PL_BLUE);
    }
}

/* One panel whose top is `top_px` below the figure's top, in a figure
** fig_px high. Returns 0, or -1 when out of memory. */
static int frontier_panel(FILE *f, const fr_panel *p, size_t idx, double top_px,
                          double fig_px) {
    size_t ne;
    fr_entry *e = front_entries(p, &ne);
    if (!e) return -1;
    fr_ranges r = panel_ranges(p);
    double ptop, pbot;
    panel_start(f, top_px, fig_px, &ptop, &pbot);
    panel_axes(f, p, &r, ptop);
    panel_data(f, p, e, ne, idx);
    size_t shown = ne < FR_LIST_MAX ? ne : FR_LIST_MAX;
    double sx = (PLOT_R - PLOT_L) * FIG_W / (r.x1 - r.x0);
    double sy = (ptop - pbot) * fig_px / (r.y1 - r.y0);
    front_numbers(f, e, shown, sx, sy, idx);
    front_list(f, p, e, ne, shown, ptop, fig_px);
    offplot_labels(f, p, &r);
    fprintf(f, "plot $runs%zu using 1:2 with points pt 7 ps 0.5 lc rgb '" PL_GREY "' "
               "title '%s (%zu; \u00d7N: N at one point)', ",
            idx, p->combined ? "parameter sets" : "runs", p->n);
    fprintf(f, "$mult%zu using 1:2:3 with labels offset 0,-0.9 font ',8' tc rgb '#505050' "
               "notitle, ",
            idx);
    fprintf(f, "$front%zu using 1:2 with linespoints pt 7 ps 0.9 lw 2 lc rgb '" PL_VERMILLION "' "
               "title 'Pareto front (%zu, numbered)', ",
            idx, ne);
    fprintf(f, "$num%zu using 1:2:3 with labels offset 0.8,0.8 font ',9' "
               "tc rgb '" PL_VERMILLION "' notitle",
            idx);
    panel_references(f, p, &r);
    fputs("\nunset label 90\nunset label 91\n", f);
    free(e);
    return 0;
}

/* A panel without a complete parameter set: its title and a note. */
static void empty_panel(FILE *f, const fr_panel *p, double top_px, double fig_px) {
    double ptop, pbot;
    panel_start(f, top_px, fig_px, &ptop, &pbot);
    fputs("set title ", f);
    pl_str(f, p->title);
    fprintf(f, "\nset label 1 'no complete parameter set yet' at graph 0.5, 0.5 "
               "center\nplot [0:1][0:1] NaN notitle\n");
}

/* Room for n points in a panel's arrays. Returns 0, or -1 when out of
** memory (what was allocated is freed with the panels). */
static int panel_alloc(fr_panel *p, size_t n) {
    p->cost = malloc((n ? n : 1) * sizeof *p->cost);
    p->cov = malloc((n ? n : 1) * sizeof *p->cov);
    p->params = malloc((n ? n : 1) * sizeof *p->params);
    return p->cost && p->cov && p->params ? 0 : -1;
}

/* Scenario s's panel: its runs, its oracle (that of its first run: each
** run stores the oracle's cost on its own spot capacity, row_orc), its
** title and classic's run with its defaults. Returns 0, or -1 with a
** message. */
static int scenario_panel(st_db *db, const lab_sweep_spec *spec, size_t s,
                          const st_sweep_row *rows, size_t n, const double *row_orc,
                          fr_panel *p, char *err, size_t errlen) {
    if (panel_alloc(p, n)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p->oracle = -1;
    int64_t first = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].scenario == s) {
            if (!first) {
                first = rows[i].run_id;
                p->oracle = row_orc[i];
            }
            p->cost[p->n] = rows[i].cost;
            p->cov[p->n] = rows[i].coverage;
            p->params[p->n++] = rows[i].params;
        }
    /* The panel is the scenario's name, as stored with its runs. */
    st_run_desc d;
    if (first && st_run_describe(db, first, &d, err, errlen) == 0)
        snprintf(p->title, sizeof p->title, "%s (%s)", d.scenario, spec->scenarios[s]);
    else
        snprintf(p->title, sizeof p->title, "%s", spec->scenarios[s]);
    /* classic with its defaults (the seed's controller as shipped, in the
    ** group's units: the scenario's parameters), when such a run of this
    ** scenario is in the database. */
    const pol_policy *classic = pol_find("classic");
    pol_params cp, *cpp = NULL;
    sim_scenario sc;
    char e[512];
    if (classic && sim_scenario_load(spec->scenarios[s], NULL, 0, &sc, e, sizeof e) == 0) {
        sim_scenario_params(&sc, classic, &cp);
        cpp = &cp;
        sim_scenario_free(&sc);
    }
    int found = classic ? st_reference_run(db, spec->scenarios[s], classic, cpp, &p->ref_run,
                                           err, errlen)
                        : 0;
    sim_result cl;
    if (found < 0 || (found && st_summary_get(db, p->ref_run, &cl, err, errlen))) return -1;
    if (found) {
        p->ref_cost = cl.total_cost;
        p->ref_cov = cl.coverage_pct;
    } else {
        p->ref_run = 0;
    }
    return 0;
}

/* With several scenarios, the front `best` ranks: each parameter set run
** on every scenario, its costs summed, its lowest coverage; the oracle is
** that of the first complete set, summed over its runs. Returns 0, or -1
** when out of memory. */
static int combined_panel(const lab_sweep_spec *spec, const lab_sweep_pset *pts,
                          size_t npts, const st_sweep_row *rows, size_t n,
                          const double *row_orc, fr_panel *p) {
    if (panel_alloc(p, npts)) return -1;
    p->oracle = 0;
    p->combined = 1;
    int have = 0;
    for (size_t i = 0; i < npts; i++) {
        if (pts[i].nruns != spec->nscenarios) continue;
        p->cost[p->n] = pts[i].cost;
        p->cov[p->n] = pts[i].coverage;
        p->params[p->n++] = pts[i].params;
        if (!have) {
            for (size_t j = 0; j < n; j++)
                if (rows[j].point == pts[i].point) p->oracle += row_orc[j];
            have = 1;
        }
    }
    if (!have) p->oracle = -1;
    snprintf(p->title, sizeof p->title,
             "all %zu scenarios: costs summed, the lowest coverage (what best ranks)",
             spec->nscenarios);
    return 0;
}

/* The figure: its title over every panel. Returns 0, or -1 with a
** message (gnuplot failed, or out of memory). */
static int frontier_figure(const fr_panel *pan, size_t npanels, int64_t sweep_id,
                           const char *policy, const char *out, char *err,
                           size_t errlen) {
    double fig_px = HEAD_PX + (double)npanels * PANEL_PX;
    char size[32];
    snprintf(size, sizeof size, "%d,%.0f", FIG_W, fig_px);
    gp g;
    if (gp_open(&g, out, size, err, errlen)) return -1;
    FILE *f = g.f;
    char title[300];
    snprintf(title, sizeof title, "sweep %lld, policy %s: total cost against coverage "
             "(each dot a run; the line, the Pareto front)", (long long)sweep_id, policy);
    fprintf(f, "set multiplot\nset label 1 ");
    pl_str(f, title);
    fprintf(f, " at screen 0.5, screen %.5f center font ',12'\n", 1 - 28 / fig_px);
    /* The figure's title drawn by an empty plot, then every panel. */
    fprintf(f, "set border 0\nunset tics\nunset key\nplot [0:1][0:1] NaN notitle\n"
               "unset label 1\n");
    for (size_t k = 0; k < npanels; k++) {
        double top_px = HEAD_PX + (double)k * PANEL_PX;
        if (pan[k].n == 0) {
            empty_panel(f, &pan[k], top_px, fig_px);
            continue;
        }
        if (frontier_panel(f, &pan[k], k, top_px, fig_px)) {
            /* gnuplot ends cleanly and nothing is written; the failure
            ** reported is ours. */
            fprintf(f, "unset multiplot\n");
            gp_close(&g, out, err, errlen);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    fprintf(f, "unset multiplot\n");
    return gp_close(&g, out, err, errlen);
}

int pl_frontier(st_db *db, int64_t sweep_id, const char *out, char *err,
                size_t errlen) {
    lab_sweep_spec spec;
    if (lab_sweep_load(db, sweep_id, &spec, err, errlen)) return -1;
    st_sweep_row *rows = NULL;
    lab_sweep_pset *pts = NULL;
    size_t n = 0, npts = 0, npanels = 0, cap = spec.nscenarios + 1;
    int rc = -1;
    fr_panel *pan = NULL;
    double *row_orc = NULL;
    if (st_sweep_rows(db, sweep_id, &rows, &n, err, errlen)) goto out;
    if (n == 0) {
        snprintf(err, errlen, "sweep %lld has no stored runs yet", (long long)sweep_id);
        goto out;
    }
    if (lab_sweep_aggregate(rows, n, &pts, &npts) || !(pan = calloc(cap, sizeof *pan)) ||
        !(row_orc = malloc(n * sizeof *row_orc))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        sim_result r;
        if (st_summary_get(db, rows[i].run_id, &r, err, errlen)) goto out;
        row_orc[i] = r.oracle_cost;
    }
    for (size_t s = 0; s < spec.nscenarios; s++, npanels++)
        if (scenario_panel(db, &spec, s, rows, n, row_orc, &pan[npanels], err, errlen))
            goto out;
    if (spec.nscenarios > 1) {
        if (combined_panel(&spec, pts, npts, rows, n, row_orc, &pan[npanels])) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        npanels++;
    }
    rc = frontier_figure(pan, npanels, sweep_id, spec.policy, out, err, errlen);
out:
    for (size_t k = 0; pan && k < cap; k++) {
        free(pan[k].cost);
        free(pan[k].cov);
        free(pan[k].params);
    }
    free(pan);
    free(row_orc);
    free(rows);
    free(pts);
    lab_sweep_spec_free(&spec);
    return rc;
}

/* ---- timeline ------------------------------------------------------------ */

/* "window=900 confirm=3; asg.DefaultCooldown=900": the run's parameters
** that differ from the policy's defaults, then its --set strings; "its
** defaults" when there are none. */
static void run_settings(const st_run_desc *d, char *out, size_t n) {
    size_t k = 0;
    out[0] = '\0';
    const pol_policy *pol = pol_find(d->policy);
    pol_params def;
    if (pol) pol_params_default(pol, &def);
    cJSON *o = cJSON_Parse(d->params);
    for (const cJSON *c = o ? o->child : NULL; c && k < n; c = c->next) {
        int i = pol ? pol_param_index(pol, c->string) : -1;
        if (!cJSON_IsNumber(c) || (i >= 0 && def.v[i] == c->valuedouble)) continue;
        k += (size_t)snprintf(out + k, n - k, "%s%s=%.15g", k ? " " : "", c->string,
                              c->valuedouble);
    }
    cJSON_Delete(o);
    cJSON *a = cJSON_Parse(d->sets);
    int first = 1;
    for (const cJSON *c = a ? a->child : NULL; c && k < n; c = c->next) {
        if (!cJSON_IsString(c)) continue;
        /* A policy parameter given with --set is already in the params. */
        const char *eq = strchr(c->valuestring, '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - c->valuestring) : 0, c->valuestring);
        if (pol && pol_param_index(pol, key) >= 0) continue;
        k += (size_t)snprintf(out + k, n - k, "%s%s", k ? (first ? "; " : " ") : "",
                              c->valuestring);
        first = 0;
    }
    cJSON_Delete(a);
    if (!out[0]) snprintf(out, n, "its defaults");
}

static int same_sample(const st_sample *a, const st_sample *b) {
    if (a->required != b->required || a->target != b->target || a->fulfilled != b->fulfilled ||
        a->od_units != b->od_units || a->pending != b->pending || a->nprices != b->nprices)
        return 0;
    for (size_t p = 0; p < a->nprices; p++)
        if (a->prices[p] != b->prices[p]) return 0;
    return 1;
}

int pl_timeline(st_db *db, int64_t run_id, int64_t from, int64_t to, const char *out,
                char *err, size_t errlen) {
    st_sample *rows;
    size_t n;
    st_run_desc d;
    if (st_run_describe(db, run_id, &d, err, errlen)) return -1;
    if (st_timeseries_read(db, run_id, &rows, &n, err, errlen)) return -1;
    if (n == 0) {
        free(rows);
        snprintf(err, errlen, "run %lld has no samples", (long long)run_id);
        return -1;
    }
    /* --from/--to: the samples in [from, to]. */
    size_t a = 0, b = n;
    char t0[32], t1[32];
    if (from || to) {
        while (a < n && from && rows[a].t < from) a++;
        while (b > a && to && rows[b - 1].t > to) b--;
        if (a == b) {
            trc_time_format(rows[0].t, t0, sizeof t0);
            trc_time_format(rows[n - 1].t, t1, sizeof t1);
            snprintf(err, errlen, "run %lld has no samples between --from and --to (its "
                     "samples run from %s to %s)", (long long)run_id, t0, t1);
            free(rows);
            return -1;
        }
    }
    trc_time_format(rows[a].t, t0, sizeof t0);
    trc_time_format(rows[b - 1].t, t1, sizeof t1);
    gp g;
    if (gp_open(&g, out, "1400,640", err, errlen)) {
        free(rows);
        return -1;
    }
    FILE *f = g.f;
    size_t np = rows[a].nprices < d.npools ? rows[a].nprices : d.npools;
    /* A row where anything changes, and the last: the step lines are the
    ** same, and a week is a few thousand rows instead of ten thousand. */
    fprintf(f, "$d << EOD\n");
    const st_sample *prev = NULL;
    for (size_t i = a; i < b; i++) {
        const st_sample *r = &rows[i];
        if (prev && i + 1 < b && same_sample(prev, r)) continue;
        fprintf(f, "%lld %.10g %.10g %.10g %.10g %.10g", (long long)r->t, r->required,
                r->target, r->fulfilled, r->od_units, r->pending);
        for (size_t p = 0; p < np; p++) fprintf(f, " %.10g", p < r->nprices ? r->prices[p] : 0.0);
        fputc('\n', f);
        prev = r;
    }
    fprintf(f, "EOD\n");
    char settings[900], title[1400];
    run_settings(&d, settings, sizeof settings);
    snprintf(title, sizeof title, "%s: %s with %s (run %lld)\ncapacity in units (left axis), "
             "spot prices in USD per instance-hour (right axis), %s to %s",
             d.scenario, d.policy, settings, (long long)run_id, t0, t1);
    fputs("set title ", f);
    pl_str_lines(f, title);
    /* Tics: dates when the span is days, hours within a day. */
    int64_t span = rows[b - 1].t - rows[a].t;
    fprintf(f, " font ',11'\nset xdata time\nset timefmt '%%s'\nset format x %s\n"
               "set xlabel 'time (UTC)'\nset ylabel 'capacity (units)'\n"
               "set y2label 'spot price (USD per instance-hour)'\n"
               "set ytics nomirror\nset y2tics\nset grid\n"
               "set key outside right top Left reverse samplen 3 font ',9'\n"
               "set yrange [0:*]\nset xrange ['%lld':'%lld']\n",
            span > 2 * 86400 ? "\"%m-%d\\n%H:%M\"" : "\"%H:%M\"", (long long)rows[a].t,
            (long long)rows[b - 1].t);
    /* Prices far above the max prices (a spike to 25 times on-demand) would
    ** flatten the max price lines into the axis: the price axis stops at 3
    ** times the highest max price, where what matters, a price crossing its
    ** max, shows. */
    double maxmax = 0, pmax = 0;
    for (size_t p = 0; p < np; p++) {
        double m = d.pools[p].max_price_unit * d.pools[p].weight;
        if (m > maxmax) maxmax = m;
    }
    for (size_t i = a; i < b; i++)
        for (size_t p = 0; p < np && p < rows[i].nprices; p++)
            if (rows[i].prices[p] > pmax) pmax = rows[i].prices[p];
    if (maxmax > 0 && pmax > 3 * maxmax)
        fprintf(f, "set y2range [0:%.10g]\nset y2label 'spot price (USD per instance-hour; "
                   "cut at 3 x the highest max price)'\n", 3 * maxmax);
    else
        fprintf(f, "set y2range [0:*]\n");
    /* Each pool its own colour and dash; its max price (the instance's:
    ** SpotPrice per unit-hour times its weight) a thin dotted line in the
    ** same colour, so an outage starts where a price crosses it. */
    /* Not orange, blue or vermillion: the capacity lines' and pending's. */
    static const char *const pcol[] = {PL_GREEN, PL_PURPLE, PL_SKY, "#666666",
                                       PL_YELLOW, PL_BLACK, PL_GREY, "#8c564b"};
    static const int pdt[] = {1, 2, 4, 5};
    /* Back to front: pending as a pale area, prices, then the capacity
    ** lines: required first, as a wide pale band, so that on-demand or spot
    ** serving exactly what is required shows on it instead of under it. */
    fprintf(f, "plot $d using 1:6 with fillsteps fs transparent solid 0.25 noborder "
               "lc rgb '" PL_VERMILLION "' title 'pending (the fleet''s spot shortfall)'");
    for (size_t p = 0; p < np; p++) {
        char name[80];
        snprintf(name, sizeof name, "%s %s price", d.pools[p].instance_type, d.pools[p].az);
        fprintf(f, ", $d using 1:%zu axes x1y2 with steps lw 1.3 dt %d lc rgb '%s' title ",
                7 + p, pdt[p % 4], pcol[p % 8]);
        pl_str(f, name);
    }
    for (size_t p = 0; p < np; p++) {
        double max = d.pools[p].max_price_unit * d.pools[p].weight;
        if (!(max > 0)) continue;
        fprintf(f, ", $d using 1:(%.10g) axes x1y2 with lines lw 1.6 dt (2,3) lc rgb '%s' %s", max,
                pcol[p % 8], p == 0 ? "title 'max price (the pool''s colour, dotted)'" : "notitle");
    }
    fprintf(f, ", $d using 1:2 with steps lw 7 lc rgb '#c8c8c8' title 'required (the band)'"
               ", $d using 1:3 with steps lw 1.5 dt 2 lc rgb '#505050' title 'target'"
               ", $d using 1:4 with steps lw 2 lc rgb '" PL_BLUE "' title 'fulfilled spot'"
               ", $d using 1:5 with steps lw 2.5 lc rgb '" PL_ORANGE "' "
               "title 'on-demand serving'\n");
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
    if (lab_sweep_add_str(&a->v, &a->n, t, err, sizeof err)) return -1;
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

/* An axis label: the key and its unit, the policy's own for a parameter,
** the scenario field's by its name otherwise ("asg.DefaultCooldown (s)"). */
static void axis_label(const lab_sweep_spec *s, const char *key, char *out, size_t n) {
    const pol_policy *pol = pol_find(s->policy);
    int i = pol ? pol_param_index(pol, key) : -1;
    const char *unit = NULL;
    if (i >= 0) {
        unit = pol->params[i].unit;
    } else {
        static const struct {
            const char *suffix, *unit;
        } units[] = {{"Cooldown", "s"},       {"Delay", "s"},          {"Interval", "s"},
                     {"Offset", "s"},         {"Jitter", "s"},         {"Period", "s"},
                     {"SpotPrice", "USD per unit-hour"}, {"OnDemandPrice", "USD per hour"},
                     {"TargetCapacity", "units"}, {"WeightedCapacity", "units"},
                     {"Size", "instances"},   {"DesiredCapacity", "instances"},
                     {"Probability", "0-1"}};
        size_t kl = strlen(key);
        for (size_t u = 0; u < sizeof units / sizeof units[0] && !unit; u++) {
            size_t sl = strlen(units[u].suffix);
            if (kl >= sl && strcmp(key + kl - sl, units[u].suffix) == 0) unit = units[u].unit;
        }
    }
    if (unit && *unit) snprintf(out, n, "%s (%s)", key, unit);
    else snprintf(out, n, "%s", key);
}

static int is_swept(const lab_sweep_spec *s, const char *key) {
    for (size_t i = 0; i < s->ngrid; i++)
        if (strcmp(s->grid[i].key, key) == 0) return 1;
    for (size_t i = 0; i < s->nrnd; i++)
        if (strcmp(s->rnd[i].key, key) == 0) return 1;
    return 0;
}

/* The message for a key that was not swept (or the same key twice): the
** keys there are to choose from. */
static void not_swept(const lab_sweep_spec *s, const char *key, int64_t sweep_id,
                      char *err, size_t errlen) {
    size_t k = (size_t)snprintf(err, errlen, "%s is not a swept key of sweep %lld "
                                "(two different keys of:",
                                key, (long long)sweep_id);
    for (size_t i = 0; i < s->ngrid && k < errlen; i++)
        k += (size_t)snprintf(err + k, errlen - k, " %s", s->grid[i].key);
    for (size_t i = 0; i < s->nrnd && k < errlen; i++)
        k += (size_t)snprintf(err + k, errlen - k, " %s", s->rnd[i].key);
    if (k < errlen) snprintf(err + k, errlen - k, ")");
}

/* A heatmap: its axes' values (as text), and per cell (y * ax.n + x) the
** best value of the complete parameter sets there, or the empty mark
** (1e300 for cost, -1 for coverage). */
typedef struct {
    axis_vals ax, ay;
    double *cell;
    pl_z z;
    int decimals;       /* as the cells are labelled: cents, 0.001 % */
    double lo, hi;      /* the cells' range */
    int any, constant;  /* a cell has a value; all show the same */
} heatmap;

static int cell_empty(double v) { return v == 1e300 || v < 0; }

/* The axes: each value of xkey and ykey in a complete parameter set, in
** numeric order when every one is a number (else as first met). Returns
** 0, or -1 with a message. */
static int heatmap_axes(heatmap *h, const lab_sweep_pset *pts, size_t npts,
                        size_t nscenarios, const char *xkey, const char *ykey,
                        int64_t sweep_id, char *err, size_t errlen) {
    for (size_t i = 0; i < npts; i++) {
        char tx[256], ty[256];
        if (pts[i].nruns != nscenarios) continue;
        if (param_text(pts[i].params, xkey, tx, sizeof tx) ||
            param_text(pts[i].params, ykey, ty, sizeof ty) || axis_index(&h->ax, tx) < 0 ||
            axis_index(&h->ay, ty) < 0) {
            snprintf(err, errlen, "sweep %lld: unreadable parameters of point %zu",
                     (long long)sweep_id, pts[i].point);
            return -1;
        }
    }
    if (h->ax.n == 0) {
        snprintf(err, errlen, "sweep %lld has no parameter set run on every scenario yet",
                 (long long)sweep_id);
        return -1;
    }
    int numeric = 1;
    for (size_t i = 0; i < h->ax.n + h->ay.n; i++) {
        char *end;
        strtod(i < h->ax.n ? h->ax.v[i] : h->ay.v[i - h->ax.n], &end);
        if (*end) numeric = 0;
    }
    if (numeric) {
        qsort(h->ax.v, h->ax.n, sizeof *h->ax.v, cmp_num);
        qsort(h->ay.v, h->ay.n, sizeof *h->ay.v, cmp_num);
    }
    return 0;
}

/* The cells, and their range. With other swept keys, a cell shows the
** best over them. When every cell shows the same value there is no scale
** to show: the figure drops the colour bar and its title says the value.
** Returns 0, or -1 when out of memory. */
static int heatmap_cells(heatmap *h, const lab_sweep_pset *pts, size_t npts,
                         size_t nscenarios, const char *xkey, const char *ykey) {
    size_t nc = h->ax.n * h->ay.n;
    if (!(h->cell = malloc(nc * sizeof *h->cell))) return -1;
    int cost = h->z == PL_COST;
    for (size_t i = 0; i < nc; i++) h->cell[i] = cost ? 1e300 : -1;
    for (size_t i = 0; i < npts; i++) {
        char tx[256], ty[256];
        if (pts[i].nruns != nscenarios) continue;
        param_text(pts[i].params, xkey, tx, sizeof tx);
        param_text(pts[i].params, ykey, ty, sizeof ty);
        size_t c = (size_t)axis_index(&h->ay, ty) * h->ax.n + (size_t)axis_index(&h->ax, tx);
        if (cost ? pts[i].cost < h->cell[c] : pts[i].coverage > h->cell[c])
            h->cell[c] = cost ? pts[i].cost : pts[i].coverage;
    }
    h->lo = h->hi = 0;
    h->any = 0;
    for (size_t i = 0; i < nc; i++) {
        double v = h->cell[i];
        if (cell_empty(v)) continue;
        if (!h->any || v < h->lo) h->lo = v;
        if (!h->any || v > h->hi) h->hi = v;
        h->any = 1;
    }
    /* Equal as labelled: the colour scale would show rounding only. */
    h->decimals = cost ? 2 : 3;
    char slo[40], shi[40];
    snprintf(slo, sizeof slo, "%.*f", h->decimals, h->lo);
    snprintf(shi, sizeof shi, "%.*f", h->decimals, h->hi);
    h->constant = strcmp(slo, shi) == 0;
    return 0;
}

/* The two title lines: the sweep and policy; what is coloured, over how
** many scenarios, and the value when every cell is the same. */
static void heatmap_title(const heatmap *h, const lab_sweep_spec *spec, int64_t sweep_id,
                          char *title, size_t tn, char *sub, size_t sn) {
    const char *what = h->z == PL_COST ? "total cost (USD), summed over"
                                       : "coverage (%), the lowest of";
    snprintf(title, tn, "sweep %lld, policy %s", (long long)sweep_id, spec->policy);
    int k = snprintf(sub, sn, "%s its %zu scenario%s%s", what, spec->nscenarios,
                     spec->nscenarios == 1 ? "" : "s",
                     spec->ngrid + spec->nrnd > 2 ? "; each cell the best over the other keys"
                                                  : "");
    if (h->constant && h->any && k > 0)
        snprintf(sub + k, sn - (size_t)k, "; every cell %.*f", h->decimals, h->lo);
}

/* The cells as the datablock $d: x, y, value and its label ("-" and NaN
** for an empty cell), a blank line after each row (gnuplot's image
** reads rows). */
static void heatmap_data(FILE *f, const heatmap *h) {
    fprintf(f, "$d << EOD\n");
    for (size_t y = 0; y < h->ay.n; y++) {
        for (size_t x = 0; x < h->ax.n; x++) {
            double v = h->cell[y * h->ax.n + x];
            if (cell_empty(v)) fprintf(f, "%zu %zu NaN \"-\"\n", x, y);
            else fprintf(f, "%zu %zu %.17g \"%.*f\"\n", x, y, v, h->decimals, v);
        }
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
}

/* One axis's tics: each value (a string, never code) at its index. */
static void axis_tics(FILE *f, const axis_vals *a) {
    for (size_t i = 0; i < a->n; i++) {
        fputs(i ? ", " : "", f);
        pl_str(f, a->v[i]);
        fprintf(f, " %zu", i);
    }
}

/* The colours: one value, every cell one pale colour and no colour bar;
** else the sequential scale (palette.h), darker the better (the lower
** cost, the higher coverage). The scale spans at least a tenth of a
** coverage point, or 2 % of the highest cost: cells 0.007 points apart
** are nearly one colour (their labels tell them apart), not the two ends
** of the scale. */
static void heatmap_palette(FILE *f, const heatmap *h) {
    fprintf(f, "set tmargin 5\nset rmargin %d\n", h->constant ? 3 : 14);
    if (h->constant) {
        fprintf(f, "unset colorbox\nset palette defined (0 '#c7e9b4', 1 '#c7e9b4')\n"
                   "set cbrange [%.17g:%.17g]\n", h->lo - 1, h->lo + 1);
        return;
    }
    fprintf(f, "set palette defined %s\n", PL_SEQUENTIAL);
    if (h->z == PL_COST) fprintf(f, "set palette negative\n");
    double lo = h->lo, hi = h->hi;
    double span = h->z == PL_COST ? 0.02 * fabs(hi) : 0.1;
    if (hi - lo < span) {
        if (h->z == PL_COST) hi = lo + span; /* the cheapest stays darkest */
        else lo = hi - span;                 /* the best coverage darkest */
    }
    fprintf(f, "set cbrange [%.17g:%.17g]\nset cblabel '%s'\n", lo, hi,
            h->z == PL_COST ? "total cost (USD; darker: cheaper)"
                            : "coverage (%; darker: more)");
}

/* Draws the heatmap into out. Returns 0, or -1 with a message. */
static int heatmap_figure(const heatmap *h, const lab_sweep_spec *spec, int64_t sweep_id,
                          const char *xkey, const char *ykey, const char *out, char *err,
                          size_t errlen) {
    char title[600], sub[300];
    heatmap_title(h, spec, sweep_id, title, sizeof title, sub, sizeof sub);
    /* Cells shrink past 2000 pixels: random keys give many distinct values;
    ** the figure is at least as wide as its title (8 pixels a character). */
    size_t w = 320 + 90 * h->ax.n, hp = 230 + 60 * h->ay.n, tw = 8 * strlen(sub) + 160;
    if (w < tw) w = tw;
    char size[32];
    snprintf(size, sizeof size, "%zu,%zu", w > 2000 ? 2000 : w, hp > 2000 ? 2000 : hp);
    gp g;
    if (gp_open(&g, out, size, err, errlen)) return -1;
    FILE *f = g.f;
    heatmap_data(f, h);
    fputs("set title ", f);
    size_t tl = strlen(title);
    snprintf(title + tl, sizeof title - tl, "\n%s", sub);
    pl_str_lines(f, title);
    fputs(" font ',11'\nset xlabel ", f);
    char lab[300];
    axis_label(spec, xkey, lab, sizeof lab);
    pl_str(f, lab);
    fputs("\nset ylabel ", f);
    axis_label(spec, ykey, lab, sizeof lab);
    pl_str(f, lab);
    fprintf(f, "\nset xtics (");
    axis_tics(f, &h->ax);
    fprintf(f, ")\nset ytics (");
    axis_tics(f, &h->ay);
    fprintf(f, ")\nset xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", h->ax.n - 1,
            h->ay.n - 1);
    heatmap_palette(f, h);
    fprintf(f, "set clip two\nplot $d using 1:2:3 with %s notitle, "
               "$d using 1:2:4 with labels font ',9' notitle\n", gp_cells(&g));
    return gp_close(&g, out, err, errlen);
}

int pl_check_heatmap(st_db *db, int64_t sweep_id, const char *xkey, const char *ykey,
                     char *err, size_t errlen) {
    lab_sweep_spec spec;
    if (lab_sweep_load(db, sweep_id, &spec, err, errlen)) return -1;
    const char *bad = !is_swept(&spec, xkey) ? xkey : !is_swept(&spec, ykey) ? ykey : NULL;
    int rc = 0;
    if (bad || strcmp(xkey, ykey) == 0) {
        not_swept(&spec, bad ? bad : xkey, sweep_id, err, errlen);
        rc = -1;
    }
    lab_sweep_spec_free(&spec);
    return rc;
}

int pl_heatmap(st_db *db, int64_t sweep_id, const char *xkey, const char *ykey,
               pl_z z, const char *out, char *err, size_t errlen) {
    lab_sweep_spec spec;
    if (lab_sweep_load(db, sweep_id, &spec, err, errlen)) return -1;
    st_sweep_row *rows = NULL;
    lab_sweep_pset *pts = NULL;
    size_t n = 0, npts = 0;
    heatmap h = {.z = z};
    int rc = -1;
    const char *bad = !is_swept(&spec, xkey) ? xkey : !is_swept(&spec, ykey) ? ykey : NULL;
    if (bad || strcmp(xkey, ykey) == 0) {
        not_swept(&spec, bad ? bad : xkey, sweep_id, err, errlen);
        goto out;
    }
    if (st_sweep_rows(db, sweep_id, &rows, &n, err, errlen)) goto out;
    if (lab_sweep_aggregate(rows, n, &pts, &npts)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (heatmap_axes(&h, pts, npts, spec.nscenarios, xkey, ykey, sweep_id, err, errlen))
        goto out;
    if (heatmap_cells(&h, pts, npts, spec.nscenarios, xkey, ykey)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = heatmap_figure(&h, &spec, sweep_id, xkey, ykey, out, err, errlen);
out:
    free(rows);
    free(pts);
    free(h.cell);
    axis_free(&h.ax);
    axis_free(&h.ay);
    lab_sweep_spec_free(&spec);
    return rc;
}
