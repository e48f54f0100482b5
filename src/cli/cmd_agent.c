/* cmd_agent.c: `herd agent list|info|run|test`: resource agents driven
 * through the executor exactly as the cluster drives them.
 *
 * Where agents are found can be moved for tests with HERD_OCF_ROOT,
 * HERD_LSB_DIR, HERD_STONITH_DIR, HERD_HEARTBEAT_DIR and HERD_RSC_TMP_DIR
 * (herd's own settings; none of them reaches an agent's environment
 * except as OCF_ROOT / HA_RSCTMP). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "herd_exec.h"

#define META_TIMEOUT_MS 10000

/* ---- shared ------------------------------------------------------------- */

static herd_exec_config_t agent_config(void)
{
    herd_exec_config_t c = {0};
    c.dirs.ocf_root = g_getenv("HERD_OCF_ROOT");
    c.dirs.lsb_dir = g_getenv("HERD_LSB_DIR");
    c.dirs.stonith_dir = g_getenv("HERD_STONITH_DIR");
    c.dirs.heartbeat_dir = g_getenv("HERD_HEARTBEAT_DIR");
    c.rsc_tmp_dir = g_getenv("HERD_RSC_TMP_DIR");
    return c;
}

/* Parse NAME=VALUE options into `table`; false (with a message) if one is
 * malformed. */
static bool parse_pairs(const char *cmd, char **pairs, GHashTable *table, const char *what)
{
    for (int i = 0; pairs && pairs[i]; i++) {
        const char *eq = strchr(pairs[i], '=');
        if (!eq || eq == pairs[i]) {
            cli_usage_error(cmd, "%s '%s' is not NAME=VALUE", what, pairs[i]);
            return false;
        }
        g_hash_table_insert(table, g_strndup(pairs[i], eq - pairs[i]), g_strdup(eq + 1));
    }
    return true;
}

