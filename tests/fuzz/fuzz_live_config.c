/*
** fuzz_live_config.c: the live controller's JSON config (aws/live.c). An
** accepted config must be one the loop can run.
*/
#include "fuzz.h"

#include "aws/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fz_str(data, size);
    aws_live_config cfg;
    char err[AWS_ERR_MAX];
    if (aws_live_config_parse(text, &cfg, err, sizeof err) == 0) {
        if (!cfg.policy || cfg.interval < 1 || cfg.max_on_demand < 0 || !cfg.fleet_id[0] ||
            !cfg.asg_name[0])
            abort();
        aws_opts o;
        aws_live_client_opts(&cfg, &o);
    } else {
        fz_check_msg(err, sizeof err);
    }
    free(text);
    return 0;
}
