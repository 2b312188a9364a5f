/*
** best.c: the choice of `spotbench best` over a stored sweep: the cheapest
** parameter set meeting a coverage floor on every scenario, or with
** --worst-case the one whose worst cost over some unknowns is lowest among
** those whose worst coverage meets it. Choosing only; cmd_best.c prints.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_best_pick(const st_sweep_row *rows, size_t nrows, const lab_sweep_pset *psets,
                   size_t npsets, size_t nscenarios, double min_cov, cli_best *out) {
    memset(out, 0, sizeof *out);
    out->best_cov = -1;
    for (size_t i = 0; i < npsets; i++) {
        const lab_sweep_pset *p = &psets[i];
        if (p->nruns != nscenarios) continue;
        out->complete++;
        if (p->coverage > out->best_cov) out->best_cov = p->coverage;
        if (p->coverage >= min_cov && (!out->pick || p->cost < out->pick->cost))
            out->pick = p;
    }
    if (!out->pick) return;
    /* Its runs: rows come by (point, scenario), so they are adjacent. */
    size_t i = 0;
    while (i < nrows && rows[i].point != out->pick->point) i++;
    out->runs = rows + i;
    for (; i < nrows && rows[i].point == out->pick->point; i++) out->nruns++;
}

/* 1 when "KEY=VALUE" has one of the keys. */
static int has_key(const char *kv, const char *const *keys, size_t nkeys) {
    for (size_t j = 0; j < nkeys; j++) {
        size_t len = strlen(keys[j]);
        if (strncmp(kv, keys[j], len) == 0 && kv[len] == '=') return 1;
    }
    return 0;
}

/* The settings of the chosen group's point but the unknowns (whose values
** are the group's first and stand for all of them). None when the point
** cannot be named. */
void cli_best_settings(const lab_sweep_spec *spec, const char *const *over, size_t nover,
                       cli_best_worst *w) {
    const char *kv[CLI_BEST_KV_MAX];
    size_t nswept = spec->ngrid + spec->nrnd;
    w->nkv = 0;
    if (nswept > CLI_BEST_KV_MAX ||
        lab_sweep_point(spec, w->pick->group, w->buf, sizeof w->buf, kv))
        return;
    for (size_t i = 0; i < nswept; i++)
        if (!has_key(kv[i], over, nover)) w->kv[w->nkv++] = kv[i];
}

int cli_best_worst_case(const lab_sweep_spec *spec, const lab_sweep_pset *psets,
                        size_t npsets, const char *const *over, size_t nover,
                        double min_cov, cli_best_worst *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->best_cov = -1;
    if (lab_sweep_ranges(spec, psets, npsets, over, nover, &out->ranges, &out->nranges, err,
                         errlen))
        return -1;
    for (size_t i = 0; i < out->nranges; i++) {
        const lab_sweep_range *g = &out->ranges[i];
        if (g->cov_min > out->best_cov) out->best_cov = g->cov_min;
        if (g->cov_min >= min_cov && (!out->pick || g->cost_max < out->pick->cost_max))
            out->pick = g;
    }
    if (out->pick) cli_best_settings(spec, over, nover, out);
    return 0;
}

void cli_best_worst_free(cli_best_worst *w) {
    free(w->ranges);
    w->ranges = NULL;
    w->pick = NULL;
}