static GHashTable *new_table(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* Meta-data text of an agent: run its meta-data action, or synthesize it
 * for classes without one.  NULL with `err` set when the agent fails. */
static char *fetch_metadata(herd_exec_t *ex, const herd_agent_t *agent, GError **err)
{
    if (agent->klass == HERD_AGENT_LSB || agent->klass == HERD_AGENT_HEARTBEAT) {
        if (!g_file_test(agent->path, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_NOT_INSTALLED, "%s: agent not installed (%s)",
                        agent->spec, agent->path);
            return NULL;
        }
        return herd_metadata_synthesize(agent);
    }
    herd_exec_request_t req = {.agent = agent->spec, .action = "meta-data",
                               .timeout_ms = META_TIMEOUT_MS, .expected_rc = -1};
    g_autoptr(herd_exec_result_t) r = herd_exec_run_wait(ex, &req);
    if (r->status != HERD_OP_DONE || r->rc != 0) {
        g_set_error(err, HERD_ERROR,
                    r->status == HERD_OP_NOT_INSTALLED ? HERD_EXIT_NOT_INSTALLED : HERD_EXIT_ERROR,
                    "%s meta-data failed: %s%s%s", agent->spec,
                    r->status == HERD_OP_DONE ? herd_ocf_rc_name(r->rc)
                                              : herd_op_status_name(r->status),
                    r->exit_reason ? ": " : "", r->exit_reason ? r->exit_reason : "");
        return NULL;
    }
    return g_strdup(r->stdout_text);
}

/* Which parameter names a fence agent's target: "port" or "plug" as its
 * meta-data says, "none" when it has neither (only nodename= is sent). */
static const char *port_param_of(const herd_metadata_t *md)
{
    if (!md || herd_metadata_param(md, "port"))
        return "port";
    if (herd_metadata_param(md, "plug"))
        return "plug";
    return "none";
}

/* ---- list --------------------------------------------------------------- */

static void list_text(JsonNode *data, GString *out, void *user)
{
    JsonArray *a = json_object_get_array_member(json_node_get_object(data), "agents");
    for (guint i = 0; i < json_array_get_length(a); i++)
        g_string_append_printf(out, "%s\n", json_array_get_string_element(a, i));
}

static int agent_list(int argc, char **argv)
{
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "[CLASS[:PROVIDER]]",
                       "List installed resource agents (ocf, lsb, stonith, heartbeat).", NULL,
                       &common, &done);
    if (rc || done)
        return rc;
    if (argc > 2) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "at most one CLASS[:PROVIDER]");
    }
    herd_exec_config_t cfg = agent_config();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) names = herd_agent_list(argc > 1 ? argv[1] : NULL, &cfg.dirs, &err);
    if (!names) {
        herd_output_error(stdout, common.format, "agent list", err->code, err->message);
        cli_common_clear(&common);
        return err->code;
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "agents");
    json_builder_begin_array(b);
    for (int i = 0; names[i]; i++)
        json_builder_add_string_value(b, names[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    herd_output_emit(stdout, common.format, "agent list", data, 0, list_text, NULL);
    cli_common_clear(&common);
    return HERD_EXIT_OK;
}

/* ---- info --------------------------------------------------------------- */

static const char *member_str(JsonObject *o, const char *k)
{
    return json_object_has_member(o, k) && !json_object_get_null_member(o, k)
               ? json_object_get_string_member(o, k)
               : NULL;
}

static void info_text(JsonNode *data, GString *out, void *user)
{
    JsonObject *o = json_node_get_object(data);
    const char *sd = member_str(o, "shortdesc");
    g_string_append_printf(out, "%s (%s)\n", json_object_get_string_member(o, "agent"),
                           sd ? sd : "");
    const char *ld = member_str(o, "longdesc");
    if (ld && *ld)
        g_string_append_printf(out, "\n%s\n", ld);
    JsonArray *ps = json_object_get_array_member(o, "parameters");
    g_string_append(out, "\nParameters (* required, [default]):\n");
    if (!json_array_get_length(ps))
        g_string_append(out, "  (none)\n");
    for (guint i = 0; i < json_array_get_length(ps); i++) {
        JsonObject *p = json_array_get_object_element(ps, i);
        const char *d = member_str(p, "default");
        const char *psd = member_str(p, "shortdesc");
        GString *flags = g_string_new(NULL);
        if (json_object_get_boolean_member(p, "unique"))
            g_string_append(flags, " unique");
        if (json_object_get_boolean_member(p, "reloadable"))
            g_string_append(flags, " reloadable");
        if (json_object_get_boolean_member(p, "deprecated"))
            g_string_append(flags, " deprecated");
        g_string_append_printf(out, "  %s%s (%s%s)%s%s%s: %s\n",
                               json_object_get_string_member(p, "name"),
                               json_object_get_boolean_member(p, "required") ? " *" : "",
                               json_object_get_string_member(p, "type"), flags->str,
                               d ? " [" : "", d ? d : "", d ? "]" : "", psd ? psd : "");
        g_string_free(flags, TRUE);
    }
    JsonArray *as = json_object_get_array_member(o, "actions");
    g_string_append(out, "\nActions:\n");
    for (guint i = 0; i < json_array_get_length(as); i++) {
        JsonObject *a = json_array_get_object_element(as, i);
        g_string_append_printf(out, "  %-14s timeout=%" G_GINT64_FORMAT "ms", json_object_get_string_member(a, "name"),
                               json_object_get_int_member(a, "timeout_ms"));
        gint64 iv = json_object_get_int_member(a, "interval_ms");
        if (iv)
            g_string_append_printf(out, " interval=%" G_GINT64_FORMAT "ms", iv);
        gint64 depth = json_object_get_int_member(a, "depth");
        if (depth)
            g_string_append_printf(out, " depth=%" G_GINT64_FORMAT, depth);
        const char *role = member_str(a, "role");
        if (role)
            g_string_append_printf(out, " role=%s", role);
        g_string_append_c(out, '\n');
    }
}

static void add_str(JsonBuilder *b, const char *k, const char *v)
{
    json_builder_set_member_name(b, k);
    if (v)
        json_builder_add_string_value(b, v);
    else
        json_builder_add_null_value(b);
}

static void add_bool(JsonBuilder *b, const char *k, bool v)
{
    json_builder_set_member_name(b, k);
    json_builder_add_boolean_value(b, v);
}

static void add_int(JsonBuilder *b, const char *k, gint64 v)
{
    json_builder_set_member_name(b, k);
    json_builder_add_int_value(b, v);
}

static JsonNode *metadata_json(const herd_agent_t *agent, const herd_metadata_t *md)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "agent", agent->spec);
    add_str(b, "name", md->name);
    add_str(b, "version", md->version);
    add_str(b, "shortdesc", md->shortdesc);
    add_str(b, "longdesc", md->longdesc);
    json_builder_set_member_name(b, "parameters");
    json_builder_begin_array(b);
    for (guint i = 0; i < md->params->len; i++) {
        herd_param_meta_t *p = md->params->pdata[i];
        json_builder_begin_object(b);
        add_str(b, "name", p->name);
        add_str(b, "type", p->type);
        add_bool(b, "required", p->required);
        add_bool(b, "unique", p->unique);
        add_bool(b, "reloadable", p->reloadable);
        add_bool(b, "deprecated", p->deprecated);
        add_str(b, "default", p->default_value);
        add_str(b, "shortdesc", p->shortdesc);
        if (p->options) {
            json_builder_set_member_name(b, "options");
            json_builder_begin_array(b);
            for (int k = 0; p->options[k]; k++)
                json_builder_add_string_value(b, p->options[k]);
            json_builder_end_array(b);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "actions");
    json_builder_begin_array(b);
    for (guint i = 0; i < md->actions->len; i++) {
        herd_action_meta_t *a = md->actions->pdata[i];
        json_builder_begin_object(b);
        add_str(b, "name", a->name);
        add_int(b, "timeout_ms", a->timeout_ms);
        add_int(b, "interval_ms", a->interval_ms);
        add_int(b, "depth", a->depth);
        add_str(b, "role", a->role);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static int agent_info(int argc, char **argv)
{
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "AGENT",
                       "Show an agent's parameters and actions from its meta-data.", NULL,
                       &common, &done);
    if (rc || done)
        return rc;
    if (argc != 2) {
        cli_common_clear(&common);
        return cli_usage_error(argv[0], "give one agent (ocf:PROVIDER:TYPE, lsb:NAME, ...)");
    }
    herd_exec_config_t cfg = agent_config();
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_agent_t) agent = herd_agent_parse(argv[1], &cfg.dirs, &err);
    g_autoptr(GMainContext) ctx = g_main_context_new();
    cfg.context = ctx;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&cfg);
    g_autofree char *xml = agent ? fetch_metadata(ex, agent, &err) : NULL;
    g_autoptr(herd_metadata_t) md = xml ? herd_metadata_parse(xml, -1, agent->spec, &err) : NULL;
    if (!md) {
        herd_output_error(stdout, common.format, "agent info", err->code, err->message);
        cli_common_clear(&common);
        return err->code;
    }
    g_autoptr(JsonNode) data = metadata_json(agent, md);
    herd_output_emit(stdout, common.format, "agent info", data, 0, info_text, NULL);
    cli_common_clear(&common);
    return HERD_EXIT_OK;
}

