/* main.c: `herd NOUN [VERB] [options]`, the one command-line entry point.
 * The grammar is the table below; each command parses its own options. */
#include <locale.h>
#include <string.h>

#include "cli.h"

static const cli_command_t commands[] = {
    {"error", "Describe exit status codes by number or name", cmd_error},
    {"agent", "Resource agents: list, info, run, test", cmd_agent},
    {"build-options", "Show how herd was built (paths and features)", cmd_build_options},
    {"simulate", "Run the scheduler on a CIB file (crm_simulate)", cmd_simulate},
    {"cib", "Query and change the live CIB (through herdd)", cmd_cib},
    {"attribute", "Node attributes and promotion scores (through herdd)", cmd_attribute},
    {"status", "Show the live cluster status (crm_mon)", cmd_status},
    {"resource", "Manage resources: start, stop, move, ban, cleanup (crm_resource)", cmd_resource},
    {NULL, NULL, NULL},
};

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: herd COMMAND [VERB] [options]\n\n"
                 "herd keeps cluster resources running (Pacemaker compatible).\n\n"
                 "Commands:\n");
    for (const cli_command_t *c = commands; c->name; c++)
        fprintf(out, "  %-15s %s\n", c->name, c->summary);
    fprintf(out, "\nOptions:\n  --help         Show this help\n"
                 "  --version      Show herd's version\n\n"
                 "Run 'herd COMMAND --help' for a command's options.\n");
}

/* Pacemaker's command names that herd answers to (symlinks to herd). */
static const cli_command_t compat[] = {
    {"crm_attribute", NULL, cmd_crm_attribute},
    {"crm_master", NULL, cmd_crm_master},
    {"attrd_updater", NULL, cmd_attrd_updater},
    {"crm_node", NULL, cmd_crm_node},
    {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    herd_log_init("herd", HERD_LOG_TO_STDERR, HERD_LOG_NOTICE, NULL);
    g_autofree char *base = g_path_get_basename(argv[0]);
    for (const cli_command_t *c = compat; c->name; c++)
        if (strcmp(c->name, base) == 0)
            return c->run(argc, argv);
    if (argc < 2) {
        print_usage(stderr);
        return HERD_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return HERD_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("herd %s\n", HERD_VERSION);
        return HERD_EXIT_OK;
    }
    for (const cli_command_t *c = commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            g_autofree char *cmd = g_strdup_printf("herd %s", name);
            argv[1] = cmd;
            return c->run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "herd: unknown command '%s'\n\n", name);
    print_usage(stderr);
    return HERD_EXIT_USAGE;
}
