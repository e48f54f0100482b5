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

/* A history named like a bundle replica's part (NAME-docker-N, NAME-N,
 * NAME-ip-ADDR, ...) that the bundle's expansion (bundle.c) did not make,
 * a replica beyond the configured count for instance: left as it is
 * rather than stopped as an orphan (not modelled further). */
static bool bundle_member(const sched_t *s, const char *id)
{
    for (guint i = 0; i < s->cib->resources->len; i++) {
        const herd_cib_rsc_t *b = s->cib->resources->pdata[i];
        size_t l = strlen(b->id);
        if (b->kind == HERD_RSC_BUNDLE && !strncmp(id, b->id, l) && id[l] == '-')
            return true;
    }
    return false;
}

/* A resource whose history has no configuration: `o` is its made-up one.
 * An orphaned connection (ocf:pacemaker:remote) still makes its node, and
 * `container` of the history names the container of a guest.  True when
 * it belongs to a bundle replica (then it is left alone, not an orphan). */
bool sched_remote_orphan(const sched_t *s, herd_cib_rsc_t *o, const herd_rsc_history_t *h)
{
    bool in_bundle = bundle_member(s, o->id);
    if (!o->klass || strcmp(o->klass, "ocf") || !o->provider || strcmp(o->provider, "pacemaker") ||
        !o->type || strcmp(o->type, "remote"))
        return in_bundle;
    o->remote_node = g_strdup(o->id);
    if (h->container)
        g_hash_table_insert(o->meta, (gpointer) "container", h->container);
    return in_bundle;
}

static prim_t *connection_of(const sched_t *s, const herd_cib_node_t *n)
{
    const char *id = n->kind == HERD_NODE_REMOTE && n->container_id ? n->container_id : n->uname;
    prim_t *p = g_hash_table_lookup(s->prim_by_name, id);
    return p && sched_remote_is_connection(p->cfg) ? p : NULL;
}

enum {
    RF_GUEST_RESET = 1,      /* guest fenced by recovering its container */
    RF_PROBE = 2,            /* offline: fence if resources are active there */
    RF_UNSEEN = 4,           /* fence only if the connection cannot start */
    RF_EARLY = 8,            /* connection (and container) known to be up */
};

/* A guest node is fenced by recovering its container: the decision names
 * the container, which is marked failed; the node is not made unusable
 * (its resources may start again once the container is back). */
static void fence_guest(sched_t *s, int i, prim_t *cont)
{
    if (s->rflags[i] & RF_GUEST_RESET)
        return;
    s->rflags[i] |= RF_GUEST_RESET;
    s->ns[i]->unclean = true;
    if (cont) {
        cont->failed = true;
        cont->guest_reset = true;
    }
    herd_decision_t *d = g_new0(herd_decision_t, 1);
    d->kind = HERD_DECISION_FENCE;
    d->rsc = g_strdup(s->ns[i]->cfg->uname);
    d->fence_action = g_strdup(s->cib->options.stonith_action);
    d->fence_reason = g_strdup("guest is unclean");
    d->fence_rsc = g_strdup(cont ? cont->cfg->id : s->ns[i]->cfg->container_id);
    g_ptr_array_add(s->fence, d);
}

/* The connection's latest operation was a failed start (a start failure is
 * recovered like any other; later failures reset the remote node). */
static bool failed_in_start(const sched_t *s, const prim_t *conn)
{
    for (guint i = 0; i < s->cib->histories->len; i++) {
        const herd_rsc_history_t *h = s->cib->histories->pdata[i];
        if (strcmp(h->rsc_id, conn->cfg->id) || !h->ops->len)
            continue;
        bool on = false;
        for (guint k = 0; k < conn->running->len; k++)
            on |= !strcmp(((herd_cib_node_t *) conn->running->pdata[k])->uname, h->node);
        if (!on)
            continue;
        const herd_lrm_op_t *op = h->ops->pdata[h->ops->len - 1];
        if (!strcmp(op->operation, "start"))
            return true;
    }
    return false;
}