/* ---- run ---------------------------------------------------------------- */

static void result_json(JsonBuilder *b, const herd_exec_result_t *r)
{
    add_str(b, "agent", r->agent);
    add_str(b, "action", r->action);
    add_int(b, "interval_ms", r->interval_ms);
    add_int(b, "rc", r->rc);
    add_str(b, "rc_name", herd_ocf_rc_name(r->rc));
    add_int(b, "raw_rc", r->raw_rc);
    add_int(b, "op_status", r->status);
    add_str(b, "op_status_name", herd_op_status_name(r->status));
    add_str(b, "exit_reason", r->exit_reason);
    add_int(b, "expected_rc", r->verdict.expected_rc);
    add_bool(b, "ok", r->verdict.ok);
    add_str(b, "failure", herd_failure_name(r->verdict.failure));
    add_bool(b, "degraded", r->verdict.degraded);
    add_str(b, "verdict", r->verdict.note);
    add_int(b, "queue_ms", (r->started_us - r->queued_us) / 1000);
    add_int(b, "exec_ms", (r->finished_us - r->started_us) / 1000);
    add_bool(b, "output_truncated", r->output_truncated);
    add_str(b, "stdout", r->stdout_text);
    add_str(b, "stderr", r->stderr_text);
}

static void run_text(JsonNode *data, GString *out, void *user)
{
    JsonObject *o = json_node_get_object(data);
    g_string_append_printf(out, "%s %s: rc=%" G_GINT64_FORMAT " (%s), status: %s\n",
                           json_object_get_string_member(o, "agent"),
                           json_object_get_string_member(o, "action"),
                           json_object_get_int_member(o, "rc"),
                           json_object_get_string_member(o, "rc_name"),
                           json_object_get_string_member(o, "op_status_name"));
    const char *failure = json_object_get_string_member(o, "failure");
    g_string_append_printf(out, "result: %s (expected rc %" G_GINT64_FORMAT ", failure: %s%s)\n",
                           json_object_get_string_member(o, "verdict"),
                           json_object_get_int_member(o, "expected_rc"), failure,
                           json_object_get_boolean_member(o, "degraded") ? ", degraded" : "");
    const char *reason = member_str(o, "exit_reason");
    if (reason)
        g_string_append_printf(out, "exit reason: %s\n", reason);
    g_string_append_printf(out, "time: %" G_GINT64_FORMAT "ms\n",
                           json_object_get_int_member(o, "exec_ms"));
    const char *so = json_object_get_string_member(o, "stdout");
    const char *se = json_object_get_string_member(o, "stderr");
    if (*so)
        g_string_append_printf(out, "--- stdout ---\n%s%s", so,
                               g_str_has_suffix(so, "\n") ? "" : "\n");
    if (*se)
        g_string_append_printf(out, "--- stderr ---\n%s%s", se,
                               g_str_has_suffix(se, "\n") ? "" : "\n");
    if (json_object_get_boolean_member(o, "output_truncated"))
        g_string_append(out, "(output truncated)\n");
}

