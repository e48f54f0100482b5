/* cmd_cib.c: `herd cib query|replace|modify|delete|validate`, what
 * cibadmin does, through herdd (validate works on a file, offline). */
#include <string.h>

#include "cli.h"
#include "herd_cib.h"
#include "herd_daemon.h"

static void text_xml(JsonNode *data, GString *out, void *user)
{
    JsonObject *o = json_node_get_object(data);
    if (json_object_has_member(o, "xml"))
        g_string_append(out, json_object_get_string_member(o, "xml"));
    else if (json_object_has_member(o, "version"))
        g_string_append_printf(out, "CIB version %s%s\n",
                               json_object_get_string_member(o, "version"),
                               json_object_get_boolean_member_with_default(o, "changed", TRUE)
                                   ? "" : " (unchanged)");
}

/* Emit a reply's data on stdout in the requested format. */
static int emit(cli_common_t *common, const char *request, JsonObject *reply, int rc)
{
    if (rc) {
        if (common->format != HERD_OUTPUT_TEXT) {
            const char *msg = NULL;
            herd_ipc_reply_rc(reply, &msg);
            herd_output_error(stdout, common->format, request, rc, msg ? msg : "error");
        }
        return rc;
    }
    json_object_remove_member(reply, "rc");
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(node, reply);
    herd_output_emit(stdout, common->format, request, node, rc, text_xml, NULL);
    return rc;
}

static int cib_query(int argc, char **argv)
{
    g_autofree char *xpath = NULL, *section = NULL;
    GOptionEntry entries[] = {
        {"xpath", 'A', 0, G_OPTION_ARG_STRING, &xpath, "Only what this XPath selects", "XPATH"},
        {"section", 'o', 0, G_OPTION_ARG_STRING, &section,
         "Only this section (configuration, nodes, resources, constraints, crm_config, "
         "rsc_defaults, op_defaults, status)", "SECTION"},
        {"scope", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &section, NULL, NULL},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, NULL, "Show the live CIB (or part of it).", entries,
                       &common, &done);
    if (rc || done)
        return rc;
    if (argc > 1 || (xpath && section)) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], argc > 1 ? "unexpected argument '%s'"
                                                 : "give --xpath or --section, not both%s",
                               argc > 1 ? argv[1] : "");
    }
    g_autoptr(JsonObject) req = cli_request("cib_query");
    if (xpath)
        json_object_set_string_member(req, "xpath", xpath);
    if (section)
        json_object_set_string_member(req, "section", section);
    g_autoptr(JsonObject) reply = NULL;
    rc = cli_call(argv[0], req, &reply, false);
    if (reply)
        rc = emit(&common, "cib-query", reply, rc);
    cli_common_clear(&common);
    return rc;
}

/* Read FILE ("-" for stdin) or take --xml-text. */
static char *read_input(const char *cmd, const char *file, const char *text, int *rc)
{
    *rc = 0;
    if (text)
        return g_strdup(text);
    g_autoptr(GError) err = NULL;
    char *data = NULL;
    if (!file || strcmp(file, "-") == 0) {
        g_autoptr(GIOChannel) ch = g_io_channel_unix_new(0);
        gsize len;
        if (g_io_channel_read_to_end(ch, &data, &len, &err) != G_IO_STATUS_NORMAL) {
            fprintf(stderr, "%s: cannot read standard input: %s\n", cmd, err->message);
            *rc = HERD_EXIT_NOINPUT;
        }
        return data;
    }
    if (!g_file_get_contents(file, &data, NULL, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        *rc = HERD_EXIT_NOINPUT;
    }
    return data;
}

static int cib_write(int argc, char **argv, const char *op, const char *summary)
{
    g_autofree char *text = NULL;
    GOptionEntry entries[] = {
        {"xml-text", 'X', 0, G_OPTION_ARG_STRING, &text, "The XML itself", "XML"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "[FILE|-]", summary, entries, &common, &done);
    if (rc || done)
        return rc;
    if (argc > 2 || (argc == 2 && text)) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "give one FILE, '-' or --xml-text");
    }
    g_autofree char *xml = read_input(argv[0], argc == 2 ? argv[1] : NULL, text, &rc);
    if (rc) {
        cli_common_clear(&common);
        return rc;
    }
    g_autoptr(JsonObject) req = cli_request(op);
    json_object_set_string_member(req, "xml", xml);
    g_autoptr(JsonObject) reply = NULL;
    rc = cli_call(argv[0], req, &reply, false);
    if (reply)
        rc = emit(&common, op, reply, rc);
    cli_common_clear(&common);
    return rc;
}

