/* cmd_build_options.c: `herd build-options`, how this herd was configured.
 * The values come from the generated herd_buildoptions.h, the same source
 * as the Python module herd.buildoptions. */
#include "cli.h"

struct build_option {
    const char *name;
    const char *value;
    const char *description;
};

static const struct build_option build_options[] = {HERD_BUILD_OPTION_TABLE};

static void render_text(JsonNode *data, GString *out, void *user)
{
    JsonObject *o = json_node_get_object(data);
    g_string_append_printf(out, "herd %s\n", json_object_get_string_member(o, "version"));
    JsonArray *opts = json_object_get_array_member(o, "options");
    for (guint i = 0; i < json_array_get_length(opts); i++) {
        JsonObject *opt = json_array_get_object_element(opts, i);
        g_string_append_printf(out, "  %-22s %s\n", json_object_get_string_member(opt, "name"),
                               json_object_get_string_member(opt, "value"));
    }
}

int cmd_build_options(int argc, char **argv)
{
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "", "Show the paths and features herd was built with.",
                       NULL, &common, &done);
    if (rc || done)
        return rc;
    if (argc > 1) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_string_value(b, HERD_VERSION);
    json_builder_set_member_name(b, "options");
    json_builder_begin_array(b);
    for (size_t i = 0; i < G_N_ELEMENTS(build_options); i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, build_options[i].name);
        json_builder_set_member_name(b, "value");
        json_builder_add_string_value(b, build_options[i].value);
        json_builder_set_member_name(b, "description");
        json_builder_add_string_value(b, build_options[i].description);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    herd_output_emit(stdout, common.format, "build-options", data, HERD_EXIT_OK,
                     render_text, NULL);
    cli_common_clear(&common);
    return HERD_EXIT_OK;
}
