/* container.c: resources with a "container" meta attribute, which run
 * inside another resource (a service inside a VM, say).  Pacemaker ties
 * such a resource to its container: it runs where the container runs
 * (an implicit mandatory colocation), starts after it (an implicit
 * mandatory order), and a failure it has is handled by restarting the
 * container (on-fail=restart-container, the default for them): a failed
 * stop is taken as done, since the container's stop stops it too. */
#include <string.h>

#include "internal.h"

/* The primitive r runs in (its "container" meta attribute), or NULL.  The
 * implicit connections of guest nodes, which also carry one, are not
 * such resources, nor are clone instances. */
const herd_cib_rsc_t *sched_container_of(const sched_t *s, const herd_cib_rsc_t *r)
{
    if (!r || r->implicit || r->kind != HERD_RSC_PRIMITIVE || sched_remote_is_connection(r))
        return NULL;
    for (const herd_cib_rsc_t *a = r->parent; a; a = a->parent)
        if (a->kind == HERD_RSC_CLONE || a->kind == HERD_RSC_BUNDLE)
            return NULL;
    const char *v = herd_cib_rsc_meta(r, "container");
    if (!v || !strcmp(v, r->id))
        return NULL;
    const herd_cib_rsc_t *c = herd_cib_rsc(s->cib, v);
    if (!c || c->kind != HERD_RSC_PRIMITIVE || c == r)
        return NULL;
    return c;
}

/* Add each contained resource's colocation with its container (score
 * INFINITY) to s->colocs; the pairs are owned by s->coloc_owned. */
void sched_container_colocations(sched_t *s)
{
    for (guint i = 0; i < s->cib->all_rscs->len; i++) {
        const herd_cib_rsc_t *r = s->cib->all_rscs->pdata[i];
        const herd_cib_rsc_t *c = sched_container_of(s, r);
        if (!c)
            continue;
        herd_colocation_t *x = g_new0(herd_colocation_t, 1);
        x->id = "container";
        x->rsc = r->id;
        x->with_rsc = c->id;
        x->score = INF;
        x->influence = true;
        x->influence_set = true;
        g_ptr_array_add(s->coloc_owned, x);
        g_ptr_array_add(s->colocs, x);
    }
}

/* Append the implicit orders "container then contained" to `all`; each is
 * also added to `owned` (freed with g_free). */
void sched_container_orders(sched_t *s, GPtrArray *all, GPtrArray *owned)
{
    for (guint i = 0; i < s->cib->all_rscs->len; i++) {
        const herd_cib_rsc_t *r = s->cib->all_rscs->pdata[i];
        const herd_cib_rsc_t *c = sched_container_of(s, r);
        if (!c)
            continue;
        herd_order_t *o = g_new0(herd_order_t, 1);
        o->id = "container";
        o->first = c->id;
        o->then = r->id;
        o->kind = HERD_ORDER_MANDATORY;
        o->symmetrical = true;
        o->require_all = true;
        g_ptr_array_add(owned, o);
        g_ptr_array_add(all, o);
    }
}

/* Restart the containers of the resources whose failures asked for it
 * (p->container_restart: the node it failed on), where they run there. */
void sched_container_restarts(sched_t *s)
{
    for (guint i = 0; i < s->prims->len; i++) {
        const prim_t *p = s->prims->pdata[i];
        if (!p->container_restart)
            continue;
        const herd_cib_rsc_t *c = sched_container_of(s, p->cfg);
        prim_t *cp = c ? g_hash_table_lookup(s->prim_by_name, c->id) : NULL;
        if (!cp || !cp->managed || cp->failed || cp->restart)
            continue;
        for (guint k = 0; k < cp->running->len; k++)
            if (cp->running->pdata[k] == p->container_restart) {
                cp->restart = true;
                g_clear_pointer(&cp->unrunnable_reason, g_free);
            }
    }
}
