/*
** sweep.c: sweep specs (grid axes, seeded random samples), their point
** order, their canonical JSON, and the Pareto front of cost vs coverage.
** See sweep.h for the contract.
*/
#include "lab/sweep.h"
#include "traces/rng.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies KEY of "KEY=REST" into key and returns REST, or NULL. */
static const char *split_key(const char *arg, char *key, char *err,
                             size_t errlen) {
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= LAB_SWEEP_KEY_MAX) {
        snprintf(err, errlen, "%s: expected KEY=VALUES", arg);
        return NULL;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    return eq + 1;
}

static int parse_num(const char *s, size_t len, double *out) {
    char b[64];
    if (len == 0 || len >= sizeof b) return -1;
    memcpy(b, s, len);
    b[len] = '\0';
    char *end;
    errno = 0;
    *out = strtod(b, &end);
    return (*end || errno || !isfinite(*out)) ? -1 : 0;
}

int lab_sweep_add_str(char ***list, size_t *n, const char *s, char *err,
                      size_t errlen) {
    /* Capacity doubles: it is the next power of two at or above *n, so it
    ** grows exactly when *n is 0 or a power of two. One realloc per item
    ** made a 90,000-value grid axis quadratic. */
    if ((*n & (*n - 1)) == 0) {
        char **l = realloc(*list, (*n ? 2 * *n : 1) * sizeof *l);
        if (!l) goto oom;
        *list = l;
    }
    char **l = *list;
    if (!(l[*n] = strdup(s))) goto oom;
    (*n)++;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* A grid axis has at most this many values: a typo in STEP should not
** allocate gigabytes. */
#define MAX_AXIS 100000

int lab_sweep_add_grid(lab_sweep_spec *spec, const char *arg, char *err,
                       size_t errlen) {
    lab_sweep_axis ax;
    memset(&ax, 0, sizeof ax);
    const char *v = split_key(arg, ax.key, err, errlen);
    if (!v) return -1;
    for (size_t i = 0; i < spec->ngrid; i++)
        if (strcmp(spec->grid[i].key, ax.key) == 0) {
            snprintf(err, errlen, "%s: '%s' is swept twice", arg, ax.key);
            return -1;
        }
    const char *c1 = strchr(v, ':');
    if (c1 && !strchr(v, ',')) {
        const char *c2 = strchr(c1 + 1, ':');
        double a, b, step;
        if (!c2 || parse_num(v, (size_t)(c1 - v), &a) ||
            parse_num(c1 + 1, (size_t)(c2 - c1 - 1), &b) ||
            parse_num(c2 + 1, strlen(c2 + 1), &step) || step <= 0 || b < a) {
            snprintf(err, errlen,
                     "%s: expected KEY=START:STOP:STEP with START <= STOP and "
                     "STEP > 0",
                     arg);
            return -1;
        }
        /* Each value is START + i*STEP, not a running sum: no drift. */
        double count = floor((b - a) / step + 1e-6) + 1;
        if (count > MAX_AXIS) {
            snprintf(err, errlen, "%s: more than %d values", arg, MAX_AXIS);
            return -1;
        }
        for (size_t i = 0; i < (size_t)count; i++) {
            char num[40];
            snprintf(num, sizeof num, "%.15g", a + (double)i * step);
            if (lab_sweep_add_str(&ax.values, &ax.nvalues, num, err, errlen))
                goto fail;
        }
    } else {
        const char *p = v;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            char one[256];
            if (len == 0 || len >= sizeof one) {
                snprintf(err, errlen, "%s: empty or too long value in the list",
                         arg);
                goto fail;
            }
            memcpy(one, p, len);
            one[len] = '\0';
            if (lab_sweep_add_str(&ax.values, &ax.nvalues, one, err, errlen))
                goto fail;
            if (!comma) break;
            p = comma + 1;
        }
    }
    lab_sweep_axis *g = realloc(spec->grid, (spec->ngrid + 1) * sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    spec->grid = g;
    g[spec->ngrid++] = ax;
    return 0;
fail:
    for (size_t i = 0; i < ax.nvalues; i++) free(ax.values[i]);
    free(ax.values);
    return -1;
}

static int is_int_text(const char *s, size_t len) {
    size_t i = (len && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == len) return 0;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

int lab_sweep_add_random(lab_sweep_spec *spec, const char *arg, char *err,
                         size_t errlen) {
    lab_sweep_random r;
    memset(&r, 0, sizeof r);
    const char *v = split_key(arg, r.key, err, errlen);
    if (!v) return -1;
    const char *c = strchr(v, ':');
    if (!c || parse_num(v, (size_t)(c - v), &r.lo) ||
        parse_num(c + 1, strlen(c + 1), &r.hi) || r.hi < r.lo) {
        snprintf(err, errlen, "%s: expected KEY=LO:HI with LO <= HI", arg);
        return -1;
    }
    r.integer = is_int_text(v, (size_t)(c - v)) && is_int_text(c + 1, strlen(c + 1));
    for (size_t i = 0; i < spec->nrnd; i++)
        if (strcmp(spec->rnd[i].key, r.key) == 0) goto twice;
    for (size_t i = 0; i < spec->ngrid; i++)
        if (strcmp(spec->grid[i].key, r.key) == 0) goto twice;
    lab_sweep_random *n = realloc(spec->rnd, (spec->nrnd + 1) * sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    spec->rnd = n;
    n[spec->nrnd++] = r;
    return 0;
twice:
    snprintf(err, errlen, "%s: '%s' is swept twice", arg, r.key);
    return -1;
}

static void free_list(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

void lab_sweep_spec_free(lab_sweep_spec *spec) {
    free(spec->policy);
    free_list(spec->scenarios, spec->nscenarios);
    free_list(spec->sets, spec->nsets);
    for (size_t i = 0; i < spec->ngrid; i++)
        free_list(spec->grid[i].values, spec->grid[i].nvalues);
    free(spec->grid);
    free(spec->rnd);
    memset(spec, 0, sizeof *spec);
}

/* a * b, or SIZE_MAX when it overflows (or either is SIZE_MAX). */
static size_t mul_sat(size_t a, size_t b) {
    if (a == SIZE_MAX || b == SIZE_MAX) return a && b ? SIZE_MAX : 0;
    if (a && b > SIZE_MAX / a) return SIZE_MAX;
    return a * b;
}

size_t lab_sweep_npoints(const lab_sweep_spec *spec) {
    size_t n = 1;
    for (size_t i = 0; i < spec->ngrid; i++) n = mul_sat(n, spec->grid[i].nvalues);
    if (spec->nrnd) n = mul_sat(n, spec->samples);
    return n;
}

int lab_sweep_check_size(const lab_sweep_spec *spec, char *err, size_t errlen) {
    if (spec->samples > LAB_SWEEP_MAX_RUNS) {
        snprintf(err, errlen, "--samples %zu: at most %d", spec->samples, LAB_SWEEP_MAX_RUNS);
        return -1;
    }
    size_t np = lab_sweep_npoints(spec);
    size_t runs = mul_sat(np, spec->nscenarios);
    if (runs <= LAB_SWEEP_MAX_RUNS) return 0;
    /* Name what makes it: the axes and samples, with their sizes. */
    size_t k = 0;
    k += (size_t)snprintf(err + k, errlen - k, "the sweep is too large: ");
    for (size_t i = 0; i < spec->ngrid && k < errlen; i++)
        k += (size_t)snprintf(err + k, errlen - k, "%s--grid %s (%zu values)", i ? " x " : "",
                              spec->grid[i].key, spec->grid[i].nvalues);
    if (spec->nrnd && k < errlen)
        k += (size_t)snprintf(err + k, errlen - k, "%s--samples %zu", spec->ngrid ? " x " : "",
                              spec->samples);
    if (k < errlen) {
        if (np == SIZE_MAX)
            k += (size_t)snprintf(err + k, errlen - k, " overflows a count");
        else
            k += (size_t)snprintf(err + k, errlen - k, " = %zu parameter sets", np);
    }
    if (k < errlen)
        snprintf(err + k, errlen - k, " x %zu scenario%s; at most %d runs", spec->nscenarios,
                 spec->nscenarios == 1 ? "" : "s", LAB_SWEEP_MAX_RUNS);
    return -1;
}

int lab_sweep_point(const lab_sweep_spec *spec, size_t p, char *buf,
                    size_t bufsize, const char **out) {
    if (p >= lab_sweep_npoints(spec)) return -1;
    size_t sample = 0, rest = p;
    if (spec->nrnd) {
        sample = rest % spec->samples;
        rest /= spec->samples;
    }
    size_t used = 0;
    /* The last axis varies fastest: peel indices from the end. */
    for (size_t k = spec->ngrid; k-- > 0;) {
        const lab_sweep_axis *ax = &spec->grid[k];
        size_t i = rest % ax->nvalues;
        rest /= ax->nvalues;
        int n = snprintf(buf + used, bufsize - used, "%s=%s", ax->key,
                         ax->values[i]);
        if (n < 0 || (size_t)n >= bufsize - used) return -1;
        out[k] = buf + used;
        used += (size_t)n + 1;
    }
    uint64_t st = spec->seed ^ ((uint64_t)(sample + 1) * 0xD1B54A32D192ED03ull);
    for (size_t k = 0; k < spec->nrnd; k++) {
        const lab_sweep_random *r = &spec->rnd[k];
        double u = (double)(trc_splitmix64(&st) >> 11) * 0x1.0p-53; /* per sample */
        int n;
        if (r->integer) {
            double v = r->lo + floor(u * (r->hi - r->lo + 1));
            if (v > r->hi) v = r->hi;
            n = snprintf(buf + used, bufsize - used, "%s=%.0f", r->key, v);
        } else {
            n = snprintf(buf + used, bufsize - used, "%s=%.6g", r->key,
                         r->lo + u * (r->hi - r->lo));
        }
        if (n < 0 || (size_t)n >= bufsize - used) return -1;
        out[spec->ngrid + k] = buf + used;
        used += (size_t)n + 1;
    }
    return 0;
}

int lab_sweep_group(const lab_sweep_spec *spec, const char *const *over, size_t nover,
                    size_t p, size_t *group, char *err, size_t errlen) {
    for (size_t j = 0; j < nover; j++) {
        size_t k = 0;
        while (k < spec->ngrid && strcmp(spec->grid[k].key, over[j]) != 0) k++;
        if (k == spec->ngrid) {
            snprintf(err, errlen, "%s: not a --grid axis of this sweep", over[j]);
            return -1;
        }
    }
    size_t sample = 0, rest = p;
    if (spec->nrnd) {
        sample = rest % spec->samples;
        rest /= spec->samples;
    }
    /* Peel the axes from the last (fastest), zero the unknowns, rebuild. */
    size_t digit[64], g = 0;
    if (spec->ngrid > 64) {
        snprintf(err, errlen, "more than 64 grid axes");
        return -1;
    }
    for (size_t k = spec->ngrid; k-- > 0;) {
        digit[k] = rest % spec->grid[k].nvalues;
        rest /= spec->grid[k].nvalues;
        for (size_t j = 0; j < nover; j++)
            if (strcmp(spec->grid[k].key, over[j]) == 0) digit[k] = 0;
    }
    for (size_t k = 0; k < spec->ngrid; k++) g = g * spec->grid[k].nvalues + digit[k];
    *group = spec->nrnd ? g * spec->samples + sample : g;
    return 0;
}

static cJSON *str_array(char **l, size_t n) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(l[i]));
    return a;
}

char *lab_sweep_spec_json(const lab_sweep_spec *spec) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)spec->seed);
    cJSON_AddStringToObject(o, "policy", spec->policy ? spec->policy : "");
    cJSON_AddItemToObject(o, "scenarios", str_array(spec->scenarios, spec->nscenarios));
    cJSON_AddItemToObject(o, "sets", str_array(spec->sets, spec->nsets));
    cJSON *g = cJSON_AddArrayToObject(o, "grid");
    for (size_t i = 0; g && i < spec->ngrid; i++) {
        cJSON *ax = cJSON_CreateObject();
        cJSON_AddStringToObject(ax, "key", spec->grid[i].key);
        cJSON_AddItemToObject(ax, "values",
                              str_array(spec->grid[i].values, spec->grid[i].nvalues));
        cJSON_AddItemToArray(g, ax);
    }
    cJSON *r = cJSON_AddArrayToObject(o, "random");
    for (size_t i = 0; r && i < spec->nrnd; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "key", spec->rnd[i].key);
        cJSON_AddNumberToObject(x, "lo", spec->rnd[i].lo);
        cJSON_AddNumberToObject(x, "hi", spec->rnd[i].hi);
        cJSON_AddBoolToObject(x, "integer", spec->rnd[i].integer);
        cJSON_AddItemToArray(r, x);
    }
    cJSON_AddNumberToObject(o, "samples", (double)spec->samples);
    cJSON_AddStringToObject(o, "seed", seed);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int json_strs(const cJSON *a, char ***l, size_t *n, char *err,
                     size_t errlen) {
    if (!cJSON_IsArray(a)) return -1;
    const cJSON *x;
    cJSON_ArrayForEach(x, a) {
        if (!cJSON_IsString(x) || lab_sweep_add_str(l, n, x->valuestring, err, errlen))
            return -1;
    }
    return 0;
}