static prim_t *container_of(const sched_t *s, const prim_t *conn)
{
    if (!conn)
        return NULL;
    const char *id = conn->cfg->container ? conn->cfg->container->id
                                          : g_hash_table_lookup(conn->cfg->meta, "container");
    return id ? g_hash_table_lookup(s->prim_by_name, id) : NULL;
}

/* Seconds since the epoch of the connection's latest recorded failure on
 * any node (last-failure-ID[#op_interval] attributes), or 0. */
static time_t last_failure(const sched_t *s, const char *id)
{
    g_autofree char *key = g_strdup_printf("last-failure-%s", id);
    size_t kl = strlen(key);
    time_t last = 0;
    for (int i = 0; i < s->nn; i++) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, s->ns[i]->cfg->attrs);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            if (strncmp(k, key, kl) || (((char *) k)[kl] && ((char *) k)[kl] != '#'))
                continue;
            time_t t = (time_t) g_ascii_strtoll(v, NULL, 10);
            if (t > last)
                last = t;
        }
    }
    return last;
}

/* reconnect_interval of a remote connection in ms (0 when not set). */
static guint64 reconnect_ms(const prim_t *conn)
{
    const char *ri = g_hash_table_lookup(conn->cfg->params, "reconnect_interval");
    guint64 ms = 0;
    if (ri && !herd_cib_parse_interval(ri, &ms))
        ms = 0;
    return ms;
}

/* Remote and guest node state from their connection and container
 * (after the cluster nodes' histories); guests that need a reset are
 * fenced by recovering their container, remote nodes whose connection
 * failed are fenced.  Called for the remote nodes (guests false), then,
 * after the remote nodes' histories, for the guests (a container may run
 * on a remote node). */
void sched_remote_state(sched_t *s, bool guests)
{
    if (!s->rflags)
        s->rflags = g_new0(int, s->nn ? s->nn : 1);
    bool stonith = s->cib->options.stonith_enabled;
    for (int i = 0; i < s->nn; i++) {
        herd_node_state_t *ns = s->ns[i];
        const herd_cib_node_t *n = ns->cfg;
        if (n->kind == HERD_NODE_MEMBER || (n->kind == HERD_NODE_REMOTE) == guests)
            continue;   /* remote nodes first, guests after their histories */
        prim_t *conn = connection_of(s, n);
        ns->online = false;
        if (!conn) {
            continue;
        }
        prim_t *cont = container_of(s, conn);
        bool started = conn->running->len > 0;
        const herd_cib_node_t *host = conn->running->len == 1 ? conn->running->pdata[0] : NULL;
        ns->online = started;
        if (started && (!cont || cont->running->len > 0))
            s->rflags[i] |= RF_EARLY;
        bool reset = false;
        if (cont && cont->failed) {
            ns->online = false;
            reset = true;
        } else if (conn->failed) {
            ns->online = false;
        } else if (!started || (cont && cont->running->len == 0)) {
            ns->online = false;
        } else if (cont && host && !s->ns[host->index]->online &&
                   (s->ns[host->index]->unclean || s->fenced[host->index])) {
            ns->online = false;
            reset = true;
        }
        if (reset) {
            fence_guest(s, i, cont);
            continue;
        }
        if (!cont && conn->failed && stonith && conn->managed &&
            !n->remote_fenced && !failed_in_start(s, conn)) {
            /* the connection failed in a way that resets the node */
            ns->unclean = true;
            sched_fence_node(s, i, "remote connection is unrecoverable", NULL);
            if (reconnect_ms(conn) > 0)
                conn->stop_only = true;     /* no reconnection before the delay */
            continue;
        }
        guint64 rms = !cont ? reconnect_ms(conn) : 0;
        if (rms > 0 && !started) {
            /* a failed connection waits reconnect_interval before retrying */
            time_t lf = last_failure(s, conn->cfg->id);
            if (lf > 0 && (s->now < lf || (guint64) (s->now - lf) * 1000 < rms))
                conn->stop_only = true;
        }
        if (!ns->online && stonith && n->has_state && conn->managed) {
            /* what the offline node's history says is active must be fenced */
            ns->unclean = true;
            s->rflags[i] |= RF_PROBE;
            if (!cont && !conn->failed)
                s->rflags[i] |= RF_UNSEEN;
        }
    }
}

