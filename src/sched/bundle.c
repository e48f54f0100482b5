/* bundle.c: scheduling bundles.
 *
 * The model (src/cib/bundle.c) expands a bundle into, per replica, an
 * optional IP address, a container and (when the bundle holds a
 * primitive) the connection to the guest node inside the container, plus
 * the implicit clone NAME-clone of the primitive.  Here:
 *   - the containers are placed as the instances of a clone (the bundle's
 *     "replicas" clone): kept where they run, the rest spread over the
 *     nodes, at most replicas-per-host per node; constraints naming the
 *     bundle apply to them as to a clone's instances;
 *   - each replica's IP goes where its container goes;
 *   - each connection goes where its container goes, or, when the
 *     container runs on a Pacemaker Remote node, where that node's own
 *     connection goes (a remote node holds one connection);
 *   - the guest nodes whose connection will run come up, and the child's
 *     instance i may run only on guest node NAME-i.
 * The units are made replica by replica (ip, container, connection,
 * child instance) so that the transition summary lists them in
 * Pacemaker's order.
 */
#include <string.h>

#include "internal.h"

static clone_t *new_clone(sched_t *s, const herd_cib_rsc_t *cfg, const herd_cib_rsc_t *b)
{
    clone_t *c = g_new0(clone_t, 1);
    c->cfg = cfg;
    c->units = g_ptr_array_new();
    c->max = b->replicas > 0 ? b->replicas : 1;
    c->node_max = b->replicas_per_host > 0 ? b->replicas_per_host : 1;
    c->count = g_new0(int, s->nn ? s->nn : 1);
    c->bundle = b;
    g_ptr_array_add(s->clones, c);
    g_hash_table_insert(s->clone_by_rsc, (gpointer) cfg, c);
    return c;
}

static unit_t *part_unit(sched_t *s, const herd_cib_rsc_t *cfg)
{
    unit_t *u = sched_new_unit(s, cfg, NULL, -1);
    g_ptr_array_add(s->units, u);
    g_hash_table_insert(s->unit_by_rsc, (gpointer) cfg, u);
    return u;
}

/* Make the instances of bundle b (see the header comment). */
void sched_bundle_build(sched_t *s, const herd_cib_rsc_t *b)
{
    if (!b->bundle_containers)
        return;
    clone_t *rc = new_clone(s, b, b);
    clone_t *cc = NULL;
    const herd_cib_rsc_t *child = NULL;
    if (b->bundle_clone) {
        cc = new_clone(s, b->bundle_clone, b);
        cc->promotable = b->promotable;
        child = b->bundle_clone->children->pdata[0];
        g_hash_table_insert(s->clone_by_rsc, (gpointer) child, cc);
    }
    for (guint i = 0; i < b->bundle_containers->len; i++) {
        const herd_cib_rsc_t *ip = b->bundle_ips->pdata[i];
        const herd_cib_rsc_t *cont = b->bundle_containers->pdata[i];
        const herd_cib_rsc_t *conn = b->bundle_conns->pdata[i];
        if (ip)
            part_unit(s, ip);
        unit_t *cu = part_unit(s, cont);
        cu->clone = rc;
        cu->inst = (int) i;
        g_ptr_array_add(rc->units, cu);
        if (conn)
            part_unit(s, conn);
        if (cc && conn) {
            unit_t *u = sched_new_unit(s, child, cc, (int) i);
            u->pin = herd_cib_node(s->cib, conn->remote_node);
            g_ptr_array_add(cc->units, u);
        }
    }
}

/* A child instance may run only on its replica's guest node, where it
 * scores INFINITY unless its failures ban it from there.  Nothing but a
 * bundle's child runs on its guest nodes. */
