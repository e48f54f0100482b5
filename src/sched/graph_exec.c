/* graph_exec.c: simulated execution of a transition graph and its
 * renderings (crm_simulate's action lines, transition graph XML, dot).
 * Everything here builds strings; nothing reads or writes files. */
#include <string.h>

#include "herd_sched.h"

/* Whether Pacemaker gives an action's synapse priority INFINITY: the
 * points that close a clone's phase (running, stopped, promoted, demoted)
 * and every post-notification.  Such synapses still run after an action
 * failed and see the failed input as completed. */
static bool priority_infinite(const herd_action_t *a)
{
    if (strstr(a->key, "post_notify") || !strcmp(a->task, "notified"))
        return true;
    if (a->kind != HERD_ACTION_PSEUDO || !a->cfg || a->cfg->kind != HERD_RSC_CLONE)
        return false;
    static const char *const closing[] = {"running", "stopped", "promoted", "demoted", NULL};
    for (int i = 0; closing[i]; i++)
        if (!strcmp(a->task, closing[i]))
            return true;
    return false;
}

/* Simulate the execution; see herd_sched.h.  Rounds over the actions in
 * synapse order; an action fires once all its inputs have completed, and
 * completes at once, so later actions of the same round may follow it.
 * A failed action completes for nobody but the priority-INFINITY
 * synapses, and once one failed, only pseudo actions and those synapses
 * still fire (the transition is aborted). */
GArray *herd_graph_execute_steps(const herd_graph_t *g, herd_graph_fail_fn fail, void *user)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(herd_exec_step_t));
    guint n = g->actions->len;
    /* 0 not fired, 1 fired and done, 2 fired and failed */
    guint8 *state = g_new0(guint8, n ? n : 1);
    bool aborted = false, progress = true;
    while (progress) {
        progress = false;
        for (guint i = 0; i < n; i++) {
            if (state[i])
                continue;
            const herd_action_t *a = g->actions->pdata[i];
            bool infinite = priority_infinite(a);
            bool ready = true;
            for (guint k = 0; k < a->inputs->len && ready; k++) {
                guint8 in = state[((herd_action_t *) a->inputs->pdata[k])->id];
                ready = in == 1 || (in == 2 && infinite);
            }
            if (!ready || (aborted && !infinite && a->kind != HERD_ACTION_PSEUDO))
                continue;
            herd_exec_step_t step = {.action = a, .rc = herd_action_target_rc(a)};
            if (a->kind == HERD_ACTION_RSC && fail)
                step.fail_name = fail(a, &step.rc, user);
            if (step.fail_name) {
                step.failed = true;
                aborted = true;
            }
            state[i] = step.failed ? 2 : 1;
            progress = true;
            g_array_append_val(out, step);
        }
    }
    g_free(state);
    return out;
}

/* The plain execution; see herd_sched.h. */
GPtrArray *herd_graph_execute(const herd_graph_t *g)
{
    g_autoptr(GArray) steps = herd_graph_execute_steps(g, NULL, NULL);
    GPtrArray *out = g_ptr_array_sized_new(steps->len);
    for (guint i = 0; i < steps->len; i++)
        g_ptr_array_add(out, (gpointer) g_array_index(steps, herd_exec_step_t, i).action);
    return out;
}

/* The result an action is expected to give; see herd_sched.h. */
int herd_action_target_rc(const herd_action_t *a)
{
    if (a->kind != HERD_ACTION_RSC || strcmp(a->task, "monitor"))
        return 0;
    if (!a->interval_ms)
        return 7;   /* a probe expects "not running" */
    const char *role = a->meta ? g_hash_table_lookup(a->meta, "role") : NULL;
    if (role && !strcmp(role, "Stopped"))
        return 7;   /* a monitor where it must not run */
    return role && (!strcmp(role, "Promoted") || !strcmp(role, "Master")) ? 8 : 0;
}

static const char *node_uuid(const herd_cib_t *cib, const char *uname);

/* Is r an instance of an anonymous clone (or of a group in one)? */
static bool anonymous_instance(const herd_cib_rsc_t *r)
{
    for (const herd_cib_rsc_t *p = r ? r->parent : NULL; p; p = p->parent)
        if (p->kind == HERD_RSC_CLONE)
            return !p->unique;
    return false;
}

