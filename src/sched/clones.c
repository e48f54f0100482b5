/* clones.c: ordering rules particular to clones (clone-min and
 * require-all=false orders, interleaved orders between clones). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A failure left where it is on a node not fenced: it stays, but its
 * start cannot run. */
static bool held(const sched_t *s, const prim_t *p)
{
    return p->managed && p->blocked && p->failed && p->running->len &&
           !s->fenced[((herd_cib_node_t *) p->running->pdata[0])->index];
}

/* How many instances of the clone first an order needs before its then
 * may start: clone-min, or 1 for require-all=false; 0 when the order is
 * an ordinary one (every instance). */
int clones_order_min(const herd_cib_rsc_t *first, const herd_order_t *o, const char *first_action)
{
    if (!first || first->kind != HERD_RSC_CLONE || strcmp(first_action, "start") != 0)
        return 0;
    const char *cmin = herd_cib_rsc_meta(first, "clone-min");
    int m = cmin ? atoi(cmin) : 0;
    if (m > 0)
        return m;
    return o->require_all ? 0 : 1;
}

/* Whether the whole instance u is active after the transition through
 * starts that can run. */
bool clones_unit_active_after(const sched_t *s, const unit_t *u)
{
    if (!u->prims->len)
        return false;
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        if (!p->next || held(s, p))
            return false;
    }
    return true;
}

/* The number of instances of c active after the transition. */
int clones_active_after(const sched_t *s, const clone_t *c)
{
    int n = 0;
    for (guint i = 0; i < c->units->len; i++)
        n += clones_unit_active_after(s, c->units->pdata[i]);
    return n;
}

/* The node an instance is tied to for interleaving: where it goes, where
 * it would have started had it not been blocked, else where it runs. */
static const herd_cib_node_t *unit_node(const unit_t *u)
{
    const prim_t *p = u->prims->len ? u->prims->pdata[0] : NULL;
    if (!p)
        return NULL;
    if (p->next)
        return p->next;
    if (p->blocked_on)
        return p->blocked_on;
    return p->placed_on;
}

/* The instance of c on node n (see unit_node), or NULL. */
unit_t *clones_instance_on(const clone_t *c, const herd_cib_node_t *n)
{
    for (guint i = 0; n && i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        if (unit_node(u) == n)
            return u;
    }
    return NULL;
}

/* Whether an instance was active before the transition. */
bool clones_unit_was_active(const unit_t *u)
{
    for (guint k = 0; k < u->prims->len; k++)
        if (((prim_t *) u->prims->pdata[k])->running->len)
            return true;
    return false;
}

/* Whether any instance of c stops or leaves its node. */
bool clones_any_stopping(const clone_t *c)
{
    for (guint i = 0; i < c->units->len; i++) {
        const unit_t *u = c->units->pdata[i];
        for (guint k = 0; k < u->prims->len; k++) {
            const prim_t *p = u->prims->pdata[k];
            if (p->running->len && (!p->next || p->next != p->running->pdata[0]))
                return true;
        }
    }
    return false;
}

/* Whether a managed member of instance u failed (it needs recovery). */
bool clones_unit_failed(const unit_t *u)
{
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        if (p->failed && p->managed && p->running->len)
            return true;
    }
    return false;
}

/* An instance's resource-stickiness (clones default to 1). */
int clones_stickiness(const unit_t *u)
{
    const prim_t *p = u->prims->len ? u->prims->pdata[0] : NULL;
    const char *m = p ? herd_cib_rsc_meta(p->cfg, "resource-stickiness") : NULL;
    int v = 1;
    if (m && !herd_score_parse(m, &v))
        v = 1;
    return v;
}

/* An anonymous instance active on node ni that is offline or unclean, of
 * a resource that needs no fencing (requires=quorum|nothing, fencing
 * devices, or fencing off), takes no instance number when the clone does
 * not have one for every node: it is an extra instance, so that another
 * can start elsewhere.  Guest nodes are exempt (their "fencing" is a
 * stop). */
bool clones_unclean_orphan(const sched_t *s, const clone_t *c, const herd_cib_rsc_t *r, int ni)
{
    const herd_node_state_t *ns = s->ns[ni];
    if (ns->online && !ns->unclean)
        return false;
    if (ns->cfg->kind == HERD_NODE_GUEST)
        return false;
    if (c->max == s->nn)
        return false;   /* an instance for every node */
    return !clones_needs_fencing(s, r);
}

/* Whether resource r needs its node fenced before it can be recovered
 * elsewhere (requires=fencing|unfencing, the default for all but fencing
 * devices when fencing is on). */
bool clones_needs_fencing(const sched_t *s, const herd_cib_rsc_t *r)
{
    if (!s->cib->options.stonith_enabled)
        return false;
    const char *rq = herd_cib_rsc_meta(r, "requires");
    if (rq)
        return !strcmp(rq, "fencing") || !strcmp(rq, "unfencing");
    return !(r->klass && !strcmp(r->klass, "stonith"));
}
