/*
** text.c: small text helpers shared by the readers and the command line:
** the closest known word to a misspelt one ("did you mean ...?") and UTF-8
** validation.
*/
#include "traces/text.h"

#include <stdlib.h>
#include <string.h>

/* Optimal string alignment distance (Levenshtein plus transpositions of
** two neighbours), with a cap: returns cap + 1 as soon as the distance
** must exceed it. Words are short (option and field names). */
static size_t distance(const char *a, const char *b, size_t cap) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return cap + 1;
    if ((la > lb ? la - lb : lb - la) > cap) return cap + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t best = cap + 1;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best) best = v;
        }
        if (best > cap) return cap + 1;
    }
    return d[la][lb];
}

const char *trc_closest(const char *word, const char *const *cands, size_t n) {
    /* One slip in a short word, two in a longer one: "seed" is not "step". */
    size_t wl = strlen(word);
    size_t cap = wl >= 6 ? 2 : 1;
    const char *best = NULL;
    size_t bestd = cap + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i]) continue;
        size_t d = distance(word, cands[i], cap);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    return bestd == 0 ? NULL : best;
}

size_t trc_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n) return i;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF
        ** are not UTF-8. */
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
        i += len;
    }
    return n;
}

char *trc_utf8_clean(const char *s) {
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1); /* each bad byte grows to 3 */
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t ok = trc_utf8_valid(s + i, n - i);
        memcpy(out + k, s + i, ok);
        k += ok;
        i += ok;
        if (i < n) {
            memcpy(out + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i++;
        }
    }
    out[k] = '\0';
    return out;
}

/* The escape trc_esc writes for the character at s[0..n) (n >= 1), into
** e[0..12) with its length in *elen and the bytes it takes in *take; 0 when
** the character is copied as it is (*take bytes). */
static int esc_one(const unsigned char *s, size_t n, char e[12], size_t *elen, size_t *take) {
    static const char hex[] = "0123456789abcdef";
    unsigned c = s[0];
    *take = 1;
    if (c >= 0x20 && c < 0x7f) return 0;
    if (c == '\n' || c == '\r' || c == '\t') {
        e[0] = '\\';
        e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        *elen = 2;
        return 1;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (c >= 0x80 && len && len <= n && trc_utf8_valid((const char *)s, len) == len) {
        unsigned cp = c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len; k++) cp = (cp << 6) | (s[k] & 0x3F);
        *take = len;
        if (!((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
              (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)))
            return 0;
        memcpy(e, "\\u", 2);
        for (int k = 0; k < 4; k++) e[2 + k] = hex[(cp >> (12 - 4 * k)) & 0xF];
        *elen = 6;
        return 1;
    }
    /* C0, DEL, or a byte that is not UTF-8 */
    e[0] = '\\';
    e[1] = 'x';
    e[2] = hex[c >> 4];
    e[3] = hex[c & 0xF];
    *elen = 4;
    return 1;
}

size_t trc_esc(char *buf, size_t n, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), k = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i < len;) {
        char e[12];
        size_t elen, take;
        const char *piece;
        if (esc_one(p + i, len - i, e, &elen, &take)) {
            piece = e;
        } else {
            piece = s + i;
            elen = take;
        }
        if (k + elen >= n) break;
        memcpy(buf + k, piece, elen);
        k += elen;
        i += take;
    }
    buf[k] = '\0';
    return k;
}

char *trc_esc_dup(const char *s) {
    size_t n = 6 * strlen(s) + 1; /* no character grows more than 6 times */
    char *out = malloc(n);
    if (out) trc_esc(out, n, s);
    return out;
}

int trc_has_ctl(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        char e[12];
        size_t elen, take;
        if (esc_one(p + i, len - i, e, &elen, &take)) return 1;
        i += take;
    }
    return 0;
}
