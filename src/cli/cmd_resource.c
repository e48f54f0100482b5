/* cmd_resource.c: `herd resource`, what crm_resource and crm_failcount do,
 * through herdd: list, start/stop (target-role), move / ban / clear
 * (cli-prefer- / cli-ban- location constraints, optionally with a
 * lifetime), cleanup (forget failures and history: herdd reprobes),
 * failcount show/reset, restart. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herd_cib.h"
#include "herd_sched.h"
#include "cli.h"
#include "herd_daemon.h"

static char *rsc_opt, *node_opt, *lifetime_opt;
static int wait_s = 60;

static const GOptionEntry rsc_entries[] = {
    {"resource", 'r', 0, G_OPTION_ARG_STRING, &rsc_opt, "The resource", "RSC"},
    {"node", 'N', 0, G_OPTION_ARG_STRING, &node_opt, "The node", "NODE"},
    {"lifetime", 'u', 0, G_OPTION_ARG_STRING, &lifetime_opt,
     "How long a move or ban lasts (ISO 8601 duration or 10s, 5min, 1h)", "DURATION"},
    {"timeout", 'T', 0, G_OPTION_ARG_INT, &wait_s, "restart: seconds to wait for the stop",
     "S"},
    {NULL}};

/* Parse options; the resource is -r or the first positional argument. */
static int parse(int *argc, char ***argv, const char *summary, bool need_rsc, cli_common_t *c,
                 bool *done)
{
    int rc = cli_parse(argc, argv, need_rsc ? "RSC" : "[RSC]", summary, rsc_entries, c, done);
    if (rc || *done)
        return rc;
    if (!rsc_opt && *argc > 1)
        rsc_opt = g_strdup((*argv)[1]);
    if (need_rsc && !rsc_opt)
        return cli_usage_error((*argv)[0], "which resource? (give RSC or -r RSC)");
    return 0;
}

static void clear_opts(cli_common_t *c)
{
    g_clear_pointer(&rsc_opt, g_free);
    g_clear_pointer(&node_opt, g_free);
    g_clear_pointer(&lifetime_opt, g_free);
    cli_common_clear(c);
}

static bool valid_id(const char *s)
{
    for (; *s; s++)
        if (*s == '\'' || *s == '"' || *s == '<' || *s == '>' || *s == '&')
            return false;
    return true;
}

static int call_modify(const char *cmd, const char *xml)
{
    g_autoptr(JsonObject) req = cli_request("cib_modify");
    json_object_set_string_member(req, "xml", xml);
    g_autoptr(JsonObject) reply = NULL;
    return cli_call(cmd, req, &reply, false);
}

/* Delete what `xpath` matches; nothing matching is fine. */
static int call_delete(const char *cmd, const char *xpath)
{
    g_autoptr(JsonObject) req = cli_request("cib_delete");
    json_object_set_string_member(req, "xpath", xpath);
    g_autoptr(JsonObject) reply = NULL;
    int rc = cli_call(cmd, req, &reply, true);
    return rc == HERD_EXIT_NOSUCH ? 0 : rc;
}

/* The configured resource `id` (the model's), or an error printed. */
static const herd_cib_rsc_t *find_rsc(const char *cmd, const herd_cib_t *cib, const char *id)
{
    const herd_cib_rsc_t *r = herd_cib_rsc(cib, id);
    if (!r)
        fprintf(stderr, "%s: resource '%s' is not configured\n", cmd, id);
    return r;
}

static const char *rsc_tag(const herd_cib_rsc_t *r)
{
    switch (r->kind) {
    case HERD_RSC_PRIMITIVE: return "primitive";
    case HERD_RSC_GROUP: return "group";
    case HERD_RSC_CLONE: return "clone";
    case HERD_RSC_BUNDLE: return "bundle";
    }
    return "primitive";
}

