/*
** dl.c: opening the AWS adapter's libraries (libcurl, libxml2) on first use.
**
** The binary does not link them: they and the thirty-odd libraries libcurl
** pulls in (TLS, Kerberos, LDAP, SSH, ...) would cost every process ~14 ms in
** the dynamic loader, and the simulation commands, most of spotbench's runs,
** never talk to AWS. http.c and xml.c open them by their stable sonames the
** first time a command needs them and resolve each function into a table of
** pointers typed from the libraries' own headers.
**
** Libraries are opened with RTLD_NODELETE: closing the last handle leaves
** them mapped. libcurl's dependencies (GnuTLS, Kerberos, p11-kit) register
** exit handlers and thread-key destructors of their own, which must never
** point into unmapped code; and a client made again later (a Lambda
** invocation) finds them loaded.
*/
#include "aws_int.h"

#include <dlfcn.h>
#include <stdio.h>

void *aws_dl_open(const char *soname, const char *package, char *err,
                  size_t errlen) {
    void *so = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!so) {
        const char *why = dlerror();
        snprintf(err, errlen,
                 "%s could not be loaded (needed for AWS calls): %s; install "
                 "%s (scripts/install-deps.sh)",
                 soname, why ? why : "unknown error", package);
    }
    return so;
}

void *aws_dl_sym(void *so, const char *soname, const char *package,
                 const char *name, char *err, size_t errlen) {
    (void)dlerror(); /* clears a stale message */
    void *p = dlsym(so, name);
    if (!p) {
        const char *why = dlerror();
        snprintf(err, errlen,
                 "%s has no %s (needed for AWS calls): %s; install %s "
                 "(scripts/install-deps.sh)",
                 soname, name, why ? why : "a null symbol", package);
    }
    return p;
}

void aws_dl_close(void *so) {
    if (so) dlclose(so);
}
