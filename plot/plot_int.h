/*
** plot_int.h: the gnuplot pipe the figures of plot/ share (plot.c).
*/
#ifndef SPOTBENCH_PLOT_INT_H
#define SPOTBENCH_PLOT_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    sigset_t old;
} gp;

/* Checks the output name (.png or .svg, no quote) and that gnuplot is on
** PATH, starts it with the terminal the extension asks for, size "W,H",
** and the output set. SIGPIPE is blocked until gp_close(). */
int gp_open(gp *g, const char *out, const char *size, char *err, size_t errlen);
/* Ends the script, waits for gnuplot, and checks that it wrote the file. */
int gp_close(gp *g, const char *out, char *err, size_t errlen);

#endif
