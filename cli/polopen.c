/*
** polopen.c: the --policy options of a command opened (lab/polspec.h):
** built-ins, variants, loaded libraries and external processes alike, each
** label once in a table.
*/
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/polspec.h"

int cli_policies_open(const char *cmd, const char *const *specs, size_t n, int unique,
                      const pol_policy **out) {
    char err[2048];
    for (size_t i = 0; i < n; i++) {
        int rc = lab_policy_open(specs[i], &out[i], err, sizeof err);
        if (rc != LAB_OK) {
            cli_error("%s", err);
            cli_policies_close(out, i);
            return rc;
        }
        for (size_t k = 0; unique && k < i; k++) {
            const char *why = NULL;
            if (!strcmp(specs[k], specs[i])) why = "given twice";
            else if (!strcmp(pol_label(out[k]), pol_label(out[i]))) why = "label";
            if (!why) continue;
            /* The label first: closing a library unloads its strings. */
            char label[POL_SPEC_MAX];
            snprintf(label, sizeof label, "%s", pol_label(out[i]));
            cli_policies_close(out, i + 1);
            if (why[0] == 'g') return cli_usage(cmd, "--policy %s given twice", specs[i]);
            return cli_usage(cmd, "--policy %s: the label '%s' is --policy %s's already "
                             "(name each setting: SPEC@KEY=VALUE:LABEL, or SPEC@:LABEL)",
                             specs[i], label, specs[k]);
        }
    }
    return CLI_OK;
}

void cli_policies_close(const pol_policy **pols, size_t n) {
    for (size_t i = 0; i < n; i++) lab_policy_close(pols[i]);
}

int cli_live_policy_open(void *ctx, const char *spec, const pol_policy **out, char *err,
                         size_t errlen) {
    (void)ctx;
    char msg[2048];
    if (lab_policy_open(spec, out, msg, sizeof msg) == LAB_OK) return 0;
    /* "--policy SPEC: ..." is a command line's; a config names its key. */
    const char *m = strncmp(msg, "--policy ", 9) == 0 ? msg + 9 : msg;
    snprintf(err, errlen, "%s", m);
    return -1;
}
