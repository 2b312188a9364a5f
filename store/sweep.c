/*
** sweep.c: sweeps in the database (sweeps, sweep_runs) and the forked
** worker pool that runs them. The why of the design is in sweep.h.
*/
#define _DEFAULT_SOURCE /* prctl's PR_SET_PDEATHSIG is Linux's */
#include "store/sweep.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim.h"
#include "store/store_int.h"
#include "traces/traces.h"

#define MAX_KV 64    /* --set strings plus swept keys of one run */
#define POINT_BUF 4096

/* ---- one run: its scenario, parameters and --set strings ---------------- */

/* What a run is made of. Strings point into buf or into the spec. */
typedef struct {
    char buf[POINT_BUF];
    const char *kv[MAX_KV];  /* fixed sets, then the point's */
    size_t nkv, nfixed;
    const char *ssets[MAX_KV]; /* the scenario fields among kv */
    size_t nssets;
    const char *psets[MAX_KV]; /* the policy parameters among kv */
    size_t npsets;
} run_parts;

static int split_run(const sim_sweep_spec *spec, const pol_policy *pol,
                     size_t point, run_parts *rp, char *err, size_t errlen) {
    size_t nswept = spec->ngrid + spec->nrnd;
    if (spec->nsets + nswept > MAX_KV) {
        snprintf(err, errlen, "more than %d --set, --grid and --random keys", MAX_KV);
        return -1;
    }
    rp->nkv = rp->nssets = rp->npsets = 0;
    for (size_t i = 0; i < spec->nsets; i++) rp->kv[rp->nkv++] = spec->sets[i];
    rp->nfixed = rp->nkv;
    if (sim_sweep_point(spec, point, rp->buf, sizeof rp->buf, rp->kv + rp->nkv)) {
        snprintf(err, errlen, "point %zu: out of range or too long", point);
        return -1;
    }
    rp->nkv += nswept;
    for (size_t i = 0; i < rp->nkv; i++) {
        const char *eq = strchr(rp->kv[i], '=');
        char key[SIM_SWEEP_KEY_MAX];
        size_t len = eq ? (size_t)(eq - rp->kv[i]) : 0;
        if (!eq || len >= sizeof key) {
            snprintf(err, errlen, "%s: expected KEY=VALUE", rp->kv[i]);
            return -1;
        }
        memcpy(key, rp->kv[i], len);
        key[len] = '\0';
        if (pol_param_index(pol, key) >= 0) rp->psets[rp->npsets++] = rp->kv[i];
        else rp->ssets[rp->nssets++] = rp->kv[i];
    }
    return 0;
}

static int apply_params(const pol_policy *pol, const run_parts *rp,
                        pol_params *p, char *err, size_t errlen) {
    for (size_t i = 0; i < rp->npsets; i++) {
        const char *eq = strchr(rp->psets[i], '=');
        char key[SIM_SWEEP_KEY_MAX], e[200];
        memcpy(key, rp->psets[i], (size_t)(eq - rp->psets[i]));
        key[eq - rp->psets[i]] = '\0';
        if (pol_param_set(pol, p, key, eq + 1, e, sizeof e)) {
            snprintf(err, errlen, "%s: %s", rp->psets[i], e);
            return -1;
        }
    }
    return 0;
}

/* 1 when s is a JSON number as written (RFC 8259): strtod also reads
** "inf", "nan", hex and "+1", which JSON does not. */
static int json_number(const char *s) {
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return *s == '\0';
}

/* {"window": 600, "asg.DefaultCooldown": 300}: the swept keys; a value that
** is a JSON number is stored as one. */
static void point_json(const run_parts *rp, char *out, size_t outlen) {
    size_t used = 0;
    used += (size_t)snprintf(out, outlen, "{");
    for (size_t i = rp->nfixed; i < rp->nkv && used < outlen; i++) {
        const char *kv = rp->kv[i], *eq = strchr(kv, '=');
        char key[2 * SIM_SWEEP_KEY_MAX], val[600];
        char raw[SIM_SWEEP_KEY_MAX];
        memcpy(raw, kv, (size_t)(eq - kv));
        raw[eq - kv] = '\0';
        trc_json_escape(key, sizeof key, raw);
        if (json_number(eq + 1)) snprintf(val, sizeof val, "%s", eq + 1);
        else {
            char esc[560];
            trc_json_escape(esc, sizeof esc, eq + 1);
            snprintf(val, sizeof val, "\"%s\"", esc);
        }
        used += (size_t)snprintf(out + used, outlen - used, "%s\"%s\": %s",
                                 i > rp->nfixed ? ", " : "", key, val);
    }
    if (used < outlen) snprintf(out + used, outlen - used, "}");
}

