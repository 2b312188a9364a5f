/*
** timefmt.c: ISO-8601 UTC timestamps <-> epoch seconds, without the C
** library's time zone state (timegm is not standard C, and mktime reads TZ).
*/
#include "traces.h"

#include <ctype.h>
#include <stdio.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
** days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* Reads exactly `n` digits at *s. */
static int digits(const char **s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i])) return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

int trc_time_parse(const char *s, int64_t *out) {
    int y, mo, d, h, mi, se;
    if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
        *s++ != '-' || digits(&s, 2, &d))
        return -1;
    if (*s != 'T' && *s != ' ') return -1;
    s++;
    if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
        *s++ != ':' || digits(&s, 2, &se))
        return -1;
    if (*s == '.') { /* fractional seconds are truncated */
        s++;
        if (!isdigit((unsigned char)*s)) return -1;
        while (isdigit((unsigned char)*s)) s++;
    }
    if (*s == 'Z') {
        s++;
    } else if (*s == '+' && s[1] == '0' && s[2] == '0' && s[3] == ':' &&
               s[4] == '0' && s[5] == '0') {
        s += 6;
    } else {
        return -1; /* a time must say it is UTC */
    }
    if (*s != '\0') return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || se > 59)
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

void trc_time_format(int64_t t, char *buf, size_t n) {
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    snprintf(buf, n, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y,
             (long long)m, (long long)d, (long long)(sec / 3600),
             (long long)(sec / 60 % 60), (long long)(sec % 60));
}
