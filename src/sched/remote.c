/* remote.c: the scheduler's handling of Pacemaker Remote and guest nodes.
 *
 * A remote node is usable while its connection resource runs on a cluster
 * node; a guest node also needs its container.  The state is derived after
 * the cluster nodes' histories are unpacked (sched_remote_state), before
 * the histories recorded on the remote nodes themselves.  Connections,
 * containers and fencing devices never run on remote nodes
 * (sched_remote_locations).  Connections are assigned before everything
 * else; a remote node whose connection will not run can take no resources
 * (sched_remote_assigned).
 */
#include <string.h>

#include "internal.h"

/* True for a connection resource (ocf:pacemaker:remote or a guest node's
 * implicit connection). */
bool sched_remote_is_connection(const herd_cib_rsc_t *r)
{
    return r && r->remote_node != NULL;
}

static prim_t *connection_of(const sched_t *s, const herd_cib_node_t *n)
{
    const char *id = n->kind == HERD_NODE_GUEST ? n->uname : n->container_id;
    if (!id)
        return NULL;
    prim_t *p = g_hash_table_lookup(s->prim_by_name, id);
    return p && sched_remote_is_connection(p->cfg) ? p : NULL;
}

/* Remote and guest node state from their connection and container, then
 * guests that need a reset are fenced by recovering their container. */
void sched_remote_state(sched_t *s)
{
    for (int i = 0; i < s->nn; i++) {
        herd_node_state_t *ns = s->ns[i];
        const herd_cib_node_t *n = ns->cfg;
        if (n->kind == HERD_NODE_MEMBER)
            continue;
        prim_t *conn = connection_of(s, n);
        ns->online = false;
        if (!conn)
            continue;
        const prim_t *cont = conn->cfg->container
                                 ? g_hash_table_lookup(s->prim_by_name, conn->cfg->container->id)
                                 : NULL;
        bool started = conn->running->len > 0;
        const herd_cib_node_t *host = conn->running->len == 1 ? conn->running->pdata[0] : NULL;
        ns->online = started;
        bool reset = false;
        if (cont && cont->failed) {
            ns->online = false;
            reset = true;
        } else if (conn->failed) {
            ns->online = false;
        } else if (!started || (cont && cont->running->len == 0)) {
            ns->online = false;
        } else if (cont && host && !s->ns[host->index]->online && s->ns[host->index]->unclean) {
            ns->online = false;
            reset = true;
        }
        if (reset) {
            ns->unclean = true;
            sched_fence_node(s, i, "guest is unclean", cont->cfg->id);
        }
    }
}

/* Bans: connections, containers of guests and fencing devices never run on
 * remote or guest nodes. */
void sched_remote_locations(sched_t *s)
{
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        const herd_cib_rsc_t *r = p->cfg;
        bool banned = sched_remote_is_connection(r) || r->guest_node ||
                      (r->klass && !strcmp(r->klass, "stonith"));
        if (!banned)
            continue;
        for (int n = 0; n < s->nn; n++)
            if (s->ns[n]->cfg->kind != HERD_NODE_MEMBER)
                p->loc[n] = -INF;
    }
}

/* After the connections are assigned: a remote node whose connection will
 * run is online for the rest of the assignment (its resources start after
 * the connection); one whose connection stops is shutting down and can take
 * no resources.  True when a node became usable (locations must then be
 * computed again). */
bool sched_remote_assigned(sched_t *s)
{
    bool changed = false;
    for (int i = 0; i < s->nn; i++) {
        herd_node_state_t *ns = s->ns[i];
        if (ns->cfg->kind == HERD_NODE_MEMBER)
            continue;
        prim_t *conn = connection_of(s, ns->cfg);
        if (conn && conn->next && conn->next_role != HERD_ROLE_STOPPED) {
            if (!ns->online)
                changed = true;
            ns->online = true;
            if (!ns->cfg->has_state)
                ns->unclean = false;
            continue;
        }
        if (ns->online)
            ns->shutdown = true;
        for (guint k = 0; k < s->prims->len; k++)
            ((prim_t *) s->prims->pdata[k])->loc[i] = -INF;
    }
    return changed;
}
