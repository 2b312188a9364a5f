/*
** outfile.h: writing an output file the user names (-o PATH) so that the
** file is either the whole new content or left as it was.
**
** The rules, the same for every command that writes a file:
**   - "-" means standard output;
**   - an existing path that is not a regular file (a device, a FIFO, a
**     directory, a socket) is refused, and so is a symbolic link: spotbench
**     never writes through a link (give the link's target instead);
**   - the content goes to a temporary file in the target's directory, which
**     is flushed to disk (fsync) and then renamed over the target, so a
**     reader sees the old file or the new one, never a part; a file that
**     is replaced keeps its permission bits;
**   - on Linux the temporary has no name at all until the rename (an
**     O_TMPFILE file): an error, a signal, even kill -9 leave nothing
**     behind. Where the file system cannot do that, a named temporary
**     ".NAME.XXXXXX" beside the target is used and removed on every error.
** Standard output is written only once the whole content is ready (it is
** kept in an unnamed temporary until then), so a failed figure or import
** writes nothing there either.
**
** Errors are values: functions return 0, or -1 with "PATH: what is wrong".
** A file appended to (trc_append_open) follows the same refusals.
** Ownership: a trc_out owns its temporary, its stream and its strings until
** trc_out_commit() or trc_out_abort(), which release everything.
*/
#ifndef SPOTBENCH_TRACES_OUTFILE_H
#define SPOTBENCH_TRACES_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *f;       /* write the content here */
    int fd;        /* f's descriptor (for a child process's stdout) */
    int to_stdout; /* the path was "-" */
    char *path;    /* the target */
    char *tmp;     /* the named temporary, or NULL (unnamed) */
    int keep_mode; /* the target exists: its permission bits are kept */
    unsigned mode;
} trc_out;

/* Checks that `path` may be written under the rules above without creating
** anything: "-", or a path whose directory exists and which is absent or a
** regular file. Commands call it before long work, so that a bad -o is
** found first. */
int trc_out_check(const char *path, char *err, size_t errlen);

/* Checks `path` (trc_out_check) and opens the temporary. */
int trc_out_open(trc_out *o, const char *path, char *err, size_t errlen);

/* Makes the content the target: flushes and fsyncs it and renames it into
** place (or copies it to standard output). On failure the target is left as
** it was and the temporary is removed. Releases *o either way. */
int trc_out_commit(trc_out *o, char *err, size_t errlen);

/* Drops the content and releases *o; the target is left as it was. */
void trc_out_abort(trc_out *o);

/* A file appended to rather than replaced (`live --record`): the same
** refusals (trc_out_check; "-" is not accepted), and the open itself does
** not follow a link (O_NOFOLLOW) nor take anything but a regular file, so a
** link put in place after the check is refused too. Created when missing
** (mode 0644 less the umask). Returns the stream, or NULL with a message. */
FILE *trc_append_open(const char *path, char *err, size_t errlen);

#endif
