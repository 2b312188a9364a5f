/*
** plot_int.h: the gnuplot pipe the figures of plot/ share (plot.c): how a
** figure is started, finished and fed strings that can never run as code.
*/
#ifndef SPOTBENCH_PLOT_INT_H
#define SPOTBENCH_PLOT_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "traces/outfile.h"

typedef struct {
    FILE *f;      /* gnuplot's standard input: the script */
    pid_t pid;
    trc_out out;  /* gnuplot's standard output: the figure */
    int svg;
    sigset_t old;
} gp;

/* Checks the output name (.png, .svg or "-") and gnuplot, opens the output
** (traces/outfile.h) and starts gnuplot writing the figure to it at size
** "W,H". SIGPIPE is blocked until gp_close(). */
int gp_open(gp *g, const char *out, const char *size, char *err, size_t errlen);
/* Ends the script, waits for gnuplot, and commits the figure only when
** gnuplot succeeded and the figure is whole. */
int gp_close(gp *g, const char *out, char *err, size_t errlen);
/* The plot style of a heatmap's cells: "image" in PNG; in SVG "image
** pixels", a rectangle a cell, because gnuplot's SVG image is a bitmap of
** one pixel a cell that viewers smooth when they stretch it, blending the
** cells' colours. */
const char *gp_cells(const gp *g);
/* Writes s as a single-quoted gnuplot string (never code); pl_str_lines as a
** double-quoted one whose '\n' are line breaks (for titles). */
void pl_str(FILE *f, const char *s);
void pl_str_lines(FILE *f, const char *s);

#endif
