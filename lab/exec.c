/*
** exec.c: an external policy (exec.h): one long-lived child process per
** open, spoken to over two pipes in JSON Lines (docs/policies.md,
** "External policies"): a hello answered by its description, lookback
** questions, a line per run with its seed and parameters, then one
** observation in and one decision out per tick, in `policy eval`'s formats.
**
** A child that exits, hangs past the deadline or writes a malformed line
** fails the decision: the policy records a message quoting the observation
** and the last lines of the child's stderr, kills the child, and decides
** "none" from then on without asking; pol_status() then fails the run, so
** no partial run is stored as whole. Closing the policy reaps the child.
*/
#define _GNU_SOURCE /* pipe2, prctl, memfd_create */
#include "lab/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "sim/sim.h"
#include "traces/polproto.h"
#include "traces/traces.h"

/* The longest line a child may write, and the default deadline of an
** answer (SPOTBENCH_POLICY_TIMEOUT, seconds, overrides it). */
#define LINE_MAX_BYTES (1 << 20)
#define DEFAULT_TIMEOUT_MS 10000
#define FAIL_MAX 4096

typedef struct {
    pol_policy pol; /* first: the block is released through it */
    trc_poldesc desc;
    char name[POL_SPEC_MAX]; /* "exec:COMMAND" */
    const char *cmd;         /* in name */
    pid_t pid;
    int wfd, rfd; /* pipes to the child's stdin and from its stdout */
    int errfd;   /* the child's stderr: a file in memory, read on failure */
    int timeout_ms;
    int failed;
    char fail[FAIL_MAX];
    char *buf; /* bytes read and not yet consumed */
    size_t len, cap;
    /* The last lookback asked, and its answer. */
    int lb_known;
    pol_params lb_p;
    int64_t lb_period, lb_seconds;
} xpol;

static const pol_ext_ops xops;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The last `nlines` lines of the child's stderr, as "a | b | c" (one line:
** messages are printed on one). */
static void stderr_tail(const xpol *x, char *out, size_t n, int nlines) {
    snprintf(out, n, "(empty)");
    if (x->errfd < 0) return;
    struct stat st;
    if (fstat(x->errfd, &st) || st.st_size <= 0) return;
    off_t end = st.st_size;
    char tail[2048];
    off_t from = end > (off_t)sizeof tail - 1 ? end - (off_t)sizeof tail + 1 : 0;
    ssize_t got = pread(x->errfd, tail, (size_t)(end - from), from);
    if (got <= 0) return;
    tail[got] = '\0';
    while (got > 0 && tail[got - 1] == '\n') tail[--got] = '\0';
    /* Back from the end over nlines line breaks. */
    char *s = tail + got;
    for (int k = 0; k < nlines && s > tail;) {
        s--;
        if (*s == '\n') k++;
    }
    if (*s == '\n') s++;
    size_t o = 0;
    out[0] = '\0';
    for (char *line = strtok(s, "\n"); line && o < n; line = strtok(NULL, "\n"))
        o += (size_t)snprintf(out + o, n - o, "%s%s", o ? " | " : "", line);
}

/* Waits up to a second, a millisecond at a time, for x's child to end:
** 1 when it has been reaped (x->pid is then -1). */
static int reaped_within_1s(xpol *x) {
    int st;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(x->pid, &st, WNOHANG);
        if (r == x->pid || (r < 0 && errno != EINTR)) {
            x->pid = -1;
            return 1;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

/* Ends the child (if still running) and reaps it. */
static void warden(pid_t parent, char *const *argv, const int *fds)
    __attribute__((noreturn));

static void reap(xpol *x, int kill_now) {
    if (x->wfd >= 0) close(x->wfd);
    if (x->rfd >= 0) close(x->rfd);
    x->wfd = x->rfd = -1;
    if (x->pid <= 0) return;
    int st;
    /* Its input closed, a well-behaved child exits: a second at most. */
    if (!kill_now && reaped_within_1s(x)) return;
    /* The warden kills the policy's process group and reaps it all; a
    ** warden that does not end within a second is killed. */
    kill(x->pid, SIGTERM);
    if (reaped_within_1s(x)) return;
    kill(x->pid, SIGKILL);
    while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR) {}
    x->pid = -1;
}

/* The process spotbench starts, between it and the policy: the warden.
** It is the child subreaper of the policy's processes (a shell's children
** come to it when the shell ends, and only it can reap them), starts the
** policy in a process group of its own, and on SIGTERM kills that group.
** It ends when every process of the policy has, with the policy's own exit
** status or signal, so that spotbench's messages name them. argv: what
** the policy runs (execvp); fds: the child's stdin pipe, then its stdout
** pipe, then its stderr file. Never returns. */
static void warden(pid_t parent, char *const *argv, const int *fds) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    pid_t b = fork();
    if (b < 0) _exit(127);
    if (b == 0) {
        /* The policy: the pipes as stdin and stdout, stderr to the file,
        ** its own process group; it dies with the warden. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (dup2(fds[0], 0) < 0 || dup2(fds[3], 1) < 0 || dup2(fds[4], 2) < 0) _exit(127);
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[0], argv);
        /* Only async-signal-safe calls after a fork: write, not printf. */
        const char *why = errno == ENOENT ? ": not found\n" : ": cannot be run\n";
        if (write(2, argv[0], strlen(argv[0])) < 0 || write(2, why, strlen(why)) < 0) {}
        _exit(127);
    }
    setpgid(b, b); /* also here: no kill may find the group not made yet */
    for (int i = 0; i < 5; i++) close(fds[i]);
    int st, bst = 0;
    for (;;) {
        pid_t w;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == b) bst = st;
        if (w < 0 && errno == ECHILD) break;
        int sig = sigwaitinfo(&set, NULL);
        if (sig == SIGTERM) kill(-b, SIGKILL);
    }
    if (WIFSIGNALED(bst)) {
        struct rlimit none = {0, 0}; /* the policy's signal, not a core of this */
        setrlimit(RLIMIT_CORE, &none);
        signal(WTERMSIG(bst), SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        kill(getpid(), WTERMSIG(bst));
    }
    _exit(WIFEXITED(bst) ? WEXITSTATUS(bst) : 127);
}

