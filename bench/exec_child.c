/*
** exec_child.c: the smallest external policy (docs/policies.md, "External
** policies"), for `make bench`: it reads no metric and answers every
** observation "none", so a year run through it costs the protocol and
** nothing else. The per-tick protocol overhead is its run's time less the
** built-in `none` policy's, over the run's invocations.
**
** usage: exec_child   (spotbench --policy exec:build/bench/exec_child)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        if (strstr(line, "\"type\": \"hello\"")) {
            puts("{\"type\": \"describe\", \"protocol\": 1, \"name\": \"none-c\", \"reads\": []}");
        } else if (strstr(line, "\"type\": \"lookback\"")) {
            puts("{\"type\": \"lookback\", \"seconds\": 0}");
        } else if (strstr(line, "\"type\": \"run\"")) {
            continue;
        } else {
            const char *now = strstr(line, "\"now\": ");
            if (!now) return 1;
            printf("{\"now\": %lld, \"action\": \"none\", \"reason\": \"\"}\n",
                   strtoll(now + 7, NULL, 10));
        }
        fflush(stdout);
    }
    return 0;
}
