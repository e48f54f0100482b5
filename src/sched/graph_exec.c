/* graph_exec.c: simulated execution of a transition graph and its
 * renderings (crm_simulate's action lines, transition graph XML, dot).
 * Everything here builds strings; nothing reads or writes files. */
#include <string.h>

#include "herd_sched.h"

/* Simulate the execution; see herd_sched.h.  Rounds over the actions in
 * synapse order; an action fires once all its inputs have fired, and
 * completes at once, so later actions of the same round may follow it. */
GPtrArray *herd_graph_execute(const herd_graph_t *g)
{
    GPtrArray *out = g_ptr_array_new();
    guint n = g->actions->len;
    bool *fired = g_new0(bool, n ? n : 1);
    bool progress = true;
    while (progress) {
        progress = false;
        for (guint i = 0; i < n; i++) {
            if (fired[i])
                continue;
            const herd_action_t *a = g->actions->pdata[i];
            bool ready = true;
            for (guint k = 0; k < a->inputs->len && ready; k++)
                ready = fired[((herd_action_t *) a->inputs->pdata[k])->id];
            if (!ready)
                continue;
            fired[i] = true;
            progress = true;
            g_ptr_array_add(out, (gpointer) a);
        }
    }
    g_free(fired);
    return out;
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