/* Records the failure `why` of the exchange about `what` (an observation
** line, or a control line), kills and reaps the child. Returns -1. */
static int fail(xpol *x, const char *what, const char *why) {
    if (x->failed) return -1;
    x->failed = 1;
    reap(x, 1);
    char tail[2400];
    stderr_tail(x, tail, sizeof tail, 5);
    snprintf(x->fail, sizeof x->fail, "%s; the line it was answering: %.600s%s; its last "
             "stderr lines: %s", why, what, strlen(what) > 600 ? "..." : "", tail);
    return -1;
}

/* Why the child is gone: "exited with status N" or "was killed by signal N". */
static void gone(xpol *x, char *why, size_t n, const char *when) {
    int st;
    pid_t r;
    while ((r = waitpid(x->pid, &st, 0)) < 0 && errno == EINTR) {}
    if (r == x->pid) {
        x->pid = -1;
        if (WIFEXITED(st)) snprintf(why, n, "the policy exited with status %d %s",
                                    WEXITSTATUS(st), when);
        else if (WIFSIGNALED(st)) snprintf(why, n, "the policy was killed by signal %d (%s) %s",
                                           WTERMSIG(st), strsignal(WTERMSIG(st)), when);
        else snprintf(why, n, "the policy stopped %s", when);
    } else {
        snprintf(why, n, "the policy closed its output %s", when);
    }
}