static prim_t *first_active(const sched_t *s, int i)
{
    for (guint k = 0; k < s->prims->len; k++) {
        prim_t *p = s->prims->pdata[k];
        if (!p->managed)
            continue;
        for (guint j = 0; j < p->running->len; j++)
            if (p->running->pdata[j] == s->ns[i]->cfg)
                return p;
    }
    return NULL;
}

/* A guest being reset is unpacked with the online nodes, in status order
 * (its connection and container are known up); other offline remote nodes
 * come last. */
bool sched_remote_unpack_early(const sched_t *s, int i)
{
    return s->rflags && (s->rflags[i] & (RF_GUEST_RESET | RF_EARLY));
}

/* After the remote nodes' histories: resources on a reset guest are
 * recovered; offline nodes with active resources are fenced. */
void sched_remote_unpacked(sched_t *s)
{
    for (int i = 0; i < s->nn; i++) {
        herd_node_state_t *ns = s->ns[i];
        if (ns->cfg->kind == HERD_NODE_MEMBER || !s->rflags[i])
            continue;
        if (s->rflags[i] & RF_PROBE) {
            prim_t *p = first_active(s, i);
            if (!p) {
                ns->unclean = false;
                s->rflags[i] &= ~(RF_PROBE | RF_UNSEEN);
            } else if (container_of(s, connection_of(s, ns->cfg))) {
                fence_guest(s, i, container_of(s, connection_of(s, ns->cfg)));
            } else if (!(s->rflags[i] & RF_UNSEEN)) {
                g_autofree char *why = g_strdup_printf("%s is thought to be active there",
                                                       p->name);
                sched_fence_node(s, i, why, NULL);
            }
        }
        if (s->rflags[i] & RF_GUEST_RESET) {
            for (guint k = 0; k < s->prims->len; k++) {
                prim_t *p = s->prims->pdata[k];
                for (guint j = 0; j < p->running->len; j++)
                    if (p->running->pdata[j] == ns->cfg) {
                        p->failed = true;
                        p->demote_onfail = false;   /* recovered, not demoted */
                    }
            }
            ns->unclean = false;
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
        if (r->container) {
            /* a guest connection's failures count against its container */
            prim_t *cont = container_of(s, p);
            for (int n = 0; cont && n < s->nn; n++)
                if (p->ban[n] <= -INF)
                    cont->loc[n] = -INF;
        }
        if (sched_remote_is_connection(r) && !r->container) {
            /* a remote node asking to shut down: its connection stops */
            const herd_cib_node_t *rn = herd_cib_node(s->cib, r->remote_node);
            const char *v = rn && rn->kind == HERD_NODE_REMOTE
                            ? g_hash_table_lookup(rn->attrs, "shutdown") : NULL;
            if (v && *v && strcmp(v, "0") != 0)
                for (int n = 0; n < s->nn; n++)
                    p->loc[n] = -INF;
        }
        bool banned = sched_remote_is_connection(r) || r->guest_node ||
                      (r->klass && !strcmp(r->klass, "stonith"));
        if (!banned)
            continue;
        /* a bundle's container may run on a remote node, not in a guest */
        bool bundled = r->guest_node && r->bundle_of;
        for (int n = 0; n < s->nn; n++)
            if (s->ns[n]->cfg->kind != HERD_NODE_MEMBER &&
                !(bundled && s->ns[n]->cfg->kind == HERD_NODE_REMOTE))
                p->loc[n] = -INF;
    }
}

/* After the connections are assigned: a remote node whose connection will
 * run is online for the rest of the assignment (its resources start after
 * the connection); one whose connection stops is shutting down and can take
 * no resources.  True when a node became usable (locations must then be
 * computed again). */
static bool has_history(const sched_t *s, const herd_cib_node_t *n)
{
    for (guint i = 0; i < s->cib->histories->len; i++)
        if (!strcmp(((herd_rsc_history_t *) s->cib->histories->pdata[i])->node, n->uname))
            return true;
    return false;
}

/* A remote node whose connection ran on a node being fenced and can run
 * nowhere else is fenced too (connections in configuration order). */
static void fence_stranded(sched_t *s)
{
    for (guint k = 0; k < s->prims->len; k++) {
        prim_t *conn = s->prims->pdata[k];
        if (!sched_remote_is_connection(conn->cfg) || container_of(s, conn) || conn->next ||
            conn->running->len != 1)
            continue;
        const herd_cib_node_t *host = conn->running->pdata[0];
        const herd_cib_node_t *n = herd_cib_node(s->cib, conn->cfg->remote_node);
        if (!n || !s->fenced[host->index] || !s->ns[n->index]->online || s->fenced[n->index])
            continue;
        const char *why = first_active(s, n->index)
                              ? "resources are active but connection is unrecoverable"
                          : !has_history(s, n)
                              ? "resources are in unknown state and connection is unrecoverable"
                              : NULL;
        if (why)
            sched_fence_node(s, n->index, why, NULL);
    }
}

bool sched_remote_assigned(sched_t *s)
{
    bool changed = false;
    if (s->cib->options.stonith_enabled)
        fence_stranded(s);
    for (int i = 0; i < s->nn; i++) {
        herd_node_state_t *ns = s->ns[i];
        if (ns->cfg->kind == HERD_NODE_MEMBER)
            continue;
        prim_t *conn = connection_of(s, ns->cfg);
        if (conn && conn->cfg->bundle_of)
            continue;   /* a bundle's guest: bundle.c brings it up */
        if (conn && conn->next && conn->next_role != HERD_ROLE_STOPPED) {
            if (!ns->online)
                changed = true;
            ns->online = true;
            if (!ns->cfg->has_state || (s->rflags && (s->rflags[i] & RF_UNSEEN))) {
                ns->unclean = false;     /* the connection comes back: no fencing */
                if (s->rflags)
                    s->rflags[i] &= ~RF_UNSEEN;
            }
            continue;
        }
        if (s->rflags && (s->rflags[i] & RF_UNSEEN)) {
            prim_t *p = first_active(s, i);
            g_autofree char *why = g_strdup_printf("%s is active there (fencing will be revoked if "
                                                   "remote connection can be re-established "
                                                   "elsewhere)", p ? p->name : "");
            sched_fence_node(s, i, why, NULL);
            s->rflags[i] &= ~RF_UNSEEN;
            changed = true;
        }
        if (ns->online)
            ns->shutdown = true;
        for (guint k = 0; k < s->prims->len; k++)
            ((prim_t *) s->prims->pdata[k])->loc[i] = -INF;
    }
    return changed;
}

/* Before the decisions are written: a guest whose container will not start
 * again is fenced by switching it off, not by a reboot. */
void sched_remote_finish(sched_t *s)
{
    /* a guest's container that stops and starts again takes down what runs
     * on the guest: those resources restart after it */
    for (int i = 0; i < s->nn; i++) {
        const herd_cib_node_t *n = s->ns[i]->cfg;
        if (n->kind == HERD_NODE_MEMBER)
            continue;
        prim_t *conn = connection_of(s, n);
        prim_t *cont = container_of(s, conn);
        if (!cont || !cont->next || !cont->running->len)
            continue;
        bool bounced = cont->running->pdata[0] != cont->next || cont->restart ||
                       (cont->failed && !cont->guest_reset);
        if (!bounced)
            continue;
        for (guint k = 0; k < s->prims->len; k++) {
            prim_t *p = s->prims->pdata[k];
            if (p->running->len != 1 || p->running->pdata[0] != n || p->next != n || p->failed ||
                p->restart || !p->managed)
                continue;
            p->restart = true;
            g_free(p->unrunnable_reason);
            p->unrunnable_reason = g_strdup_printf("due to required %s start", cont->cfg->id);
        }
    }

    for (guint k = 0; k < s->fence->len; k++) {
        herd_decision_t *d = s->fence->pdata[k];
        if (!d->fence_rsc)
            continue;
        const prim_t *cont = g_hash_table_lookup(s->prim_by_name, d->fence_rsc);
        if (cont && !cont->next) {
            g_free(d->fence_action);
            d->fence_action = g_strdup("off");
        }
    }
}