int st_sweep_check(const sim_sweep_spec *spec, char *err, size_t errlen) {
    const pol_policy *pol = spec->policy ? pol_find(spec->policy) : NULL;
    if (!pol) {
        snprintf(err, errlen, "--policy %s: unknown policy (see 'spotbench policy list')",
                 spec->policy ? spec->policy : "(none)");
        return -1;
    }
    /* The size first: the checks below visit every point. */
    if (sim_sweep_check_size(spec, err, errlen)) return -1;
    size_t np = sim_sweep_npoints(spec);
    if (np == 0 || spec->nscenarios == 0) {
        snprintf(err, errlen, "the sweep has no %s",
                 spec->nscenarios ? "parameter sets" : "scenarios");
        return -1;
    }
    run_parts *rp = malloc(sizeof *rp);
    if (!rp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    pol_params defaults;
    pol_params_default(pol, &defaults);
    sim_trace_cache *cache = sim_trace_cache_new(); /* NULL: no cache */
    for (size_t p = 0; p < np && rc == 0; p++) {
        pol_params pp = defaults;
        rc = split_run(spec, pol, p, rp, err, errlen) ||
             apply_params(pol, rp, &pp, err, errlen);
    }
    size_t ends[2] = {0, np - 1};
    for (size_t s = 0; s < spec->nscenarios && rc == 0; s++)
        for (int k = 0; k < 2 && rc == 0; k++) {
            sim_scenario sc;
            if (split_run(spec, pol, ends[k], rp, err, errlen)) {
                rc = -1;
                break;
            }
            if (sim_scenario_load_cached(spec->scenarios[s], rp->ssets, rp->nssets, cache,
                                         &sc, err, errlen))
                rc = -1;
            else sim_scenario_free(&sc);
        }
    free(rp);
    sim_trace_cache_free(cache);
    return rc ? -1 : 0;
}

/* ---- the sweep tables ---------------------------------------------------- */

static int fail(st_db *db, char *err, size_t errlen, const char *what) {
    snprintf(err, errlen, "%s: %s: %s", st_path(db), what,
             sqlite3_errmsg(st_sqlite(db)));
    return -1;
}

int st_sweep_create(st_db *db, const sim_sweep_spec *spec,
                    const char *tool_version, int64_t *id, char *err,
                    size_t errlen) {
    char *json = sim_sweep_spec_json(spec);
    if (!json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char created[32];
    trc_time_format((int64_t)time(NULL), created, sizeof created);
    sqlite3_stmt *s;
    int rc = -1;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "INSERT INTO sweeps(created, policy, spec, points,"
                           " scenarios, tool_version) VALUES (?1,?2,?3,?4,?5,?6)",
                           -1, &s, NULL) != SQLITE_OK) {
        fail(db, err, errlen, "cannot store the sweep");
        free(json);
        return -1;
    }
    sqlite3_bind_text(s, 1, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, spec->policy, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, (int64_t)sim_sweep_npoints(spec));
    sqlite3_bind_int64(s, 5, (int64_t)spec->nscenarios);
    if (tool_version) sqlite3_bind_text(s, 6, tool_version, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 6);
    if (sqlite3_step(s) == SQLITE_DONE) {
        *id = sqlite3_last_insert_rowid(st_sqlite(db));
        rc = 0;
    } else {
        fail(db, err, errlen, "cannot store the sweep");
    }
    sqlite3_finalize(s);
    free(json);
    return rc;
}