static int set_target_role(const char *cmd, const herd_cib_rsc_t *r, const char *role)
{
    g_autofree char *xp = g_strdup_printf(
        "/cib/configuration/resources//*[@id='%s']/meta_attributes/nvpair[@name='target-role']",
        r->id);
    int rc = call_delete(cmd, xp);
    if (rc || !role)
        return rc;
    g_autofree char *xml = g_strdup_printf(
        "<%s id=\"%s\"><meta_attributes id=\"%s-meta_attributes\"><nvpair "
        "id=\"%s-meta_attributes-target-role\" name=\"target-role\" value=\"%s\"/>"
        "</meta_attributes></%s>", rsc_tag(r), r->id, r->id, r->id, role, rsc_tag(r));
    return call_modify(cmd, xml);
}

static int with_rsc(int argc, char **argv, const char *summary, bool need_rsc,
                    int (*fn)(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                              const herd_cib_rsc_t *r))
{
    cli_common_t c;
    bool done = false;
    int rc = parse(&argc, &argv, summary, need_rsc, &c, &done);
    if (rc || done) {
        clear_opts(&c);
        return rc;
    }
    if (rsc_opt && !valid_id(rsc_opt)) {
        rc = cli_usage_error(argv[0], "'%s' is not a resource id", rsc_opt);
        clear_opts(&c);
        return rc;
    }
    g_autoptr(herd_cib_t) cib = NULL;
    rc = cli_live_cib(argv[0], &cib);
    const herd_cib_rsc_t *r = NULL;
    if (!rc && rsc_opt) {
        r = find_rsc(argv[0], cib, rsc_opt);
        if (!r)
            rc = HERD_EXIT_NOSUCH;
    }
    if (!rc)
        rc = fn(argv[0], &c, cib, r);
    clear_opts(&c);
    return rc;
}

/* ---- verbs ---------------------------------------------------------------- */

static int do_list(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                   const herd_cib_rsc_t *r)
{
    g_autoptr(herd_sched_result_t) res = herd_sched_run(cib, time(NULL));
    if (c->format == HERD_OUTPUT_TEXT) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
            return HERD_EXIT_OSERR;
        display_cluster_status(m, cib, res, false);
        fclose(m);
        /* the resource part of the display only */
        const char *from = strstr(buf, "  * Full List of Resources:\n");
        fputs(from ? from + strlen("  * Full List of Resources:\n") : buf, stdout);
        free(buf);
        return 0;
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cli_add_resources_json(b, res);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);
    herd_output_emit(stdout, c->format, "resource list", data, 0, NULL, NULL);
    return 0;
}

static int do_start(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                    const herd_cib_rsc_t *r)
{
    return set_target_role(cmd, r, "Started");
}

static int do_stop(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                   const herd_cib_rsc_t *r)
{
    return set_target_role(cmd, r, "Stopped");
}

/* Where the resource runs now (first node), or NULL. */
static char *current_node(const herd_cib_t *cib, const herd_cib_rsc_t *r)
{
    g_autoptr(herd_sched_result_t) res = herd_sched_run(cib, time(NULL));
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        if (p->current->len && p->top_id && (!strcmp(p->top_id, r->id) ||
                                             !strcmp(p->name, r->id) ||
                                             (p->cfg && !strcmp(p->cfg->id, r->id))))
            return g_strdup(p->current->pdata[0]);
    }
    return NULL;
}

