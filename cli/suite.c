/*
** suite.c: the cases a command runs (compare, tune), as lab/cases.c finds
** them, with the command's messages; and durations as the tables print
** them.
*/
#include "cli.h"

#include "lab/regress.h"

int cli_suite_load(const char *path, lab_suite *s) {
    char err[1024];
    int rc = lab_suite_load(path, s, err, sizeof err);
    if (rc != CLI_OK) {
        cli_error("%s", err);
        return rc;
    }
    if (s->n == 0) {
        cli_error("%s: no case (a subfolder with a scenario.json) in the folder", path);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

void cli_duration(char *buf, size_t n, int64_t s) {
    if (s < 60) snprintf(buf, n, "%llds", (long long)s);
    else if (s < 3600) snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}
