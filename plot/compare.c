/*
** compare.c: the figure of `spotbench compare`: one column per policy, one
** row per case and a last row for the whole suite, each cell coloured by
** its regret (% above the oracle's bound, on a log scale so that 1 % and
** 300 % both read) and labelled with it and the coverage. A cell whose
** regret is not defined (cheaper than the bound because it covers less) is
** left white and labelled with its coverage only: never a negative regret.
** So is the suite's cell of a policy with such cases: its regret, summed
** over the other cases only, is printed (with *) but not coloured.
*/
#include "plot/palette.h"
#include "plot/plot.h"
#include "plot/plot_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The colour floor: 0 % regret is drawn as this on the log scale. */
#define PCT_FLOOR 0.1

/* Coverage truncated: a shortfall must never read as 100.00. */
static double cov2(double c) { return floor(c * 100) / 100; }

static void cell_line(FILE *f, size_t x, size_t y, const lab_cmp_cell *c) {
    if (c->ncases == 1 && !c->regret_ok) {
        fprintf(f, "%zu %zu NaN \"n/a\\ncov %.2f%%\"\n", x, y, cov2(c->coverage));
        return;
    }
    if (c->na) { /* an aggregate over only some cases: no colour to compare */
        fprintf(f, "%zu %zu NaN \"%+.1f%%* (n/a on %d)\\ncov %.2f%%\"\n", x, y,
                c->regret_pct, c->na, cov2(c->coverage));
        return;
    }
    double z = c->regret_pct < PCT_FLOOR ? PCT_FLOOR : c->regret_pct;
    fprintf(f, "%zu %zu %.17g \"%+.1f%%\\ncov %.2f%%\"\n", x, y, z, c->regret_pct,
            cov2(c->coverage));
}

int pl_compare(const lab_cmp *c, const char *title, const char *out, char *err,
               size_t errlen) {
    if (c->ncases == 0 || c->npolicies == 0) {
        snprintf(err, errlen, "%s: nothing to draw (no case or no policy)", out);
        return -1;
    }
    size_t rows = c->ncases + 1;
    size_t w = 360 + 130 * c->npolicies, h = 160 + 42 * rows;
    char size[32];
    snprintf(size, sizeof size, "%zu,%zu", w > 2400 ? 2400 : w, h > 2400 ? 2400 : h);
    gp g;
    if (gp_open(&g, out, size, err, errlen)) return -1;
    FILE *f = g.f;
    double top = PCT_FLOOR * 10;
    fprintf(f, "$d << EOD\n");
    /* Row 0 at the bottom is the suite; the cases above it, first on top. */
    for (size_t y = 0; y < rows; y++) {
        for (size_t x = 0; x < c->npolicies; x++) {
            const lab_cmp_cell *cell = y == 0 ? &c->agg[x]
                                              : &c->cell[(rows - 1 - y) * c->npolicies + x];
            if (cell->regret_pct > top) top = cell->regret_pct;
            cell_line(f, x, y, cell);
        }
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
    /* Every name reaches gnuplot as a quoted string, never as code. */
    /* With seeds the cells are means (lab/regret.h): the title says so. */
    char t[700], over[64] = "";
    if (c->nseeds > 1) snprintf(over, sizeof over, ", means over %zu seeds", c->nseeds);
    snprintf(t, sizeof t,
             "regret: %% above the oracle's bound (cov: coverage %%)%s\n%s\n* = summed over "
             "the cases where it is defined\nn/a (grey): cheaper than the bound because it "
             "covers less",
             over, title);
    fputs("set title ", f);
    pl_str_lines(f, t);
    fputs("\nset xtics (", f);
    for (size_t x = 0; x < c->npolicies; x++) {
        fputs(x ? ", " : "", f);
        pl_str(f, c->policies[x]);
        fprintf(f, " %zu", x);
    }
    fputs(")\nset ytics (", f);
    for (size_t y = 0; y < rows; y++) {
        fputs(y ? ", " : "", f);
        pl_str(f, y == 0 ? "ALL CASES" : c->cases[rows - 1 - y]);
        fprintf(f, " %zu", y);
    }
    fprintf(f, ")\nset xtics nomirror\nset ytics nomirror\n");
    fprintf(f, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", c->npolicies - 1,
            rows - 1);
    fprintf(f, "set logscale cb\nset cbrange [%g:%g]\n", PCT_FLOOR, top);
    fprintf(f, "set cblabel 'regret, %% (log scale; darker: less)'\n");
    /* The one sequential scale (palette.h), darker the better: the least
    ** regret darkest; lightness alone orders the cells for every reader. */
    fprintf(f, "set palette defined %s\nset palette negative\n", PL_SEQUENTIAL);
    /* A cell without a colour (n/a) shows this grey, unlike any of the scale. */
    fprintf(f, "set object 1 rectangle from graph 0,0 to graph 1,1 behind "
               "fillcolor rgb '#d0d0d0' fillstyle solid noborder\n");
    fprintf(f, "set tmargin 6\n");
    fprintf(f, "set arrow from -0.5,0.5 to %zu.5,0.5 nohead front lw 2\n", c->npolicies - 1);
    fprintf(f, "set lmargin 30\n");
    fprintf(f, "plot $d using 1:2:3 with %s notitle, "
               "$d using 1:2:4 with labels font 'sans,8' notitle\n", gp_cells(&g));
    return gp_close(&g, out, err, errlen);
}
