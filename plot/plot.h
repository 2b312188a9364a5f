/*
** plot.h: figures of stored runs and sweeps, drawn by gnuplot (run through
** a pipe with popen) into PNG (pngcairo) or SVG files, chosen by the output
** file's extension (.png, .svg).
**
**   pl_frontier  each run of a sweep a point, total cost against coverage,
**                one panel per scenario (by its name) and, with several, one
**                over all of them (what best ranks); the Pareto front drawn,
**                numbered and listed with its parameters beside the plot;
**                the oracle bound and classic with its defaults marked
**   pl_timeline  one run minute by minute (or between two times):
**                required, target, fulfilled spot, on-demand serving and
**                pending capacity (units), and each pool's spot price and
**                max price on a second axis, titled with the scenario,
**                policy and settings; needs a run stored with --timeseries
**   pl_heatmap   a sweep's parameter sets over two swept keys (with their
**                units), coloured by coverage (the minimum over scenarios)
**                or cost (the sum); no colour bar when every cell is equal
**   pl_compare   the regret table of `spotbench compare` (compare.c):
**                policies x cases, coloured by regret %, labelled with it
**
** Errors are values: 0, or -1 with a message in err (gnuplot missing, no
** such sweep or run, a key that was not swept, gnuplot failing). The
** gnuplot program is looked up on PATH.
*/
#ifndef SPOTBENCH_PLOT_H
#define SPOTBENCH_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "lab/regret.h"
#include "store/store.h"

int pl_frontier(st_db *db, int64_t sweep_id, const char *out, char *err,
                size_t errlen);
/* from, to: the span drawn (epoch seconds, inclusive); 0 for the run's own
** start or end. */
int pl_timeline(st_db *db, int64_t run_id, int64_t from, int64_t to, const char *out,
                char *err, size_t errlen);

typedef enum { PL_COVERAGE, PL_COST } pl_z;
int pl_heatmap(st_db *db, int64_t sweep_id, const char *xkey, const char *ykey,
               pl_z z, const char *out, char *err, size_t errlen);

/* Checks an output name before any work: .png, .svg or "-". Returns 0, or
** -1 with a message. */
int pl_check_output(const char *out, char *err, size_t errlen);

/* Checks, before any work, that sweep_id exists and that xkey and ykey are
** two different keys it swept. Returns 0, or -1 with a message. */
int pl_check_heatmap(st_db *db, int64_t sweep_id, const char *xkey, const char *ykey,
                     char *err, size_t errlen);

/* Draws the regret table (lab/regret.h) of a suite named `title`. */
int pl_compare(const lab_cmp *c, const char *title, const char *out, char *err,
               size_t errlen);

#endif