/* Writes n bytes to the child; -1 with errno on failure. SIGPIPE is
** blocked meanwhile (a child gone makes the write fail with EPIPE, not
** end spotbench), and one it raised is taken before it is unblocked. */
static int write_all(xpol *x, const char *p, size_t n) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int rc = 0;
    while (n > 0) {
        ssize_t w = write(x->wfd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            rc = -1;
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    int saved = errno;
    if (rc && saved == EPIPE && !sigismember(&old, SIGPIPE)) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return rc;
}

/* Sends `line` and a newline, in one write when it fits the buffer. */
static int send_line(xpol *x, const char *line, size_t len) {
    int rc;
    if (len + 1 <= x->cap - x->len && x->cap) {
        /* The read buffer's free tail as scratch: one system call. */
        char *tmp = x->buf + x->len;
        memcpy(tmp, line, len);
        tmp[len] = '\n';
        rc = write_all(x, tmp, len + 1);
    } else {
        rc = write_all(x, line, len) || write_all(x, "\n", 1) ? -1 : 0;
    }
    if (rc) {
        char why[200];
        gone(x, why, sizeof why, "before answering");
        return fail(x, line, why);
    }
    return 0;
}

/* Reads the child's next line into *line (NUL-terminated, in x->buf, valid
** until the next call), within the deadline. `what` is the line answered,
** for the messages. */
static int recv_line(xpol *x, const char *what, char **line) {
    int64_t deadline = now_ms() + x->timeout_ms;
    /* Consume the previous line. */
    for (;;) {
        char *nl = x->len ? memchr(x->buf, '\n', x->len) : NULL;
        if (nl) {
            *nl = '\0';
            *line = x->buf;
            return 0;
        }
        if (x->len >= LINE_MAX_BYTES) return fail(x, what, "an answer longer than 1 MiB");
        if (x->cap - x->len < 65536) {
            size_t nc = x->cap ? 2 * x->cap : 65536;
            char *nb = realloc(x->buf, nc + 1);
            if (!nb) return fail(x, what, "out of memory");
            x->buf = nb;
            x->cap = nc;
        }
        int64_t left = deadline - now_ms();
        struct pollfd pf = {x->rfd, POLLIN, 0};
        int k = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (k < 0 && errno == EINTR) continue;
        if (k == 0) {
            char why[200];
            snprintf(why, sizeof why, "no answer within %d ms (SPOTBENCH_POLICY_TIMEOUT): "
                     "the policy was killed", x->timeout_ms);
            return fail(x, what, why);
        }
        ssize_t r = read(x->rfd, x->buf + x->len, x->cap - x->len);
        if (r > 0) {
            x->len += (size_t)r;
            continue;
        }
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        char why[200];
        gone(x, why, sizeof why, "before answering");
        return fail(x, what, why);
    }
}

/* Drops the line recv_line returned. */
static void consume(xpol *x, const char *line) {
    size_t used = strlen(line) + 1;
    memmove(x->buf, x->buf + used, x->len - used);
    x->len -= used;
}

/* One question and its answer line, checked by `parse`: 0, or -1 failed. */
static int ask(xpol *x, const char *q, size_t qlen, char **line) {
    if (x->failed) return -1;
    if (send_line(x, q, qlen)) return -1;
    return recv_line(x, q, line);
}

static int malformed(xpol *x, const char *q, const char *line, const char *msg) {
    char why[1400];
    snprintf(why, sizeof why, "a malformed answer (%s): '%.300s%s'", msg, line,
             strlen(line) > 300 ? "..." : "");
    return fail(x, q, why);
}

/* ---- the engine's calls -------------------------------------------------- */

static void x_decide(void *ctx, const pol_obs *obs, const pol_params *p, pol_decision *d) {
    xpol *x = ctx;
    int quiet = d->quiet;
    d->action = POL_ACT_NONE;
    d->reason[0] = '\0';
    d->held = 0;
    if (x->failed) return;
    (void)p; /* given once per run (begin) */
    char *q = trc_obs_format(obs), *line;
    if (!q) {
        fail(x, "(an observation)", "out of memory");
        return;
    }
    char err[256];
    if (ask(x, q, strlen(q), &line) == 0) {
        if (trc_decision_parse(line, obs->now, d, err, sizeof err)) {
            malformed(x, q, line, err);
            d->action = POL_ACT_NONE;
            d->held = 0;
        } else {
            consume(x, line);
        }
    }
    free(q);
    /* The caller's wishes about reasons, as a built-in honours them. */
    if (quiet == 2 || (quiet == 1 && d->action == POL_ACT_NONE)) d->reason[0] = '\0';
    d->quiet = quiet;
}

static int64_t x_lookback(void *ctx, const pol_params *p, int64_t period) {
    xpol *x = ctx;
    if (x->lb_known && x->lb_period == period && !memcmp(&x->lb_p, p, sizeof *p))
        return x->lb_seconds;
    if (x->failed) return 0;
    char q[4096], err[256], *line;
    int n = snprintf(q, sizeof q, "{\"type\": \"lookback\", \"period\": %lld, \"params\": ",
                     (long long)period);
    n += trc_params_format(q + n, sizeof q - (size_t)n, x->desc.params, x->desc.nparams, p);
    n += snprintf(q + n, sizeof q - (size_t)n, "}");
    int64_t s;
    if (ask(x, q, (size_t)n, &line)) return 0;
    if (trc_lookback_parse(line, &s, err, sizeof err)) {
        malformed(x, q, line, err);
        return 0;
    }
    consume(x, line);
    x->lb_known = 1;
    x->lb_p = *p;
    x->lb_period = period;
    x->lb_seconds = s;
    return s;
}

static int x_status(void *ctx, char *err, size_t errlen) {
    xpol *x = ctx;
    if (!x->failed) return 0;
    snprintf(err, errlen, "%s: %s", x->name, x->fail);
    return -1;
}

static int x_begin(void *ctx, uint64_t seed, const pol_params *p, char *err, size_t errlen) {
    xpol *x = ctx;
    if (!x->failed) {
        char q[4096];
        int n = snprintf(q, sizeof q, "{\"type\": \"run\", \"seed\": %llu, \"params\": ",
                         (unsigned long long)seed);
        n += trc_params_format(q + n, sizeof q - (size_t)n, x->desc.params, x->desc.nparams, p);
        n += snprintf(q + n, sizeof q - (size_t)n, "}");
        send_line(x, q, (size_t)n);
    }
    return x_status(ctx, err, errlen);
}

static const pol_ext_ops xops = {x_decide, x_lookback, x_begin, x_status};

static void x_close(const pol_policy *self) {
    xpol *x = (xpol *)self;
    reap(x, 0);
    if (x->errfd >= 0) close(x->errfd);
    free(x->buf);
    free(x);
}

/* ---- start ----------------------------------------------------------------- */

static int timeout_ms(void) {
    const char *s = getenv("SPOTBENCH_POLICY_TIMEOUT");
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || !(v > 0) || v > 86400) return DEFAULT_TIMEOUT_MS;
    return (int)(v * 1000 + 0.5) > 0 ? (int)(v * 1000 + 0.5) : 1;
}

