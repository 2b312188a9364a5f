#include "lab/exec.h"
#include <stdio.h>
#include "lab/lab.h"
int lab_exec_open(const char *cmd, const pol_policy **out, char *err, size_t errlen) {
    (void)cmd; (void)out;
    snprintf(err, errlen, "not yet");
    return LAB_FAIL;
}
