/* digest.c: Pacemaker's parameter digests, to tell whether a resource's
 * definition changed since an operation ran (op-digest, op-restart-digest,
 * op-secure-digest in the status). */
#include <string.h>

#include "internal.h"

static void xml_escape_into(GString *out, const char *v)
{
    for (; *v; v++) {
        switch (*v) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\n': g_string_append(out, "&#10;"); break;
        case '\r': g_string_append(out, "&#13;"); break;
        case '\t': g_string_append(out, "&#9;"); break;
        default: g_string_append_c(out, *v);
        }
    }
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Pacemaker's parameter digest: md5 of " <parameters a="1" b="2"/>\n" with
 * the names sorted; `only` (space separated) restricts the names. */
char *sched_param_digest(GHashTable *params, const char *only)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, params);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (only) {
            g_autofree char *needle = g_strdup_printf(" %s ", (char *) k);
            g_autofree char *hay = g_strdup_printf(" %s ", only);
            if (!strstr(hay, needle))
                continue;
        }
        g_ptr_array_add(names, k);
    }
    g_ptr_array_sort(names, str_cmp);
    g_autoptr(GString) x = g_string_new(" <parameters");
    for (guint i = 0; i < names->len; i++) {
        g_string_append_printf(x, " %s=\"", (char *) names->pdata[i]);
        xml_escape_into(x, g_hash_table_lookup(params, names->pdata[i]));
        g_string_append_c(x, '"');
    }
    g_string_append(x, "/>\n");
    return g_compute_checksum_for_string(G_CHECKSUM_MD5, x->str, (gssize) x->len);
}

/* A resource's parameters on a node at `now` (rules evaluated there). */
static GHashTable *params_on(const herd_cib_rsc_t *r, const herd_cib_node_t *n, time_t now)
{
    GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; r->param_sets && i < r->param_sets->len; i++) {
        const herd_nvset_t *set = r->param_sets->pdata[i];
        if (!herd_rule_eval(set->rule, n, r, now))
            continue;
        for (guint k = 0; k < set->names->len; k++)
            if (!g_hash_table_contains(t, set->names->pdata[k]))
                g_hash_table_insert(t, set->names->pdata[k],
                                    g_hash_table_lookup(set->values, set->names->pdata[k]));
    }
    GHashTableIter it;
    gpointer k, v;
    if (r->params) {
        g_hash_table_iter_init(&it, r->params);
        while (g_hash_table_iter_next(&it, &k, &v))
            if (!g_hash_table_contains(t, k))
                g_hash_table_insert(t, k, v);
    }
    return t;
}

/* The resource's parameters on a node (rules evaluated at the scheduler's
 * now); the table borrows its strings from the model. */
GHashTable *sched_node_params(const sched_t *s, const herd_cib_rsc_t *r, const herd_cib_node_t *n)
{
    return params_on(r, n, s->now);
}

/* The digest an action's result is recorded with; see herd_sched.h. */
char *herd_sched_action_digest(const herd_cib_t *cib, const herd_action_t *a, time_t now)
{
    g_autoptr(GHashTable) params = NULL;
    const herd_cib_node_t *n = a->node ? herd_cib_node(cib, a->node) : NULL;
    if (a->cfg && a->cfg->kind == HERD_RSC_PRIMITIVE && n) {
        params = params_on(a->cfg, n, now);
    } else {
        params = g_hash_table_new(g_str_hash, g_str_equal);
        if (a->params) {
            GHashTableIter it;
            gpointer k, v;
            g_hash_table_iter_init(&it, a->params);
            while (g_hash_table_iter_next(&it, &k, &v))
                g_hash_table_insert(params, k, v);
        }
    }
    g_autofree char *timeout = NULL;
    if (a->interval_ms) {
        /* a recurring operation's digest keeps its timeout */
        timeout = g_strdup_printf("%" G_GUINT64_FORMAT, a->timeout_ms);
        g_hash_table_insert(params, "CRM_meta_timeout", timeout);
    }
    return sched_param_digest(params, NULL);
}

