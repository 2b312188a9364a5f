/*
** pool.c: the runs of a sweep on forked worker processes, each storing its
** own runs (the why is in lab/sweep.h), and the check of a spec before any
** of them runs. A run is the sweep's fixed --set strings plus its point's
** swept keys, split into parameters and fields by lab.h's one rule.
*/
#define _DEFAULT_SOURCE /* prctl's PR_SET_PDEATHSIG is Linux's */
#include "lab/sweep.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/polspec.h"
#include "sim/sim.h"
#include "store/sweeptab.h"
#include "traces/traces.h"

#define POINT_BUF 4096

/* ---- one run: its scenario, parameters and --set strings ---------------- */

/* What a run is made of. Strings point into buf or into the spec. */
typedef struct {
    char buf[POINT_BUF];
    const char *kv[LAB_MAX_SETS]; /* fixed sets, then the point's */
    size_t nkv, nfixed;
    lab_sets s;                   /* kv split under lab.h's rule */
} run_parts;

static int split_run(const lab_sweep_spec *spec, const pol_policy *pol,
                     size_t point, run_parts *rp, char *err, size_t errlen) {
    size_t nswept = spec->ngrid + spec->nrnd;
    if (spec->nsets + nswept > LAB_MAX_SETS) {
        snprintf(err, errlen, "more than %d --set, --grid and --random keys", LAB_MAX_SETS);
        return -1;
    }
    rp->nkv = 0;
    for (size_t i = 0; i < spec->nsets; i++) rp->kv[rp->nkv++] = spec->sets[i];
    rp->nfixed = rp->nkv;
    if (lab_sweep_point(spec, point, rp->buf, sizeof rp->buf, rp->kv + rp->nkv)) {
        snprintf(err, errlen, "point %zu: out of range or too long", point);
        return -1;
    }
    rp->nkv += nswept;
    return lab_sets_split(&pol, 1, rp->kv, rp->nkv, &rp->s, err, errlen);
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
        char key[2 * LAB_SWEEP_KEY_MAX], val[600];
        char raw[LAB_SWEEP_KEY_MAX];
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

/* The point of the grid with axis `axis` at value `v` and every other
** axis at its first value (sample 0). */
static size_t axis_point(const lab_sweep_spec *spec, size_t axis, size_t v) {
    size_t stride = spec->nrnd ? spec->samples : 1;
    for (size_t i = spec->ngrid; i-- > axis + 1;) stride *= spec->grid[i].nvalues;
    return v * stride;
}

static int check_with(const lab_sweep_spec *spec, int sparse, char *err, size_t errlen);
static int check_spec(const lab_sweep_spec *spec, const pol_policy *pol, int sparse, char *err,
                      size_t errlen);

int lab_sweep_check(const lab_sweep_spec *spec, char *err, size_t errlen) {
    return check_with(spec, 0, err, errlen);
}

int lab_sweep_check_sparse(const lab_sweep_spec *spec, char *err, size_t errlen) {
    return check_with(spec, 1, err, errlen);
}

/* Opens the spec's policy (a built-in, a variant, an external or loaded
** one) for the checks, and closes it. */
static int check_with(const lab_sweep_spec *spec, int sparse, char *err, size_t errlen) {
    const pol_policy *pol = NULL;
    if (!spec->policy) {
        snprintf(err, errlen, "--policy (none): unknown policy (see 'spotbench policy list')");
        return -1;
    }
    /* The size first: the checks below visit every point (sparse: every
    ** value of every axis, the others at their first). */
    if (!sparse && lab_sweep_check_size(spec, err, errlen)) return -1;
    if (lab_policy_open(spec->policy, &pol, err, errlen) != LAB_OK) return -1;
    int rc = check_spec(spec, pol, sparse, err, errlen);
    lab_policy_close(pol);
    return rc;
}

static int check_spec(const lab_sweep_spec *spec, const pol_policy *pol, int sparse, char *err,
                      size_t errlen) {
    size_t np = lab_sweep_npoints(spec);
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
    for (size_t p = 0; !sparse && p < np && rc == 0; p++) {
        pol_params pp = defaults;
        rc = split_run(spec, pol, p, rp, err, errlen) ||
             lab_sets_params(pol, &rp->s, &pp, err, errlen);
    }
    for (size_t a = 0; sparse && a < spec->ngrid && rc == 0; a++)
        for (size_t v = 0; v < spec->grid[a].nvalues && rc == 0; v++) {
            pol_params pp = defaults;
            rc = split_run(spec, pol, axis_point(spec, a, v), rp, err, errlen) ||
                 lab_sets_params(pol, &rp->s, &pp, err, errlen);
        }
    size_t ends[2] = {0, np - 1};
    for (size_t s = 0; s < spec->nscenarios && rc == 0; s++)
        for (int k = 0; k < 2 && rc == 0; k++) {
            sim_scenario sc;
            if (split_run(spec, pol, ends[k], rp, err, errlen)) {
                rc = -1;
                break;
            }
            if (sim_scenario_load_cached(spec->scenarios[s], rp->s.field, rp->s.nfield,
                                         cache, &sc, err, errlen)) {
                rc = -1;
                break;
            }
            /* The run's own checks at both ends, as a worker makes them. */
            pol_params pp;
            sim_scenario_params(&sc, pol, &pp);
            if (lab_sets_params(pol, &rp->s, &pp, err, errlen) ||
                lab_run_check(&sc, pol, &pp, rp->s.param, rp->s.nparam, err, errlen))
                rc = -1;
            sim_scenario_free(&sc);
        }
    free(rp);
    sim_trace_cache_free(cache);
    return rc ? -1 : 0;
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

/* A worker's state: its connection, the scenario loaded last (a grid on
** policy parameters only runs each scenario many times as loaded) and the
** traces it has read (a grid on scenario fields loads the scenario again
** for each point, but reads its traces once). */
typedef struct {
    st_db *db;
    const lab_sweep_spec *spec;
    const pol_policy *pol;
    int64_t sweep_id;
    const char *tool_version;
    run_parts rp;
    sim_scenario sc;
    sim_trace_cache *cache;
    sim_hash_alg hash_alg; /* the sweep's (FNV-1a for one stored so) */
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
    for (size_t i = 0; i < rp->s.nfield && used < sizeof key; i++)
        used += (size_t)snprintf(key + used, sizeof key - used, "%s\n", rp->s.field[i]);
    if (!w->have_sc || w->sc_index != scen || strcmp(key, w->sc_key) != 0) {
        if (w->have_sc) sim_scenario_free(&w->sc);
        w->have_sc = 0;
        if (sim_scenario_load_hashed(w->spec->scenarios[scen], rp->s.field, rp->s.nfield,
                                     w->cache, w->hash_alg, &w->sc, err, errlen))
            return -1;
        w->have_sc = 1;
        w->sc_index = scen;
        memcpy(w->sc_key, key, sizeof key);
    }
    pol_params p;
    sim_scenario_params(&w->sc, w->pol, &p);
    if (lab_sets_params(w->pol, &rp->s, &p, err, errlen) ||
        lab_run_check(&w->sc, w->pol, &p, rp->s.param, rp->s.nparam, err, errlen))
        return -1;
    sim_result res;
    /* Simulate before taking the write lock: other workers store meanwhile. */
    if (sim_run(&w->sc, w->pol, &p, NULL, &res, err, errlen)) return -1;
    char params[512];
    point_json(rp, params, sizeof params);
    st_run_info info = {&w->sc, w->pol, &p, rp->kv, rp->nkv, w->tool_version, 0};
    int64_t run_id;
    if (st_run_begin(w->db, &info, &run_id, err, errlen)) return -1;
    int l = st_sweep_link(w->db, w->sweep_id, point, scen, run_id, params, err, errlen);
    if (l != 0) {
        st_run_rollback(w->db);
        return l > 0 ? 0 : -1;
    }
    return st_run_commit(w->db, &res, err, errlen);
}

/* The child's life: read run indices until EOF, report each. Never returns. */
static void worker_main(int id, int task_fd, int result_fd, const char *db_path,
                        int64_t sweep_id, const lab_sweep_spec *spec,
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
    /* The worker's own policy: an external one is a child of this worker. */
    if (lab_policy_open(spec->policy, &w->pol, m.err, sizeof m.err) != LAB_OK) {
        size_t r0;
        while (read(task_fd, &r0, sizeof r0) == (ssize_t)sizeof r0) {
            m.r = r0;
            m.status = -1;
            if (write(result_fd, &m, sizeof m) != (ssize_t)sizeof m) break;
        }
        free(w);
        _exit(1);
    }
    w->sweep_id = sweep_id;
    w->tool_version = tool_version;
    w->cache = sim_trace_cache_new(); /* NULL: every load reads */
    int open_rc = st_open(db_path, &w->db, m.err, sizeof m.err) ||
                  st_sweep_hash_alg(w->db, sweep_id, &w->hash_alg, m.err, sizeof m.err);
    size_t r;
    while (read(task_fd, &r, sizeof r) == (ssize_t)sizeof r) {
        m.r = r;
        m.status = open_rc ? -1 : do_run(w, r, m.err, sizeof m.err);
        if (write(result_fd, &m, sizeof m) != (ssize_t)sizeof m) break;
    }
    if (w->have_sc) sim_scenario_free(&w->sc);
    sim_trace_cache_free(w->cache);
    st_close(w->db);
    lab_policy_close(w->pol);
    free(w);
    _exit(0);
}

int lab_sweep_exec(const char *db_path, int64_t id, const lab_sweep_spec *spec,
                  const size_t *todo, size_t ntodo, int workers,
                  const char *tool_version, lab_sweep_progress progress,
                  void *ctx, char *err, size_t errlen) {
    if (ntodo == 0) return 0;
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
