/*
** cases.c: the cases of a suite (a scenario file, one case's folder, or a
** folder of them, as traces/scenarios lays them out) and one regression
** case run against its bounds.json (regress.h): the settings checked under
** lab.h's rule, each entry's run stored, its checks and the bounds updated.
*/
#include "lab/regress.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/lab.h"
#include "store/store.h"

/* ---- suites --------------------------------------------------------------- */

void lab_suite_free(lab_suite *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->name[i]);
        free(s->path[i]);
    }
    free(s->name);
    free(s->path);
    memset(s, 0, sizeof *s);
}

static int add(lab_suite *s, const char *name, const char *path) {
    char **n = realloc(s->name, (s->n + 1) * sizeof *n);
    if (n) s->name = n;
    char **p = realloc(s->path, (s->n + 1) * sizeof *p);
    if (p) s->path = p;
    if (!n || !p) return -1;
    s->name[s->n] = strdup(name);
    s->path[s->n] = strdup(path);
    if (!s->name[s->n] || !s->path[s->n]) {
        free(s->name[s->n]);
        free(s->path[s->n]);
        return -1;
    }
    s->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* The last component of `path` (trailing slashes ignored), into buf. */
static const char *last_name(const char *path, char *buf, size_t len) {
    snprintf(buf, len, "%s", path);
    size_t l = strlen(buf);
    while (l > 1 && buf[l - 1] == '/') buf[--l] = '\0';
    const char *slash = strrchr(buf, '/');
    return slash ? slash + 1 : buf;
}

/* The subfolders of dir that hold a scenario.json, sorted, into s. */
static int add_folder(lab_suite *s, const char *dir, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read the folder", dir);
        return LAB_BADINPUT;
    }
    char **names = NULL;
    size_t nn = 0;
    int rc = LAB_OK;
    for (struct dirent *e; (e = readdir(d));) {
        char sp[4096];
        if (e->d_name[0] == '.') continue;
        if ((size_t)snprintf(sp, sizeof sp, "%s/%s/scenario.json", dir, e->d_name) >=
                sizeof sp ||
            !is_file(sp))
            continue;
        char **v = realloc(names, (nn + 1) * sizeof *v);
        if (v) names = v;
        if (!v || !(names[nn] = strdup(e->d_name))) {
            rc = LAB_FAIL;
            break;
        }
        nn++;
    }
    closedir(d);
    if (names) qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        char sp[4096];
        snprintf(sp, sizeof sp, "%s/%s/scenario.json", dir, names[i]);
        if (rc == LAB_OK && add(s, names[i], sp)) rc = LAB_FAIL;
        free(names[i]);
    }
    free(names);
    if (rc == LAB_FAIL) snprintf(err, errlen, "out of memory");
    return rc;
}

int lab_suite_load(const char *path, lab_suite *s, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    struct stat st;
    char buf[4096], sp[4200];
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: no such file or folder", path);
        return LAB_BADINPUT;
    }
    int rc = LAB_OK;
    snprintf(sp, sizeof sp, "%s/scenario.json", path);
    if (!S_ISDIR(st.st_mode)) {
        /* One scenario: named after its folder (traces/scenarios/X/...). */
        snprintf(buf, sizeof buf, "%s", path);
        char *slash = strrchr(buf, '/');
        const char *name = buf;
        if (slash) {
            *slash = '\0';
            char *up = strrchr(buf, '/');
            name = up ? up + 1 : buf;
        }
        if (add(s, name, path)) rc = LAB_FAIL;
    } else if (is_file(sp)) {
        /* Named by its last component; the path without trailing slashes. */
        const char *name = last_name(path, buf, sizeof buf);
        snprintf(sp, sizeof sp, "%.*s/scenario.json", (int)(name - buf + strlen(name)), buf);
        if (add(s, name, sp)) rc = LAB_FAIL;
    } else {
        rc = add_folder(s, path, err, errlen);
    }
    if (rc == LAB_FAIL) snprintf(err, errlen, "out of memory");
    if (rc) lab_suite_free(s);
    return rc;
}

/* ---- one regression case --------------------------------------------------- */

static int is_only(const lab_regress_req *req, const pol_policy *pol) {
    for (size_t i = 0; i < req->nonly; i++)
        if (req->only[i] == pol) return 1;
    return req->nonly == 0;
}