/* The names of an action's resource; see herd_sched.h. */
void herd_graph_action_names(const herd_action_t *a, const char **cfg_id, const char **hist)
{
    bool anon = a->cfg && a->cfg->kind == HERD_RSC_PRIMITIVE && anonymous_instance(a->cfg);
    *cfg_id = anon ? a->cfg->id : NULL;
    /* an anonymous instance without history of its own: its instance name */
    *hist = a->rsc_id && !(anon && !strcmp(a->rsc_id, a->cfg->id)) ? a->rsc_id : a->rsc;
}

/* Record a step in the revised CIB; see herd_sched.h. */
void herd_graph_record_step(const herd_cib_t *cib, const herd_exec_step_t *st, time_t now,
                            herd_cib_doc_t *doc, GPtrArray *log)
{
    const herd_action_t *a = st->action;
    if (a->kind == HERD_ACTION_FENCE) {
        const char *act = a->meta ? g_hash_table_lookup(a->meta, "stonith_action") : NULL;
        if (!act || strcmp(act, "on"))
            herd_cib_doc_fence(doc, a->node, node_uuid(cib, a->node));
        return;
    }
    if (a->kind != HERD_ACTION_RSC || !a->rsc || !a->node || !strcmp(a->task, "delete") ||
        !strcmp(a->task, "meta-data"))
        return;
    g_autofree char *digest = herd_sched_action_digest(cib, a, now);
    const char *meta_of[] = {"migrate_source", "migrate_target", "notify_type",
                             "notify_operation"};
    const char *mv[G_N_ELEMENTS(meta_of)];
    for (size_t i = 0; i < G_N_ELEMENTS(meta_of); i++)
        mv[i] = a->meta ? g_hash_table_lookup(a->meta, meta_of[i]) : NULL;
    bool migration = !strcmp(a->task, "migrate_to") || !strcmp(a->task, "migrate_from");
    const char *cfg_id = NULL, *hist = NULL;
    herd_graph_action_names(a, &cfg_id, &hist);
    herd_cib_op_result_t r = {
        /* an anonymous instance's new history is named as configured */
        .rsc = cfg_id ? cfg_id : hist, .rsc_alt = {hist, a->rsc}, .op_rsc = cfg_id,
        .klass = a->klass, .provider = a->provider,
        .type = a->type, .task = a->task, .interval_ms = a->interval_ms, .node = a->node,
        .node_uuid = node_uuid(cib, a->node), .target_rc = herd_action_target_rc(a),
        .rc = st->rc, .exit_reason = "User-injected result", .digest = digest,
        .migrate_source = migration ? mv[0] : NULL, .migrate_target = migration ? mv[1] : NULL,
        .notify_type = mv[2], .notify_operation = mv[3],
        .failcount_rsc = st->failed ? st->fail_name : NULL};
    herd_cib_doc_record_op(doc, &r, log);
}

/* One "Executing Cluster Transition" line; see herd_sched.h. */
char *herd_graph_action_line(const herd_action_t *a)
{
    switch (a->kind) {
    case HERD_ACTION_PSEUDO:
        return g_strdup_printf("  * Pseudo action:   %s", a->key);
    case HERD_ACTION_FENCE: {
        const char *act = a->meta ? g_hash_table_lookup(a->meta, "stonith_action") : NULL;
        if (a->meta && g_hash_table_lookup(a->meta, "guest"))   /* implied: a pseudo action */
            return g_strdup_printf("  * Pseudo action:   %s on %s", a->key, a->node);
        return g_strdup_printf("  * Fencing %s (%s)", a->node, act ? act : "reboot");
    }
    case HERD_ACTION_CLUSTER:
        if (!strcmp(a->task, "clear_failcount"))
            return g_strdup_printf("  * Cluster action:  %s for %s on %s", a->task,
                                   a->rsc_id ? a->rsc_id : "", a->node);
        return g_strdup_printf("  * Cluster action:  %s on %s", a->task, a->node);
    case HERD_ACTION_RSC:
        break;
    }
    g_autofree char *op = NULL;
    if ((!strcmp(a->task, "monitor") || !strcmp(a->task, "cancel")) && a->interval_ms)
        op = g_strdup_printf("%s=%" G_GUINT64_FORMAT, a->task, a->interval_ms);
    else
        op = g_strdup(a->task);
    return g_strdup_printf("  * Resource action: %-15s %s on %s", a->label ? a->label : a->rsc, op,
                           a->node);
}

