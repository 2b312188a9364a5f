#include "cli.h"
const char cmd_tune_usage[] = "usage: spotbench tune\n";
int cmd_tune(int argc, char **argv) { (void)argc; (void)argv; return CLI_FAIL; }