/* The exit status of `herd agent run`: the agent's rc when it ran (as
 * crm_resource --force-* does), else what stopped it from running. */
static int run_exit_status(const herd_exec_result_t *r)
{
    switch (r->status) {
    case HERD_OP_DONE:
        return r->rc > 255 ? HERD_EXIT_ERROR : r->rc;
    case HERD_OP_TIMEOUT:
        return HERD_EXIT_TIMEOUT;
    case HERD_OP_NOT_INSTALLED:
        return HERD_EXIT_NOT_INSTALLED;
    case HERD_OP_INVALID:
        return HERD_EXIT_USAGE;
    default:
        return HERD_EXIT_ERROR;
    }
}

static int agent_run(int argc, char **argv)
{
    g_auto(GStrv) params = NULL, metas = NULL;
    g_autofree char *timeout = NULL, *interval = NULL, *rsc_id = NULL, *target = NULL;
    int expect = -1;
    GOptionEntry entries[] = {
        {"param", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &params, "Instance parameter", "NAME=VALUE"},
        {"meta", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &metas, "Meta attribute", "NAME=VALUE"},
        {"timeout", 't', 0, G_OPTION_ARG_STRING, &timeout, "Timeout (default 20s)", "DURATION"},
        {"interval", 'i', 0, G_OPTION_ARG_STRING, &interval,
         "Operation interval given to the agent (the action runs once)", "DURATION"},
        {"resource", 'r', 0, G_OPTION_ARG_STRING, &rsc_id, "Resource instance name", "ID"},
        {"target", 0, 0, G_OPTION_ARG_STRING, &target, "stonith: the node to fence", "NODE"},
        {"expect", 0, 0, G_OPTION_ARG_INT, &expect, "Expected rc (default: per action)", "RC"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "AGENT ACTION",
                       "Run one action of an agent as the cluster would and show the result.",
                       entries, &common, &done);
    if (rc || done)
        return rc;
    g_autoptr(GHashTable) ptab = new_table();
    g_autoptr(GHashTable) mtab = new_table();
    long long timeout_ms = 20000, interval_ms = 0;
    if (argc != 3)
        rc = cli_usage_error(argv[0], "give an agent and an action");
    else if (!parse_pairs(argv[0], params, ptab, "parameter") ||
             !parse_pairs(argv[0], metas, mtab, "meta attribute"))
        rc = HERD_EXIT_USAGE;
    else if (timeout && (herd_parse_duration_ms(timeout, &timeout_ms) < 0 || timeout_ms <= 0 ||
                         timeout_ms > G_MAXUINT))
        rc = cli_usage_error(argv[0], "--timeout '%s' is not a duration", timeout);
    else if (interval && (herd_parse_duration_ms(interval, &interval_ms) < 0 ||
                          interval_ms > G_MAXUINT))
        rc = cli_usage_error(argv[0], "--interval '%s' is not a duration", interval);
    if (rc) {
        cli_common_clear(&common);
        return rc;
    }
    herd_exec_config_t cfg = agent_config();
    g_autoptr(GMainContext) ctx = g_main_context_new();
    cfg.context = ctx;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&cfg);
    const char *port_param = NULL;
    g_autoptr(herd_metadata_t) md = NULL;
    g_autoptr(herd_agent_t) agent = herd_agent_parse(argv[1], &cfg.dirs, NULL);
    if (agent && agent->klass == HERD_AGENT_STONITH && target) {
        g_autofree char *xml = fetch_metadata(ex, agent, NULL);
        md = xml ? herd_metadata_parse(xml, -1, agent->spec, NULL) : NULL;
        port_param = port_param_of(md);
    }
    herd_exec_request_t req = {
        .agent = argv[1], .action = argv[2], .rsc_id = rsc_id, .params = ptab, .meta = mtab,
        .timeout_ms = (guint)timeout_ms, .expected_rc = expect, .target = target,
        .port_param = port_param,
    };
    /* With --interval the agent sees the interval; herd runs it once. */
    req.interval_ms = (guint)interval_ms;
    g_autoptr(herd_exec_result_t) r = herd_exec_run_wait(ex, &req);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    result_json(b, r);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    int code = run_exit_status(r);
    herd_output_emit(stdout, common.format, "agent run", data, code, run_text, NULL);
    cli_common_clear(&common);
    return code;
}