int st_sweep_find(st_db *db, const sim_sweep_spec *spec, int64_t *id,
                  char *err, size_t errlen) {
    char *json = sim_sweep_spec_json(spec);
    if (!json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sqlite3_stmt *s;
    *id = 0;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT min(id) FROM sweeps WHERE spec = ?1", -1, &s,
                           NULL) != SQLITE_OK) {
        free(json);
        return fail(db, err, errlen, "cannot read the sweeps");
    }
    sqlite3_bind_text(s, 1, json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else fail(db, err, errlen, "cannot read the sweeps");
    sqlite3_finalize(s);
    free(json);
    return rc == SQLITE_ROW ? 0 : -1;
}

int st_sweep_load(st_db *db, int64_t id, sim_sweep_spec *spec, char *err,
                  size_t errlen) {
    memset(spec, 0, sizeof *spec);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db), "SELECT spec FROM sweeps WHERE id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(db, err, errlen, "cannot read the sweep");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int out = -1;
    if (rc == SQLITE_ROW) {
        char e[200];
        if (sim_sweep_spec_parse((const char *)sqlite3_column_text(s, 0), spec, e,
                                 sizeof e))
            snprintf(err, errlen, "%s: sweep %lld: %s", st_path(db), (long long)id, e);
        else out = 0;
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s: no sweep %lld", st_path(db), (long long)id);
    } else {
        fail(db, err, errlen, "cannot read the sweep");
    }
    sqlite3_finalize(s);
    return out;
}

int st_sweep_done(st_db *db, int64_t id, unsigned char *done, size_t n,
                  char *err, size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT point * (SELECT scenarios FROM sweeps WHERE id = ?1)"
                           " + scenario FROM sweep_runs WHERE sweep_id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_bind_int64(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t r = sqlite3_column_int64(s, 0);
        if (r >= 0 && (uint64_t)r < n) done[r] = 1;
    }
    if (rc != SQLITE_DONE) fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int st_sweep_rows(st_db *db, int64_t id, st_sweep_row **rows, size_t *n,
                  char *err, size_t errlen) {
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT w.point, w.scenario, w.run_id, w.params,"
                           " m.total_cost, m.coverage_pct FROM sweep_runs w"
                           " JOIN summaries m ON m.run_id = w.run_id"
                           " WHERE w.sweep_id = ?1 ORDER BY w.point, w.scenario",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_bind_int64(s, 1, id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            st_sweep_row *r = realloc(*rows, cap * sizeof *r);
            if (!r) {
                snprintf(err, errlen, "out of memory");
                goto bad;
            }
            *rows = r;
        }
        st_sweep_row *r = &(*rows)[(*n)++];
        r->point = (size_t)sqlite3_column_int64(s, 0);
        r->scenario = (size_t)sqlite3_column_int64(s, 1);
        r->run_id = sqlite3_column_int64(s, 2);
        snprintf(r->params, sizeof r->params, "%s",
                 (const char *)sqlite3_column_text(s, 3));
        r->cost = sqlite3_column_double(s, 4);
        r->coverage = sqlite3_column_double(s, 5);
    }
    if (rc != SQLITE_DONE) {
        fail(db, err, errlen, "cannot read the sweep's runs");
        goto bad;
    }
    sqlite3_finalize(s);
    return 0;
bad:
    sqlite3_finalize(s);
    free(*rows);
    *rows = NULL;
    *n = 0;
    return -1;
}

int st_sweep_aggregate(const st_sweep_row *rows, size_t n,
                       st_sweep_point **points, size_t *npoints) {
    *points = NULL;
    *npoints = 0;
    if (n == 0) return 0;
    st_sweep_point *p = malloc(n * sizeof *p);
    if (!p) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || p[k - 1].point != rows[i].point) {
            p[k].point = rows[i].point;
            snprintf(p[k].params, sizeof p[k].params, "%s", rows[i].params);
            p[k].nruns = 0;
            p[k].cost = 0;
            p[k].coverage = rows[i].coverage;
            k++;
        }
        st_sweep_point *q = &p[k - 1];
        q->nruns++;
        q->cost += rows[i].cost;
        if (rows[i].coverage < q->coverage) q->coverage = rows[i].coverage;
    }
    *points = p;
    *npoints = k;
    return 0;
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts point indices by (group, point). */
typedef struct {
    size_t group, i;
} grp_ix;

