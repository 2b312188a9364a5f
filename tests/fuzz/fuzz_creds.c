/*
** fuzz_creds.c: where credentials are read from: the shared credentials
** and config files (INI, aws/ini.c through aws_creds_from_files), and the
** JSON the container and instance metadata endpoints answer. The input's
** first byte picks which.
*/
#include "fuzz.h"

#include "aws/aws_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int pick = data[0] % 3;
    char err[AWS_ERR_MAX];
    aws_creds c = {0};
    int rc;
    if (pick == 2) {
        char *text = fz_str(data + 1, size - 1);
        rc = aws_creds_parse_json(text, &c, err, sizeof err);
        free(text);
    } else {
        const char *p = fz_write("ini", data + 1, size - 1);
        char path[300];
        snprintf(path, sizeof path, "%s", p);
        rc = pick == 0 ? aws_creds_from_files(path, NULL, "default", &c, err, sizeof err)
                       : aws_creds_from_files(NULL, path, "prod", &c, err, sizeof err);
        if (rc == 1 && (!c.access_key || !c.secret_key)) abort();
        if (rc < 0) fz_check_msg(err, sizeof err);
    }
    aws_creds_free(&c);
    return 0;
}