/* ---- test --------------------------------------------------------------- */

/* One `herd agent test` run: the agent, its parameters, the checks so far. */
typedef struct {
    herd_exec_t *ex;
    const herd_agent_t *agent;
    GHashTable *params;
    guint timeout_ms;
    JsonBuilder *b;   /* array of checks */
    int failed, passed;
    bool verbose;
} tester_t;

static void check_record(tester_t *t, const char *rule, bool pass, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void check_record(tester_t *t, const char *rule, bool pass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_builder_begin_object(t->b);
    add_str(t->b, "rule", rule);
    add_bool(t->b, "pass", pass);
    add_str(t->b, "message", msg);
    json_builder_end_object(t->b);
    if (pass)
        t->passed++;
    else
        t->failed++;
}

/* Run `action` (monitor as a probe unless `interval_ms`) and return the
 * result (caller frees). */
static herd_exec_result_t *trun(tester_t *t, const char *action, GHashTable *meta)
{
    herd_exec_request_t req = {.agent = t->agent->spec, .action = action,
                               .rsc_id = "herd-agent-test", .params = t->params, .meta = meta,
                               .timeout_ms = t->timeout_ms, .expected_rc = -1};
    return herd_exec_run_wait(t->ex, &req);
}

/* Describe what an action gave: "rc 1 (OCF_ERR_GENERIC): reason". */
static char *describe(const herd_exec_result_t *r, bool raw)
{
    if (r->status != HERD_OP_DONE)
        return g_strdup_printf("%s%s%s", herd_op_status_name(r->status),
                               r->exit_reason ? ": " : "", r->exit_reason ? r->exit_reason : "");
    int rc = raw ? r->raw_rc : r->rc;
    return g_strdup_printf("rc %d (%s)%s%s", rc, raw ? "LSB" : herd_ocf_rc_name(rc),
                           r->exit_reason ? ": " : "", r->exit_reason ? r->exit_reason : "");
}

/* Run `action`, expect `want` (the OCF rc, or the raw exit status when
 * `raw`), record the check under `rule`.  Returns whether it passed. */
static bool texpect(tester_t *t, const char *rule, const char *what, const char *action,
                    GHashTable *meta, int want, bool raw)
{
    g_autoptr(herd_exec_result_t) r = trun(t, action, meta);
    int got = raw ? r->raw_rc : r->rc;
    bool pass = r->status == HERD_OP_DONE && got == want;
    g_autofree char *d = describe(r, raw);
    if (pass)
        check_record(t, rule, true, "%s: %s", what, d);
    else
        check_record(t, rule, false, "%s: expected rc %d (%s), got %s", what, want,
                     raw ? "LSB" : herd_ocf_rc_name(want), d);
    return pass;
}

static GHashTable *notify_meta(const char *type, const char *op)
{
    GHashTable *m = new_table();
    g_hash_table_insert(m, g_strdup("notify_type"), g_strdup(type));
    g_hash_table_insert(m, g_strdup("notify_operation"), g_strdup(op));
    g_hash_table_insert(m, g_strdup("notify_start_resource"), g_strdup("herd-agent-test"));
    g_hash_table_insert(m, g_strdup("notify_start_uname"), g_strdup(g_get_host_name()));
    return m;
}

/* The ocf-tester checks on an OCF agent. */
static void test_ocf(tester_t *t)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_exec_result_t) mdr = trun(t, "meta-data", NULL);
    if (mdr->status != HERD_OP_DONE || mdr->rc != 0) {
        g_autofree char *d = describe(mdr, false);
        check_record(t, "meta-data-action", false, "meta-data must exit 0: got %s", d);
        return;
    }
    check_record(t, "meta-data-action", true, "meta-data exits 0");
    g_autoptr(herd_metadata_t) md = herd_metadata_parse(mdr->stdout_text, -1, t->agent->spec, &err);
    if (!md) {
        check_record(t, "meta-data-valid", false, "%s", err->message);
        return;
    }
    check_record(t, "meta-data-valid", true, "meta-data is valid ra-api-1 XML");
    static const char *required[] = {"start", "stop", "monitor", "meta-data", NULL};
    GString *missing = g_string_new(NULL);
    for (int i = 0; required[i]; i++)
        if (!herd_metadata_action(md, required[i]))
            g_string_append_printf(missing, " %s", required[i]);
    if (missing->len)
        check_record(t, "required-actions", false, "meta-data does not advertise:%s",
                     missing->str);
    else
        check_record(t, "required-actions", true, "start, stop, monitor, meta-data advertised");
    g_string_free(missing, TRUE);
    g_auto(GStrv) probs = herd_metadata_validate(md, t->params);
    for (int i = 0; probs[i]; i++)
        check_record(t, "parameters-valid", false, "%s", probs[i]);
    if (!probs[0])
        check_record(t, "parameters-valid", true, "parameters match the meta-data");
    if (herd_metadata_action(md, "validate-all"))
        texpect(t, "validate-all", "validate-all", "validate-all", NULL, 0, false);

    bool promotable = herd_metadata_action(md, "promote") && herd_metadata_action(md, "demote");
    /* Bring it to a known stopped state. */
    {
        g_autoptr(herd_exec_result_t) r = trun(t, "monitor", NULL);
        if (r->status == HERD_OP_DONE && r->rc == HERD_OCF_RUNNING_PROMOTED && promotable) {
            g_autoptr(herd_exec_result_t) d = trun(t, "demote", NULL);
        }
        if (r->status == HERD_OP_DONE && r->rc != HERD_OCF_NOT_RUNNING) {
            g_autoptr(herd_exec_result_t) s = trun(t, "stop", NULL);
        }
    }
    texpect(t, "stop-when-stopped", "stop of a stopped resource", "stop", NULL, 0, false);
    texpect(t, "monitor-when-stopped", "monitor of a stopped resource", "monitor", NULL,
            HERD_OCF_NOT_RUNNING, false);
    texpect(t, "start", "start", "start", NULL, 0, false);
    texpect(t, "monitor-after-start", "monitor after start", "monitor", NULL, 0, false);
    texpect(t, "start-idempotent", "start of a started resource", "start", NULL, 0, false);
    texpect(t, "monitor-after-start", "monitor after a second start", "monitor", NULL, 0, false);

    if (herd_metadata_action(md, "notify")) {
        static const char *kinds[][2] = {{"pre", "start"}, {"post", "start"},
                                         {"pre", "stop"}, {"post", "stop"}};
        for (int i = 0; i < 4; i++) {
            g_autoptr(GHashTable) m = notify_meta(kinds[i][0], kinds[i][1]);
            g_autofree char *what = g_strdup_printf("notify %s-%s", kinds[i][0], kinds[i][1]);
            texpect(t, "notify", what, "notify", m, 0, false);
        }
    }
    if (promotable) {
        texpect(t, "demote-when-unpromoted", "demote of an unpromoted resource", "demote", NULL,
                0, false);
        texpect(t, "promote", "promote", "promote", NULL, 0, false);
        texpect(t, "monitor-after-promote", "monitor after promote", "monitor", NULL,
                HERD_OCF_RUNNING_PROMOTED, false);
        texpect(t, "promote-idempotent", "promote of a promoted resource", "promote", NULL, 0,
                false);
        texpect(t, "demote", "demote", "demote", NULL, 0, false);
        texpect(t, "monitor-after-demote", "monitor after demote", "monitor", NULL, 0, false);
        texpect(t, "demote-idempotent", "demote of a demoted resource", "demote", NULL, 0, false);
    } else if (herd_metadata_action(md, "promote") || herd_metadata_action(md, "demote")) {
        check_record(t, "promote-demote-pair", false,
                     "meta-data advertises only one of promote and demote");
    }
    if (herd_metadata_action(md, "reload-agent"))
        texpect(t, "reload-agent", "reload-agent", "reload-agent", NULL, 0, false);
    if (herd_metadata_action(md, "reload"))
        texpect(t, "reload", "reload", "reload", NULL, 0, false);
    if (herd_metadata_action(md, "migrate_to") || herd_metadata_action(md, "migrate_from")) {
        if (!herd_metadata_action(md, "migrate_to") || !herd_metadata_action(md, "migrate_from")) {
            check_record(t, "migrate-pair", false,
                         "meta-data advertises only one of migrate_to and migrate_from");
        } else {
            g_autoptr(GHashTable) m = new_table();
            g_hash_table_insert(m, g_strdup("migrate_source"), g_strdup(g_get_host_name()));
            g_hash_table_insert(m, g_strdup("migrate_target"), g_strdup(g_get_host_name()));
            texpect(t, "migrate_to", "migrate_to", "migrate_to", m, 0, false);
            texpect(t, "migrate_from", "migrate_from", "migrate_from", m, 0, false);
        }
    }
    texpect(t, "stop", "stop", "stop", NULL, 0, false);
    texpect(t, "monitor-after-stop", "monitor after stop", "monitor", NULL, HERD_OCF_NOT_RUNNING,
            false);
    texpect(t, "stop-idempotent", "stop of a stopped resource", "stop", NULL, 0, false);
    texpect(t, "unknown-action", "an unknown action", "herd-no-such-action", NULL,
            HERD_OCF_ERR_UNIMPLEMENTED, false);
}