/* Write a cli-prefer-/cli-ban- location constraint. */
static int add_location(const char *cmd, const herd_cib_rsc_t *r, const char *id,
                        const char *node, const char *score)
{
    g_autofree char *xp = g_strdup_printf("/cib/configuration/constraints/rsc_location[@id='%s']",
                                          id);
    int rc = call_delete(cmd, xp);
    if (rc)
        return rc;
    g_autofree char *xml = NULL;
    if (lifetime_opt) {
        long long ms = 0;
        if (herd_parse_duration_ms(lifetime_opt, &ms) != 0 || ms == 0) {
            fprintf(stderr, "%s: '%s' is not a duration\n", cmd, lifetime_opt);
            return HERD_EXIT_USAGE;
        }
        time_t end = time(NULL) + (time_t)(ms / 1000);
        char when[64];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", gmtime(&end));
        xml = g_strdup_printf(
            "<constraints><rsc_location id=\"%s\" rsc=\"%s\" role=\"Started\">"
            "<rule id=\"%s-rule\" score=\"%s\" boolean-op=\"and\">"
            "<expression id=\"%s-expr\" attribute=\"#uname\" operation=\"eq\" value=\"%s\" "
            "type=\"string\"/><date_expression id=\"%s-lifetime\" operation=\"lt\" end=\"%s\"/>"
            "</rule></rsc_location></constraints>", id, r->id, id, score, id, node, id, when);
        printf("%s: %s on %s until %s\n", id, score[0] == '-' ? "banned" : "preferred", node,
               when);
    } else {
        xml = g_strdup_printf("<constraints><rsc_location id=\"%s\" rsc=\"%s\" role=\"Started\" "
                              "node=\"%s\" score=\"%s\"/></constraints>", id, r->id, node, score);
    }
    return call_modify(cmd, xml);
}

static int do_move(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                   const herd_cib_rsc_t *r)
{
    if (node_opt && !valid_id(node_opt))
        return cli_usage_error(cmd, "'%s' is not a node name", node_opt);
    if (!node_opt) {
        /* no destination: away from where it runs now (a ban there) */
        g_autofree char *cur = current_node(cib, r);
        if (!cur) {
            fprintf(stderr, "%s: %s is not running: give --node\n", cmd, r->id);
            return HERD_EXIT_USAGE;
        }
        g_autofree char *id = g_strdup_printf("cli-ban-%s-on-%s", r->id, cur);
        return add_location(cmd, r, id, cur, "-INFINITY");
    }
    if (!herd_cib_node(cib, node_opt)) {
        fprintf(stderr, "%s: node '%s' is not configured\n", cmd, node_opt);
        return HERD_EXIT_NOSUCH;
    }
    g_autofree char *id = g_strdup_printf("cli-prefer-%s", r->id);
    return add_location(cmd, r, id, node_opt, "INFINITY");
}

static int do_ban(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                  const herd_cib_rsc_t *r)
{
    g_autofree char *node = node_opt ? g_strdup(node_opt) : current_node(cib, r);
    if (!node && cib->nodes->len == 1)
        node = g_strdup(((herd_cib_node_t *)cib->nodes->pdata[0])->uname);
    if (!node) {
        fprintf(stderr, "%s: %s is not running: give --node\n", cmd, r->id);
        return HERD_EXIT_USAGE;
    }
    if (!valid_id(node))
        return cli_usage_error(cmd, "'%s' is not a node name", node);
    g_autofree char *id = g_strdup_printf("cli-ban-%s-on-%s", r->id, node);
    return add_location(cmd, r, id, node, "-INFINITY");
}

static int do_clear(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                    const herd_cib_rsc_t *r)
{
    g_autofree char *xp = node_opt
        ? g_strdup_printf("/cib/configuration/constraints/rsc_location[(@id='cli-prefer-%s' and "
                          "(@node='%s' or .//expression[@value='%s'])) or @id='cli-ban-%s-on-%s']",
                          r->id, node_opt, node_opt, r->id, node_opt)
        : g_strdup_printf("/cib/configuration/constraints/rsc_location[@id='cli-prefer-%s' or "
                          "starts-with(@id,'cli-ban-%s-on-')]", r->id, r->id);
    return call_delete(cmd, xp);
}

/* The ids the resource's history and fail counts go by: RSC, RSC:N. */
static char *rsc_match(const char *attr, const herd_cib_rsc_t *r)
{
    return g_strdup_printf("(@%s='%s' or starts-with(@%s,'%s:'))", attr, r->id, attr, r->id);
}

