/*
** notes.c: the notes of many runs (compare: every case, policy and seed;
** tune: its chosen point on every case; run --seeds), each said once. A
** run's notes are sim_notes' (held on missing data, no interruption, a
** span beyond the traces, a cost below the bound) and lab_note_fallback's
** (a fallback capacity that is not the fleet's). Over many runs of one case
** and policy a note of one kind is kept once, with the text of its
** weightiest run and on how many runs it came; notes of the same text on
** one case are one line naming every policy they concern.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/polspec.h"

/* The fallback note's kind, after sim_note_kind's. */
#define NOTE_FALLBACK 100

typedef struct {
    size_t c;          /* case, index into cases */
    const pol_policy *pol;
    int kind;
    double weight;     /* the weightiest run's */
    char text[sizeof(sim_note)];
    size_t hits;       /* runs with this note */
    int varied;        /* the runs' texts differ */
} entry;

typedef struct {
    size_t c;
    const pol_policy *pol;
    size_t runs;
} tally;

struct cli_notes {
    const char *unit;  /* "seeds", "runs" */
    unsigned omit;     /* bit k: notes of kind k are not kept */
    char (*cases)[64];
    size_t ncases, ccap;
    entry *e;
    size_t n, cap;
    tally *t;
    size_t nt, tcap;
    int oom;
    /* The policies of stored sweeps, opened here (notes point at them). */
    const pol_policy *owned[64];
    size_t nowned;
};

cli_notes *cli_notes_new(const char *unit) {
    cli_notes *n = calloc(1, sizeof *n);
    if (n) n->unit = unit;
    return n;
}

void cli_notes_omit(cli_notes *n, int kind) {
    if (n && kind >= 0 && kind < 32) n->omit |= 1u << kind;
}

void cli_notes_free(cli_notes *n) {
    if (!n) return;
    free(n->cases);
    free(n->e);
    free(n->t);
    cli_policies_close(n->owned, n->nowned);
    free(n);
}

/* Grows an array of `size`-byte items to hold one more; 0 or -1. */
static int grow(void **p, size_t n, size_t *cap, size_t size) {
    if (n < *cap) return 0;
    size_t nc = *cap ? 2 * *cap : 16;
    void *q = realloc(*p, nc * size);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static size_t case_of(cli_notes *n, const char *name) {
    for (size_t i = 0; i < n->ncases; i++)
        if (strcmp(n->cases[i], name) == 0) return i;
    if (grow((void **)&n->cases, n->ncases, &n->ccap, sizeof *n->cases)) {
        n->oom = 1;
        return SIZE_MAX;
    }
    snprintf(n->cases[n->ncases], sizeof n->cases[0], "%s", name);
    return n->ncases++;
}

static void add_note(cli_notes *n, size_t c, const pol_policy *pol, int kind, double weight,
                     const char *text) {
    for (size_t i = 0; i < n->n; i++) {
        entry *x = &n->e[i];
        if (x->c != c || x->pol != pol || x->kind != kind) continue;
        x->hits++;
        x->varied |= strcmp(x->text, text) != 0;
        if (weight > x->weight) {
            x->weight = weight;
            snprintf(x->text, sizeof x->text, "%s", text);
        }
        return;
    }
    if (grow((void **)&n->e, n->n, &n->cap, sizeof *n->e)) {
        n->oom = 1;
        return;
    }
    entry *x = &n->e[n->n++];
    memset(x, 0, sizeof *x);
    x->c = c;
    x->pol = pol;
    x->kind = kind;
    x->weight = weight;
    x->hits = 1;
    snprintf(x->text, sizeof x->text, "%s", text);
}

void cli_notes_add(cli_notes *n, const char *case_name, const sim_scenario *sc,
                   const pol_policy *pol, const pol_params *params, const sim_result *r) {
    if (!n) return;
    size_t c = case_of(n, case_name);
    if (c == SIZE_MAX) return;
    size_t t = 0;
    while (t < n->nt && !(n->t[t].c == c && n->t[t].pol == pol)) t++;
    if (t == n->nt) {
        if (grow((void **)&n->t, n->nt, &n->tcap, sizeof *n->t)) {
            n->oom = 1;
            return;
        }
        n->t[n->nt++] = (tally){c, pol, 0};
    }
    n->t[t].runs++;
    sim_note notes[8];
    int k = sim_notes(sc, pol, r, notes, 8);
    for (int i = 0; i < k; i++)
        if (!(n->omit >> notes[i].kind & 1))
            add_note(n, c, pol, notes[i].kind, notes[i].weight, notes[i].text);
    char fb[sizeof(sim_note)];
    if (params && lab_note_fallback(sc, pol, params, fb, sizeof fb)) {
        /* Its text starts with the scenario's path, which the case names. */
        size_t pl = strlen(sc->path);
        const char *text = !strncmp(fb, sc->path, pl) && !strncmp(fb + pl, ": ", 2)
                               ? fb + pl + 2 : fb;
        add_note(n, c, pol, NOTE_FALLBACK, 1, text);
    }
}

static size_t runs_of(const cli_notes *n, size_t c, const pol_policy *pol) {
    for (size_t t = 0; t < n->nt; t++)
        if (n->t[t].c == c && n->t[t].pol == pol) return n->t[t].runs;
    return 0;
}

/* Entry j says what entry i says (the same case, kind, text and count):
** one line for both. */
static int same_line(const cli_notes *n, size_t i, size_t j) {
    const entry *a = &n->e[i], *b = &n->e[j];
    return a->c == b->c && a->kind == b->kind && a->hits == b->hits &&
           runs_of(n, a->c, a->pol) == runs_of(n, b->c, b->pol) && !strcmp(a->text, b->text);
}

/* Entries in print order: by case (first seen first), then kind, then as
** added. */
static size_t *order(const cli_notes *n) {
    size_t *o = malloc((n->n + 1) * sizeof *o), k = 0;
    if (!o) return NULL;
    for (size_t c = 0; c < n->ncases; c++)
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < n->n; i++)
                if (n->e[i].c == c && (n->e[i].kind == NOTE_FALLBACK) == pass) o[k++] = i;
    return o;
}

