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

#endif
