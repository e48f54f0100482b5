/* cmd_status.c: `herd status`, what crm_mon shows: the live CIB through
 * the scheduler's eyes (nodes, resources by group and clone with their
 * roles), failed actions and fail counts.  The resource display is the one
 * `herd simulate` prints as "Current cluster status". */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herd_cib.h"
#include "herd_sched.h"
#include "cli.h"
#include "herd_daemon.h"

int cli_live_cib_text(const char *cmd, char **out)
{
    *out = NULL;
    g_autoptr(JsonObject) req = cli_request("cib_query");
    g_autoptr(JsonObject) reply = NULL;
    int rc = cli_call(cmd, req, &reply, false);
    if (rc)
        return rc;
    if (!json_object_has_member(reply, "xml")) {
        fprintf(stderr, "%s: herdd's reply has no CIB\n", cmd);
        return HERD_EXIT_PROTOCOL;
    }
    *out = g_strdup(json_object_get_string_member(reply, "xml"));
    return 0;
}

int cli_live_cib_keep(const char *cmd, herd_cib_t **out, char **text_out)
{
    *out = NULL;
    g_autofree char *text = NULL;
    int rc = cli_live_cib_text(cmd, &text);
    if (rc)
        return rc;
    g_autoptr(GError) err = NULL;
    *out = herd_cib_load_memory(text, strlen(text), "live CIB", &err);
    if (!*out) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        return err->domain == HERD_ERROR ? err->code : HERD_EXIT_ERROR;
    }
    if (text_out)
        *text_out = g_steal_pointer(&text);
    return 0;
}

int cli_live_cib(const char *cmd, herd_cib_t **out)
{
    return cli_live_cib_keep(cmd, out, NULL);
}

static const char *rc_text(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case 1: return "error";
    case 2: return "invalid parameter";
    case 3: return "unimplemented feature";
    case 4: return "insufficient privileges";
    case 5: return "not installed";
    case 6: return "not configured";
    case 7: return "not running";
    case 8: return "promoted";
    case 9: return "promoted (failed)";
    default: return "unknown";
    }
}

static const char *op_status_text(int s)
{
    switch (s) {
    case 0: return "complete";
    case 1: return "Cancelled";
    case 2: return "Timed Out";
    case 3: return "NOT SUPPORTED";
    case 4: return "Error";
    case 5: return "Hard error";
    case 6: return "Fatal error";
    case 7: return "Not installed";
    default: return "?";
    }
}

/* The "nodes" member: each node's name, id and state (shared with `herd
 * simulate`). */
void cli_add_nodes_json(JsonBuilder *b, const herd_sched_result_t *res)
{
    json_builder_set_member_name(b, "nodes");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        const struct {
            const char *name;
            bool value;
        } flags[] = {{"online", n->online}, {"unclean", n->unclean || n->fenced_now},
                     {"standby", n->standby}, {"maintenance", n->maintenance}};
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, n->cfg->uname);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, n->cfg->id);
        for (size_t k = 0; k < G_N_ELEMENTS(flags); k++) {
            json_builder_set_member_name(b, flags[k].name);
            json_builder_add_boolean_value(b, flags[k].value);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* The "resources" member: every primitive instance with where it runs,
 * its role and flags (shared with `herd resource list`). */
void cli_add_resources_json(JsonBuilder *b, const herd_sched_result_t *res)
{
    json_builder_set_member_name(b, "resources");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, p->name);
        json_builder_set_member_name(b, "top");
        json_builder_add_string_value(b, p->top_id ? p->top_id : p->name);
        if (p->cfg && p->cfg->klass) {
            g_autofree char *agent = p->cfg->provider
                ? g_strdup_printf("%s:%s:%s", p->cfg->klass, p->cfg->provider, p->cfg->type)
                : g_strdup_printf("%s:%s", p->cfg->klass, p->cfg->type);
            json_builder_set_member_name(b, "agent");
            json_builder_add_string_value(b, agent);
        }
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, herd_role_name(p->current->len ? p->current_role
                                                                         : HERD_ROLE_STOPPED));
        if (p->current->len) {
            json_builder_set_member_name(b, "node");
            json_builder_add_string_value(b, p->current->pdata[0]);
        }
        json_builder_set_member_name(b, "failed");
        json_builder_add_boolean_value(b, p->failed);
        json_builder_set_member_name(b, "managed");
        json_builder_add_boolean_value(b, p->managed);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* The data of the status: nodes, resources, failures, fail counts. */