/* Calls fn(ctx, first entry, its policies, count) for each line. */
static void each_line(const cli_notes *n,
                      void (*fn)(void *ctx, const entry *x, const char **pols, size_t npols,
                                 size_t runs),
                      void *ctx) {
    size_t *o = order(n);
    unsigned char *done = calloc(n->n + 1, 1);
    const char **pols = malloc((n->n + 1) * sizeof *pols);
    if (!o || !done || !pols) {
        free(o);
        free(done);
        free(pols);
        return;
    }
    for (size_t a = 0; a < n->n; a++) {
        size_t i = o[a];
        if (done[i]) continue;
        size_t np = 0;
        for (size_t b = a; b < n->n; b++) {
            size_t j = o[b];
            if (!done[j] && same_line(n, i, j)) {
                done[j] = 1;
                pols[np++] = pol_label(n->e[j].pol);
            }
        }
        fn(ctx, &n->e[i], pols, np, runs_of(n, n->e[i].c, n->e[i].pol));
    }
    free(o);
    free(done);
    free(pols);
}

typedef struct {
    const cli_notes *n;
    FILE *f;
} print_ctx;

static void print_line(void *ctx, const entry *x, const char **pols, size_t npols,
                       size_t runs) {
    print_ctx *p = ctx;
    fprintf(p->f, "note: %s, ", p->n->cases[x->c]);
    for (size_t i = 0; i < npols; i++) fprintf(p->f, "%s%s", i ? ", " : "", pols[i]);
    if (runs > 1)
        fprintf(p->f, " (at %zu of %zu %s%s)", x->hits, runs, p->n->unit,
                x->varied ? "; figures of the weightiest" : "");
    fprintf(p->f, ": %s\n", x->text);
}

void cli_notes_print(const cli_notes *n, FILE *f) {
    if (!n) return;
    print_ctx p = {n, f};
    each_line(n, print_line, &p);
    if (n->oom) fprintf(f, "note: out of memory: some notes are not shown\n");
}

static const char *kind_name(int kind) {
    switch (kind) {
    case SIM_NOTE_QUIET: return "no_interruption";
    case SIM_NOTE_HELD: return "held";
    case SIM_NOTE_EXTENDED: return "extended";
    case SIM_NOTE_BELOW: return "below_bound";
    case SIM_NOTE_BUG: return "bug";
    case SIM_NOTE_BLIND: return "no_events";
    case SIM_NOTE_NO_LAUNCH_FAILURES: return "no_launch_failures";
    case NOTE_FALLBACK: return "fallback_capacity";
    }
    return "other";
}

typedef struct {
    const cli_notes *n;
    cJSON *arr;
} json_ctx;

