/*
** palette.h: the one set of colours of every figure (plot/): the
** Okabe-Ito palette for lines and points, whose eight colours stay
** distinct under deuteranopia, protanopia and tritanopia and in grey, and
** one sequential scale for colour-coded cells (heatmap, compare), light to
** dark blue with luminance falling all the way, so that an order of
** values is an order of lightness for every reader. Darker is better in
** every cell figure (higher coverage, lower cost, lower regret). The HTML
** report uses the same colours (cli/cmd_report.c).
*/
#ifndef SPOTBENCH_PLOT_PALETTE_H
#define SPOTBENCH_PLOT_PALETTE_H

#define PL_BLACK "#000000"
#define PL_ORANGE "#E69F00"
#define PL_SKY "#56B4E9"
#define PL_GREEN "#009E73"
#define PL_YELLOW "#F0E442"
#define PL_BLUE "#0072B2"
#define PL_VERMILLION "#D55E00"
#define PL_PURPLE "#CC79A7"
#define PL_GREY "#B0B0B0"

/* The sequential scale, as gnuplot's `set palette defined`: pale yellow
** through green-blue to dark blue (ColorBrewer YlGnBu, colour-blind safe);
** black labels stay readable on its darkest stop. */
#define PL_SEQUENTIAL "(0 '#ffffd9', 0.35 '#c7e9b4', 0.65 '#41b6c4', 1 '#2c7fb8')"

#endif
