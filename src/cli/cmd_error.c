/* cmd_error.c: `herd error CODE|NAME...`, what crm_error -X does: name and
 * describe exit statuses. */
#include <stdlib.h>

#include "cli.h"

static void render_text(JsonNode *data, GString *out, void *user)
{
    JsonArray *codes = json_object_get_array_member(json_node_get_object(data), "codes");
    for (guint i = 0; i < json_array_get_length(codes); i++) {
        JsonObject *c = json_array_get_object_element(codes, i);
        g_string_append_printf(out, "%" G_GINT64_FORMAT ": %s - %s\n",
                               json_object_get_int_member(c, "code"),
                               json_object_get_string_member(c, "name"),
                               json_object_get_string_member(c, "description"));
    }
}

static void add_code(int code, const char *name, const char *desc, void *user)
{
    JsonBuilder *b = user;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, code);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, name);
    json_builder_set_member_name(b, "description");
    json_builder_add_string_value(b, desc);
    json_builder_end_object(b);
}

/* A code given by number (decimal) or by name; -1 when it names nothing. */
static int lookup(const char *arg)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end != arg && *end == '\0')
        return herd_exit_name((int)v) && v >= 0 && v <= 255 ? (int)v : -1;
    return herd_exit_from_name(arg);
}

int cmd_error(int argc, char **argv)
{
    gboolean list = FALSE;
    GOptionEntry entries[] = {
        {"list", 'l', 0, G_OPTION_ARG_NONE, &list, "List every exit status", NULL},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "CODE|NAME...",
                       "Show the name and description of exit statuses.", entries,
                       &common, &done);
    if (rc || done)
        return rc;
    if (argc < 2 && !list) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "give at least one exit code or name (or --list)");
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "codes");
    json_builder_begin_array(b);
    if (list)
        herd_exit_foreach(add_code, b);
    g_autoptr(GString) unknown = g_string_new(NULL);
    for (int i = 1; i < argc; i++) {
        int code = lookup(argv[i]);
        if (code < 0) {
            g_string_append_printf(unknown, "%s'%s'", unknown->len ? ", " : "", argv[i]);
            continue;
        }
        add_code(code, herd_exit_name(code), herd_exit_description(code), b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    rc = unknown->len ? HERD_EXIT_USAGE : HERD_EXIT_OK;
    herd_output_emit(stdout, common.format, "error", data, rc, render_text, NULL);
    if (unknown->len)
        fprintf(stderr, "%s: unknown exit status %s (known: 0-9, 64-78, 100-113, 124, "
                        "190, 191, 193, 255, or their names; see --list)\n",
                argv[0], unknown->str);
    cli_common_clear(&common);
    return rc;
}
