/*
** outfile.c: output files replaced whole or not at all (outfile.h).
**
** The temporary is an O_TMPFILE file in the target's directory: it has no
** name while it is written, so nothing is left behind by a crash or a
** kill -9. At commit it gets a name with linkat() through /proc/self/fd and
** that name is renamed over the target; catchable signals are held for the
** two calls, so an interrupt cannot leave the short-lived name either.
** Without O_TMPFILE (some file systems) or /proc, a named temporary from
** mkstemp() takes its place.
*/
#define _GNU_SOURCE /* O_TMPFILE is Linux's */
#include "traces/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *path, const char *what) {
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* The directory part of `path` ("." when there is none); malloc'd. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

int trc_out_check(const char *path, char *err, size_t errlen) {
    if (!path || !*path) return fail(err, errlen, "-o", "the output path is empty");
    if (strcmp(path, "-") == 0) return 0;
    size_t len = strlen(path);
    if (path[len - 1] == '/') return fail(err, errlen, path, "is a directory");
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return fail(err, errlen, path,
                        strcmp(path, "/dev/stdout") == 0
                            ? "is a symbolic link; for standard output give -"
                            : "is a symbolic link; spotbench does not write "
                              "through links (give the file it points to)");
        if (!S_ISREG(sb.st_mode))
            return fail(err, errlen, path,
                        S_ISDIR(sb.st_mode)
                            ? "is a directory"
                            : "exists and is not a regular file (a device, "
                              "FIFO or socket): not replaced");
        return 0;
    }
    if (errno != ENOENT) return fail(err, errlen, path, strerror(errno));
    char *dir = dir_of(path);
    if (!dir) return fail(err, errlen, path, "out of memory");
    int rc = 0;
    if (stat(dir, &sb) != 0) {
        snprintf(err, errlen, "%s: directory %s: %s", path, dir, strerror(errno));
        rc = -1;
    } else if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: %s is not a directory", path, dir);
        rc = -1;
    }
    free(dir);
    return rc;
}

/* A named temporary beside the target: DIR/.BASE.XXXXXX. */
static int named_temp(trc_out *o, char *err, size_t errlen) {
    const char *slash = strrchr(o->path, '/');
    const char *base = slash ? slash + 1 : o->path;
    size_t dl = slash ? (size_t)(slash - o->path) + 1 : 0;
    size_t n = dl + strlen(base) + 10;
    o->tmp = malloc(n);
    if (!o->tmp) return fail(err, errlen, o->path, "out of memory");
    snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dl, o->path, base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file: %s", o->path,
                 strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    return fd;
}

static void release(trc_out *o) {
    if (o->f) fclose(o->f);
    else if (o->fd >= 0) close(o->fd);
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
    }
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

int trc_out_open(trc_out *o, const char *path, char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (trc_out_check(path, err, errlen)) return -1;
    if (!(o->path = strdup(path))) return fail(err, errlen, path, "out of memory");
    int fd = -1;
    if (strcmp(path, "-") == 0) {
        o->to_stdout = 1;
        FILE *f = tmpfile();
        if (!f) {
            snprintf(err, errlen, "-: cannot create a temporary file: %s",
                     strerror(errno));
            release(o);
            return -1;
        }
        o->f = f;
        o->fd = fileno(f);
        return 0;
    }
    struct stat sb;
    if (stat(path, &sb) == 0) {
        o->keep_mode = 1;
        o->mode = sb.st_mode & 07777;
    }
#ifdef O_TMPFILE
    char *dir = dir_of(path);
    if (!dir) {
        release(o);
        return fail(err, errlen, path, "out of memory");
    }
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    free(dir);
#endif
    if (fd < 0 && (fd = named_temp(o, err, errlen)) < 0) {
        release(o);
        return -1;
    }
    o->fd = fd;
    if (!(o->f = fdopen(fd, "w+"))) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        release(o);
        return -1;
    }
    return 0;
}

void trc_out_abort(trc_out *o) { release(o); }