/* The LSB compliance sequence of Pacemaker's agent chapter (raw exit
 * statuses as an init script gives them). */
static void test_lsb(tester_t *t)
{
    if (!g_file_test(t->agent->path, G_FILE_TEST_IS_REGULAR)) {
        check_record(t, "installed", false, "%s does not exist", t->agent->path);
        return;
    }
    {
        /* The sequence starts from a stopped service. */
        g_autoptr(herd_exec_result_t) r = trun(t, "status", NULL);
        if (r->raw_rc != 3) {
            g_autoptr(herd_exec_result_t) s = trun(t, "stop", NULL);
        }
    }
    texpect(t, "lsb-start-stopped", "start (stopped)", "start", NULL, 0, true);
    texpect(t, "lsb-status-running", "status (running)", "status", NULL, 0, true);
    texpect(t, "lsb-start-running", "start (running)", "start", NULL, 0, true);
    texpect(t, "lsb-stop-running", "stop (running)", "stop", NULL, 0, true);
    texpect(t, "lsb-status-stopped", "status (stopped)", "status", NULL, 3, true);
    texpect(t, "lsb-stop-stopped", "stop (stopped)", "stop", NULL, 0, true);
}

/* A fence agent: meta-data, monitor, list. */
static void test_stonith(tester_t *t)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_exec_result_t) mdr = trun(t, "meta-data", NULL);
    if (mdr->status != HERD_OP_DONE || mdr->rc != 0) {
        g_autofree char *d = describe(mdr, false);
        check_record(t, "stonith-metadata", false, "metadata must exit 0: got %s", d);
        return;
    }
    g_autoptr(herd_metadata_t) md = herd_metadata_parse(mdr->stdout_text, -1, t->agent->spec, &err);
    if (!md) {
        check_record(t, "stonith-metadata", false, "%s", err->message);
        return;
    }
    check_record(t, "stonith-metadata", true, "metadata is valid");
    static const char *need[] = {"off", "reboot", "monitor", NULL};
    GString *missing = g_string_new(NULL);
    for (int i = 0; need[i]; i++)
        if (!herd_metadata_action(md, need[i]))
            g_string_append_printf(missing, " %s", need[i]);
    if (missing->len)
        check_record(t, "stonith-actions", false, "metadata does not advertise:%s", missing->str);
    else
        check_record(t, "stonith-actions", true, "off, reboot, monitor advertised");
    g_string_free(missing, TRUE);
    texpect(t, "stonith-monitor", "monitor", "monitor", NULL, 0, false);
    /* list is optional for a fence agent; when advertised it must work. */
    if (herd_metadata_action(md, "list"))
        texpect(t, "stonith-list", "list", "list", NULL, 0, false);
    else
        check_record(t, "stonith-list", true, "list not advertised: not run");
}