/* A parameter of an external policy must not be named like a scenario's
** top-level field: a --set of it would be ambiguous (lab.h's rule). */
static int params_clash(const trc_poldesc *d, char *err, size_t errlen) {
    const char *const *f = sim_scenario_fields();
    for (size_t i = 0; i < d->nparams; i++)
        for (size_t k = 0; f[k]; k++)
            if (!strcmp(d->params[i].name, f[k])) {
                snprintf(err, errlen, "its parameter '%s' is named like a scenario field: "
                         "rename it", f[k]);
                return -1;
            }
    return 0;
}

int lab_exec_open(const char *cmd, const pol_policy **out, char *err, size_t errlen) {
    if (!cmd[strspn(cmd, " \t")]) {
        snprintf(err, errlen, "expected a command after 'exec:'");
        return LAB_BADINPUT;
    }
    xpol *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return LAB_FAIL;
    }
    x->wfd = x->rfd = x->errfd = -1;
    x->pid = -1;
    snprintf(x->name, sizeof x->name, "exec:%s", cmd);
    x->cmd = x->name + 5;
    x->timeout_ms = timeout_ms();
    int in[2] = {-1, -1}, ou[2] = {-1, -1}; /* the child's stdin and stdout */
    /* The child's stderr: a file in memory (no /tmp needed, as in an
    ** empty root or a Lambda function), read back on failure. */
    x->errfd = memfd_create("spotbench-policy-stderr", MFD_CLOEXEC);
    if (x->errfd < 0 || pipe2(in, O_CLOEXEC) || pipe2(ou, O_CLOEXEC)) {
        snprintf(err, errlen, "cannot start the policy: %s", strerror(errno));
        goto fail;
    }
    /* A simple command (words of letters, digits and / . _ + , : @ % -
    ** between spaces) runs without a shell, as the shell would run it: the
    ** process waited for is the policy itself, and no /bin/sh is needed
    ** (a Lambda zip carries none). Any other goes to /bin/sh -c. */
    char words[POL_SPEC_MAX], *argv[POL_SPEC_MAX / 2 + 4], sh[] = "/bin/sh", dash_c[] = "-c";
    size_t nargv = 0;
    int simple = cmd[strspn(cmd, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789 /._+,:@%-")] == '\0';
    snprintf(words, sizeof words, "%s", cmd);
    if (simple) {
        for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) argv[nargv++] = w;
        simple = nargv > 0;
    }
    if (!simple) {
        argv[0] = sh;
        argv[1] = dash_c;
        argv[2] = words;
        nargv = 3;
    }
    argv[nargv] = NULL;
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the policy: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        int fds[] = {in[0], in[1], ou[0], ou[1], x->errfd};
        warden(parent, argv, fds);
    }
    close(in[0]);
    close(ou[1]);
    x->wfd = in[1];
    x->rfd = ou[0];
    x->pid = pid;
    x->pol.name = x->name;
    x->pol.ops = &xops;
    x->pol.ctx = x;
    x->pol.close = x_close;
    char hello[64], *line;
    int n = snprintf(hello, sizeof hello, "{\"type\": \"hello\", \"protocol\": %d}",
                     TRC_POLPROTO_VERSION);
    char msg[512];
    if (ask(x, hello, (size_t)n, &line)) {
        snprintf(err, errlen, "%s", x->fail);
        x_close(&x->pol);
        return LAB_FAIL;
    }
    if (trc_describe_parse(line, &x->desc, msg, sizeof msg) ||
        params_clash(&x->desc, msg, sizeof msg)) {
        malformed(x, hello, line, msg);
        snprintf(err, errlen, "%s", x->fail);
        x_close(&x->pol);
        return LAB_BADINPUT;
    }
    consume(x, line);
    x->pol.label = x->desc.name;
    x->pol.summary = x->desc.summary;
    x->pol.params = x->desc.params;
    x->pol.nparams = x->desc.nparams;
    x->pol.reads = x->desc.reads;
    x->pol.reads_events = x->desc.reads_events;
    *out = &x->pol;
    return LAB_OK;
fail:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) close(in[i]);
        if (ou[i] >= 0) close(ou[i]);
    }
    if (x->errfd >= 0) close(x->errfd);
    free(x);
    return LAB_FAIL;
}
