/*
** text.h: small text helpers shared by the readers and the command line
** (text.c).
*/
#ifndef SPOTBENCH_TRACES_TEXT_H
#define SPOTBENCH_TRACES_TEXT_H

#include <stddef.h>

/* The candidate closest to `word` when it is a likely misspelling of it (one
** edit away for words under 6 characters, two for longer ones; a swap of two
** neighbours counts as one edit), else NULL. NULL entries are skipped; an
** exact match gives NULL (the word is not misspelt). */
const char *trc_closest(const char *word, const char *const *cands, size_t n);

/* The length of the longest prefix of s[0..n) that is valid UTF-8 (n when
** all of it is). */
size_t trc_utf8_valid(const char *s, size_t n);

/* A malloc'd copy of s with every byte that is not UTF-8 replaced by
** U+FFFD, for text that goes into JSON; NULL when out of memory. */
char *trc_utf8_clean(const char *s);

#endif