static char *failcount_xpath(const herd_cib_rsc_t *r)
{
    if (!r)
        return g_strdup("/cib/status/node_state/transient_attributes//nvpair["
                        "starts-with(@name,'fail-count-') or starts-with(@name,'last-failure-')]");
    return g_strdup_printf(
        "/cib/status/node_state/transient_attributes//nvpair[starts-with(@name,'fail-count-%s#') "
        "or starts-with(@name,'last-failure-%s#') or starts-with(@name,'fail-count-%s:') or "
        "starts-with(@name,'last-failure-%s:')]", r->id, r->id, r->id, r->id);
}

static int do_cleanup(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                      const herd_cib_rsc_t *r)
{
    /* members of a group or clone: their primitives' histories */
    g_autoptr(GPtrArray) prims = g_ptr_array_new();
    if (r) {
        GPtrArray *stack = g_ptr_array_new();
        g_ptr_array_add(stack, (gpointer)r);
        while (stack->len) {
            const herd_cib_rsc_t *x = g_ptr_array_remove_index(stack, stack->len - 1);
            if (x->kind == HERD_RSC_PRIMITIVE)
                g_ptr_array_add(prims, (gpointer)x);
            for (guint i = 0; x->children && i < x->children->len; i++)
                g_ptr_array_add(stack, x->children->pdata[i]);
        }
        g_ptr_array_free(stack, TRUE);
    }
    int rc = 0;
    for (guint i = 0; !rc && i < prims->len; i++) {
        const herd_cib_rsc_t *p = prims->pdata[i];
        g_autofree char *m = rsc_match("id", p);
        g_autofree char *xp = g_strdup_printf("/cib/status/node_state/lrm/lrm_resources/"
                                              "lrm_resource[%s]", m);
        rc = call_delete(cmd, xp);
        if (!rc) {
            g_autofree char *fx = failcount_xpath(p);
            rc = call_delete(cmd, fx);
        }
    }
    if (!r) {
        rc = call_delete(cmd, "/cib/status/node_state/lrm/lrm_resources/lrm_resource["
                              "lrm_rsc_op[contains(@id,'_last_failure_')]]");
        if (!rc) {
            g_autofree char *fx = failcount_xpath(NULL);
            rc = call_delete(cmd, fx);
        }
    }
    if (!rc)
        printf("Cleaned up %s\n", r ? r->id : "all failed resources");
    return rc;
}

static int do_failcount_show(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                             const herd_cib_rsc_t *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "fail_counts");
    json_builder_begin_array(b);
    g_autoptr(GString) text = g_string_new(NULL);
    for (guint i = 0; i < cib->nodes->len; i++) {
        const herd_cib_node_t *n = cib->nodes->pdata[i];
        if (node_opt && strcmp(node_opt, n->uname))
            continue;
        g_autofree char *p1 = g_strdup_printf("fail-count-%s#", r->id);
        g_autofree char *p2 = g_strdup_printf("fail-count-%s:", r->id);
        g_autoptr(GList) keys = g_hash_table_get_keys(n->attrs);
        keys = g_list_sort(keys, (GCompareFunc)strcmp);
        gint64 total = 0;
        bool inf = false;
        for (GList *l = keys; l; l = l->next) {
            const char *k = l->data;
            if (!g_str_has_prefix(k, p1) && !g_str_has_prefix(k, p2))
                continue;
            const char *v = g_hash_table_lookup(n->attrs, k);
            if (strstr(v, "INFINITY"))
                inf = true;
            else
                total += g_ascii_strtoll(v, NULL, 10);
        }
        g_autofree char *value = inf ? g_strdup("INFINITY")
                                     : g_strdup_printf("%" G_GINT64_FORMAT, total);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "node");
        json_builder_add_string_value(b, n->uname);
        json_builder_set_member_name(b, "resource");
        json_builder_add_string_value(b, r->id);
        json_builder_set_member_name(b, "value");
        json_builder_add_string_value(b, value);
        json_builder_end_object(b);
        g_string_append_printf(text, "scope=status name=fail-count-%s value=%s (node %s)\n",
                               r->id, value, n->uname);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    if (c->format == HERD_OUTPUT_TEXT)
        fputs(text->str, stdout);
    else {
        g_autoptr(JsonNode) data = json_builder_get_root(b);
        herd_output_emit(stdout, c->format, "resource failcount", data, 0, NULL, NULL);
    }
    return 0;
}

