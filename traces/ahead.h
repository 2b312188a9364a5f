/*
** ahead.h: reading a file ahead on a thread, for the CSV reader (csv.c):
** the thread reads blocks into a ring and folds each into the hash of the
** bytes read (traces.h, trc_hash) before handing it over, so the hash is
** over exactly the file's bytes, in order. The reader takes each block
** whole as its buffer (trc_ahead_swap: its text is not copied) or copies
** bytes out (trc_ahead_take).
*/
#ifndef SPOTBENCH_TRACES_AHEAD_H
#define SPOTBENCH_TRACES_AHEAD_H

#include <stddef.h>
#include <sys/types.h>

#include "traces/traces.h"

/* Bytes the thread reads at a time: a block. */
#define TRC_AHEAD_BLOCK 65536
/* Bytes kept free past a block's text: the reader's sentinel newline and
** what its line scan reads past it, 16 bytes at a time. */
#define TRC_AHEAD_SLACK 16
/* A block's bytes start this far into it: the room for the end of a line
** the block before left unread, so that the block can become the reader's
** buffer as it is. */
#define TRC_AHEAD_HEAD 4096
#define TRC_AHEAD_SPAN (TRC_AHEAD_HEAD + TRC_AHEAD_BLOCK + TRC_AHEAD_SLACK) /* a block */

typedef struct trc_ahead trc_ahead;

/* Starts reading fd ahead, the hash continuing from h; NULL when a thread
** cannot be had (the caller then reads and hashes inline: same result). */
trc_ahead *trc_ahead_start(int fd, const trc_hash *h);
/* Stops the thread (wherever it is) and frees everything. */
void trc_ahead_free(trc_ahead *a);

/* Copies up to room read-ahead bytes to dst: their count, 0 at the end of
** the file, or -1 with *error set. At the end, *hash is the final hash. */
ssize_t trc_ahead_take(trc_ahead *a, char *dst, size_t room, trc_hash *hash, int *error);

/* Takes the next block whole as the reader's buffer: *buf (at least
** TRC_AHEAD_SPAN bytes) goes into the ring in its place, once its n bytes
** at from (n <= TRC_AHEAD_HEAD: a line's start, not yet read) are copied in
** front of the block's bytes, which start at TRC_AHEAD_HEAD. Returns their
** count, 0 at the end of the file (*buf kept; *hash final), -1 with *error
** set, or -2 when part of the block was copied out already
** (trc_ahead_take goes on). */
ssize_t trc_ahead_swap(trc_ahead *a, char **buf, size_t from, size_t n, trc_hash *hash,
                       int *error);

#endif