static JsonNode *status_data(const herd_cib_t *cib, const herd_sched_result_t *res)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "have_quorum");
    json_builder_add_boolean_value(b, res->have_quorum);
    cli_add_nodes_json(b, res);
    cli_add_resources_json(b, res);
    json_builder_set_member_name(b, "failures");
    json_builder_begin_array(b);
    for (guint i = 0; i < cib->histories->len; i++) {
        const herd_rsc_history_t *h = cib->histories->pdata[i];
        for (guint k = 0; k < h->ops->len; k++) {
            const herd_lrm_op_t *o = h->ops->pdata[k];
            if (!o->id || !g_str_has_suffix(o->id, "_last_failure_0"))
                continue;
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "resource");
            json_builder_add_string_value(b, h->rsc_id);
            json_builder_set_member_name(b, "node");
            json_builder_add_string_value(b, h->node);
            json_builder_set_member_name(b, "operation");
            g_autofree char *op = g_strdup_printf("%s_%" G_GUINT64_FORMAT, o->operation,
                                                  o->interval_ms);
            json_builder_add_string_value(b, op);
            json_builder_set_member_name(b, "rc");
            json_builder_add_int_value(b, o->rc);
            json_builder_set_member_name(b, "op_status");
            json_builder_add_string_value(b, op_status_text(o->op_status));
            json_builder_end_object(b);
        }
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "fail_counts");
    json_builder_begin_array(b);
    for (guint i = 0; i < cib->nodes->len; i++) {
        const herd_cib_node_t *n = cib->nodes->pdata[i];
        g_autoptr(GList) keys = g_hash_table_get_keys(n->attrs);
        keys = g_list_sort(keys, (GCompareFunc)strcmp);
        for (GList *l = keys; l; l = l->next) {
            const char *k = l->data;
            if (!g_str_has_prefix(k, "fail-count-"))
                continue;
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "node");
            json_builder_add_string_value(b, n->uname);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, k);
            json_builder_set_member_name(b, "value");
            json_builder_add_string_value(b, g_hash_table_lookup(n->attrs, k));
            json_builder_end_object(b);
        }
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

typedef struct {
    const herd_cib_t *cib;
    const herd_sched_result_t *res;
} text_ctx_t;

static void status_text(JsonNode *data, GString *out, void *user)
{
    text_ctx_t *t = user;
    JsonObject *o = json_node_get_object(data);
    g_string_append_printf(out, "Cluster Summary:\n  * %u node%s configured, %u resource "
                           "instance%s configured%s\n\n",
                           t->res->nodes->len, t->res->nodes->len == 1 ? "" : "s",
                           t->res->placements->len, t->res->placements->len == 1 ? "" : "s",
                           t->res->have_quorum ? "" : " (no quorum)");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        fprintf(m, "Cluster status:\n");
        display_cluster_status(m, t->cib, t->res, false);
        fclose(m);
        g_string_append_len(out, buf, (gssize)len);
        free(buf);
    }
    JsonArray *fc = json_object_get_array_member(o, "fail_counts");
    if (json_array_get_length(fc)) {
        g_string_append(out, "\nMigration Summary:\n");
        for (guint i = 0; i < json_array_get_length(fc); i++) {
            JsonObject *f = json_array_get_object_element(fc, i);
            const char *name = json_object_get_string_member(f, "name") + strlen("fail-count-");
            g_string_append_printf(out, "  * Node: %s:\n    * %s: fail-count=%s\n",
                                   json_object_get_string_member(f, "node"), name,
                                   json_object_get_string_member(f, "value"));
        }
    }
    JsonArray *fa = json_object_get_array_member(o, "failures");
    if (json_array_get_length(fa)) {
        g_string_append(out, "\nFailed Resource Actions:\n");
        for (guint i = 0; i < json_array_get_length(fa); i++) {
            JsonObject *f = json_array_get_object_element(fa, i);
            gint64 rc = json_object_get_int_member(f, "rc");
            g_string_append_printf(out, "  * %s_%s on %s '%s' (%" G_GINT64_FORMAT "): %s\n",
                                   json_object_get_string_member(f, "resource"),
                                   json_object_get_string_member(f, "operation"),
                                   json_object_get_string_member(f, "node"),
                                   rc_text((int)rc), rc,
                                   json_object_get_string_member(f, "op_status"));
        }
    }
}