static void json_line(void *ctx, const entry *x, const char **pols, size_t npols,
                      size_t runs) {
    json_ctx *j = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "case", j->n->cases[x->c]);
    cJSON *p = cJSON_AddArrayToObject(o, "policies");
    for (size_t i = 0; i < npols; i++) cJSON_AddItemToArray(p, cJSON_CreateString(pols[i]));
    cJSON_AddStringToObject(o, "kind", kind_name(x->kind));
    cJSON_AddNumberToObject(o, "runs", (double)x->hits);
    cJSON_AddNumberToObject(o, "of", (double)runs);
    cJSON_AddStringToObject(o, "text", x->text);
    cJSON_AddItemToArray(j->arr, o);
}

cJSON *cli_notes_json(const cli_notes *n) {
    json_ctx j = {n, cJSON_CreateArray()};
    if (n) each_line(n, json_line, &j);
    return j.arr;
}

/* ---- the runs of stored sweeps ------------------------------------------ */

/* The notes of sweep `id`'s runs at `point` (SIZE_MAX: all). */
static int sweep_notes(cli_notes *n, st_db *db, int64_t id, size_t point,
                       const char *const *case_names, sim_trace_cache *cache, char *err,
                       size_t errlen) {
    lab_sweep_spec spec;
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    if (lab_sweep_load(db, id, &spec, err, errlen)) {
        lab_sweep_spec_free(&spec);
        return -1;
    }
    int rc = -1;
    size_t nswept = spec.ngrid + spec.nrnd;
    const pol_policy *pol = NULL;
    const char **kv = malloc((spec.nsets + nswept + 1) * sizeof *kv);
    char *buf = malloc(8192);
    if (!kv || !buf) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (st_sweep_rows(db, id, &rows, &nrows, err, errlen)) goto out;
    /* A point stands for its parameter set at every seed of a seed axis. */
    size_t ns = lab_sweep_nseeds(&spec);
    for (size_t i = 0; i < nrows; i++) {
        const st_sweep_row *w = &rows[i];
        if ((point != SIZE_MAX && w->point / ns != point / ns) || w->scenario >= spec.nscenarios)
            continue;
        for (size_t k = 0; k < spec.nsets; k++) kv[k] = spec.sets[k];
        if (lab_sweep_point(&spec, w->point, buf, 8192, kv + spec.nsets)) {
            snprintf(err, errlen, "sweep %lld: point %zu: cannot name its settings",
                     (long long)id, w->point);
            goto out;
        }
        if (!pol) {
            if (n->nowned == sizeof n->owned / sizeof n->owned[0]) {
                snprintf(err, errlen, "more than %zu sweeps", n->nowned);
                goto out;
            }
            if (lab_policy_open(spec.policy, &pol, err, errlen) != LAB_OK) goto out;
            n->owned[n->nowned++] = pol;
        }
        const pol_policy *pol_run = pol;
        sim_scenario sc;
        pol_params params;
        sim_result res;
        if (lab_load(spec.scenarios[w->scenario], &pol_run, kv, spec.nsets + nswept, cache,
                     &sc, &params, err, errlen))
            goto out;
        int bad = st_summary_get(db, w->run_id, &res, err, errlen);
        if (!bad)
            cli_notes_add(n, case_names ? case_names[w->scenario] : sc.name, &sc, pol_run,
                          &params, &res);
        sim_scenario_free(&sc);
        if (bad) goto out;
    }
    rc = 0;
out:
    free(rows);
    free(kv);
    free(buf);
    lab_sweep_spec_free(&spec);
    return rc;
}

int cli_notes_sweeps(cli_notes *n, const char *db_path, const int64_t *ids, size_t nids,
                     size_t point, const char *const *case_names, char *err, size_t errlen) {
    if (!n) return 0;
    st_db *db;
    if (st_open(db_path, &db, err, errlen)) return -1;
    sim_trace_cache *cache = sim_trace_cache_new(); /* NULL: every load reads */
    int rc = 0;
    for (size_t i = 0; i < nids && rc == 0; i++)
        rc = sweep_notes(n, db, ids[i], point, case_names, cache, err, errlen);
    sim_trace_cache_free(cache);
    st_close(db);
    return rc;
}

void cli_print_sweep_notes(const char *db_path, int64_t id, size_t point,
                           const char *const *case_names) {
    char err[1024];
    cli_notes *n = cli_notes_new("runs");
    /* tune's result line gives the regret over the cases where it is
    ** defined: a run below the bound covers less, as its coverage says. */
    cli_notes_omit(n, SIM_NOTE_BELOW);
    if (cli_notes_sweeps(n, db_path, &id, 1, point, case_names, err, sizeof err))
        cli_error("notes: %s", err);
    else
        cli_notes_print(n, stdout);
    cli_notes_free(n);
}