int lab_sweep_spec_parse(const char *json, lab_sweep_spec *spec, char *err,
                         size_t errlen) {
    memset(spec, 0, sizeof *spec);
    cJSON *o = cJSON_Parse(json);
    const cJSON *x;
    err[0] = '\0';
    if (!o) goto bad;
    x = cJSON_GetObjectItemCaseSensitive(o, "policy");
    if (!cJSON_IsString(x) || !(spec->policy = strdup(x->valuestring))) goto bad;
    if (json_strs(cJSON_GetObjectItemCaseSensitive(o, "scenarios"), &spec->scenarios,
                  &spec->nscenarios, err, errlen) ||
        json_strs(cJSON_GetObjectItemCaseSensitive(o, "sets"), &spec->sets,
                  &spec->nsets, err, errlen))
        goto bad;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "grid");
    if (!cJSON_IsArray(g)) goto bad;
    cJSON_ArrayForEach(x, g) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "key");
        if (!cJSON_IsString(k) || strlen(k->valuestring) >= LAB_SWEEP_KEY_MAX) goto bad;
        lab_sweep_axis *a = realloc(spec->grid, (spec->ngrid + 1) * sizeof *a);
        if (!a) goto bad;
        spec->grid = a;
        memset(&a[spec->ngrid], 0, sizeof *a);
        strcpy(a[spec->ngrid].key, k->valuestring);
        spec->ngrid++;
        if (json_strs(cJSON_GetObjectItemCaseSensitive(x, "values"),
                      &a[spec->ngrid - 1].values, &a[spec->ngrid - 1].nvalues,
                      err, errlen))
            goto bad;
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "random");
    if (!cJSON_IsArray(r)) goto bad;
    cJSON_ArrayForEach(x, r) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "key");
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(x, "lo");
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(x, "hi");
        if (!cJSON_IsString(k) || strlen(k->valuestring) >= LAB_SWEEP_KEY_MAX ||
            !cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
            goto bad;
        lab_sweep_random *a = realloc(spec->rnd, (spec->nrnd + 1) * sizeof *a);
        if (!a) goto bad;
        spec->rnd = a;
        memset(&a[spec->nrnd], 0, sizeof *a);
        strcpy(a[spec->nrnd].key, k->valuestring);
        a[spec->nrnd].lo = lo->valuedouble;
        a[spec->nrnd].hi = hi->valuedouble;
        a[spec->nrnd].integer =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "integer"));
        spec->nrnd++;
    }
    x = cJSON_GetObjectItemCaseSensitive(o, "samples");
    /* A stored spec may come from a merged, untrusted database: the cast
    ** needs a number in range. */
    if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0) || x->valuedouble > LAB_SWEEP_MAX_RUNS ||
        x->valuedouble != floor(x->valuedouble))
        goto bad;
    spec->samples = (size_t)x->valuedouble;
    x = cJSON_GetObjectItemCaseSensitive(o, "seed");
    if (!cJSON_IsString(x)) goto bad;
    spec->seed = strtoull(x->valuestring, NULL, 10);
    cJSON_Delete(o);
    return 0;