void sched_bundle_locations(sched_t *s)
{

    /* a bundle's guest nodes run its child and nothing else */
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        for (int n = 0; n < s->nn; n++) {
            const herd_cib_node_t *nd = s->ns[n]->cfg;
            if (nd->kind != HERD_NODE_GUEST || !nd->container_id)
                continue;
            const herd_cib_rsc_t *cont = herd_cib_rsc(s->cib, nd->container_id);
            if (cont && cont->bundle_of && p->cfg->bundle_of != cont->bundle_of)
                p->loc[n] = -INF;
        }
    }
    for (guint i = 0; i < s->clones->len; i++) {
        clone_t *c = s->clones->pdata[i];
        if (!c->bundle || c->cfg == c->bundle)
            continue;
        for (guint k = 0; k < c->units->len; k++) {
            unit_t *u = c->units->pdata[k];
            if (!u->pin)
                continue;
            int g = u->pin->index;
            for (guint j = 0; j < u->prims->len; j++) {
                prim_t *p = u->prims->pdata[j];
                bool ok = p->loc[g] > -INF || (!s->cib->options.symmetric_cluster &&
                                               sched_node_usable(s, g));
                for (int n = 0; n < s->nn; n++)
                    if (n != g)
                        p->loc[n] = -INF;
                if (ok && p->ban[g] >= 0 && !p->stop_only && !p->ticket_stop &&
                    sched_node_usable(s, g))
                    p->loc[g] = INF;
            }
        }
    }
}

/* Place unit u on node `target` only (NULL: nowhere), through the usual
 * assignment so that its constraints, utilization and state count. */
static void assign_on(sched_t *s, unit_t *u, const herd_cib_node_t *target)
{
    for (guint k = 0; k < u->prims->len; k++) {
        prim_t *p = u->prims->pdata[k];
        for (int n = 0; n < s->nn; n++)
            if (!target || n != target->index)
                p->loc[n] = -INF;
    }
    sched_assign_unit(s, u);
}

static prim_t *prim_of(sched_t *s, const herd_cib_rsc_t *cfg)
{
    unit_t *u = cfg ? g_hash_table_lookup(s->unit_by_rsc, cfg) : NULL;
    return u && u->prims->len ? u->prims->pdata[0] : NULL;
}

/* Assign bundle b: containers, IPs, connections, then the child's
 * instances (see the header comment).  Runs once. */
void sched_bundle_assign(sched_t *s, const herd_cib_rsc_t *b)
{
    clone_t *rc = g_hash_table_lookup(s->clone_by_rsc, b);
    if (!rc || rc->bundle_assigning)
        return;
    rc->bundle_assigning = true;
    sched_assign_clone(s, rc);
    bool changed = false;
    for (guint i = 0; i < b->bundle_containers->len; i++) {
        unit_t *cu = rc->units->pdata[i];
        prim_t *cp = cu->prims->pdata[0];
        const herd_cib_node_t *host = cp->next;
        unit_t *iu = b->bundle_ips->pdata[i] ? g_hash_table_lookup(s->unit_by_rsc,
                                                                    b->bundle_ips->pdata[i])
                                             : NULL;
        if (iu)
            assign_on(s, iu, host);
        const herd_cib_rsc_t *conn = b->bundle_conns->pdata[i];
        if (!conn)
            continue;
        const herd_cib_node_t *target = host;
        if (host && host->kind != HERD_NODE_MEMBER) {
            /* nested: with the remote node's own connection */
            const char *rid = host->container_id ? host->container_id : host->uname;
            prim_t *rp = g_hash_table_lookup(s->prim_by_name, rid);
            target = rp ? rp->next : NULL;
        }
        unit_t *nu = g_hash_table_lookup(s->unit_by_rsc, conn);
        if (host)
            assign_on(s, nu, target);
        else
            sched_assign_unit(s, nu);   /* placed, then blocked with its container */
        /* the guest comes up when its connection runs */
        prim_t *np = prim_of(s, conn);
        const herd_cib_node_t *g = herd_cib_node(s->cib, conn->remote_node);
        if (!g || !np)
            continue;
        herd_node_state_t *ns = s->ns[g->index];
        if (np->next && np->next_role != HERD_ROLE_STOPPED) {
            if (!ns->online)
                changed = true;
            ns->online = true;
            if (!g->has_state)
                ns->unclean = false;
        } else {
            if (ns->online)
                ns->shutdown = true;
            changed = true;
        }
    }
    if (changed)
        sched_compute_locations(s);
    if (b->bundle_clone) {
        /* promotion waits until the instances whose container will not
         * run are blocked: they are not promoted */
        clone_t *cc = g_hash_table_lookup(s->clone_by_rsc, b->bundle_clone);
        cc->bundle_assigning = true;
        bool pd = cc->promoted_done;
        cc->promoted_done = true;
        sched_assign_clone(s, cc);
        sched_bundle_orders(s);
        cc->promoted_done = pd;     /* promoted with the other clones */
    }
}