/* ---- XML ---------------------------------------------------------------- */

static void esc(GString *s, const char *v)
{
    for (; v && *v; v++) {
        switch (*v) {
        case '&': g_string_append(s, "&amp;"); break;
        case '<': g_string_append(s, "&lt;"); break;
        case '>': g_string_append(s, "&gt;"); break;
        case '"': g_string_append(s, "&quot;"); break;
        default: g_string_append_c(s, *v);
        }
    }
}

static void attr(GString *s, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(s, " %s=\"", name);
    esc(s, value);
    g_string_append_c(s, '"');
}

/* whether a string can be an XML attribute name */
static bool xml_name_ok(const char *n)
{
    if (!n || !(g_ascii_isalpha(*n) || *n == '_'))
        return false;
    for (; *n; n++)
        if (!(g_ascii_isalnum(*n) || *n == '_' || *n == '-' || *n == '.'))
            return false;
    return true;
}

static const char *elem_of(const herd_action_t *a)
{
    switch (a->kind) {
    case HERD_ACTION_PSEUDO: return "pseudo_event";
    case HERD_ACTION_RSC: return "rsc_op";
    default: return "crm_event";
    }
}

static const char *node_uuid(const herd_cib_t *cib, const char *uname)
{
    const herd_cib_node_t *n = uname && cib ? herd_cib_node(cib, uname) : NULL;
    return n ? n->id : uname;
}

static void action_head(GString *s, const herd_action_t *a, const herd_cib_t *cib)
{
    g_string_append_printf(s, "<%s id=\"%d\"", elem_of(a), a->id);
    attr(s, "operation", a->task);
    attr(s, "operation_key", a->key);
    if (a->rsc && a->kind == HERD_ACTION_RSC && strcmp(a->task, "notify") &&
        strcmp(a->task, "cancel")) {
        g_autofree char *ik = g_strdup_printf("%s_%s_%" G_GUINT64_FORMAT, a->rsc, a->task,
                                              a->interval_ms);
        if (strcmp(ik, a->key))
            attr(s, "internal_operation_key", ik);
    }
    attr(s, "on_node", a->node);
    if (a->node)
        attr(s, "on_node_uuid", node_uuid(cib, a->node));
}

static gint str_cmp(gconstpointer x, gconstpointer y)
{
    return strcmp(*(char *const *) x, *(char *const *) y);
}

static GPtrArray *sorted_keys(GHashTable *t)
{
    GPtrArray *k = g_ptr_array_new();
    if (t) {
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_ptr_array_add(k, key);
    }
    g_ptr_array_sort(k, str_cmp);
    return k;
}

