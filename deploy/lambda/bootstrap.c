/*
** bootstrap.c: the entry point of the spotbench Lambda function's zip
** (`make lambda`). Lambda's custom runtime runs the file `bootstrap` at the
** root of the function's code; this one starts bin/spotbench through the
** dynamic loader bundled in lib/, with lib/ as the only library path, so the
** function runs on Debian's glibc and libraries whatever the host has
** (Amazon Linux 2023's glibc 2.34 is older than what Debian 12's libraries
** need), and in a root with no libraries at all.
**
** It is linked statically, so it needs nothing itself; it only builds the
** command line and calls execv. It also points AWS_CA_BUNDLE, which the AWS
** client hands to libcurl, at the CA bundle shipped in the zip, unless the
** environment already names one.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXARGS 64

int main(int argc, char **argv) {
    /* Lambda sets LAMBDA_TASK_ROOT (/var/task) and runs us from there;
    ** elsewhere (tests, a chroot) the directory this file was run from. */
    char root[2048];
    const char *tr = getenv("LAMBDA_TASK_ROOT");
    if (tr && *tr) {
        snprintf(root, sizeof root, "%s", tr);
    } else {
        const char *slash = argv[0] ? strrchr(argv[0], '/') : NULL;
        if (slash)
            snprintf(root, sizeof root, "%.*s", (int)(slash - argv[0]), argv[0]);
        else
            snprintf(root, sizeof root, ".");
        if (!root[0]) snprintf(root, sizeof root, "/");
    }
    char loader[2200], libs[2200], bin[2200], ca[2200];
    snprintf(loader, sizeof loader, "%s/lib/ld.so", root);
    snprintf(libs, sizeof libs, "%s/lib", root);
    snprintf(bin, sizeof bin, "%s/bin/spotbench", root);
    snprintf(ca, sizeof ca, "%s/ca-certificates.crt", root);
    if (setenv("AWS_CA_BUNDLE", ca, 0) != 0) {
        fprintf(stderr, "bootstrap: setenv: %s\n", strerror(errno));
        return 127;
    }
    if (argc > MAXARGS - 6) {
        fprintf(stderr, "bootstrap: too many arguments\n");
        return 127;
    }
    char *args[MAXARGS];
    int n = 0;
    args[n++] = loader;
    args[n++] = "--library-path";
    args[n++] = libs;
    args[n++] = bin;
    args[n++] = "lambda";
    for (int i = 1; i < argc; i++) args[n++] = argv[i];
    args[n] = NULL;
    execv(loader, args);
    fprintf(stderr, "bootstrap: cannot run %s: %s\n", loader, strerror(errno));
    return 127;
}