bad:
    cJSON_Delete(o);
    lab_sweep_spec_free(spec);
    if (!err[0]) snprintf(err, errlen, "malformed sweep spec");
    return -1;
}

/* ---- Pareto front ------------------------------------------------------ */

/* qsort has no context argument: sort (cost, -coverage, index) triples. */
typedef struct {
    double cost, cov;
    size_t i;
} pareto_item;

static int pareto_cmp(const void *a, const void *b) {
    const pareto_item *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? -1 : 1;
    if (x->cov != y->cov) return x->cov > y->cov ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int lab_pareto(const double *cost, const double *cov, size_t n, int *front) {
    if (n == 0) return 0;
    pareto_item *it = malloc(n * sizeof *it);
    if (!it) return -1;
    for (size_t i = 0; i < n; i++) it[i] = (pareto_item){cost[i], cov[i], i};
    qsort(it, n, sizeof *it, pareto_cmp);
    /* In (cost up, coverage down) order a point is dominated exactly when
    ** an earlier one has at least its coverage, unless that one is equal. */
    double best_cov = -INFINITY, best_cost = 0;
    for (size_t k = 0; k < n; k++) {
        const pareto_item *p = &it[k];
        if (p->cov > best_cov) {
            best_cov = p->cov;
            best_cost = p->cost;
            front[p->i] = 1;
        } else {
            front[p->i] = p->cov == best_cov && p->cost == best_cost;
        }
    }
    free(it);
    return 0;
}

/* ---- seeds ---------------------------------------------------------------- */

int lab_sweep_seed_axis(const lab_sweep_spec *spec) {
    return spec->ngrid > 0 && spec->nrnd == 0 &&
           !strcmp(spec->grid[spec->ngrid - 1].key, "seed");
}

size_t lab_sweep_nseeds(const lab_sweep_spec *spec) {
    return lab_sweep_seed_axis(spec) ? spec->grid[spec->ngrid - 1].nvalues : 1;
}

int lab_sweep_add_seeds(lab_sweep_spec *spec, const uint64_t *seeds, size_t n, char *err,
                        size_t errlen) {
    for (size_t i = 0; i < spec->nsets; i++)
        if (!strncmp(spec->sets[i], "seed=", 5)) {
            snprintf(err, errlen, "--set %s: --seeds gives each run its seed", spec->sets[i]);
            return -1;
        }
    for (size_t k = 0; k < spec->ngrid; k++)
        if (!strcmp(spec->grid[k].key, "seed")) {
            snprintf(err, errlen, "seed: an axis of its own and --seeds; give one of them");
            return -1;
        }
    if (spec->nrnd) {
        snprintf(err, errlen, "--seeds: not with --random keys (the seeds are the last "
                              "axis, and random samples vary fastest)");
        return -1;
    }
    char axis[64 + LAB_MAX_SEED_AXIS * 21];
    size_t used = (size_t)snprintf(axis, sizeof axis, "seed=");
    for (size_t i = 0; i < n && used < sizeof axis; i++)
        used += (size_t)snprintf(axis + used, sizeof axis - used, "%s%llu", i ? "," : "",
                                 (unsigned long long)seeds[i]);
    if (n > LAB_MAX_SEED_AXIS || used >= sizeof axis) {
        snprintf(err, errlen, "--seeds: more than %d seeds", LAB_MAX_SEED_AXIS);
        return -1;
    }
    return lab_sweep_add_grid(spec, axis, err, errlen);
}

int lab_sweep_unknown_key(const char *key) {
    return strcmp(key, "seed") == 0 || strncmp(key, "cloudwatch.", 11) == 0 ||
           strcmp(key, "controller.Offset") == 0 || strcmp(key, "controller.Jitter") == 0;
}

int lab_sweep_all_unknown(const lab_sweep_spec *spec) {
    size_t varied = 0;
    for (size_t i = 0; i < spec->ngrid; i++) {
        if (strcmp(spec->grid[i].key, "seed") == 0) continue;
        if (!lab_sweep_unknown_key(spec->grid[i].key)) return 0;
        varied++;
    }
    for (size_t i = 0; i < spec->nrnd; i++) {
        if (!lab_sweep_unknown_key(spec->rnd[i].key)) return 0;
        varied++;
    }
    return varied > 0;
}

int lab_sweep_unknown_key_n(const char *key, size_t n) {
    char k[LAB_SWEEP_KEY_MAX];
    if (n >= sizeof k) return 0;
    memcpy(k, key, n);
    k[n] = '\0';
    return lab_sweep_unknown_key(k);
}