/* Copies the whole of `from` (from its start) to the descriptor `to`. */
static int copy_fd(int from, int to) {
    char buf[65536];
    if (lseek(from, 0, SEEK_SET) < 0) return -1;
    for (;;) {
        ssize_t n = read(from, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(to, buf + w, (size_t)(n - w));
            if (k < 0) {
                if (errno == EINTR) continue;
                return -1;
            }
            w += k;
        }
    }
}

/* Gives the unnamed temporary the name o->tmp (DIR/.BASE.XXXXXX, chosen
** free by mkstemp and replaced). Without /proc, copies it to that file. */
static int name_it(trc_out *o, char *err, size_t errlen) {
    int nfd = named_temp(o, err, errlen);
    if (nfd < 0) return -1;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
    /* linkat cannot replace: the placeholder mkstemp made goes first. The
    ** name stays ours (mode 0600, created O_EXCL) until the link. */
    unlink(o->tmp);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0) {
        close(nfd);
        return 0;
    }
    /* No /proc (or no linkat there): the content is copied instead. */
    int fd2 = open(o->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    close(nfd);
    if (fd2 < 0 || copy_fd(o->fd, fd2) || fsync(fd2)) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(errno));
        if (fd2 >= 0) close(fd2);
        return -1;
    }
    if (fchmod(fd2, o->mode) != 0) {
        close(fd2);
        return fail(err, errlen, o->path, strerror(errno));
    }
    close(fd2);
    return 0;
}

int trc_out_commit(trc_out *o, char *err, size_t errlen) {
    if (fflush(o->f) != 0 || ferror(o->f)) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path,
                 errno ? strerror(errno) : "write error");
        release(o);
        return -1;
    }
    if (o->to_stdout) {
        fflush(stdout);
        int rc = copy_fd(o->fd, STDOUT_FILENO);
        if (rc) snprintf(err, errlen, "standard output: %s", strerror(errno));
        release(o);
        return rc;
    }
    if (!o->keep_mode) {
        /* What a plain open(..., 0666) would have given. */
        mode_t m = umask(0);
        umask(m);
        o->mode = 0666 & ~(unsigned)m;
    }
    /* fsync reports what write could not: a full disk under delayed
    ** allocation, an I/O error. */
    if (fsync(o->fd) != 0 || fchmod(o->fd, o->mode) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(errno));
        release(o);
        return -1;
    }
    /* Checked again: the target may have been replaced meanwhile. */
    if (trc_out_check(o->path, err, errlen)) {
        release(o);
        return -1;
    }
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigaddset(&hold, SIGQUIT);
    sigprocmask(SIG_BLOCK, &hold, &old);
    int rc = 0;
    if (!o->tmp && name_it(o, err, errlen)) rc = -1;
    if (rc == 0 && rename(o->tmp, o->path) != 0) {
        snprintf(err, errlen, "%s: cannot replace: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (rc == 0) {
        free(o->tmp); /* renamed: nothing to remove */
        o->tmp = NULL;
    }
    char *dir = rc == 0 ? dir_of(o->path) : NULL;
    release(o); /* removes the temporary's name after a failure */
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (dir) {
        /* The rename itself is made durable through its directory; file
        ** systems that cannot fsync a directory say EINVAL: no matter. */
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    return rc;
}

FILE *trc_append_open(const char *path, char *err, size_t errlen) {
    if (path && strcmp(path, "-") == 0) {
        fail(err, errlen, path, "standard output cannot be appended to here: give a file");
        return NULL;
    }
    if (trc_out_check(path, err, errlen)) return NULL;
    /* O_NONBLOCK: a FIFO put in place since the check must not block the
    ** open; it is refused just below. */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                  0644);
    if (fd < 0) {
        fail(err, errlen, path,
             errno == ELOOP ? "is a symbolic link; spotbench does not write through links "
                              "(give the file it points to)"
                            : strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) != 0) {
        fail(err, errlen, path, "exists and is not a regular file: not appended to");
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (!f) {
        fail(err, errlen, path, strerror(errno));
        close(fd);
    }
    return f;
}