/* Did the definition change since op ran?  0 no, 1 restart, 2 reload.
 * An op that recorded no digest counts as changed (what it ran with is
 * unknown): a reload when the agent could reload, else a restart. */
int sched_definition_changed(const sched_t *s, const herd_cib_rsc_t *r, const herd_lrm_op_t *op,
                              const herd_cib_node_t *n)
{
    if (!op)
        return 0;
    g_autoptr(GHashTable) params = sched_node_params(s, r, n);
    if (!op->op_digest) {
        if (!op->op_force_restart || !op->op_restart_digest)
            return 1;
        g_autofree char *rd = sched_param_digest(params, op->op_force_restart);
        return strcmp(rd, op->op_restart_digest) ? 1 : 2;
    }
    g_autofree char *plain = sched_param_digest(params, NULL);
    if (!strcmp(plain, op->op_digest))
        return 0;
    if (r->klass && !strcmp(r->klass, "stonith") && op->op_secure_digest && op->op_secure_params) {
        /* fence devices: the secure digest leaves out private values */
        g_auto(GStrv) names = g_strsplit(op->op_secure_params, " ", -1);
        for (int i = 0; names[i]; i++)
            if (*names[i])
                g_hash_table_remove(params, names[i]);
        /* nor the fencer's own parameters, which the agent never sees */
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, params);
        while (g_hash_table_iter_next(&it, &k, &v))
            if (g_str_has_prefix(k, "pcmk_") || !strcmp(k, "provides") ||
                !strcmp(k, "stonith-timeout"))
                g_hash_table_iter_remove(&it);
        g_autofree char *sd = sched_param_digest(params, NULL);
        return strcmp(sd, op->op_secure_digest) != 0;
    }
    /* the agent can reload: the parameters it cannot reload (listed in
     * op-force-restart) are unchanged, only the others changed */
    if (op->op_force_restart && op->op_restart_digest) {
        g_autofree char *rd = sched_param_digest(params, op->op_force_restart);
        if (!strcmp(rd, op->op_restart_digest))
            return 2;
    }
    return 1;
}


/* The digest a recurring operation (interval > 0) of r records on node n:
 * the parameters plus the operation's timeout (CRM_meta_timeout, in ms:
 * the op's own, else op_defaults', else 20 s).  The caller frees it. */
char *sched_op_digest(const sched_t *s, const herd_cib_rsc_t *r, const char *task,
                      guint64 interval_ms, const herd_cib_node_t *n)
{
    g_autoptr(GHashTable) params = sched_node_params(s, r, n);
    if (interval_ms == 0)
        return sched_param_digest(params, NULL);
    guint64 timeout = 0;
    for (guint i = 0; i < r->ops->len && !timeout; i++) {
        const herd_cib_op_t *o = r->ops->pdata[i];
        if (!strcmp(o->name, task) && o->interval_ms == interval_ms)
            timeout = o->timeout_ms;
    }
    const char *d = g_hash_table_lookup(s->cib->op_defaults, "timeout");
    if (!timeout && !(d && herd_cib_parse_interval(d, &timeout)))
        timeout = 20000;
    g_autofree char *tv = g_strdup_printf("%" G_GUINT64_FORMAT, timeout);
    g_hash_table_insert(params, "CRM_meta_timeout", tv);
    return sched_param_digest(params, NULL);
}

/* Did the resource's agent (class, provider or type) change since history
 * h was recorded?  Pacemaker then deletes the history and, where the
 * resource is active, restarts it. */
bool sched_agent_changed(const herd_cib_rsc_t *r, const herd_rsc_history_t *h)
{
    const char *now[] = {r->klass, r->provider, r->type};
    const char *then[] = {h->klass, h->provider, h->type};
    for (int i = 0; i < 3; i++)
        if (now[i] != then[i] && !(now[i] && then[i] && !strcmp(now[i], then[i])))
            return true;
    return false;
}