static int do_failcount_reset(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                              const herd_cib_rsc_t *r)
{
    g_autofree char *fx = failcount_xpath(r);
    int rc = call_delete(cmd, fx);
    if (rc)
        return rc;
    g_autofree char *m = rsc_match("id", r);
    g_autofree char *xp = g_strdup_printf("/cib/status/node_state/lrm/lrm_resources/"
                                          "lrm_resource[%s]/lrm_rsc_op[contains(@id,"
                                          "'_last_failure_')]", m);
    return call_delete(cmd, xp);
}

static int do_restart(const char *cmd, cli_common_t *c, const herd_cib_t *cib,
                      const herd_cib_rsc_t *r)
{
    const char *before = r->meta ? g_hash_table_lookup(r->meta, "target-role") : NULL;
    g_autofree char *keep = g_strdup(before);
    int rc = set_target_role(cmd, r, "Stopped");
    if (rc)
        return rc;
    gint64 deadline = g_get_monotonic_time() + (gint64)wait_s * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr(herd_cib_t) now = NULL;
        rc = cli_live_cib(cmd, &now);
        if (rc)
            return rc;
        const herd_cib_rsc_t *nr = herd_cib_rsc(now, r->id);
        g_autofree char *where = nr ? current_node(now, nr) : NULL;
        if (!where)
            break;
        if (g_get_monotonic_time() > deadline) {
            fprintf(stderr, "%s: %s did not stop within %d s\n", cmd, r->id, wait_s);
            set_target_role(cmd, r, keep);
            return HERD_EXIT_TIMEOUT;
        }
        g_usleep(50000);
    }
    return set_target_role(cmd, r, keep);
}

#define VERB(name, sum, need, fn)                                                             \
    static int verb_##name(int argc, char **argv)                                            \
    {                                                                                        \
        return with_rsc(argc, argv, sum, need, fn);                                          \
    }
VERB(list, "List the resources and where they run.", false, do_list)
VERB(start, "Let a resource run (target-role=Started).", true, do_start)
VERB(stop, "Stop a resource (target-role=Stopped).", true, do_stop)
VERB(move, "Move a resource to --node (cli-prefer-RSC), or away from where it runs.", true,
     do_move)
VERB(ban, "Keep a resource off --node (default: where it runs) with cli-ban-RSC-on-NODE.", true,
     do_ban)
VERB(clear, "Remove the move and ban constraints of a resource.", true, do_clear)
VERB(cleanup, "Forget a resource's failures and history (herdd reprobes it).", false,
     do_cleanup)
VERB(restart, "Stop a resource, wait until it stopped, start it again.", true, do_restart)
VERB(fc_show, "Show a resource's fail count.", true, do_failcount_show)
VERB(fc_reset, "Reset a resource's fail count.", true, do_failcount_reset)

static int verb_failcount(int argc, char **argv)
{
    static const cli_command_t verbs[] = {
        {"show", "Show a resource's fail count", verb_fc_show},
        {"reset", "Reset a resource's fail count", verb_fc_reset},
        {NULL, NULL, NULL},
    };
    return cli_dispatch("resource failcount", verbs, argc, argv);
}

int cmd_resource(int argc, char **argv)
{
    static const cli_command_t verbs[] = {
        {"list", "List the resources and where they run", verb_list},
        {"start", "Let a resource run (target-role)", verb_start},
        {"stop", "Stop a resource (target-role)", verb_stop},
        {"move", "Move a resource to a node", verb_move},
        {"ban", "Keep a resource off a node", verb_ban},
        {"clear", "Remove move and ban constraints", verb_clear},
        {"cleanup", "Forget failures and history, reprobe", verb_cleanup},
        {"failcount", "Fail counts: show, reset", verb_failcount},
        {"restart", "Stop then start a resource", verb_restart},
        {NULL, NULL, NULL},
    };
    return cli_dispatch("resource", verbs, argc, argv);
}