static void test_text(JsonNode *data, GString *out, void *user)
{
    JsonObject *o = json_node_get_object(data);
    JsonArray *cs = json_object_get_array_member(o, "checks");
    for (guint i = 0; i < json_array_get_length(cs); i++) {
        JsonObject *c = json_array_get_object_element(cs, i);
        g_string_append_printf(out, "%s %s: %s\n",
                               json_object_get_boolean_member(c, "pass") ? "PASS" : "FAIL",
                               json_object_get_string_member(c, "rule"),
                               json_object_get_string_member(c, "message"));
    }
    g_string_append_printf(out, "%s: %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT " failed\n",
                           json_object_get_string_member(o, "agent"),
                           json_object_get_int_member(o, "passed"),
                           json_object_get_int_member(o, "failed"));
}

static int agent_test(int argc, char **argv)
{
    g_auto(GStrv) opts = NULL;
    g_autofree char *timeout = NULL;
    GOptionEntry entries[] = {
        {"option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opts, "Instance parameter", "NAME=VALUE"},
        {"timeout", 't', 0, G_OPTION_ARG_STRING, &timeout, "Timeout per action (default 20s)",
         "DURATION"},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "AGENT",
                       "Check that an agent follows its standard (the ocf-tester checks; the "
                       "LSB compliance sequence; fence agent metadata, monitor and list).",
                       entries, &common, &done);
    if (rc || done)
        return rc;
    g_autoptr(GHashTable) ptab = new_table();
    long long timeout_ms = 20000;
    if (argc != 2)
        rc = cli_usage_error(argv[0], "give one agent");
    else if (!parse_pairs(argv[0], opts, ptab, "option"))
        rc = HERD_EXIT_USAGE;
    else if (timeout && (herd_parse_duration_ms(timeout, &timeout_ms) < 0 || timeout_ms <= 0 ||
                         timeout_ms > G_MAXUINT))
        rc = cli_usage_error(argv[0], "--timeout '%s' is not a duration", timeout);
    if (rc) {
        cli_common_clear(&common);
        return rc;
    }
    herd_exec_config_t cfg = agent_config();
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_agent_t) agent = herd_agent_parse(argv[1], &cfg.dirs, &err);
    if (!agent) {
        herd_output_error(stdout, common.format, "agent test", err->code, err->message);
        cli_common_clear(&common);
        return err->code;
    }
    g_autoptr(GMainContext) ctx = g_main_context_new();
    cfg.context = ctx;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&cfg);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "agent", agent->spec);
    json_builder_set_member_name(b, "checks");
    json_builder_begin_array(b);
    tester_t t = {.ex = ex, .agent = agent, .params = ptab, .timeout_ms = (guint)timeout_ms,
                  .b = b};
    switch (agent->klass) {
    case HERD_AGENT_OCF:
        test_ocf(&t);
        break;
    case HERD_AGENT_LSB:
        test_lsb(&t);
        break;
    case HERD_AGENT_STONITH:
        test_stonith(&t);
        break;
    case HERD_AGENT_HEARTBEAT:
        check_record(&t, "class", false, "heartbeat agents have no compliance test");
        break;
    }
    json_builder_end_array(b);
    add_int(b, "passed", t.passed);
    add_int(b, "failed", t.failed);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    int code = t.failed ? HERD_EXIT_ERROR : HERD_EXIT_OK;
    herd_output_emit(stdout, common.format, "agent test", data, code, test_text, NULL);
    cli_common_clear(&common);
    return code;
}

/* ---- the noun ----------------------------------------------------------- */

static const cli_command_t verbs[] = {
    {"list", "List installed agents [CLASS[:PROVIDER]]", agent_list},
    {"info", "Show an agent's parameters and actions", agent_info},
    {"run", "Run one action of an agent", agent_run},
    {"test", "Check an agent against its standard", agent_test},
    {"ocft", "Run ocft test-case configs (make|test CONFIG)", cmd_agent_ocft},
    {NULL, NULL, NULL},
};

int cmd_agent(int argc, char **argv)
{
    return cli_dispatch("agent", verbs, argc, argv);
}