static int cmp_grp(const void *a, const void *b) {
    const grp_ix *x = a, *y = b;
    if (x->group != y->group) return (x->group > y->group) - (x->group < y->group);
    return (x->i > y->i) - (x->i < y->i);
}

int st_sweep_ranges(const sim_sweep_spec *spec, const st_sweep_point *pts, size_t npts,
                    const char *const *over, size_t nover, st_sweep_range **out,
                    size_t *nout, char *err, size_t errlen) {
    *out = NULL;
    *nout = 0;
    grp_ix *gi = malloc((npts + 1) * sizeof *gi);
    double *cs = malloc((npts + 1) * sizeof *cs), *vs = malloc((npts + 1) * sizeof *vs);
    st_sweep_range *r = malloc((npts + 1) * sizeof *r);
    int rc = -1;
    if (!gi || !cs || !vs || !r) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < npts; i++) {
        if (pts[i].nruns != spec->nscenarios) continue; /* incomplete */
        gi[m].i = i;
        if (sim_sweep_group(spec, over, nover, pts[i].point, &gi[m].group, err, errlen))
            goto out;
        m++;
    }
    qsort(gi, m, sizeof *gi, cmp_grp);
    size_t n = 0;
    for (size_t a = 0, b; a < m; a = b) {
        st_sweep_range *g = &r[n++];
        size_t k = 0;
        g->group = gi[a].group;
        g->worst_cost_point = g->worst_cov_point = pts[gi[a].i].point;
        double wc = -1, wv = 1e300;
        for (b = a; b < m && gi[b].group == gi[a].group; b++) {
            const st_sweep_point *q = &pts[gi[b].i];
            cs[k] = q->cost;
            vs[k] = q->coverage;
            k++;
            if (q->cost > wc) {
                wc = q->cost;
                g->worst_cost_point = q->point;
            }
            if (q->coverage < wv) {
                wv = q->coverage;
                g->worst_cov_point = q->point;
            }
        }
        qsort(cs, k, sizeof *cs, cmp_dbl);
        qsort(vs, k, sizeof *vs, cmp_dbl);
        g->npoints = k;
        g->cost_min = cs[0];
        g->cost_median = cs[(k - 1) / 2];
        g->cost_max = cs[k - 1];
        g->cov_min = vs[0];
        g->cov_median = vs[(k - 1) / 2];
        g->cov_max = vs[k - 1];
    }
    *out = r;
    *nout = n;
    r = NULL;
    rc = 0;
out:
    free(gi);
    free(cs);
    free(vs);
    free(r);
    return rc;
}

/* ---- workers ----------------------------------------------------------- */

/* What a worker reports for one run: fits in PIPE_BUF, so messages of
** several workers on one pipe never interleave. */
typedef struct {
    int worker;
    int status; /* 0 stored (or already stored), -1 failed */
    size_t r;
    char err[600];
} run_msg;