static int show_once(cli_common_t *common, const char *cmd)
{
    g_autoptr(herd_cib_t) cib = NULL;
    int rc = cli_live_cib(cmd, &cib);
    if (rc) {
        if (common->format != HERD_OUTPUT_TEXT)
            herd_output_error(stdout, common->format, "status", rc, "cannot read the live CIB");
        return rc;
    }
    g_autoptr(herd_sched_result_t) res = herd_sched_run(cib, time(NULL));
    JsonNode *data = status_data(cib, res);
    text_ctx_t t = {cib, res};
    herd_output_emit(stdout, common->format, "status", data, 0, status_text, &t);
    json_node_unref(data);
    fflush(stdout);
    return 0;
}

int cmd_status(int argc, char **argv)
{
    gboolean watch = FALSE;
    int count = 0;
    const GOptionEntry entries[] = {
        {"watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "Show the status again on every change",
         NULL},
        {"count", 'n', 0, G_OPTION_ARG_INT, &count,
         "With --watch: stop after N displays (default: never)", "N"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "", "Show the live cluster status (crm_mon).", entries,
                       &common, &done);
    if (rc || done) {
        cli_common_clear(&common);
        return rc;
    }
    if (!watch) {
        rc = show_once(&common, argv[0]);
        cli_common_clear(&common);
        return rc;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_ipc_client_t) c = herd_ipc_client_connect(NULL, &err);
    if (!c) {
        fprintf(stderr, "%s: %s\n", argv[0], err->message);
        cli_common_clear(&common);
        return err->code;
    }
    g_autoptr(JsonObject) req = cli_request("subscribe");
    g_autoptr(JsonObject) reply = herd_ipc_client_call(c, req, 30000, &err);
    if (!reply) {
        fprintf(stderr, "%s: %s\n", argv[0], err->message);
        cli_common_clear(&common);
        return err->code;
    }
    bool tty = isatty(STDOUT_FILENO);
    for (int shown = 0; count <= 0 || shown < count; shown++) {
        if (shown > 0) {
            /* wait for a change, then let a burst of changes settle */
            g_autoptr(JsonObject) ev = herd_ipc_client_next(c, -1, &err);
            if (!ev) {
                fprintf(stderr, "%s: %s\n", argv[0], err->message);
                rc = err->code;
                break;
            }
            /* ... but no longer than a second: under a steady stream of
             * changes (a node converging) the display still refreshes */
            gint64 settle_end = g_get_monotonic_time() + G_USEC_PER_SEC;
            while (g_get_monotonic_time() < settle_end) {
                g_autoptr(GError) e2 = NULL;
                g_autoptr(JsonObject) more = herd_ipc_client_next(c, 100, &e2);
                if (!more)
                    break;
            }
        }
        if (tty && common.format == HERD_OUTPUT_TEXT)
            fputs("\033[H\033[2J", stdout);
        rc = show_once(&common, argv[0]);
        if (rc)
            break;
        if (!tty && common.format == HERD_OUTPUT_TEXT)
            fputs("\n", stdout);
    }
    cli_common_clear(&common);
    return rc;
}
