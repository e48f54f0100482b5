/* unfence.c: unfencing.  When a fence device says it provides unfencing
 * (meta provides=unfencing), a node must be unfenced ("on") before
 * resources may run there: Pacemaker records #node-unfenced on nodes that
 * were.  A node without it is unfenced before its first probe of a fence
 * device ("required by DEVICE monitor").  A fence device whose agent or
 * parameters changed where it runs has that node unfenced again ("Device
 * definition changed", "Device parameters changed"), and the resources
 * running there, which all require unfencing, restart after it ("due to
 * required stonith"). */
#include <string.h>

#include "internal.h"

static bool is_device(const herd_cib_rsc_t *r)
{
    return r->kind == HERD_RSC_PRIMITIVE && r->klass && !strcmp(r->klass, "stonith");
}

/* Does any fence device provide unfencing? */
static bool unfencing_enabled(const sched_t *s)
{
    for (guint i = 0; i < s->cib->all_rscs->len; i++) {
        const herd_cib_rsc_t *r = s->cib->all_rscs->pdata[i];
        const char *pv = herd_cib_rsc_meta(r, "provides");
        if (is_device(r) && pv && !strcmp(pv, "unfencing"))
            return true;
    }
    return false;
}

static bool can_unfence(const sched_t *s, int n)
{
    const herd_node_state_t *ns = s->ns[n];
    return ns->cfg->kind == HERD_NODE_MEMBER && ns->online && !ns->unclean && !ns->shutdown &&
           !ns->pending && !s->fenced[n];
}

/* Has node n a history entry for resource id? */
static bool has_history(const sched_t *s, const char *node, const char *id)
{
    for (guint i = 0; i < s->cib->histories->len; i++) {
        const herd_rsc_history_t *h = s->cib->histories->pdata[i];
        if (!strcmp(h->node, node) && !strcmp(h->rsc_id, id))
            return true;
    }
    return false;
}

static void unfence(sched_t *s, GPtrArray *list, int n, const char *why)
{
    herd_decision_t *d = g_new0(herd_decision_t, 1);
    d->kind = HERD_DECISION_FENCE;
    d->rsc = g_strdup(s->ns[n]->cfg->uname);
    d->fence_action = g_strdup("on");
    d->fence_reason = g_strdup(why);
    g_ptr_array_add(list, d);
}

/* Decide the unfencing of this transition and the restarts it causes
 * (call after assignment, before ordering effects).  The decisions go
 * into s->fence after the fencing already there (s->fence is listed in
 * reverse). */
void sched_unfence(sched_t *s)
{
    if (!s->cib->options.stonith_enabled || !unfencing_enabled(s))
        return;
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    g_autofree bool *done = g_new0(bool, s->nn ? s->nn : 1);
    /* nodes never unfenced: before probing the first fence device */
    for (int n = 0; n < s->nn; n++) {
        const herd_cib_node_t *nd = s->ns[n]->cfg;
        if (!can_unfence(s, n) || g_hash_table_contains(nd->attrs, "#node-unfenced"))
            continue;
        for (guint i = 0; i < s->cib->all_rscs->len; i++) {
            const herd_cib_rsc_t *r = s->cib->all_rscs->pdata[i];
            if (!is_device(r) || has_history(s, nd->uname, r->id))
                continue;
            g_autofree char *why = g_strdup_printf("required by %s monitor", r->id);
            unfence(s, list, n, why);
            done[n] = true;
            break;
        }
    }
    /* fence devices changed where they run */
    for (guint i = 0; i < s->prims->len; i++) {
        const prim_t *p = s->prims->pdata[i];
        if (!is_device(p->cfg) || !p->unfence_why || !p->running->len)
            continue;
        int n = ((herd_cib_node_t *) p->running->pdata[0])->index;
        if (done[n] || !can_unfence(s, n))
            continue;
        unfence(s, list, n, p->unfence_why);
        done[n] = true;
        /* what runs there and stays restarts after the unfencing */
        for (guint k = 0; k < s->prims->len; k++) {
            prim_t *q = s->prims->pdata[k];
            if (is_device(q->cfg) || !q->managed || q->failed || q->restart || !q->next ||
                !q->running->len || ((herd_cib_node_t *) q->running->pdata[0])->index != n ||
                q->next->index != n)
                continue;
            const char *req = herd_cib_rsc_meta(q->cfg, "requires");
            if (req && strcmp(req, "unfencing") != 0)
                continue;
            q->restart = true;
            g_free(q->unrunnable_reason);
            q->unrunnable_reason = g_strdup("due to required stonith");
        }
    }
    for (guint i = 0; i < list->len; i++)
        g_ptr_array_insert(s->fence, 0, list->pdata[i]);
}
