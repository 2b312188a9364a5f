/*
** gen_obs.c: writes N policy-eval observations of a 10-minute window (the
** classic policy's lookback) to standard output, for `make bench`. The
** fleet's TargetCapacity and PendingCapacity follow a fixed pseudo-random
** walk, so every run writes the same bytes.
**
** usage: gen_obs N
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    uint64_t x = 88172645463325252ULL; /* xorshift64 state */
    int64_t now = 1488369600;
    double target[11], pending[11];
    for (int i = 0; i < 11; i++) target[i] = 32, pending[i] = 0;
    for (long k = 0; k < n; k++, now += 60) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (int i = 0; i < 10; i++) target[i] = target[i + 1], pending[i] = pending[i + 1];
        target[10] = (x % 97 == 0) ? 32 + (double)(x % 5) * 8 : target[9];
        pending[10] = (x % 11 < 3) ? (double)(x % 33) : 0;
        printf("{\"now\": %lld, \"metrics\": {\"TargetCapacity\": [", (long long)now);
        for (int i = 0; i < 10; i++)
            printf("%s[%lld, %g]", i ? ", " : "", (long long)(now - 600 + 60 * i), target[i]);
        printf("], \"PendingCapacity\": [");
        for (int i = 0; i < 10; i++)
            printf("%s[%lld, %g]", i ? ", " : "", (long long)(now - 600 + 60 * i), pending[i]);
        printf("]}, \"asg\": {\"DesiredCapacity\": %d, \"MinSize\": 0, "
               "\"MaxSize\": 200, \"InService\": 0}}\n",
               (int)(x % 9));
    }
    return 0;
}
