/*
** gen_spot.c: writes N spot price records as one `aws ec2
** describe-spot-price-history --output json` document (the AWS CLI merges
** its pages into one array) to standard output, for `make bench`: 12 pools
** (4 instance types in 3 AZs), newest first, Linux/UNIX with one in eight
** records of another product, a price change every ~100 s per pool. A fixed
** pseudo-random walk, so every run writes the same bytes.
**
** usage: gen_spot N
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "traces/traces.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    static const char *const types[] = {"c4.large", "c4.xlarge", "m4.large",
                                        "m4.xlarge"};
    static const char *const azs[] = {"us-east-1a", "us-east-1b", "us-east-1d"};
    uint64_t x = 88172645463325252ULL; /* xorshift64 state */
    int64_t t = 1622400000;            /* 2021-05-30T18:40:00Z, going back */
    fputs("{\n    \"SpotPriceHistory\": [\n", stdout);
    for (long k = 0; k < n; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t -= (int64_t)(x % 17);
        char ts[32];
        trc_time_format(t, ts, sizeof ts);
        ts[19] = '\0'; /* the AWS CLI writes +00:00 for the Z */
        printf("%s        {\n"
               "            \"AvailabilityZone\": \"%s\",\n"
               "            \"InstanceType\": \"%s\",\n"
               "            \"ProductDescription\": \"%s\",\n"
               "            \"SpotPrice\": \"%.6f\",\n"
               "            \"Timestamp\": \"%s+00:00\"\n"
               "        }",
               k ? ",\n" : "", azs[x % 3], types[(x >> 8) % 4],
               (x >> 16) % 8 ? "Linux/UNIX" : "SUSE Linux",
               0.03 + (double)((x >> 24) % 500) / 10000, ts);
    }
    fputs("\n    ]\n}\n", stdout);
    return 0;
}