static bool block(prim_t *q, const char *why)
{
    if (!q || !q->next || !q->managed)
        return false;
    if (!q->running->len)
        q->blocked_on = q->next;
    q->next = NULL;
    q->next_role = HERD_ROLE_STOPPED;
    g_free(q->unrunnable_reason);
    q->unrunnable_reason = g_strdup_printf("due to unrunnable %s start", why);
    return true;
}

/* Inside each replica: a container that will not run leaves its
 * connection and the child instance in it unable to run.  True when
 * something changed. */
bool sched_bundle_orders(sched_t *s)
{
    bool changed = false;
    for (guint i = 0; i < s->clones->len; i++) {
        clone_t *rc = s->clones->pdata[i];
        if (!rc->bundle || rc->cfg != rc->bundle)
            continue;
        const herd_cib_rsc_t *b = rc->bundle;
        clone_t *cc = b->bundle_clone ? g_hash_table_lookup(s->clone_by_rsc, b->bundle_clone) : NULL;
        for (guint k = 0; k < rc->units->len; k++) {
            unit_t *cu = rc->units->pdata[k];
            prim_t *cp = cu->prims->pdata[0];
            prim_t *np = prim_of(s, b->bundle_conns->pdata[k]);
            bool bounce = cp->next && cp->running->len && cp->running->pdata[0] == cp->next &&
                          (cp->restart || cp->failed);
            if (bounce && np && np->managed && !np->restart && !np->failed &&
                np->next && np->running->len && np->running->pdata[0] == np->next) {
                /* a container restarting in place restarts its connection */
                np->restart = true;
                g_free(np->unrunnable_reason);
                np->unrunnable_reason = g_strdup_printf("due to required %s start", cp->name);
                changed = true;
            }
            if (cp->next || !cp->managed)
                continue;
            prim_t *ch = NULL;
            for (guint j = 0; cc && j < cc->units->len; j++) {
                unit_t *u = cc->units->pdata[j];
                if (u->inst == (int) k && u->prims->len)
                    ch = u->prims->pdata[0];
            }
            changed |= block(np, cp->name);
            changed |= block(ch, cp->name);
        }
    }
    return changed;
}

/* What an order naming bundle b as "then" acts on: its containers (the
 * rest of each replica follows them).  A new array the caller frees. */
GPtrArray *sched_bundle_order_targets(sched_t *s, const herd_cib_rsc_t *b)
{
    GPtrArray *out = g_ptr_array_new();
    clone_t *rc = g_hash_table_lookup(s->clone_by_rsc, b);
    for (guint k = 0; rc && k < rc->units->len; k++)
        g_ptr_array_add(out, ((unit_t *) rc->units->pdata[k])->prims->pdata[0]);
    return out;
}

/* The node whose attributes a resource on node n reads: with the meta
 * attribute container-attribute-target=host, a guest's resources read
 * the attributes of the node their container runs on now (none for a
 * container not running yet). */
const herd_cib_node_t *sched_bundle_attr_node(const sched_t *s, const prim_t *p,
                                              const herd_cib_node_t *n)
{
    const char *t = g_hash_table_lookup(p->cfg->meta, "container-attribute-target");
    if (!t || strcmp(t, "host") || n->kind != HERD_NODE_GUEST || !n->container_id)
        return n;
    const prim_t *c = g_hash_table_lookup(s->prim_by_name, n->container_id);
    if (!c)
        return n;
    /* where the container runs now: one not yet started has no host */
    return c->running->len ? c->running->pdata[0] : n;
}

/* When placing the containers of a bundle with a child (clone c): a
 * container prefers nodes where its connection can run, so a remote node
 * counts -10000 (the connection would then run where the remote node's
 * own runs).  0 for anything else. */
int sched_bundle_node_penalty(const sched_t *s, const clone_t *c, int n)
{
    if (!c->bundle || c->cfg != c->bundle || !c->bundle->bundle_clone)
        return 0;
    return s->ns[n]->cfg->kind == HERD_NODE_REMOTE ? -10000 : 0;
}