/* The --set strings checked once for the case: the rule over the chosen
** policies (--policy, or the entries' own), every value for each of them,
** and the fields on the scenario as it is, so a bad one is the user's input
** said as every command says it, whichever entries run. */
static int check_sets(const char *spath, const lab_bounds *b, const lab_regress_req *req,
                      lab_sets *split, char *err, size_t errlen) {
    const pol_policy *chosen[LAB_BOUNDS_MAX];
    size_t nchosen = 0;
    for (size_t k = 0; k < b->npolicies; k++)
        if (is_only(req, b->p[k].pol)) chosen[nchosen++] = b->p[k].pol;
    const pol_policy *const *pols = req->nonly ? req->only : chosen;
    size_t npols = req->nonly ? req->nonly : nchosen;
    if (lab_sets_split(pols, npols, req->sets, req->nsets, split, err, errlen)) return -1;
    for (size_t k = 0; k < npols; k++) {
        pol_params d;
        pol_params_default(pols[k], &d);
        if (lab_sets_params(pols[k], split, &d, err, errlen)) return -1;
    }
    sim_scenario sc;
    if (split->nfield == 0) return 0;
    if (sim_scenario_load(spath, split->field, split->nfield, &sc, err, errlen)) return -1;
    sim_scenario_free(&sc);
    return 0;
}

/* One entry's run: its parameters (the scenario's, the entry's, then
** --set) and scenario overrides (the entry's, then --set); stored, then
** checked. */
static int run_entry(struct st_db *db, const char *name, const char *spath,
                     lab_policy_bounds *pb, const lab_sets *ls, const lab_regress_req *req,
                     lab_regress_run *out, char *err, size_t errlen) {
    const char *sets[LAB_BOUNDS_SETS + POL_MAX_PARAMS + 2 * LAB_MAX_SETS + 1];
    size_t nss = 0, nall;
    for (size_t i = 0; i < pb->nsets; i++) sets[nss++] = pb->sets[i];
    for (size_t i = 0; i < ls->nfield; i++) sets[nss++] = ls->field[i];
    if (req->seed) sets[nss++] = req->seed;
    sim_scenario sc;
    char e[512];
    if (sim_scenario_load(spath, sets, nss, &sc, e, sizeof e)) {
        snprintf(err, errlen, "%s (run %s of case %s)", e, pb->label, name);
        return LAB_BADINPUT;
    }
    pol_params params;
    sim_scenario_params(&sc, pb->pol, &params);
    nall = nss;
    int rc = LAB_BADINPUT;
    for (size_t i = 0; i < pb->nparams; i++) {
        const char *kv = pb->params[i], *eq = strchr(kv, '=');
        char key[64], msg[200];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        if (pol_param_set(pb->pol, &params, key, eq + 1, msg, sizeof msg)) {
            snprintf(err, errlen, "%s: %s", kv, msg);
            goto out;
        }
        sets[nall++] = kv;
    }
    if (lab_sets_params(pb->pol, ls, &params, err, errlen) ||
        lab_run_check(&sc, pb->pol, &params, ls->param, ls->nparam, err, errlen))
        goto out;
    nall += lab_sets_for(pb->pol, ls->param, ls->nparam, sets + nall);
    sim_result res;
    rc = LAB_FAIL;
    if (lab_run_store(db, &sc, pb->pol, &params, sets, nall, 0, req->tool_version, &res,
                      &out->run_id, err, errlen))
        goto out;
    if (req->update) lab_bounds_update(pb, &res, req->update == LAB_UPDATE_WIDEN);
    snprintf(out->label, sizeof out->label, "%s", pb->label);
    out->pol = pb->pol;
    out->nchecks = lab_bounds_check(pb, &res, out->check);
    rc = LAB_OK;
out:
    sim_scenario_free(&sc);
    return rc;
}

int lab_regress_case(struct st_db *db, const char *name, const char *folder,
                     const lab_regress_req *req, lab_regress_result *out, char *err,
                     size_t errlen) {
    char spath[4200], bpath[4200];
    snprintf(spath, sizeof spath, "%s/scenario.json", folder);
    snprintf(bpath, sizeof bpath, "%s/bounds.json", folder);
    memset(out, 0, sizeof *out);
    lab_bounds b;
    if (!is_file(bpath)) {
        if (!req->update) {
            out->skipped = 1;
            return LAB_OK;
        }
        memset(&b, 0, sizeof b);
        snprintf(b.p[0].label, sizeof b.p[0].label, "classic");
        b.p[0].pol = pol_find("classic");
        snprintf(b.p[1].label, sizeof b.p[1].label, "guarded");
        b.p[1].pol = pol_find("guarded");
        b.npolicies = 2;
    } else if (lab_bounds_load(bpath, &b, err, errlen)) {
        return LAB_BADINPUT;
    }
    lab_sets split;
    int rc = check_sets(spath, &b, req, &split, err, errlen) ? LAB_BADINPUT : LAB_OK;
    for (size_t k = 0; k < b.npolicies && rc == LAB_OK; k++)
        if (is_only(req, b.p[k].pol))
            rc = run_entry(db, name, spath, &b.p[k], &split, req, &out->run[out->nruns++], err,
                           errlen);
    if (rc == LAB_OK && req->update && lab_bounds_write(bpath, &b, err, errlen)) rc = LAB_FAIL;
    lab_bounds_free(&b);
    return rc;
}