static int cib_replace(int argc, char **argv)
{
    return cib_write(argc, argv, "cib_replace",
                     "Replace the whole CIB with FILE (validated first; refused if older).");
}

static int cib_modify(int argc, char **argv)
{
    return cib_write(argc, argv, "cib_modify",
                     "Merge an XML fragment into the CIB (the element with the same name and "
                     "id is updated, missing children created), as cibadmin --modify.");
}

static int cib_delete(int argc, char **argv)
{
    g_autofree char *xpath = NULL;
    GOptionEntry entries[] = {
        {"xpath", 'A', 0, G_OPTION_ARG_STRING, &xpath, "Delete what this XPath selects",
         "XPATH"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, NULL, "Delete elements from the CIB.", entries, &common,
                       &done);
    if (rc || done)
        return rc;
    if (!xpath) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "--xpath is needed");
    }
    g_autoptr(JsonObject) req = cli_request("cib_delete");
    json_object_set_string_member(req, "xpath", xpath);
    g_autoptr(JsonObject) reply = NULL;
    rc = cli_call(argv[0], req, &reply, false);
    if (reply)
        rc = emit(&common, "cib_delete", reply, rc);
    cli_common_clear(&common);
    return rc;
}

static int cib_validate(int argc, char **argv)
{
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "FILE|-", "Check a CIB file as herdd would before a write.",
                       NULL, &common, &done);
    if (rc || done)
        return rc;
    cli_common_clear(&common);
    if (argc != 2)
        return cli_usage_error(argv[0], "give one FILE or '-'");
    g_autofree char *xml = read_input(argv[0], argv[1], NULL, &rc);
    if (rc)
        return rc;
    g_autoptr(GError) err = NULL;
    /* the same checks herdd makes before a write, schema included */
    herd_store_set_schema_validator(herd_cib_schema_validator);
    xmlDoc *doc = herd_store_parse(xml, strlen(xml), argv[1], &err);
    if (doc) {
        rc = herd_store_validate(doc, &err);
        xmlFreeDoc(doc);
    } else {
        rc = err->code;
    }
    if (rc) {
        fprintf(stderr, "%s: %s\n", argv[0], err->message);
        return rc;
    }
    return HERD_EXIT_OK;
}

static int cib_watch(int argc, char **argv)
{
    int count = 0, timeout = 0;
    GOptionEntry entries[] = {
        {"count", 'n', 0, G_OPTION_ARG_INT, &count, "Stop after N changes", "N"},
        {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
         "Give up after SECONDS without a change (exit 124)", "SECONDS"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, NULL,
                       "Print one line per CIB change (version and reason) as herdd commits "
                       "them.", entries, &common, &done);
    cli_common_clear(&common);
    if (rc || done)
        return rc;
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_ipc_client_t) c = herd_ipc_client_connect(NULL, &err);
    if (!c) {
        fprintf(stderr, "%s: %s\n", argv[0], err->message);
        return err->code;
    }
    g_autoptr(JsonObject) req = cli_request("subscribe");
    g_autoptr(JsonObject) reply = herd_ipc_client_call(c, req, 30000, &err);
    const char *msg = NULL;
    if (!reply || (rc = herd_ipc_reply_rc(reply, &msg))) {
        fprintf(stderr, "%s: %s\n", argv[0], reply ? (msg ? msg : "refused") : err->message);
        return reply ? rc : err->code;
    }
    printf("watching from CIB version %s\n", json_object_get_string_member(reply, "version"));
    fflush(stdout);
    for (int seen = 0; count <= 0 || seen < count; seen++) {
        g_autoptr(JsonObject) ev = herd_ipc_client_next(c, timeout > 0 ? timeout * 1000 : -1,
                                                        &err);
        if (!ev) {
            fprintf(stderr, "%s: %s\n", argv[0], err->message);
            return err->code;
        }
        printf("%s %s\n", json_object_get_string_member_with_default(ev, "version", "?"),
               json_object_get_string_member_with_default(ev, "reason", ""));
        fflush(stdout);
    }
    return HERD_EXIT_OK;
}

int cmd_cib(int argc, char **argv)
{
    static const cli_command_t verbs[] = {
        {"query", "Show the CIB, a section or what an XPath selects", cib_query},
        {"replace", "Replace the whole CIB with a file", cib_replace},
        {"modify", "Merge an XML fragment into the CIB", cib_modify},
        {"delete", "Delete the elements an XPath selects", cib_delete},
        {"validate", "Check a CIB file without a daemon", cib_validate},
        {"watch", "Print each CIB change as herdd commits it", cib_watch},
        {NULL, NULL, NULL}};
    return cli_dispatch("cib", verbs, argc, argv);
}