/* The transition graph XML; see herd_sched.h. */
char *herd_graph_to_xml(const herd_graph_t *g, const herd_cib_t *cib)
{
    GString *s = g_string_new(NULL);
    g_string_append(s, "<transition_graph cluster-delay=\"60s\" stonith-timeout=\"60s\" "
                       "failed-stop-offset=\"INFINITY\" failed-start-offset=\"INFINITY\" "
                       "batch-limit=\"0\" transition_id=\"0\">\n");
    for (guint i = 0; i < g->actions->len; i++) {
        const herd_action_t *a = g->actions->pdata[i];
        g_string_append_printf(s, "  <synapse id=\"%u\">\n    <action_set>\n      ", i);
        action_head(s, a, cib);
        g_string_append(s, ">\n");
        if (a->kind == HERD_ACTION_RSC && a->rsc) {
            g_string_append(s, "        <primitive");
            attr(s, "id", a->rsc_id ? a->rsc_id : a->rsc);
            if (a->rsc && a->rsc_id && strcmp(a->rsc, a->rsc_id))
                attr(s, "long-id", a->rsc);
            attr(s, "class", a->klass);
            attr(s, "provider", a->provider);
            attr(s, "type", a->type);
            g_string_append(s, "/>\n");
        }
        g_string_append(s, "        <attributes");
        g_autoptr(GPtrArray) mk = sorted_keys(a->meta);
        for (guint k = 0; k < mk->len; k++) {
            g_autofree char *n = g_strdup_printf("CRM_meta_%s", (char *) mk->pdata[k]);
            attr(s, n, g_hash_table_lookup(a->meta, mk->pdata[k]));
        }
        if (a->node) {
            attr(s, "CRM_meta_on_node", a->node);
            attr(s, "CRM_meta_on_node_uuid", node_uuid(cib, a->node));
        }
        if (a->timeout_ms) {
            g_autofree char *t = g_strdup_printf("%" G_GUINT64_FORMAT, a->timeout_ms);
            attr(s, "CRM_meta_timeout", t);
        }
        g_autoptr(GPtrArray) pk = sorted_keys(a->params);
        bool odd = false;
        for (guint k = 0; k < pk->len; k++) {
            if (xml_name_ok(pk->pdata[k]))
                attr(s, pk->pdata[k], g_hash_table_lookup(a->params, pk->pdata[k]));
            else
                odd = true;
        }
        attr(s, "crm_feature_set", "3.16.1");
        if (!odd) {
            g_string_append(s, "/>\n");
        } else {
            /* names that cannot be attributes ("1" for heartbeat agents) */
            g_string_append(s, ">\n");
            for (guint k = 0; k < pk->len; k++) {
                if (xml_name_ok(pk->pdata[k]))
                    continue;
                g_string_append(s, "          <param");
                attr(s, "name", pk->pdata[k]);
                attr(s, "value", g_hash_table_lookup(a->params, pk->pdata[k]));
                g_string_append(s, "/>\n");
            }
            g_string_append(s, "        </attributes>\n");
        }
        if (a->reason) {
            g_string_append(s, "        <!-- ");
            /* "--" may not appear in a comment */
            for (const char *c = a->reason; *c; c++)
                g_string_append_c(s, c[0] == '-' && c[1] == '-' ? '_' : *c);
            g_string_append(s, " -->\n");
        }
        g_string_append_printf(s, "      </%s>\n    </action_set>\n", elem_of(a));
        if (!a->inputs->len) {
            g_string_append(s, "    <inputs/>\n");
        } else {
            g_string_append(s, "    <inputs>\n");
            for (guint k = 0; k < a->inputs->len; k++) {
                const herd_action_t *in = a->inputs->pdata[k];
                g_string_append(s, "      <trigger>\n        ");
                action_head(s, in, cib);
                g_string_append(s, "/>\n      </trigger>\n");
            }
            g_string_append(s, "    </inputs>\n");
        }
        g_string_append(s, "  </synapse>\n");
    }
    g_string_append(s, "</transition_graph>\n");
    return g_string_free(s, FALSE);
}

/* ---- dot -------------------------------------------------------------- */

static char *dot_name(const herd_action_t *a)
{
    if (a->kind == HERD_ACTION_PSEUDO || !a->node)
        return g_strdup(a->key);
    return g_strdup_printf("%s %s", a->key, a->node);
}

/* The dot graph; see herd_sched.h. */
char *herd_graph_to_dot(const herd_graph_t *g)
{
    GString *s = g_string_new(" digraph \"g\" {\n");
    for (guint i = 0; i < g->actions->len; i++) {
        const herd_action_t *a = g->actions->pdata[i];
        g_autofree char *n = dot_name(a);
        g_string_append_printf(s, "\"%s\" [ style=bold color=\"green\" fontcolor=\"%s\"]\n", n,
                               a->kind == HERD_ACTION_PSEUDO ? "orange" : "black");
    }
    for (guint i = 0; i < g->actions->len; i++) {
        const herd_action_t *a = g->actions->pdata[i];
        g_autofree char *n = dot_name(a);
        for (guint k = 0; k < a->inputs->len; k++) {
            g_autofree char *f = dot_name(a->inputs->pdata[k]);
            g_string_append_printf(s, "\"%s\" -> \"%s\" [ style = bold]\n", f, n);
        }
    }
    g_string_append(s, "}\n");
    return g_string_free(s, FALSE);
}