/* Links the open run to the sweep. Returns 1 when another process stored
** this (point, scenario) meanwhile (a resumed sweep racing a worker of the
** interrupted one), 0 when linked, -1 on failure. */
static int link_run(st_db *db, int64_t sweep_id, size_t point, size_t scen,
                    int64_t run_id, const char *params, char *err,
                    size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "INSERT INTO sweep_runs(sweep_id, point, scenario,"
                           " run_id, params) VALUES (?1,?2,?3,?4,?5)"
                           " ON CONFLICT(sweep_id, point, scenario) DO NOTHING",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(db, err, errlen, "cannot link the run to its sweep");
    sqlite3_bind_int64(s, 1, sweep_id);
    sqlite3_bind_int64(s, 2, (int64_t)point);
    sqlite3_bind_int64(s, 3, (int64_t)scen);
    sqlite3_bind_int64(s, 4, run_id);
    sqlite3_bind_text(s, 5, params, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int out = rc == SQLITE_DONE ? (sqlite3_changes(st_sqlite(db)) ? 0 : 1)
                                : fail(db, err, errlen, "cannot link the run to its sweep");
    sqlite3_finalize(s);
    return out;
}

/* A worker's state: its connection, the scenario loaded last (a grid on
** policy parameters only runs each scenario many times as loaded) and the
** traces it has read (a grid on scenario fields loads the scenario again
** for each point, but reads its traces once). */
typedef struct {
    st_db *db;
    const sim_sweep_spec *spec;
    const pol_policy *pol;
    int64_t sweep_id;
    const char *tool_version;
    run_parts rp;
    sim_scenario sc;
    sim_trace_cache *cache;
    int have_sc;
    size_t sc_index;
    char sc_key[POINT_BUF];
} worker;

static int do_run(worker *w, size_t r, char *err, size_t errlen) {
    size_t point = r / w->spec->nscenarios, scen = r % w->spec->nscenarios;
    run_parts *rp = &w->rp;
    if (split_run(w->spec, w->pol, point, rp, err, errlen)) return -1;
    char key[POINT_BUF];
    size_t used = 0;
    key[0] = '\0';
    for (size_t i = 0; i < rp->nssets && used < sizeof key; i++)
        used += (size_t)snprintf(key + used, sizeof key - used, "%s\n", rp->ssets[i]);
    if (!w->have_sc || w->sc_index != scen || strcmp(key, w->sc_key) != 0) {
        if (w->have_sc) sim_scenario_free(&w->sc);
        w->have_sc = 0;
        if (sim_scenario_load_cached(w->spec->scenarios[scen], rp->ssets, rp->nssets, w->cache,
                              &w->sc, err, errlen))
            return -1;
        w->have_sc = 1;
        w->sc_index = scen;
        memcpy(w->sc_key, key, sizeof key);
    }
    pol_params p;
    sim_scenario_params(&w->sc, w->pol, &p);
    if (apply_params(w->pol, rp, &p, err, errlen)) return -1;
    sim_result res;
    /* Simulate before taking the write lock: other workers store meanwhile. */
    if (sim_run(&w->sc, w->pol, &p, NULL, &res, err, errlen)) return -1;
    char params[512];
    point_json(rp, params, sizeof params);
    st_run_info info = {&w->sc, w->pol, &p, rp->kv, rp->nkv, w->tool_version, 0};
    int64_t run_id;
    if (st_run_begin(w->db, &info, &run_id, err, errlen)) return -1;
    int l = link_run(w->db, w->sweep_id, point, scen, run_id, params, err, errlen);
    if (l != 0) {
        st_run_rollback(w->db);
        return l > 0 ? 0 : -1;
    }
    return st_run_commit(w->db, &res, err, errlen);
}

/* The child's life: read run indices until EOF, report each. Never returns. */
static void worker_main(int id, int task_fd, int result_fd, const char *db_path,
                        int64_t sweep_id, const sim_sweep_spec *spec,
                        const char *tool_version, pid_t parent) {
    /* A worker must not outlive an interrupted sweep (kill -9 of the
    ** parent): it would keep storing runs a --resume is also storing. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    worker *w = calloc(1, sizeof *w);
    run_msg m;
    memset(&m, 0, sizeof m);
    m.worker = id;
    if (!w) _exit(1);
    w->spec = spec;
    w->pol = pol_find(spec->policy);
    w->sweep_id = sweep_id;
    w->tool_version = tool_version;
    w->cache = sim_trace_cache_new(); /* NULL: every load reads */
    int open_rc = st_open(db_path, &w->db, m.err, sizeof m.err);
    size_t r;
    while (read(task_fd, &r, sizeof r) == (ssize_t)sizeof r) {
        m.r = r;
        m.status = open_rc ? -1 : do_run(w, r, m.err, sizeof m.err);
        if (write(result_fd, &m, sizeof m) != (ssize_t)sizeof m) break;
    }
    if (w->have_sc) sim_scenario_free(&w->sc);
    sim_trace_cache_free(w->cache);
    st_close(w->db);
    free(w);
    _exit(0);
}

int st_sweep_exec(const char *db_path, int64_t id, const sim_sweep_spec *spec,
                  const size_t *todo, size_t ntodo, int workers,
                  const char *tool_version, st_sweep_progress progress,
                  void *ctx, char *err, size_t errlen) {
    if (ntodo == 0) return 0;
    if (!pol_find(spec->policy)) {
        snprintf(err, errlen, "unknown policy %s", spec->policy);
        return -1;
    }
    if (workers < 1) workers = 1;
    if ((size_t)workers > ntodo) workers = (int)ntodo;
    int *task = malloc((size_t)workers * sizeof *task);
    pid_t *pid = malloc((size_t)workers * sizeof *pid);
    int res[2] = {-1, -1};
    int nstarted = 0, rc = 0;
    err[0] = '\0';
    if (!task || !pid || pipe(res)) {
        snprintf(err, errlen, "cannot start workers: %s", strerror(errno));
        free(task);
        free(pid);
        return -1;
    }
    pid_t self = getpid();
    fflush(NULL); /* buffered output must not be written twice */
    /* A worker killed from outside makes the next task write fail with
    ** EPIPE; the default SIGPIPE would kill the caller instead. Blocked
    ** here, any pending one discarded at the end. */
    sigset_t pipe_set, old_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &old_mask);
    for (int i = 0; i < workers; i++) {
        int t[2];
        if (pipe(t)) {
            snprintf(err, errlen, "cannot start workers: %s", strerror(errno));
            rc = -1;
            break;
        }
        pid_t c = fork();
        if (c < 0) {
            snprintf(err, errlen, "cannot start workers: %s", strerror(errno));
            close(t[0]);
            close(t[1]);
            rc = -1;
            break;
        }
        if (c == 0) {
            close(t[1]);
            close(res[0]);
            for (int k = 0; k < nstarted; k++) close(task[k]);
            worker_main(i, t[0], res[1], db_path, id, spec, tool_version, self);
        }
        close(t[0]);
        task[i] = t[1];
        pid[i] = c;
        nstarted++;
    }
    close(res[1]);

    /* One run in flight per worker; a worker that reports gets the next. */
    size_t next = 0, done = 0, inflight = 0;
    for (int i = 0; i < nstarted && rc == 0; i++) {
        if (write(task[i], &todo[next], sizeof todo[next]) != (ssize_t)sizeof todo[next])
            break;
        next++;
        inflight++;
    }
    for (int i = 0; i < nstarted; i++)
        if (rc != 0 && task[i] >= 0) {
            close(task[i]);
            task[i] = -1;
        }
    while (inflight > 0) {
        run_msg m;
        ssize_t got = read(res[0], &m, sizeof m);
        if (got < 0 && errno == EINTR) continue;
        if (got != (ssize_t)sizeof m) {
            if (rc == 0)
                snprintf(err, errlen, "a sweep worker exited unexpectedly");
            rc = -1;
            break;
        }
        inflight--;
        done++;
        if (m.status != 0 && rc == 0) {
            size_t point = m.r / spec->nscenarios, scen = m.r % spec->nscenarios;
            snprintf(err, errlen, "point %zu, %s: %s", point,
                     spec->scenarios[scen], m.err);
            rc = -1;
        }
        if (progress) progress(ctx, done, ntodo);
        int w = m.worker;
        if (rc == 0 && next < ntodo && w >= 0 && w < nstarted && task[w] >= 0 &&
            write(task[w], &todo[next], sizeof todo[next]) == (ssize_t)sizeof todo[next]) {
            next++;
            inflight++;
        } else if (w >= 0 && w < nstarted && task[w] >= 0) {
            close(task[w]);
            task[w] = -1;
        }
    }
    for (int i = 0; i < nstarted; i++)
        if (task[i] >= 0) close(task[i]);
    close(res[0]);
    for (int i = 0; i < nstarted; i++) {
        int st;
        while (waitpid(pid[i], &st, 0) < 0 && errno == EINTR) {}
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {}
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    free(task);
    free(pid);
    return rc;
}
