/* cmd_agent_ocft.c: `herd agent ocft make|test CONFIG...`, resource-agents'
 * ocft test-case configs checked (make) and run (test) by herd. */
#include <string.h>

#include "cli.h"
#include "ocft.h"

static char *opt_dir;

/* The worse of two exit statuses: any failure beats OK, and the first
 * failure is kept. */
static int worse(int a, int b)
{
    return a != HERD_EXIT_OK ? a : b;
}

static herd_ocft_config_t *load(const char *arg, GError **err)
{
    g_autofree char *path = herd_ocft_resolve(arg, opt_dir, err);
    if (!path)
        return NULL;
    return herd_ocft_parse_file(path, err);
}

static void add_error(JsonBuilder *b, const char *arg, const GError *e)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, arg);
    json_builder_set_member_name(b, "error");
    json_builder_add_string_value(b, e->message);
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, e->code);
    json_builder_end_object(b);
}

static void text_make(JsonNode *data, GString *out, void *user)
{
    JsonArray *configs = json_object_get_array_member(json_node_get_object(data), "configs");
    for (guint i = 0; i < json_array_get_length(configs); i++) {
        JsonObject *c = json_array_get_object_element(configs, i);
        if (json_object_has_member(c, "error"))
            continue; /* already on stderr */
        JsonArray *cases = json_object_get_array_member(c, "cases");
        g_string_append_printf(out, "%s: agent %s/%s, HangTimeout %d s, %u cases\n",
                               json_object_get_string_member(c, "path"),
                               json_object_get_string_member(c, "agent_root"),
                               json_object_get_string_member(c, "agent"),
                               (int)json_object_get_int_member(c, "hang_timeout"),
                               json_array_get_length(cases));
        for (guint k = 0; k < json_array_get_length(cases); k++) {
            JsonObject *cs = json_array_get_object_element(cases, k);
            JsonArray *st = json_object_get_array_member(cs, "statements");
            g_string_append_printf(out, "    - case %u: %s (line %d, %u statements)\n", k,
                                   json_object_get_string_member(cs, "name"),
                                   (int)json_object_get_int_member(cs, "line"),
                                   json_array_get_length(st));
        }
    }
}

static int ocft_make(int argc, char **argv)
{
    GOptionEntry entries[] = {
        {"dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
         "Where to look up configs given by name (default " HERD_OCFT_CONFIG_DIR ")", "DIR"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "CONFIG...",
                       "Parse ocft test-case configs (files, or agent names looked up in the "
                       "config directory) and list their cases.",
                       entries, &common, &done);
    if (rc || done)
        return rc;
    if (argc < 2) {
        cli_common_clear(&common);
        g_clear_pointer(&opt_dir, g_free);
        return cli_usage_error(argv[0], "a CONFIG is needed");
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "configs");
    json_builder_begin_array(b);
    rc = HERD_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(herd_ocft_config_t) cfg = load(argv[i], &err);
        if (!cfg) {
            if (common.format == HERD_OUTPUT_TEXT)
                fprintf(stderr, "herd: %s\n", err->message);
            add_error(b, argv[i], err);
            rc = worse(rc, err->code);
            continue;
        }
        json_builder_add_value(b, herd_ocft_config_to_json(cfg));
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    herd_output_emit(stdout, common.format, "agent-ocft-make", data, rc, text_make, NULL);
    cli_common_clear(&common);
    g_clear_pointer(&opt_dir, g_free);
    return rc;
}

static int run_configs(int argc, char **argv, const cli_common_t *common, long long shell_ms,
                       int hang_timeout, gboolean install, char **cases);

static int ocft_test(int argc, char **argv)
{
    char *shell_timeout = NULL;
    char **cases = NULL;
    int hang_timeout = 0;
    gboolean install = FALSE;
    GOptionEntry entries[] = {
        {"dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
         "Where to look up configs given by name (default " HERD_OCFT_CONFIG_DIR ")", "DIR"},
        {"case", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &cases,
         "Run only this case (number from 0, or description); repeatable", "CASE"},
        {"hang-timeout", 0, 0, G_OPTION_ARG_INT, &hang_timeout,
         "Seconds an agent action may take (default: the config's HangTimeout, else 20)",
         "SECS"},
        {"shell-timeout", 0, 0, G_OPTION_ARG_STRING, &shell_timeout,
         "Time limit of one Bash, SETUP-AGENT or CLEANUP-AGENT step (default 120s)", "TIME"},
        {"install-packages", 0, 0, G_OPTION_ARG_NONE, &install,
         "Install missing InstallPackage packages with apt-get (default: skip the config)",
         NULL},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "CONFIG...",
                       "Run ocft test-case configs: SETUP-AGENT, each CASE, CLEANUP-AGENT; "
                       "each case passes or fails with the expected and actual exit code and "
                       "the config line.",
                       entries, &common, &done);
    if (rc || done)
        return rc;
    long long shell_ms = 120000;
    const char *usage = NULL;
    if (shell_timeout && (herd_parse_duration_ms(shell_timeout, &shell_ms) < 0 || shell_ms <= 0))
        usage = "--shell-timeout needs a duration such as 120s or 5min";
    else if (hang_timeout < 0)
        usage = "--hang-timeout needs a positive number of seconds";
    else if (argc < 2)
        usage = "a CONFIG is needed";
    if (usage) {
        rc = cli_usage_error(argv[0], "%s", usage);
    } else {
        rc = run_configs(argc, argv, &common, shell_ms, hang_timeout, install, cases);
    }
    g_free(shell_timeout);
    g_strfreev(cases);
    cli_common_clear(&common);
    g_clear_pointer(&opt_dir, g_free);
    return rc;
}

static int run_configs(int argc, char **argv, const cli_common_t *common, long long shell_ms,
                       int hang_timeout, gboolean install, char **cases)
{
    g_autoptr(GPtrArray) only = g_ptr_array_new();
    for (char **c = cases; c && *c; c++)
        g_ptr_array_add(only, *c);
    herd_ocft_run_options_t opts = {
        .shell_timeout_ms = shell_ms,
        .grace_ms = 3000,
        .hang_timeout = hang_timeout,
        .install_packages = install,
        .progress = common->format == HERD_OUTPUT_TEXT ? stdout : NULL,
        .verbose = common->verbose,
        .only_cases = only,
    };
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "configs");
    json_builder_begin_array(b);
    int rc = HERD_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(herd_ocft_config_t) cfg = load(argv[i], &err);
        if (!cfg) {
            if (common->format == HERD_OUTPUT_TEXT)
                fprintf(stderr, "herd: %s\n", err->message);
            add_error(b, argv[i], err);
            rc = worse(rc, err->code);
            continue;
        }
        JsonNode *report = NULL;
        int one = herd_ocft_run(cfg, &opts, &report, &err);
        if (err && common->format == HERD_OUTPUT_TEXT)
            fprintf(stderr, "herd: %s: %s\n", cfg->path, err->message);
        if (report)
            json_builder_add_value(b, report);
        rc = worse(rc, one);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    if (common->format != HERD_OUTPUT_TEXT) {
        g_autoptr(JsonNode) data = json_builder_get_root(b);
        herd_output_emit(stdout, common->format, "agent-ocft-test", data, rc, NULL, NULL);
    }
    return rc;
}

static const cli_command_t ocft_verbs[] = {
    {"make", "Parse ocft configs and list their cases", ocft_make},
    {"test", "Run ocft configs against their agent", ocft_test},
    {NULL, NULL, NULL},
};

int cmd_agent_ocft(int argc, char **argv)
{
    return cli_dispatch("agent ocft", ocft_verbs, argc, argv);
}
