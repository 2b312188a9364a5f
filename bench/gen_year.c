/*
** gen_year.c: writes the one-year benchmark scenario into DIR: 4 spot pools
** whose prices change about every 5 minutes (a mean-reverting walk around
** 30 % of on-demand with rare spikes above the max price), a fleet of
** TargetCapacity 400 in 4-unit instances (~100 instances), the controller
** every minute. Same bytes on every run.
**
** usage: gen_year DIR [DAYS]   (default 365)
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t x = 0x9e3779b97f4a7c15ULL;
static double unit(void) { /* xorshift64*, [0,1) */
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    return (double)((x * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: gen_year DIR [DAYS [INSTANCES]]\n");
        return 2;
    }
    long days = argc >= 3 ? strtol(argv[2], NULL, 10) : 365;
    long instances = argc >= 4 ? strtol(argv[3], NULL, 10) : 100;
    if (days < 1 || instances < 1) {
        fprintf(stderr, "gen_year: DAYS and INSTANCES must be positive\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/prices.csv", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char *types[] = {"c4.xlarge", "c4.2xlarge", "m4.xlarge", "m4.2xlarge"};
    static const double od[] = {0.199, 0.398, 0.239, 0.479};
    const int64_t start = 1451606400; /* 2016-01-01 */
    const int64_t end = start + days * 86400LL;
    fprintf(f, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n");
    double p[4];
    int64_t next[4];
    for (int i = 0; i < 4; i++) p[i] = 0.3 * od[i], next[i] = start;
    for (;;) {
        int k = 0;
        for (int i = 1; i < 4; i++)
            if (next[i] < next[k]) k = i;
        if (next[k] >= end) break;
        double base = 0.3 * od[k];
        p[k] += 0.2 * (base - p[k]) + 0.03 * od[k] * (unit() - 0.5);
        double shown = unit() < 0.002 ? 2 * od[k] : p[k]; /* rare spike */
        if (shown < 0.05 * od[k]) shown = 0.05 * od[k];
        fprintf(f, "%lld,%s,us-east-1%c,%.6f\n", (long long)next[k], types[k], 'a' + k, shown);
        next[k] += 240 + (int64_t)(unit() * 120); /* every ~5 minutes */
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/scenario.json", argv[1]);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "{\"name\": \"bench-year\", \"mode\": \"model\", \"seed\": 1,\n"
               " \"start\": %lld, \"end\": %lld, \"billing\": \"per-second\",\n"
               " \"fleet\": {\"TargetCapacity\": %ld, \"AllocationStrategy\": \"diversified\",\n"
               "  \"LaunchSpecifications\": [\n", (long long)start, (long long)end, 4 * instances);
    for (int i = 0; i < 4; i++)
        fprintf(f, "   {\"InstanceType\": \"%s\", \"AvailabilityZone\": \"us-east-1%c\", "
                   "\"WeightedCapacity\": 4, \"SpotPrice\": %.6f, \"OnDemandPrice\": %.3f}%s\n",
                types[i], 'a' + i, od[i] / 4, od[i], i < 3 ? "," : "");
    fprintf(f, "  ]},\n \"traces\": {\"prices\": \"prices.csv\"},\n"
               " \"cloudwatch\": {\"IngestionDelay\": 0},\n"
               " \"controller\": {\"policy\": \"classic\"},\n"
               " \"asg\": {\"InstanceType\": \"c3.xlarge\", \"WeightedCapacity\": 4, "
               "\"OnDemandPrice\": 0.21, \"MaxSize\": %ld, \"DefaultCooldown\": 2700}}\n",
            2 * instances);
    fclose(f);
    return 0;
}
