/* common.c: option parsing and verb dispatch shared by herd's commands. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", cmd, msg, cmd);
    return HERD_EXIT_USAGE;
}

static gboolean count_verbose(const char *name, const char *value, gpointer data,
                              GError **error)
{
    cli_common_t *common = data;
    common->verbose++;
    herd_log_more_verbose(1);
    return TRUE;
}

int cli_parse(int *argc, char ***argv, const char *params, const char *summary,
              const GOptionEntry *entries, cli_common_t *common, bool *done)
{
    *done = false;
    memset(common, 0, sizeof(*common));
    g_set_prgname((*argv)[0]); /* "Usage: herd NOUN VERB" in --help */
    GOptionEntry common_entries[] = {
        {"output-as", 0, 0, G_OPTION_ARG_STRING, &common->output_as,
         "Output format: text (default), xml or json", "FORMAT"},
        {"verbose", 'V', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
         (gpointer)count_verbose, "Log more (repeat for more detail)", NULL},
        {NULL}};
    g_autoptr(GOptionContext) ctx = g_option_context_new(params);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_help_enabled(ctx, TRUE);
    GOptionGroup *main_group = g_option_group_new(NULL, NULL, NULL, common, NULL);
    if (entries)
        g_option_group_add_entries(main_group, entries);
    g_option_group_add_entries(main_group, common_entries);
    g_option_context_set_main_group(ctx, main_group);

    /* GLib exits on --help; catch it first so the exit status is ours. */
    for (int i = 1; i < *argc; i++) {
        if (strcmp((*argv)[i], "--") == 0)
            break;
        if (strcmp((*argv)[i], "--help") == 0 || strcmp((*argv)[i], "-h") == 0 ||
            strcmp((*argv)[i], "-?") == 0) {
            g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
            fputs(help, stdout);
            *done = true;
            return HERD_EXIT_OK;
        }
    }
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        cli_common_clear(common);
        return cli_usage_error((*argv)[0], "%s", err->message);
    }
    if (common->output_as) {
        if (herd_output_parse_format(common->output_as, &common->format, &err)) {
            cli_common_clear(common);
            return cli_usage_error((*argv)[0], "%s", err->message);
        }
    } else {
        common->format = HERD_OUTPUT_TEXT;
    }
    return 0;
}

void cli_common_clear(cli_common_t *common)
{
    g_clear_pointer(&common->output_as, g_free);
}

int cli_dispatch(const char *noun, const cli_command_t *verbs, int argc, char **argv)
{
    g_autofree char *cmd = g_strdup_printf("herd %s", noun);
    const char *verb = argc > 1 ? argv[1] : NULL;
    bool help = verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 ||
                         strcmp(verb, "help") == 0);
    for (const cli_command_t *v = verbs; verb && !help && v->name; v++) {
        if (strcmp(v->name, verb) == 0) {
            g_autofree char *name = g_strdup_printf("herd %s %s", noun, verb);
            char *saved = argv[1];
            argv[1] = name;
            int rc = v->run(argc - 1, argv + 1);
            argv[1] = saved;
            return rc;
        }
    }
    FILE *out = help ? stdout : stderr;
    if (!help)
        fprintf(out, verb ? "%s: unknown verb '%s'\n" : "%s: a verb is needed\n", cmd, verb);
    fprintf(out, "Usage: %s VERB [options]\n\nVerbs:\n", cmd);
    for (const cli_command_t *v = verbs; v->name; v++)
        fprintf(out, "  %-14s %s\n", v->name, v->summary);
    fprintf(out, "\nRun '%s VERB --help' for a verb's options.\n", cmd);
    return help ? HERD_EXIT_OK : HERD_EXIT_USAGE;
}
