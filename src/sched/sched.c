/* sched.c: herd_sched_run(), from the model to decisions.
 *
 * The run: node states, resource instances, status histories to current
 * roles and failures, per node scores (locations, stickiness, bans,
 * availability), assignment of units (primitives and groups) with their
 * colocations, clones and promotion, ordering effects, and finally the
 * decisions of the transition summary. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "internal.h"
#include "scores.h"

/* ---- helpers ---------------------------------------------------------- */

static const char *meta(const herd_cib_rsc_t *r, const char *name)
{
    return g_hash_table_lookup(r->meta, name);
}

/* Is the critical meta of r (inherited from its parents) true? */
static bool critical(const herd_cib_rsc_t *r)
{
    return herd_cib_parse_bool(r ? meta(r, "critical") : NULL, true);
}

/* Meta scores are read leniently, as Pacemaker does ("2.0" is 2). */
static int meta_score(const herd_cib_rsc_t *r, const char *name, int dflt)
{
    const char *v = meta(r, name);
    int s;
    if (!v)
        return dflt;
    if (herd_score_parse(v, &s))
        return s;
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v)
        return dflt;
    return x > INF ? INF : x < -INF ? -INF : (int) x;
}

/* A meta attribute as a score, read leniently (see meta_score). */
int sched_meta_score(const herd_cib_rsc_t *r, const char *name, int dflt)
{
    return meta_score(r, name, dflt);
}

static const herd_cib_rsc_t *top_of(const herd_cib_rsc_t *r)
{
    while (r->parent)
        r = r->parent;
    return r;
}

static const herd_cib_rsc_t *clone_of(const herd_cib_rsc_t *r)
{
    for (; r; r = r->parent)
        if (r->kind == HERD_RSC_CLONE)
            return r;
    return NULL;
}

static bool is_managed(const sched_t *s, const herd_cib_rsc_t *r)
{
    if (s->cib->options.maintenance_mode || s->no_fencing_device)
        return false;
    if (!herd_cib_parse_bool(meta(r, "is-managed"), true))
        return false;
    if (herd_cib_parse_bool(meta(r, "maintenance"), false))
        return false;
    return true;
}

static herd_role_t target_role(const herd_cib_rsc_t *r)
{
    const char *v = meta(r, "target-role");
    herd_role_t t = herd_role_parse(v);
    return t == HERD_ROLE_UNKNOWN ? HERD_ROLE_PROMOTED : t;   /* no limit */
}

/* Can node i take resources after this transition?  (A remote or guest
 * node is online once its connection is placed: remote.c.) */
static bool node_usable(const sched_t *s, int i)
{
    const herd_node_state_t *n = s->ns[i];
    return n->online && !n->unclean && !n->standby && !n->maintenance && !n->shutdown &&
           !n->pending && !s->fenced[i];
}

static herd_decision_t *decision(herd_decision_kind_t kind, const char *rsc)
{
    herd_decision_t *d = g_new0(herd_decision_t, 1);
    d->kind = kind;
    d->rsc = g_strdup(rsc);
    return d;
}

static void decision_free(herd_decision_t *d)
{
    g_free(d->rsc); g_free(d->from); g_free(d->to); g_free(d->reason);
    g_free(d->fence_action); g_free(d->fence_reason); g_free(d->fence_rsc);
    g_free(d);
}

/* ---- nodes ---------------------------------------------------------- */

static void fence_node(sched_t *s, int i, const char *reason)
{
    if (s->fenced[i])
        return;
    const herd_cib_node_t *n = s->ns[i]->cfg;
    const char *nqp = s->nqp;
    if (s->cib->options.stonith_enabled && !s->cib->have_quorum && strcmp(nqp, "ignore") != 0 &&
        strcmp(nqp, "suicide") != 0) {
        s->unfenceable[i] = true;   /* no fencing without quorum */
        return;
    }
    s->fenced[i] = true;
    if (!s->cib->options.stonith_enabled)
        return;
    herd_decision_t *d = decision(HERD_DECISION_FENCE, n->uname);
    d->fence_action = g_strdup(s->cib->options.stonith_action);
    d->fence_reason = g_strdup(reason);
    g_ptr_array_add(s->fence, d);
}

/* Fence node i (a remote or guest node: `rsc` names the guest's container
 * recovered to fence it).  Used by remote.c. */
void sched_fence_node(sched_t *s, int i, const char *reason, const char *rsc)
{
    if (s->fenced[i])
        return;
    guint before = s->fence->len;
    fence_node(s, i, reason);
    if (rsc && s->fence->len > before)
        ((herd_decision_t *) s->fence->pdata[before])->fence_rsc = g_strdup(rsc);
}

static void unpack_nodes(sched_t *s)
{
    const herd_cib_t *cib = s->cib;
    bool stonith = cib->options.stonith_enabled;
    bool startup_fencing = herd_cib_parse_bool(g_hash_table_lookup(cib->options.values,
                                                                   "startup-fencing"), true);
    for (int i = 0; i < s->nn; i++) {
        const herd_cib_node_t *n = cib->nodes->pdata[i];
        herd_node_state_t *st = g_new0(herd_node_state_t, 1);
        st->cfg = n;
        s->ns[i] = st;
        const char *v;
        st->standby = herd_cib_parse_bool(g_hash_table_lookup(n->attrs, "standby"), false);
        st->maintenance = herd_cib_parse_bool(g_hash_table_lookup(n->attrs, "maintenance"), false);
        v = g_hash_table_lookup(n->attrs, "shutdown");
        st->shutdown = v && strcmp(v, "0") != 0 && *v;
        if (n->kind != HERD_NODE_MEMBER) {
            /* remote and guest nodes: from their connection (remote.c) */
            st->online = false;
            continue;
        }
        if (!n->has_state) {
            st->online = false;
            st->unclean = stonith && startup_fencing;
            continue;
        }
        bool terminate = herd_cib_parse_bool(g_hash_table_lookup(n->attrs, "terminate"), false);
        if (!stonith) {
            st->online = n->in_ccm && n->crmd_online && n->join_member;
            st->pending = n->in_ccm && n->crmd_online && !n->join_member &&
                          n->join && strcmp(n->join, "down") != 0;
            continue;
        }
        if (terminate) {
            st->unclean = true;
        } else if (n->in_ccm && n->crmd_online) {
            if (n->join_member)
                st->online = true;
            else if (n->join && !strcmp(n->join, "down") && !n->expected_up)
                st->online = false;
            else
                st->pending = true;
        } else if (!n->in_ccm && n->expected_up) {
            st->unclean = true;     /* peer is no longer part of the cluster */
        } else if (n->in_ccm && !n->crmd_online && n->expected_up) {
            st->unclean = true;     /* peer process is no longer available */
        } else {
            st->online = false;
        }
    }
}

static int node_index(const sched_t *s, const char *uname)
{
    const herd_cib_node_t *n = herd_cib_node(s->cib, uname);
    return n ? n->index : -1;
}

/* ---- instances ------------------------------------------------------ */

static prim_t *new_prim(sched_t *s, const herd_cib_rsc_t *cfg, const char *name, unit_t *u)
{
    prim_t *p = g_new0(prim_t, 1);
    p->cfg = cfg;
    p->name = g_strdup(name);
    p->unit = u;
    p->pos = (int) u->prims->len;
    p->running = g_ptr_array_new();
    p->role = HERD_ROLE_STOPPED;
    p->managed = is_managed(s, cfg);
    p->ban = g_new0(int, s->nn);
    p->loc = g_new0(int, s->nn);
    p->migratable = herd_cib_parse_bool(meta(cfg, "allow-migrate"), false);
    g_ptr_array_add(u->prims, p);
    g_ptr_array_add(s->prims, p);
    g_hash_table_insert(s->prim_by_name, p->name, p);
    return p;
}

static unit_t *new_unit(sched_t *s, const herd_cib_rsc_t *cfg, clone_t *c, int inst)
{
    unit_t *u = g_new0(unit_t, 1);
    u->cfg = cfg;
    u->clone = c;
    u->inst = inst;
    u->name = c && inst >= 0 ? g_strdup_printf("%s:%d", cfg->id, inst) : g_strdup(cfg->id);
    u->prims = g_ptr_array_new();
    u->score = g_new0(int, s->nn);
    u->priority = meta_score(cfg, "priority", 0);
    u->order = (int) s->all_units->len;
    g_ptr_array_add(s->all_units, u);
    if (cfg->kind == HERD_RSC_GROUP) {
        for (guint i = 0; i < cfg->children->len; i++) {
            const herd_cib_rsc_t *m = cfg->children->pdata[i];
            g_autofree char *nm = c ? g_strdup_printf("%s:%d", m->id, inst) : g_strdup(m->id);
            new_prim(s, m, nm, u);
        }
    } else {
        new_prim(s, cfg, u->name, u);
    }
    return u;
}

static void build(sched_t *s)
{
    const herd_cib_t *cib = s->cib;
    for (guint i = 0; i < cib->resources->len; i++) {
        const herd_cib_rsc_t *r = cib->resources->pdata[i];
        if (r->kind == HERD_RSC_PRIMITIVE || r->kind == HERD_RSC_GROUP) {
            unit_t *u = new_unit(s, r, NULL, -1);
            g_ptr_array_add(s->units, u);
            g_hash_table_insert(s->unit_by_rsc, (gpointer) r, u);
        } else if (r->kind == HERD_RSC_CLONE && r->children->len == 1) {
            clone_t *c = g_new0(clone_t, 1);
            c->cfg = r;
            c->units = g_ptr_array_new();
            c->max = r->clone_max >= 0 ? r->clone_max : s->nn;
            c->node_max = r->clone_node_max > 0 ? r->clone_node_max : 1;
            c->promotable = r->promotable;
            c->count = g_new0(int, s->nn);
            const herd_cib_rsc_t *child = r->children->pdata[0];
            for (int k = 0; k < c->max; k++)
                g_ptr_array_add(c->units, new_unit(s, child, c, k));
            g_ptr_array_add(s->clones, c);
            g_hash_table_insert(s->clone_by_rsc, (gpointer) r, c);
            g_hash_table_insert(s->clone_by_rsc, (gpointer) child, c);
        }
        else if (r->kind == HERD_RSC_BUNDLE)
            sched_bundle_build(s, r);   /* bundle.c */
    }
}

/* The building blocks bundle.c uses (see internal.h). */
unit_t *sched_new_unit(sched_t *s, const herd_cib_rsc_t *cfg, clone_t *c, int inst)
{
    return new_unit(s, cfg, c, inst);
}

/* Whether node i can take resources after this transition. */
bool sched_node_usable(const sched_t *s, int i)
{
    return node_usable(s, i);
}

/* A resource the configuration does not hold (orphans, the implicit
 * connection of a guest node); the result owns it (orphan_cfgs). */
static herd_cib_rsc_t *synthetic_rsc(sched_t *s, const char *id, const char *klass,
                                     const char *provider, const char *type)
{
    herd_cib_rsc_t *o = g_new0(herd_cib_rsc_t, 1);
    o->id = g_strdup(id);
    o->kind = HERD_RSC_PRIMITIVE;
    o->klass = g_strdup(klass);
    o->provider = g_strdup(provider);
    o->type = g_strdup(type);
    o->children = g_ptr_array_new();
    o->meta = g_hash_table_new(g_str_hash, g_str_equal);
    o->params = g_hash_table_new(g_str_hash, g_str_equal);
    o->param_sets = g_ptr_array_new();
    o->utilization = g_hash_table_new(g_str_hash, g_str_equal);
    o->ops = g_ptr_array_new();
    g_ptr_array_add(s->orphan_cfgs, o);
    return o;
}

/* Free a configuration made up by orphan_cfg(). */
static void orphan_cfg_free(herd_cib_rsc_t *o)
{
    g_free(o->id); g_free(o->klass); g_free(o->provider); g_free(o->type);
    g_free(o->remote_node);
    g_ptr_array_free(o->children, TRUE);
    g_hash_table_destroy(o->meta);
    g_hash_table_destroy(o->params);
    g_ptr_array_free(o->param_sets, TRUE);
    g_hash_table_destroy(o->utilization);
    g_ptr_array_free(o->ops, TRUE);
    g_free(o);
}

/* ---- status --------------------------------------------------------- */

/* The clone instance an anonymous history entry on `node` belongs to. */
static unit_t *anon_instance(sched_t *s, clone_t *c, const herd_cib_rsc_t *child,
                             const herd_cib_node_t *node, bool active, bool no_slot)
{
    /* a bundle's child: the instance of the replica whose guest this is */
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        if (u->pin == node)
            return u;
    }
    if (c->bundle)
        return NULL;
    /* an instance already active on this node (where this member is not
     * active yet: a second active copy is a duplicate) */
    unit_t *there = NULL;
    bool dup = false;
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        bool on = false, self = false;
        for (guint k = 0; k < u->prims->len; k++) {
            prim_t *p = u->prims->pdata[k];
            for (guint j = 0; j < p->running->len; j++)
                if (p->running->pdata[j] == node) {
                    on = true;
                    self |= p->cfg == child;
                }
        }
        if (on && !there && (!self || !active))
            there = u;
        dup |= on && self;
    }
    if (there)
        return there;
    if (!active)
        return NULL;
    if (dup || no_slot) {
        /* active twice on one node: the copy is an extra instance; so is
         * one on an unclean node (see clones_unclean_orphan) */
        unit_t *u = new_unit(s, c->cfg->children->pdata[0], c, (int) c->units->len);
        g_ptr_array_add(c->units, u);
        return u;
    }
    /* else the first instance active nowhere */
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        bool any = false;
        for (guint k = 0; k < u->prims->len; k++)
            any |= ((prim_t *) u->prims->pdata[k])->running->len > 0;
        if (!any)
            return u;
    }
    /* more active than clone-max: an extra instance, to be stopped */
    unit_t *u = new_unit(s, c->cfg->children->pdata[0], c, (int) c->units->len);
    g_ptr_array_add(c->units, u);
    return u;
}

typedef struct {
    herd_role_t role;
    bool active;
    bool failed;
    bool stop_failed;
    bool blocked, stop_only, fence, standby, ignore, demote;
    bool not_installed;      /* a probe found the agent missing there */
    const herd_lrm_op_t *last_failure;
    const herd_lrm_op_t *last_start;
    bool start_pending;      /* active through a start still in flight */
    bool container_restart;  /* a failure restarts the container */
    bool migrate_pending;
    bool fatal;          /* failed "not configured" (6): banned everywhere */
} hist_state_t;

static const herd_cib_op_t *find_op(const herd_cib_rsc_t *r, const char *name, guint64 interval)
{
    for (guint i = 0; i < r->ops->len; i++) {
        const herd_cib_op_t *o = r->ops->pdata[i];
        if (!strcmp(o->name, name) && o->interval_ms == interval)
            return o;
    }
    return NULL;
}

static void eval_history(sched_t *s, const herd_cib_rsc_t *cfg, const herd_rsc_history_t *h,
                         hist_state_t *st)
{
    memset(st, 0, sizeof *st);
    st->role = HERD_ROLE_STOPPED;
    guint64 ft = 0;
    const char *ftv = meta(cfg, "failure-timeout");
    s->failure_timeout_ms = ftv && herd_cib_parse_interval(ftv, &ft) ? ft : 0;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        const char *task = op->operation;
        bool probe = !strcmp(task, "monitor") && op->interval_ms == 0;
        int expected = op->target_rc >= 0 ? op->target_rc : 0;
        /* executor status: -1 pending, 0 done, 1 cancelled, 2 timeout,
         * 3 not supported, 4 error, 5 hard error, 6 fatal, 7 not installed */
        if (op->op_status == -1 || op->call_id == -1) {
            /* pending */
            if (!strcmp(task, "start") || !strcmp(task, "migrate_from") || !strcmp(task, "promote")) {
                st->active = true;
                if (st->role < HERD_ROLE_STARTED)
                    st->role = HERD_ROLE_STARTED;
            }
            if (!strcmp(task, "start") || !strcmp(task, "migrate_from")) {
                st->last_start = op;     /* its digest counts too */
                st->start_pending = true;
            }
            continue;
        }
        if (op->op_status == 1)
            continue;
        bool ok;
        int rc = op->rc;
        /* OCF degraded results count as their healthy equivalents */
        if (rc == 190)
            rc = 0;
        else if (rc == 191)
            rc = 8;
        if (op->op_status == 4 && rc == expected) {
            ok = true;      /* an error status with the expected result */
        } else if (op->op_status != 0) {
            ok = false;
            if (rc == 0 || rc == expected)
                rc = 1;
        } else {
            ok = rc == expected || (probe && (rc == 7 || rc == 0 || rc == 8));
        }
        if (!strcmp(task, "notify") || !strcmp(task, "meta-data") || !strcmp(task, "reload") ||
            !strcmp(task, "reload-agent") || !strcmp(task, "cancel"))
            continue;
        if (ok && rc == 7 && strcmp(task, "monitor") != 0) {
            /* "not running", as expected: stopped, whatever the task */
            st->role = HERD_ROLE_STOPPED;
            st->active = false;
            st->failed = false;
            continue;
        }
        if (ok) {
            if (!strcmp(task, "start") || !strcmp(task, "migrate_from")) {
                st->role = HERD_ROLE_STARTED;
                st->active = true;
                st->failed = false;
                st->container_restart = false;
                st->last_start = op;
            } else if (!strcmp(task, "stop")) {
                st->role = HERD_ROLE_STOPPED;
                st->active = false;
                st->failed = false;
            } else if (!strcmp(task, "promote")) {
                st->role = HERD_ROLE_PROMOTED;
                st->active = true;
            } else if (!strcmp(task, "demote")) {
                st->role = HERD_ROLE_UNPROMOTED;
                st->active = true;
            } else if (!strcmp(task, "migrate_to")) {
                st->role = HERD_ROLE_STARTED;
                st->active = true;
                st->migrate_pending = true;
            } else if (!strcmp(task, "monitor")) {
                if (rc == 7) {
                    st->role = HERD_ROLE_STOPPED;
                    st->active = false;
                    st->failed = false;
                } else if (rc == 8) {
                    if (probe)
                        st->last_start = op;    /* found active: its digest counts */
                    st->role = HERD_ROLE_PROMOTED;
                    st->active = true;
                } else if (rc == 0) {
                    if (probe)
                        st->last_start = op;
                    if (!st->active || st->role == HERD_ROLE_PROMOTED)
                        st->role = HERD_ROLE_STARTED;
                    st->active = true;
                }
            }
            continue;
        }
        /* a failure; an expired one (failure-timeout) no longer counts */
        if (s->failure_timeout_ms && op->last_rc_change > 0 &&
            s->now >= op->last_rc_change + (time_t) (s->failure_timeout_ms / 1000) &&
            !strcmp(task, "monitor"))
            continue;
        const herd_cib_op_t *cop = find_op(cfg, task, op->interval_ms);
        const char *on_fail = cop ? cop->on_fail : NULL;
        if ((!on_fail || !strcmp(on_fail, "restart-container")) && sched_container_of(s, cfg)) {
            /* restart-container: the container's restart deals with it; a
             * failed stop is taken as done */
            st->container_restart = true;
            if (!strcmp(task, "stop")) {
                st->role = HERD_ROLE_STOPPED;
                st->active = false;
                st->failed = false;
                continue;
            }
            on_fail = NULL;
        }
        if (!on_fail && !strcmp(task, "stop"))
            on_fail = s->cib->options.stonith_enabled ? "fence" : "block";
        if (on_fail && !strcmp(on_fail, "ignore")) {
            st->ignore = true;
            if (!strcmp(task, "start") || !strcmp(task, "monitor")) {
                st->active = true;
                if (st->role < HERD_ROLE_STARTED)
                    st->role = HERD_ROLE_STARTED;
            }
            continue;
        }
        st->last_failure = op;
        if (rc == 6)
            st->fatal = true;
        if (probe && (rc == 5 || op->op_status == 7)) {
            /* not installed there: not running, and it cannot run there */
            st->active = false;
            st->failed = false;
            st->role = HERD_ROLE_STOPPED;
            st->not_installed = true;
            continue;
        }
        if (probe && rc != 7 && rc != 0 && rc != 8) {
            st->active = true;
            st->failed = true;
            st->role = HERD_ROLE_STARTED;
        } else if (!strcmp(task, "stop")) {
            st->active = true;
            st->failed = true;
            st->stop_failed = true;
        } else if (!strcmp(task, "monitor") && rc == 7) {
            st->active = true;       /* stopped unexpectedly: still needs a stop */
            st->failed = true;
        } else if (!strcmp(task, "monitor") && rc == 8) {
            st->active = true;
            st->role = HERD_ROLE_PROMOTED;
            st->failed = true;
        } else if (!strcmp(task, "migrate_to") || !strcmp(task, "migrate_from")) {
            st->active = true;
            st->failed = true;
            if (st->role < HERD_ROLE_STARTED)
                st->role = HERD_ROLE_STARTED;
        } else if (!strcmp(task, "demote")) {
            st->active = true;
            st->failed = true;
            /* with on-fail=block it stays promoted (and blocked) */
            st->role = on_fail && !strcmp(on_fail, "block") ? HERD_ROLE_PROMOTED
                                                            : HERD_ROLE_UNPROMOTED;
        } else {
            st->active = true;
            st->failed = true;
            if (st->role < HERD_ROLE_STARTED)
                st->role = HERD_ROLE_STARTED;
            if (!strcmp(task, "promote"))
                st->role = HERD_ROLE_PROMOTED;
        }
        if (on_fail && !strcmp(on_fail, "demote") && st->role == HERD_ROLE_PROMOTED) {
            st->failed = false;     /* demoted in place, not recovered */
            st->demote = true;
            continue;
        }
        st->blocked = on_fail && !strcmp(on_fail, "block");
        st->stop_only = on_fail && !strcmp(on_fail, "stop");
        st->fence = on_fail && !strcmp(on_fail, "fence");
        st->standby = on_fail && !strcmp(on_fail, "standby");
    }
}

static char *base_id(const char *id)
{
    const char *c = strrchr(id, ':');
    return c ? g_strndup(id, (gsize) (c - id)) : g_strdup(id);
}

/* level 0: the cluster nodes' histories; 1: remote nodes'; 2: guests'
 * (a guest's container may run on a remote node). */
static void unpack_histories(sched_t *s, int level)
{
    bool remote = level > 0;
    const herd_cib_t *cib = s->cib;
    /* online nodes first, then the unclean ones (as Pacemaker) */
    for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < cib->histories->len; i++) {
        const herd_rsc_history_t *h = cib->histories->pdata[i];
        int ni = node_index(s, h->node);
        if (ni < 0)
            continue;
        const herd_node_state_t *ns = s->ns[ni];
        int lv = ns->cfg->kind == HERD_NODE_MEMBER ? 0 : ns->cfg->kind == HERD_NODE_REMOTE ? 1 : 2;
        if (lv != level)
            continue;   /* remote nodes come after their connections */
        /* histories of clean offline nodes say nothing about now, unless
         * fencing is on: what they call active there gets the node fenced */
        bool offline_probe = (!remote && s->cib->options.stonith_enabled && ns->cfg->has_state) ||
                             (remote && sched_remote_unpack_early(s, ni));
        if (!ns->online && !ns->unclean && !ns->pending && !offline_probe)
            continue;
        bool first = ns->online || ns->pending || (remote && sched_remote_unpack_early(s, ni));
        if (!first && !remote && s->cib->options.stonith_enabled) {
            /* with fencing on, cluster nodes in status order, except for
             * what does not need fencing there (requires=quorum|nothing) */
            g_autofree char *b0 = base_id(h->rsc_id);
            const herd_cib_rsc_t *c0 = herd_cib_rsc(cib, h->rsc_id);
            if (!c0)
                c0 = herd_cib_rsc(cib, b0);
            const char *req = c0 ? meta(c0, "requires") : NULL;
            first = !(req && (!strcmp(req, "quorum") || !strcmp(req, "nothing")));
        }
        if ((pass == 0) != first)
            continue;
        prim_t *p = g_hash_table_lookup(s->prim_by_name, h->rsc_id);
        const herd_cib_rsc_t *cfg = p ? p->cfg : NULL;
        g_autofree char *base = base_id(h->rsc_id);
        if (!cfg)
            cfg = herd_cib_rsc(cib, h->rsc_id);
        if (!cfg)
            cfg = herd_cib_rsc(cib, base);
        if (p && cfg && clone_of(cfg) && !clone_of(cfg)->unique)
            p = NULL;   /* anonymous instances are matched by node, not by name */
        if (!cfg) {
            /* an orphan: history of a resource no longer configured */
            p = g_hash_table_lookup(s->prim_by_name, h->rsc_id);
            if (!p) {
                herd_cib_rsc_t *o = synthetic_rsc(s, h->rsc_id, h->klass, h->provider, h->type);
                bool in_bundle = sched_remote_orphan(s, o, h);
                unit_t *u = new_unit(s, o, NULL, -1);
                p = u->prims->pdata[0];
                p->orphan = !in_bundle;
                if (in_bundle)
                    p->managed = false;
            }
            cfg = p->cfg;
        }
        if (cfg->kind != HERD_RSC_PRIMITIVE)
            continue;
        hist_state_t st;
        eval_history(s, cfg, h, &st);
        const herd_cib_rsc_t *cl = clone_of(cfg);
        if (cl && !p) {
            clone_t *c = g_hash_table_lookup(s->clone_by_rsc, cl);
            if (!c)
                continue;
            unit_t *u = cl->unique ? NULL : anon_instance(s, c, cfg, ns->cfg, st.active,
                                                        clones_unclean_orphan(s, c, cfg, ni));
            if (!u)
                continue;
            for (guint k = 0; k < u->prims->len; k++)
                if (((prim_t *) u->prims->pdata[k])->cfg == cfg)
                    p = u->prims->pdata[k];
        }
        if (!p)
            continue;
        if (st.ignore || sched_failure_params_changed(s, cfg, h, ns->cfg)) {
            /* failures with on-fail=ignore, or cleared as the parameters
             * changed since: the fail count bans nothing */
            if (!p->fc_ignored)
                p->fc_ignored = g_new0(bool, s->nn);
            p->fc_ignored[ni] = true;
        }
        if (st.fatal)
            for (int n = 0; n < s->nn; n++)
                p->ban[n] = -INF;
        if (st.container_restart)
            p->container_restart = ns->cfg;
        if (st.not_installed && !st.active)
            p->ban[ni] = -INF;

        if (st.active && ns->maintenance)
            p->managed = false;     /* a node in maintenance: left as it is */
        if (st.active && !p->hist_name)
            p->hist_name = g_strdup(h->rsc_id);
        if (st.active) {
            if (!remote && !ns->online && !ns->unclean && !ns->pending && p->managed &&
                !s->fenced[ni]) {
                g_autofree char *why = g_strdup_printf("%s is thought to be active there", p->name);
                fence_node(s, ni, why);
            }
            bool agent_changed = !cfg->implicit && sched_agent_changed(cfg, h);
            int changed = !st.failed && p->managed && !cfg->implicit && !agent_changed &&
                          (ns->online || (st.last_start && st.last_start->op_digest))
                          ? sched_definition_changed(s, cfg, st.last_start, ns->cfg) : 0;
            if (agent_changed)
                p->unfence_why = "Device definition changed";
            else if (changed == 1)
                p->unfence_why = "Device parameters changed";
            if (agent_changed && p->managed) {
                /* another agent: its history is deleted, it restarts */
                p->restart = true;
                g_clear_pointer(&p->unrunnable_reason, g_free);
            } else if (changed && st.start_pending) {
                /* changed while its start is in flight: a full restart
                 * (no reload), said without a reason when it could have
                 * reloaded */
                p->restart = true;
                g_free(p->unrunnable_reason);
                p->unrunnable_reason = changed == 1 ? g_strdup("due to resource definition change")
                                                    : NULL;
            } else if (changed == 1) {
                p->restart = true;
                g_free(p->unrunnable_reason);
                p->unrunnable_reason = g_strdup("due to resource definition change");
            } else if (changed == 2) {
                p->reload = true;
            }
            g_ptr_array_add(p->running, (gpointer) ns->cfg);
            if (st.role > p->role)
                p->role = st.role;
            if (st.failed)
                p->failed = true;
            if (st.demote)
                p->demote_onfail = true;
            if (st.blocked)
                p->blocked = true;
            if (st.stop_only)
                p->stop_only = true;
            if (st.stop_failed) {
                if (s->cib->options.stonith_enabled) {
                    g_autofree char *why = g_strdup_printf("%s failed there", p->name);
                    fence_node(s, ni, why);
                } else {
                    p->blocked = true;
                }
            } else if (st.failed && st.fence) {
                g_autofree char *why = g_strdup_printf("%s failed there", p->name);
                fence_node(s, ni, why);
            } else if (st.failed && st.standby) {
                s->ns[ni]->standby = true;
            }
        }
    }
}

static void set_current(sched_t *s)
{
    /* unit current node */
    for (guint i = 0; i < s->all_units->len; i++) {
        unit_t *u = s->all_units->pdata[i];
        for (guint k = 0; k < u->prims->len && !u->current; k++) {
            prim_t *p = u->prims->pdata[k];
            if (p->running->len > 0)
                u->current = p->running->pdata[0];
        }
        /* ties go to where the first member runs (clone instances: any) */
        const prim_t *p0 = u->prims->len ? u->prims->pdata[0] : NULL;
        u->prefer = p0 && p0->running->len ? p0->running->pdata[0] : NULL;
    }
}

/* ---- tickets ---------------------------------------------------------- */

static bool rsc_within(const herd_cib_rsc_t *r, const char *id);

static void ticket_apply(sched_t *s, const herd_ticket_constraint_t *tc, const char *rid,
                         herd_role_t role, const char *ticket)
{
    const herd_ticket_t *t = g_hash_table_lookup(s->cib->ticket_by_id, ticket);
    bool granted = t && t->granted;
    bool standby = t && t->standby;
    if (granted && !standby)
        return;
    const char *loss = tc->loss_policy ? tc->loss_policy : "stop";
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        if (!rsc_within(p->cfg, rid))
            continue;
        if (role == HERD_ROLE_PROMOTED && strcmp(loss, "stop") != 0) {
            if (!granted && !strcmp(loss, "freeze")) {
                p->ticket_freeze_promoted = true;
            } else {
                p->ticket_nopromote = true;
                if (!granted && !strcmp(loss, "fence") && s->cib->options.stonith_enabled &&
                    p->role == HERD_ROLE_PROMOTED)
                    for (guint k = 0; k < p->running->len; k++)
                        fence_node(s, ((herd_cib_node_t *) p->running->pdata[k])->index,
                                   "deadman ticket was lost");
            }
            continue;
        }
        if (!granted && !strcmp(loss, "freeze")) {
            p->ticket_freeze = true;
            continue;
        }
        if (!granted && !strcmp(loss, "fence") && s->cib->options.stonith_enabled) {
            for (guint k = 0; k < p->running->len; k++) {
                const herd_cib_node_t *n = p->running->pdata[k];
                fence_node(s, n->index, "deadman ticket was lost");
            }
        }
        p->ticket_stop = true;
    }
}

static void apply_tickets(sched_t *s)
{
    const herd_cib_t *cib = s->cib;
    for (guint i = 0; i < cib->ticket_constraints->len; i++) {
        const herd_ticket_constraint_t *tc = cib->ticket_constraints->pdata[i];
        if (!tc->ticket)
            continue;
        if (tc->rsc)
            ticket_apply(s, tc, tc->rsc, tc->role, tc->ticket);
        if (tc->sets)
            for (guint k = 0; k < tc->sets->len; k++) {
                const herd_rsc_set_t *set = tc->sets->pdata[k];
                for (guint j = 0; j < set->rsc_ids->len; j++)
                    ticket_apply(s, tc, set->rsc_ids->pdata[j],
                                 set->role ? set->role : tc->role, tc->ticket);
            }
    }
}

/* ---- scores ----------------------------------------------------------- */

static bool rsc_within(const herd_cib_rsc_t *r, const char *id)
{
    for (; r; r = r->parent)
        if (!strcmp(r->id, id) || (r->template_id && !strcmp(r->template_id, id)))
            return true;
    return false;
}

static void apply_location(sched_t *s, const herd_location_t *l, const char *rid)
{
    /* rid names a resource (or a template); apply to every prim below it */
    const herd_cib_rsc_t *r = herd_cib_rsc(s->cib, rid);
    GPtrArray *list = r ? g_hash_table_lookup(s->under, r) : s->prims;
    for (guint i = 0; list && i < list->len; i++) {
        prim_t *p = list->pdata[i];
        if (!r && !rsc_within(p->cfg, rid))
            continue;
        if (r && r->kind == HERD_RSC_BUNDLE && (p->cfg->remote_node || !p->cfg->implicit))
            continue;   /* a bundle's: its containers and addresses */
        if (l->role == HERD_ROLE_PROMOTED || l->role == HERD_ROLE_UNPROMOTED)
            continue;   /* role-specific: promotion only */
        bool exclusive = l->resource_discovery && !strcmp(l->resource_discovery, "exclusive");
        if (exclusive && !p->excl)
            p->excl = g_new0(bool, s->nn ? s->nn : 1);
        if (l->node) {
            int n = node_index(s, l->node);
            if (n >= 0)
                p->loc[n] = herd_score_add(p->loc[n], l->score);
            if (n >= 0 && exclusive)
                p->excl[n] = true;
        }
        for (guint r = 0; r < l->rules->len; r++) {
            const herd_rule_t *rule = l->rules->pdata[r];
            if (rule->role && herd_role_parse(rule->role) == HERD_ROLE_PROMOTED)
                continue;
            for (int n = 0; n < s->nn; n++) {
                const herd_cib_node_t *nd = s->ns[n]->cfg;
                if (!herd_rule_eval(rule, nd, p->cfg, s->now))
                    continue;
                if (exclusive)
                    p->excl[n] = true;
                int sc = rule->score;
                if (rule->score_attribute) {
                    const char *v = g_hash_table_lookup(nd->attrs, rule->score_attribute);
                    if (!v || !herd_score_parse(v, &sc))
                        continue;
                }
                p->loc[n] = herd_score_add(p->loc[n], sc);
            }
        }
    }
}

static void compute_locations(sched_t *s)
{
    const herd_cib_t *cib = s->cib;
    bool symmetric = cib->options.symmetric_cluster;
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        for (int n = 0; n < s->nn; n++)
            p->loc[n] = symmetric ? 0 : -INF;
        g_clear_pointer(&p->excl, g_free);
    }
    if (!symmetric) {
        /* allowed nodes come from positive constraints: start from 0 there */
        for (guint i = 0; i < s->prims->len; i++) {
            prim_t *p = s->prims->pdata[i];
            for (int n = 0; n < s->nn; n++)
                p->loc[n] = 0;
        }
    }
    for (guint i = 0; i < cib->locations->len; i++) {
        const herd_location_t *l = cib->locations->pdata[i];
        if (l->rsc)
            apply_location(s, l, l->rsc);
        if (l->rsc_pattern) {
            /* a leading '!' inverts: the top-level resources that do not
             * match the rest */
            bool invert = l->rsc_pattern[0] == '!';
            GRegex *re = g_regex_new(l->rsc_pattern + invert, 0, 0, NULL);
            if (re) {
                for (guint k = 0; k < cib->resources->len; k++) {
                    const herd_cib_rsc_t *r = cib->resources->pdata[k];
                    if (g_regex_match(re, r->id, 0, NULL) != invert)
                        apply_location(s, l, r->id);
                }
                g_regex_unref(re);
            }
        }
        if (l->sets)
            for (guint k = 0; k < l->sets->len; k++) {
                const herd_rsc_set_t *set = l->sets->pdata[k];
                for (guint j = 0; j < set->rsc_ids->len; j++)
                    apply_location(s, l, set->rsc_ids->pdata[j]);
            }
    }
    if (!symmetric) {
        /* nodes with no positive or explicit constraint are not allowed */
        for (guint i = 0; i < s->prims->len; i++) {
            prim_t *p = s->prims->pdata[i];
            g_autofree bool *mentioned = g_new0(bool, s->nn);
            for (guint k = 0; k < cib->locations->len; k++) {
                const herd_location_t *l = cib->locations->pdata[k];
                bool applies = l->rsc && rsc_within(p->cfg, l->rsc);
                if (l->sets)
                    for (guint a = 0; a < l->sets->len; a++) {
                        const herd_rsc_set_t *set = l->sets->pdata[a];
                        for (guint j = 0; j < set->rsc_ids->len; j++)
                            applies |= rsc_within(p->cfg, set->rsc_ids->pdata[j]);
                    }
                if (!applies || l->role == HERD_ROLE_PROMOTED)
                    continue;
                if (l->node) {
                    int n = node_index(s, l->node);
                    if (n >= 0 && l->score >= 0)
                        mentioned[n] = true;
                }
                for (guint r = 0; r < l->rules->len; r++) {
                    const herd_rule_t *rule = l->rules->pdata[r];
                    for (int n = 0; n < s->nn; n++)
                        if ((rule->score >= 0 || rule->score_attribute) &&
                            herd_rule_eval(rule, s->ns[n]->cfg, p->cfg, s->now))
                            mentioned[n] = true;
                }
            }
            for (int n = 0; n < s->nn; n++)
                if (!mentioned[n] && !(sched_remote_is_connection(p->cfg) &&
                                       s->ns[n]->cfg->kind == HERD_NODE_MEMBER))
                    p->loc[n] = -INF;   /* (remote connections may run on any member) */
        }
    }
    /* node health (#health-* attributes) by node-health-strategy */
    const herd_cib_options_t *opt = &cib->options;
    const char *strategy = opt->node_health_strategy;
    g_autofree int *health = g_new0(int, s->nn ? s->nn : 1);
    if (strcmp(strategy, "none") != 0) {
        bool mor = !strcmp(strategy, "migrate-on-red");
        bool og = !strcmp(strategy, "only-green");
        for (int n = 0; n < s->nn; n++) {
            GHashTableIter it;
            gpointer k, v;
            g_hash_table_iter_init(&it, s->ns[n]->cfg->attrs);
            while (g_hash_table_iter_next(&it, &k, &v)) {
                if (strncmp(k, "#health", 7) != 0)
                    continue;
                int add = 0;
                if (!strcasecmp(v, "red"))
                    add = mor || og ? -INF : opt->node_health_red;
                else if (!strcasecmp(v, "yellow"))
                    add = og ? -INF : mor ? 0 : opt->node_health_yellow;
                else if (!strcasecmp(v, "green"))
                    add = mor || og ? 0 : opt->node_health_green;
                else if (!mor && !og)
                    herd_score_parse(v, &add);
                health[n] = herd_score_add(health[n], add);
            }
        }
    }
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        bool unhealthy_ok = herd_cib_parse_bool(meta(p->cfg, "allow-unhealthy-nodes"), false);
        for (int n = 0; n < s->nn; n++) {
            if (!unhealthy_ok)
                p->loc[n] = herd_score_add(p->loc[n], health[n]);
            if (!node_usable(s, n) || p->stop_only || p->ticket_stop ||
                (p->lock_node && p->lock_node->index != n))
                p->loc[n] = -INF;
            p->loc[n] = herd_score_add(p->loc[n], p->ban[n]);
            if (p->excl && !p->excl[n])
                p->loc[n] = -INF;   /* resource-discovery=exclusive elsewhere */
        }
    }
    sched_remote_locations(s);
    sched_bundle_locations(s);
}

/* Compute every instance's location scores again (bundle.c, after a
 * bundle's guest nodes come up). */
void sched_compute_locations(sched_t *s)
{
    compute_locations(s);
}



/* ---- assignment ------------------------------------------------------- */

static target_t target_of(sched_t *s, const char *id)
{
    target_t t = {0};
    const herd_cib_rsc_t *r = herd_cib_rsc(s->cib, id);
    if (!r)
        return t;
    unit_t *own = r->parent ? g_hash_table_lookup(s->unit_by_rsc, r) : NULL;
    if (own) {
        t.unit = own;   /* a bundle replica's ip, container or connection */
        return t;
    }
    clone_t *c = NULL;
    for (const herd_cib_rsc_t *a = r; a; a = a->parent)
        if ((c = g_hash_table_lookup(s->clone_by_rsc, a)) &&
            (a->kind == HERD_RSC_CLONE || a->kind == HERD_RSC_BUNDLE))
            break;
    if (c) {
        t.clone = c;
        return t;
    }
    const herd_cib_rsc_t *top = top_of(r);
    t.unit = g_hash_table_lookup(s->unit_by_rsc, top);
    return t;
}

static void assign_unit(sched_t *s, unit_t *u);
static void assign_clone(sched_t *s, clone_t *c);

/* Assign a unit or a clone (bundle.c). */
void sched_assign_unit(sched_t *s, unit_t *u)
{
    assign_unit(s, u);
}

void sched_assign_clone(sched_t *s, clone_t *c)
{
    assign_clone(s, c);
}

static void index_add(GHashTable *t, const void *key, guint i)
{
    if (!key)
        return;
    GArray *a = g_hash_table_lookup(t, key);
    if (!a) {
        a = g_array_new(FALSE, FALSE, sizeof(guint));
        g_hash_table_insert(t, (gpointer) key, a);
    }
    g_array_append_val(a, i);
}

/* Resolve every colocation's two sides once, and index them by unit or
 * clone, so that placement never scans every constraint per resource. */
static void expand_colocation_sets(sched_t *s)
{
    const herd_cib_t *cib = s->cib;
    s->colocs = g_ptr_array_new();
    s->coloc_owned = g_ptr_array_new();
    for (guint i = 0; i < cib->colocations->len; i++) {
        const herd_colocation_t *co = cib->colocations->pdata[i];
        if (!co->sets) {
            g_ptr_array_add(s->colocs, (gpointer) co);
            continue;
        }
        /* within a sequential set each member goes with the one before it
         * (with ordering="listed", the one before goes with it); with a
         * negative score, against every member before it */
        for (guint k = 0; k < co->sets->len; k++) {
            const herd_rsc_set_t *set = co->sets->pdata[k];
            int score = set->has_score ? set->score : co->score;
            bool listed = set->ordering && !strcmp(set->ordering, "listed");
            if (!set->sequential)
                continue;
            for (guint a = 1; a < set->rsc_ids->len; a++) {
                for (guint b = score < 0 ? 0 : a - 1; b < a; b++) {
                    herd_colocation_t *x = g_new0(herd_colocation_t, 1);
                    x->id = co->id;
                    x->rsc = set->rsc_ids->pdata[listed ? b : a];
                    x->with_rsc = set->rsc_ids->pdata[listed ? a : b];
                    x->rsc_role = set->role;
                    x->with_role = set->role;
                    x->score = score;
                    x->influence = co->influence;
                    x->influence_set = co->influence_set;
                    g_ptr_array_add(s->coloc_owned, x);
                    g_ptr_array_add(s->colocs, x);
                }
            }
        }
        /* across sets, each set goes with the next one: a sequential set
         * through its first member, with a sequential next set's last */
        for (guint k = 0; k + 1 < co->sets->len; k++) {
            const herd_rsc_set_t *a = co->sets->pdata[k], *b = co->sets->pdata[k + 1];
            guint na = a->rsc_ids->len, nb = b->rsc_ids->len;
            if (!na || !nb)
                continue;
            for (guint i = 0; i < (a->sequential ? 1 : na); i++)
                for (guint j = b->sequential ? nb - 1 : 0; j < nb; j++) {
                    herd_colocation_t *x = g_new0(herd_colocation_t, 1);
                    x->id = co->id;
                    x->rsc = a->rsc_ids->pdata[i];
                    x->with_rsc = b->rsc_ids->pdata[j];
                    x->rsc_role = a->role;
                    x->with_role = b->role;
                    x->score = co->score;
                    x->influence = co->influence;
                    x->influence_set = co->influence_set;
                    g_ptr_array_add(s->coloc_owned, x);
                    g_ptr_array_add(s->colocs, x);
                }
        }
    }
}

static void index_colocations(sched_t *s)
{
    expand_colocation_sets(s);
    sched_container_colocations(s);
    guint n = s->colocs->len;
    s->co_dep = g_new0(target_t, n ? n : 1);
    s->co_pri = g_new0(target_t, n ? n : 1);
    s->co_by_dep = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_array_unref);
    s->co_by_pri = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_array_unref);
    for (guint i = 0; i < n; i++) {
        const herd_colocation_t *co = s->colocs->pdata[i];
        if (!co->rsc || !co->with_rsc)
            continue;
        s->co_dep[i] = target_of(s, co->rsc);
        s->co_pri[i] = target_of(s, co->with_rsc);
        index_add(s->co_by_dep, s->co_dep[i].unit ? (void *) s->co_dep[i].unit
                                                  : (void *) s->co_dep[i].clone, i);
        index_add(s->co_by_pri, s->co_pri[i].unit ? (void *) s->co_pri[i].unit
                                                  : (void *) s->co_pri[i].clone, i);
    }
}

G_GNUC_UNUSED static bool unit_active_on(const unit_t *u, const herd_cib_node_t *n)
{
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        for (guint j = 0; j < p->running->len; j++)
            if (p->running->pdata[j] == n)
                return true;
    }
    return false;
}

static bool held_failed(const sched_t *s, const prim_t *p);

/* Whether clone c will have an instance on node n that colocations can
 * count on: a failure left where it is (blocked) does not count. */
static bool clone_on(const sched_t *s, const clone_t *c, int n)
{
    if (c->count[n] <= 0)
        return false;
    for (guint i = 0; i < c->units->len; i++) {
        const prim_t *p = ((const unit_t *) c->units->pdata[i])->prims->pdata[0];
        if (p->next && p->next->index == n && !held_failed(s, p))
            return true;
    }
    return false;
}

static void promote(sched_t *s, clone_t *c);

/* Will clone c have an instance in `role` on node n (UNKNOWN: any)? */
static bool clone_on_role(const sched_t *s, const clone_t *c, int n, herd_role_t role)
{
    if (role != HERD_ROLE_PROMOTED && role != HERD_ROLE_UNPROMOTED)
        return clone_on(s, c, n);
    for (guint i = 0; i < c->units->len; i++) {
        const unit_t *u = c->units->pdata[i];
        const prim_t *p = u->prims->pdata[0];
        if (p->next && p->next->index == n && p->next_role == role)
            return true;
    }
    return false;
}

/* Base score of a unit: members' locations merged (with rollback), plus
 * stickiness where it runs. */
static void add_members(sched_t *s, unit_t *u, int *sc, guint from, guint to);

/* Stickiness of p on node n: only where it is active on a single node. */
static int prim_stickiness(const sched_t *s, const prim_t *p, int n)
{
    if (p->managed && !(p->failed && p->ban[n] < 0) && p->running->len == 1 &&
        p->running->pdata[0] == s->ns[n]->cfg)
        return meta_score(p->cfg, "resource-stickiness",
                          meta_score(p->cfg, "stickiness", p->unit->clone ? 1 : 0));
    return 0;
}

static void base_scores(sched_t *s, unit_t *u, int *sc)
{
    for (int n = 0; n < s->nn; n++)
        sc[n] = 0;
    add_members(s, u, sc, 0, u->prims->len);
}

/* Add the scores (location, stickiness) of members [from, to) of u to sc;
 * a later member that would leave no node with a non-negative score is
 * left out, and so are the ones after it. */
static void add_members(sched_t *s, unit_t *u, int *sc, guint from, guint to)
{
    g_autofree int *tmp = g_new0(int, s->nn ? s->nn : 1);
    for (guint k = from; k < to && k < u->prims->len; k++) {
        prim_t *p = u->prims->pdata[k];
        bool any = false;
        /* a later member with critical=false does not pull the group
         * (its colocation with the member before it has no influence),
         * unless that member is inactive */
        if (k > 0 && !critical(p->cfg) &&
            ((prim_t *) u->prims->pdata[k - 1])->running->len)
            continue;
        for (int n = 0; n < s->nn; n++) {
            int stick = prim_stickiness(s, p, n);
            tmp[n] = herd_score_add(sc[n], herd_score_add(p->loc[n], stick));
            any |= tmp[n] >= 0;
        }
        if (!any && k > 0)
            break;      /* roll back: later members follow where they can */
        if (s->nn)
            memcpy(sc, tmp, sizeof(int) * (size_t) s->nn);
    }
}

/* Do nodes a and b count as the same place for colocation co (its
 * node-attribute has the same value on both; #uname by default)? */
static bool coloc_same(const sched_t *s, const herd_colocation_t *co, int a, int b)
{
    const char *attr = co->node_attribute;
    if (!attr || !strcmp(attr, "#uname"))
        return a == b;
    const herd_cib_node_t *x = s->ns[a]->cfg, *y = s->ns[b]->cfg;
    const char *vx = !strcmp(attr, "#id") ? x->id : g_hash_table_lookup(x->attrs, attr);
    const char *vy = !strcmp(attr, "#id") ? y->id : g_hash_table_lookup(y->attrs, attr);
    return vx == vy || (vx && vy && !strcasecmp(vx, vy));
}

/* For a colocation with bundle replicas c in role Promoted or Unpromoted:
 * the clone of the bundle's child instances, whose roles count (promoted
 * first), or NULL when c is no bundle's replicas or the role is plain. */
static clone_t *bundle_roles(sched_t *s, const clone_t *c, herd_role_t role)
{
    if (role != HERD_ROLE_PROMOTED && role != HERD_ROLE_UNPROMOTED)
        return NULL;
    if (!c->bundle || c->cfg != c->bundle || !c->bundle->bundle_clone)
        return NULL;
    clone_t *cc = g_hash_table_lookup(s->clone_by_rsc, c->bundle->bundle_clone);
    if (!cc || cc->busy)
        return NULL;
    assign_clone(s, cc);
    promote(s, cc);
    return cc;
}

/* Is a replica of bundle replicas rc, whose child instance (in cc) takes
 * role, placed on node n (its container's node)? */
static bool bundle_on_role(const clone_t *rc, const clone_t *cc, int n, herd_role_t role)
{
    for (guint k = 0; k < rc->units->len; k++) {
        const unit_t *cu = rc->units->pdata[k];
        const prim_t *cp = cu->prims->pdata[0];
        if (!cp->next || cp->next->index != n)
            continue;
        for (guint j = 0; j < cc->units->len; j++) {
            const unit_t *iu = cc->units->pdata[j];
            const prim_t *ip = iu->prims->pdata[0];
            if (iu->inst == cu->inst && ip->next && ip->next_role == role)
                return true;
        }
    }
    return false;
}

static void apply_colocations(sched_t *s, unit_t *u, int *sc, clone_t *self_clone)
{
    GArray *idx = g_hash_table_lookup(s->co_by_dep, self_clone ? (void *) self_clone : (void *) u);
    for (guint k = 0; idx && k < idx->len; k++) {
        guint i = g_array_index(idx, guint, k);
        const herd_colocation_t *co = s->colocs->pdata[i];
        if (!co->rsc || !co->with_rsc || co->score == 0)
            continue;
        target_t dep = s->co_dep[i];
        target_t pri = s->co_pri[i];
        bool me = self_clone ? dep.clone == self_clone : dep.unit == u;
        if (!me || (pri.unit == u && u) || (self_clone && pri.clone == self_clone))
            continue;
        if ((co->with_role == HERD_ROLE_PROMOTED || co->with_role == HERD_ROLE_UNPROMOTED) &&
            !pri.clone)
            continue;
        if (co->rsc_role == HERD_ROLE_PROMOTED)
            continue;   /* handled with promotion */
        if (pri.unit) {
            if (pri.unit->busy)
                continue;   /* a colocation loop: the primary waits on us */
            assign_unit(s, pri.unit);
            const herd_cib_node_t *pn = pri.unit->assigned;
            for (int n = 0; n < s->nn; n++) {
                bool same = pn && coloc_same(s, co, pn->index, n);
                if (co->score >= INF) {
                    if (!same)
                        sc[n] = -INF;
                } else if (co->score <= -INF) {
                    if (same)
                        sc[n] = -INF;
                } else if (same) {
                    sc[n] = herd_score_add(sc[n], co->score);
                }
            }
        } else if (pri.clone) {
            if (pri.clone->busy)
                continue;
            assign_clone(s, pri.clone);
            clone_t *roles = bundle_roles(s, pri.clone, co->with_role);
            for (int n = 0; n < s->nn; n++) {
                bool on = roles ? bundle_on_role(pri.clone, roles, n, co->with_role)
                                : clone_on_role(s, pri.clone, n, co->with_role);
                for (int m = 0; co->node_attribute && !on && m < s->nn; m++)
                    on = m != n && coloc_same(s, co, m, n) &&
                         (roles ? bundle_on_role(pri.clone, roles, m, co->with_role)
                                : clone_on_role(s, pri.clone, m, co->with_role));
                if (co->score >= INF) {
                    if (!on)
                        sc[n] = -INF;
                } else if (co->score <= -INF) {
                    if (on)
                        sc[n] = -INF;
                } else if (on) {
                    sc[n] = herd_score_add(sc[n], co->score);
                }
            }
        }
    }
}

/* Add to sc, for each member of group u after the first, its own score
 * (location plus stickiness; by co's node attribute, its best among the
 * usable nodes with the same value) with the sign of co's score; a
 * negative score under a negative colocation adds nothing. */
static void add_later_members(sched_t *s, const unit_t *u, const herd_colocation_t *co, int *sc)
{
    g_autofree int *ms = g_new0(int, s->nn);
    for (guint k = 1; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        for (int n = 0; n < s->nn; n++)
            ms[n] = herd_score_add(p->loc[n], prim_stickiness(s, p, n));
        for (int n = 0; n < s->nn; n++) {
            int v = -INF;
            for (int m = 0; m < s->nn; m++)
                if (coloc_same(s, co, m, n) && node_usable(s, m) && ms[m] > v)
                    v = ms[m];
            if (co->score < 0 && v < 0)
                continue;
            sc[n] = herd_score_add(sc[n], co->score < 0 ? -v : v);
        }
    }
}

/* Does dependent dep of colocation co pull on its primary: influence= when
 * given, else the dependent's critical meta; an inactive primary is
 * pulled either way. */
static bool coloc_influence(const herd_colocation_t *co, const herd_cib_rsc_t *dep,
                            bool primary_active)
{
    bool inf = co->influence_set ? co->influence : critical(dep);
    return inf || !primary_active;
}

static bool unit_active(const unit_t *u)
{
    for (guint k = 0; k < u->prims->len; k++)
        if (((const prim_t *) u->prims->pdata[k])->running->len)
            return true;
    return false;
}

/* Dependents' preferences pulled into a primary (influence). */
static bool merge_dependents(sched_t *s, unit_t *u, int *sc, int depth)
{
    bool merged = false;
    if (depth > 4)
        return false;
    GArray *idx = g_hash_table_lookup(s->co_by_pri, u);
    for (guint k = 0; idx && k < idx->len; k++) {
        guint i = g_array_index(idx, guint, k);
        const herd_colocation_t *co = s->colocs->pdata[i];
        if (!co->rsc || !co->with_rsc || co->score == 0)
            continue;
        if (co->with_role == HERD_ROLE_PROMOTED || co->rsc_role == HERD_ROLE_PROMOTED)
            continue;
        target_t pri = s->co_pri[i];
        target_t dep = s->co_dep[i];
        if (pri.unit != u || !dep.unit || dep.unit == u || dep.unit->done)
            continue;
        if (!coloc_influence(co, dep.unit->cfg, unit_active(u)))
            continue;
        /* A colocated group of two or more members, finitely colocated:
         * its first member's preference (with its own dependents') is
         * scaled by the colocation factor, and each later member's
         * location and stickiness count in full, with the sign of the
         * score (Pacemaker 2.1.5 reaches them through the group's
         * internal colocations at factor +-1). */
        bool split = dep.unit->cfg && dep.unit->cfg->kind == HERD_RSC_GROUP &&
                     dep.unit->prims->len >= 2 && co->score < INF && co->score > -INF;
        g_autofree int *ds = g_new0(int, s->nn);
        if (split)
            add_members(s, dep.unit, ds, 0, 1);
        else
            base_scores(s, dep.unit, ds);
        merge_dependents(s, dep.unit, ds, depth + 1);
        if (co->node_attribute && strcmp(co->node_attribute, "#uname") != 0) {
            /* by node attribute: the dependent's best score among the
             * usable nodes with the same value */
            g_autofree int *best = g_new0(int, s->nn);
            for (int n = 0; n < s->nn; n++) {
                best[n] = -INF;
                for (int m = 0; m < s->nn; m++)
                    if (coloc_same(s, co, m, n) && node_usable(s, m) && ds[m] > best[n])
                        best[n] = ds[m];
            }
            memcpy(ds, best, sizeof(int) * (size_t) s->nn);
        }
        g_autofree int *tmp = g_new0(int, s->nn);
        bool any = false;
        double factor = (double) co->score / INF;
        for (int n = 0; n < s->nn; n++) {
            int add;
            if (ds[n] <= -INF || ds[n] >= INF)
                add = factor > 0 ? ds[n] : -ds[n];
            else {
                /* rounded half away from zero; a non-zero preference
                 * never rounds to nothing */
                double f = ds[n] * factor;
                add = (int) (f < 0 ? f - 0.5 : f + 0.5);
                if (add == 0 && ds[n] != 0)
                    add = factor > 0 ? 1 : -1;
            }
            if (co->score < INF && co->score > -INF && (ds[n] <= -INF || ds[n] >= INF))
                add = 0;  /* only mandatory colocation carries infinities */
            tmp[n] = herd_score_add(sc[n], add);
        }
        if (split)
            add_later_members(s, dep.unit, co, tmp);
        for (int n = 0; n < s->nn; n++)
            any |= tmp[n] >= 0;
        if (any) {
            memcpy(sc, tmp, sizeof(int) * (size_t) s->nn);
            merged = true;
        }
    }
    return merged;
}

static bool use_utilization(const sched_t *s)
{
    return strcmp(s->cib->options.placement_strategy, "default") != 0;
}

/* Does node n have room for unit u (placement-strategy other than default)? */
/* Add the utilization of unit u, and of the not yet placed units that
 * must run with it (mandatory colocations), into need. */
static void unit_need(sched_t *s, const unit_t *u, GHashTable *need, int depth)
{
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, p->cfg->utilization);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            long have = GPOINTER_TO_INT(g_hash_table_lookup(need, key));
            g_hash_table_insert(need, key, GINT_TO_POINTER((int) (have + strtol(val, NULL, 10))));
        }
        /* a bundle's container carries what its child will use */
        const herd_cib_rsc_t *b = p->cfg->guest_node ? p->cfg->bundle_of : NULL;
        if (b && b->bundle_clone) {
            const herd_cib_rsc_t *ch = b->bundle_clone->children->pdata[0];
            g_hash_table_iter_init(&it, ch->utilization);
            while (g_hash_table_iter_next(&it, &key, &val)) {
                long have = GPOINTER_TO_INT(g_hash_table_lookup(need, key));
                g_hash_table_insert(need, key, GINT_TO_POINTER((int) (have + strtol(val, NULL, 10))));
            }
        }
    }
    if (depth > 3 || !s->co_by_pri)
        return;
    GArray *idx = g_hash_table_lookup(s->co_by_pri, u);
    for (guint k = 0; idx && k < idx->len; k++) {
        guint i = g_array_index(idx, guint, k);
        const herd_colocation_t *co = s->colocs->pdata[i];
        const unit_t *d = s->co_dep[i].unit;
        const clone_t *dc = s->co_dep[i].clone;
        if (!d && dc && dc->bundle && dc->cfg == dc->bundle && !dc->done && !dc->busy &&
            dc->units->len)
            d = dc->units->pdata[0];    /* a bundle: one replica's share */
        if (co->score >= INF && d && d != u && !d->done && !d->busy)
            unit_need(s, d, need, depth + 1);
    }
}

/* Is there room on node n for need (name -> amount)? */
static bool need_fits(sched_t *s, GHashTable *need, int n)
{
    GHashTable *cap = s->ns[n]->cfg->utilization;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, need);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        long want = GPOINTER_TO_INT(val);
        const char *c = g_hash_table_lookup(cap, key);
        long have = c ? strtol(c, NULL, 10) : 0;
        long used = GPOINTER_TO_INT(g_hash_table_lookup(s->used[n], key));
        if (want > 0 && have - used < want)
            return false;
    }
    return true;
}

static void prim_need(const prim_t *p, GHashTable *need)
{
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, p->cfg->utilization);
    while (g_hash_table_iter_next(&it, &key, &val))
        g_hash_table_insert(need, key, GINT_TO_POINTER((int) strtol(val, NULL, 10)));
}

/* Does node n have room for unit u (placement-strategy other than default)?
 * Room for u with all that must run with it (group members, mandatory
 * dependents); when no node has that much, only the first member's own
 * utilization counts (the members after it fit or stop: consume). */
static bool fits(sched_t *s, const unit_t *u, int n)
{
    if (!use_utilization(s))
        return true;
    if (u->pin)
        return true;    /* a bundle's child: its container took its share */
    g_autoptr(GHashTable) need = g_hash_table_new(g_str_hash, g_str_equal);
    unit_need(s, u, need, 0);
    if (need_fits(s, need, n))
        return true;
    for (int m = 0; m < s->nn; m++)
        if (m != n && node_usable(s, m) && need_fits(s, need, m))
            return false;
    if (!u->prims->len)
        return false;
    g_autoptr(GHashTable) own = g_hash_table_new(g_str_hash, g_str_equal);
    prim_need(u->prims->pdata[0], own);
    return need_fits(s, own, n);
}

static long free_capacity(sched_t *s, int n)
{
    long total = 0;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->ns[n]->cfg->utilization);
    while (g_hash_table_iter_next(&it, &key, &val))
        total += strtol(val, NULL, 10) - GPOINTER_TO_INT(g_hash_table_lookup(s->used[n], key));
    return total;
}

/* Take the utilization of u's members on node n, in order, while each
 * has room; u->fit tells how many did (all without a strategy). */
static void consume(sched_t *s, unit_t *u, int n)
{
    u->fit = u->prims->len;
    if (!use_utilization(s))
        return;
    bool managed = true;     /* what is left as it is uses its node's capacity */
    for (guint k = 0; k < u->prims->len; k++)
        managed &= ((const prim_t *) u->prims->pdata[k])->managed;
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        g_autoptr(GHashTable) own = g_hash_table_new(g_str_hash, g_str_equal);
        prim_need(p, own);
        if (managed && k > 0 && !need_fits(s, own, n)) {
            u->fit = k;
            return;
        }
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, own);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            int used = GPOINTER_TO_INT(g_hash_table_lookup(s->used[n], key));
            g_hash_table_insert(s->used[n], key, GINT_TO_POINTER(used + GPOINTER_TO_INT(val)));
        }
        /* a bundle's container takes its child's share on the host */
        const herd_cib_rsc_t *b = p->cfg->guest_node ? p->cfg->bundle_of : NULL;
        if (b && b->bundle_clone) {
            const herd_cib_rsc_t *ch = b->bundle_clone->children->pdata[0];
            g_hash_table_iter_init(&it, ch->utilization);
            while (g_hash_table_iter_next(&it, &key, &val)) {
                int used = GPOINTER_TO_INT(g_hash_table_lookup(s->used[n], key));
                g_hash_table_insert(s->used[n], key,
                                    GINT_TO_POINTER(used + (int) strtol(val, NULL, 10)));
            }
        }
    }
}

static int pick_node(sched_t *s, const int *sc, const herd_cib_node_t *prefer, const int *load)
{
    int best = -1;
    bool minimal = !strcmp(s->cib->options.placement_strategy, "minimal");
    bool balanced = !strcmp(s->cib->options.placement_strategy, "balanced");
    for (int n = 0; n < s->nn; n++) {
        if (sc[n] < 0 || !node_usable(s, n) || (s->fit_unit && !fits(s, s->fit_unit, n)))
            continue;
        if (best < 0 || sc[n] > sc[best]) {
            best = n;
            continue;
        }
        if (sc[n] < sc[best])
            continue;
        if (balanced) {
            long fa = free_capacity(s, n), fb = free_capacity(s, best);
            if (fa != fb) {
                if (fa > fb)
                    best = n;
                continue;
            }
        }
        if (!minimal && load && load[n] != load[best]) {
            if (load[n] < load[best])
                best = n;
            continue;
        }
        /* a full tie: the name first in plain byte order */
        if (strcmp(s->ns[n]->cfg->uname, s->ns[best]->cfg->uname) < 0)
            best = n;
    }
    if (best >= 0 && prefer && sc[prefer->index] == sc[best] && node_usable(s, prefer->index) &&
        (!s->fit_unit || fits(s, s->fit_unit, prefer->index)) &&
        (!load || minimal || sc[best] > 0 || load[prefer->index] <= load[best]))
        best = prefer->index;
    return best;
}

static void assign_unit(sched_t *s, unit_t *u)
{
    if (u->done || u->busy)
        return;
    u->busy = true;
    int *sc = u->score;
    /* the first member's scores and the unit's colocations, then the
     * other members (left out if none would leave a usable node) */
    for (int n = 0; n < s->nn; n++)
        sc[n] = 0;
    add_members(s, u, sc, 0, 1);
    apply_colocations(s, u, sc, NULL);
    add_members(s, u, sc, 1, u->prims->len);
    bool merged = merge_dependents(s, u, sc, 0);
    u->score_set = true;
    bool managed = true;
    for (guint k = 0; k < u->prims->len; k++)
        managed &= ((prim_t *) u->prims->pdata[k])->managed;
    const herd_cib_node_t *cur = u->current;
    int best;
    if (!managed) {
        best = cur ? cur->index : -1;
    } else {
        s->fit_unit = u;
        best = pick_node(s, sc, u->prefer, s->load);
        (void) merged;
        s->fit_unit = NULL;
    }
    /* a group's own target-role only reaches the members without one */
    bool disabled = target_role(u->cfg) == HERD_ROLE_STOPPED;
    if (disabled && u->cfg->kind == HERD_RSC_GROUP)
        for (guint k = 0; k < u->prims->len; k++)
            disabled &= target_role(((prim_t *) u->prims->pdata[k])->cfg) == HERD_ROLE_STOPPED;
    if ((disabled || s->cib->options.stop_all_resources) && managed)
        best = -1;
    const prim_t *p0 = u->prims->len ? u->prims->pdata[0] : NULL;
    if (managed && p0 && p0->blocked && p0->running->len &&
        !s->fenced[((herd_cib_node_t *) p0->running->pdata[0])->index]) {
        /* a blocked first member stays where it is: the rest can only
         * join it there */
        const herd_cib_node_t *bn = p0->running->pdata[0];
        best = node_usable(s, bn->index) ? bn->index : -1;
    }
    u->assigned = best >= 0 ? s->ns[best]->cfg : NULL;
    if (s->debug) {
        fprintf(stderr, "assign %s ->", u->name);
        for (int n = 0; n < s->nn; n++)
            fprintf(stderr, " %s=%d/%d", s->ns[n]->cfg->uname, sc[n], s->load[n]);
        fprintf(stderr, " : %s\n", u->assigned ? u->assigned->uname : "-");
    }
    if (best >= 0)
        consume(s, u, best);
    /* members: each must be able to run there, or it and later ones stop */
    bool ok = best >= 0;
    for (guint k = 0; k < u->prims->len; k++) {
        prim_t *p = u->prims->pdata[k];
        if (ok && managed && p->loc[best] < 0 && !(k == 0))
            ok = false;
        if (ok && managed && k >= u->fit)
            ok = false;     /* no room left for it there */
        if (ok && p->managed && target_role(p->cfg) == HERD_ROLE_STOPPED)
            ok = false;
        p->next = ok ? u->assigned : NULL;
        if (!p->managed || p->ticket_freeze)
            p->next = p->running->len ? p->running->pdata[0] : NULL;
        p->next_role = p->next ? HERD_ROLE_STARTED : HERD_ROLE_STOPPED;
        if (!p->managed && !p->next)
            ok = false;     /* an unmanaged stopped member holds the rest back */
    }
    sched_scores_unit(s, u, sc);
    if (best >= 0) {
        /* load: the members that will run there (their utilization was
         * taken by consume above) */
        for (guint k = 0; k < u->prims->len; k++)
            s->load[best] += ((prim_t *) u->prims->pdata[k])->next == u->assigned;
    }
    u->done = true;
    u->busy = false;
}

/* Clone: instances kept where they run, the rest spread by score. */
/* What a promotable (anonymous) clone's promotion score on node n adds to
 * where its instances go: the positive node attribute master-<child>. */
static int promo_pref(sched_t *s, const clone_t *c, int n)
{
    if (!c->promotable || c->cfg->unique || !c->cfg->children->len)
        return 0;
    const herd_cib_rsc_t *child = c->cfg->children->pdata[0];
    if (child->kind == HERD_RSC_GROUP)
        return 0;
    g_autofree char *key = g_strdup_printf("master-%s", child->id);
    const char *v = g_hash_table_lookup(s->ns[n]->cfg->attrs, key);
    int x;
    return v && herd_score_parse(v, &x) && x > 0 ? x : 0;
}

static void assign_clone(sched_t *s, clone_t *c)
{
    if (c->done || c->busy)
        return;
    if (c->bundle && !c->bundle_assigning) {
        sched_bundle_assign(s, c->bundle);   /* the whole bundle, in its order */
        return;
    }
    c->busy = true;
    int nn = s->nn;
    g_autofree int *csc = g_new0(int, nn);
    unit_t *first = c->units->len ? c->units->pdata[0] : NULL;
    if (!first) {
        c->done = true;
        return;
    }
    /* clone-wide scores: a template instance's locations (no stickiness) */
    for (int n = 0; n < nn; n++) {
        int v = 0;
        for (guint k = 0; k < first->prims->len; k++) {
            prim_t *p = first->prims->pdata[k];
            if (k == 0)
                v = p->loc[n];
            else if (herd_score_add(v, p->loc[n]) >= 0 || v < 0)
                v = herd_score_add(v, p->loc[n]);
        }
        csc[n] = v;
    }
    apply_colocations(s, NULL, csc, c);
    bool managed = is_managed(s, c->cfg) && herd_cib_parse_bool(meta(first->cfg, "is-managed"), true);
    bool stopped = target_role(c->cfg) == HERD_ROLE_STOPPED || s->cib->options.stop_all_resources;
    int total = 0;
    memset(c->count, 0, sizeof(int) * (size_t) nn);
    /* how many instances run on each node now: a node full of its own
     * active instances is no better place for another one */
    g_autofree int *active_on = g_new0(int, nn);
    for (guint i = 0; i < c->units->len; i++) {
        const unit_t *u = c->units->pdata[i];
        if (u->current)
            active_on[u->current->index]++;
    }
    /* pass 1: keep running instances */
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        u->assigned = NULL;
        const herd_cib_node_t *cur = u->current;
        if (!cur)
            continue;
        int n = cur->index;
        bool ok = node_usable(s, n) && (u->pin ? u->pin == cur : csc[n] >= 0);
        for (guint k = 0; k < u->prims->len && ok; k++) {
            prim_t *p = u->prims->pdata[k];
            if (k == 0 && p->ban[n] < 0)
                ok = false;
        }
        if (ok && managed && u->prims->len) {
            /* kept only where it scores best (its stickiness included):
             * else it is placed with the rest */
            prim_t *p = u->prims->pdata[0];
            int here = herd_score_add(herd_score_add(csc[n], promo_pref(s, c, n)),
                                      meta_score(p->cfg, "resource-stickiness",
                                                 meta_score(p->cfg, "stickiness", 1)));
            for (int m = 0; m < nn && ok; m++)
                if (m != n && node_usable(s, m) && csc[m] >= 0 && c->count[m] < c->node_max &&
                    active_on[m] < c->node_max &&
                    ((prim_t *) u->prims->pdata[0])->ban[m] >= 0 && fits(s, u, m) &&
                    herd_score_add(csc[m], promo_pref(s, c, m)) > here)
                    ok = false;
        }
        if (!managed)
            ok = true;
        else if (clones_unit_failed(u))
            continue;   /* a failed instance is placed with the rest */
        if (ok && !stopped && c->count[n] < c->node_max && total < c->max && fits(s, u, n)) {
            consume(s, u, n);
            u->assigned = cur;
            c->count[n]++;
            s->load[n]++;
            total++;
        }
    }
    /* pass 2: the rest: instances active now first, then those active
     * nowhere, and last those whose node no longer takes them */
    for (guint i2 = 0; i2 < 3 * c->units->len; i2++) {
        unit_t *u = c->units->pdata[i2 % c->units->len];
        guint round = i2 / c->units->len;
        if (u->assigned || (u->current && !managed) || stopped || total >= c->max)
            continue;
        /* lost: its node no longer takes it; a unique clone's instances
         * active now go before the rest */
        bool lost = u->current && ((prim_t *) u->prims->pdata[0])->ban[u->current->index] < 0;
        if (round != (lost ? 2u : u->current && c->cfg->unique ? 0u : 1u))
            continue;
        int best = -1;
        for (int n = 0; n < nn; n++) {
            if (u->pin && u->pin->index != n)
                continue;   /* a bundle child instance: its replica's node only */
            if (!node_usable(s, n) || (u->pin ? ((prim_t *) u->prims->pdata[0])->loc[n] < 0
                                              : csc[n] < 0) ||
                c->count[n] >= c->node_max || !fits(s, u, n))
                continue;
            bool banned = false;
            for (guint k = 0; k < u->prims->len; k++)
                banned |= ((prim_t *) u->prims->pdata[k])->ban[n] < 0 && k == 0;
            if (banned)
                continue;
            /* a bundle's containers prefer where their connection can
             * run (bundle.c); promotable instances where they would be
             * promoted; a failed instance still has its stickiness where
             * it runs, and ties keep it there */
            int vn = herd_score_add(herd_score_add(csc[n], sched_bundle_node_penalty(s, c, n)),
                                    promo_pref(s, c, n));
            int vb = best < 0 ? 0
                              : herd_score_add(herd_score_add(csc[best],
                                                              sched_bundle_node_penalty(s, c, best)),
                                               promo_pref(s, c, best));
            const herd_cib_node_t *cur = u->current;
            if (cur) {
                int st = clones_stickiness(u);
                if (cur->index == n)
                    vn = herd_score_add(vn, st);
                if (best >= 0 && cur->index == best)
                    vb = herd_score_add(vb, st);
            }
            bool here = cur && cur->index == n, there = cur && best >= 0 && cur->index == best;
            if (best < 0 || vn > vb || (vn == vb && here) ||
                (vn == vb && !there && s->load[n] < s->load[best]) ||
                (vn == vb && !there && s->load[n] == s->load[best] &&
                 strcmp(s->ns[n]->cfg->uname, s->ns[best]->cfg->uname) < 0))
                best = n;
        }
        if (best < 0)
            continue;
        u->assigned = s->ns[best]->cfg;
        consume(s, u, best);
        c->count[best]++;
        s->load[best]++;
        total++;
    }
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        memcpy(u->score, csc, sizeof(int) * (size_t) nn);
        u->score_set = true;
        bool ok = u->assigned != NULL;
        for (guint k = 0; k < u->prims->len; k++) {
            prim_t *p = u->prims->pdata[k];
            if (ok && k > 0 && p->loc[u->assigned->index] < 0)
                ok = false;
            if (ok && k >= u->fit)
                ok = false;     /* no room left for it there */
            if (ok && p->managed && target_role(p->cfg) == HERD_ROLE_STOPPED)
                ok = false;
            p->next = ok ? u->assigned : NULL;
            if (!p->managed || p->ticket_freeze)
                p->next = p->running->len ? p->running->pdata[0] : NULL;
            p->next_role = p->next ? (c->promotable ? HERD_ROLE_UNPROMOTED : HERD_ROLE_STARTED)
                                   : HERD_ROLE_STOPPED;
        }
        u->done = true;
    }
    c->done = true;
    c->busy = false;
    sched_scores_clone(s, c);
    promote(s, c);
}

/* ---- promotion -------------------------------------------------------- */

static bool held_failed(const sched_t *s, const prim_t *p);

static void promote(sched_t *s, clone_t *c)
{
    if (!c->promotable || c->promoted_done)
        return;
    c->promoted_done = true;
    const herd_cib_rsc_t *child = c->cfg->children->pdata[0];
    int pmax = c->cfg->promoted_max;
    int pnode_max = c->cfg->promoted_node_max > 0 ? c->cfg->promoted_node_max : 1;
    GPtrArray *cands = g_ptr_array_new();
    for (guint i = 0; i < c->units->len; i++) {
        unit_t *u = c->units->pdata[i];
        prim_t *p = u->prims->pdata[0];
        if (!p->next)
            continue;
        int n = p->next->index;
        const herd_cib_node_t *nd = p->next;
        const herd_cib_node_t *an = sched_bundle_attr_node(s, p, nd);   /* attributes */
        int sc = 0;
        bool has = false;
        /* promotion score from the node attribute (crm_master) */
        const char *pid = c->cfg->unique ? p->name : child->id;
        if (child->kind == HERD_RSC_GROUP) {
            for (guint k = 0; k < u->prims->len; k++) {
                prim_t *q = u->prims->pdata[k];
                g_autofree char *key = g_strdup_printf("master-%s", c->cfg->unique ? q->name : q->cfg->id);
                const char *v = g_hash_table_lookup(an->attrs, key);
                int x;
                if (v && herd_score_parse(v, &x)) {
                    sc = herd_score_add(sc, x);
                    has = true;
                }
            }
        } else {
            /* the name its history has on the node, the instance's own
             * name, then the clone child's id */
            const char *names[3] = {p->hist_name ? p->hist_name : p->name, p->name, pid};
            for (int k = 0; k < 3 && !has; k++) {
                g_autofree char *key = g_strdup_printf("master-%s", names[k]);
                const char *v = g_hash_table_lookup(an->attrs, key);
                if (v && herd_score_parse(v, &sc))
                    has = true;
            }
        }
        for (guint k = 0; k < u->prims->len; k++)
            if (!((prim_t *) u->prims->pdata[k])->next)
                has = false, sc = -INF;
        bool promoted_here = p->role == HERD_ROLE_PROMOTED && p->running->len &&
                             p->running->pdata[0] == nd;
        if (!has && !promoted_here && sc > -INF)
            sc = -1;   /* no preference: cannot be promoted */
        if (!has && promoted_here)
            sc = 0;     /* promoted there already (not when it moves) */
        /* role=Promoted locations */
        for (guint i2 = 0; i2 < s->cib->locations->len; i2++) {
            const herd_location_t *l = s->cib->locations->pdata[i2];
            if (!l->rsc || !rsc_within(p->cfg, l->rsc))
                continue;
            if (l->role == HERD_ROLE_PROMOTED && l->node && !strcmp(l->node, nd->uname))
                sc = herd_score_add(sc, l->score);
            for (guint r = 0; r < l->rules->len; r++) {
                const herd_rule_t *rule = l->rules->pdata[r];
                herd_role_t rr = rule->role ? herd_role_parse(rule->role) : l->role;
                if (rr != HERD_ROLE_PROMOTED)
                    continue;
                if (herd_rule_eval(rule, nd, p->cfg, s->now))
                    sc = herd_score_add(sc, rule->score);
            }
        }
        int prio = sc;
        /* colocations with a promoted role */
        for (guint i2 = 0; i2 < s->colocs->len; i2++) {
            const herd_colocation_t *co = s->colocs->pdata[i2];
            if (!co->rsc || !co->with_rsc)
                continue;
            target_t dep = s->co_dep[i2];
            target_t pri = s->co_pri[i2];
            if (dep.clone == c && co->rsc_role == HERD_ROLE_PROMOTED) {
                bool same = false;
                if (pri.unit) {
                    assign_unit(s, pri.unit);
                    same = pri.unit->assigned == nd;
                } else if (pri.clone) {
                    assign_clone(s, pri.clone);
                    same = clone_on_role(s, pri.clone, n, co->with_role);
                }
                if (same)
                    sc = herd_score_add(sc, co->score);
                else if (co->score >= INF)
                    sc = -INF;
            }
            if (pri.clone == c && co->with_role == HERD_ROLE_PROMOTED && dep.unit &&
                coloc_influence(co, dep.unit->cfg, true)) {
                /* a dependent's preferences (its locations and its
                 * stickiness where it runs) pull promotion */
                g_autofree int *dsc = g_new0(int, s->nn);
                base_scores(s, dep.unit, dsc);
                if (dsc[n] > -INF && co->score > 0)
                    sc = herd_score_add(sc, (int) ((long long) dsc[n] * co->score / INF));
            }
        }
        if (prio >= 0)   /* a promotable instance adds the clone's node score */
            sc = herd_score_add(sc, sched_scores_clone_location(s, c, nd));
        if (p->role == HERD_ROLE_PROMOTED && p->running->len && p->running->pdata[0] == nd &&
            !p->failed)
            sc = herd_score_add(sc, 1);   /* ties go to the current promoted */
        herd_role_t t1 = target_role(child), t2 = target_role(c->cfg);
        if (t1 == HERD_ROLE_UNPROMOTED || t2 == HERD_ROLE_UNPROMOTED || p->ticket_nopromote)
            sc = -INF;
        if (p->ticket_freeze_promoted)
            sc = p->role == HERD_ROLE_PROMOTED && p->running->len && p->running->pdata[0] == nd
                 ? INF : -INF;
        p->promo_score = sc;
        sched_scores_promotion(s, p, nd, sc);
        g_ptr_array_add(cands, u);
    }
    /* choose: highest score first, stable */
    int promoted = 0;
    g_autofree int *pc = g_new0(int, s->nn);
    /* a promoted instance a failure blocks stays promoted where it is */
    for (guint i = 0; i < c->units->len; i++) {
        const prim_t *p = ((unit_t *) c->units->pdata[i])->prims->pdata[0];
        if (p->role == HERD_ROLE_PROMOTED && held_failed(s, p)) {
            pc[((herd_cib_node_t *) p->running->pdata[0])->index]++;
            promoted++;
        }
    }
    while (promoted < pmax) {
        unit_t *best = NULL;
        for (guint i = 0; i < cands->len; i++) {
            unit_t *u = cands->pdata[i];
            prim_t *p = u->prims->pdata[0];
            if (p->next_role == HERD_ROLE_PROMOTED || p->promo_score < 0)
                continue;
            if (pc[p->next->index] >= pnode_max)
                continue;
            if (!best || p->promo_score > ((prim_t *) best->prims->pdata[0])->promo_score)
                best = u;
        }
        if (!best)
            break;
        for (guint k = 0; k < best->prims->len; k++) {
            prim_t *p = best->prims->pdata[k];
            if (p->next)
                p->next_role = HERD_ROLE_PROMOTED;
        }
        pc[((prim_t *) best->prims->pdata[0])->next->index]++;
        promoted++;
    }
    g_ptr_array_free(cands, TRUE);
}

/* ---- resources active on more than one node ------------------------- */

/* multiple-active of r, inherited from its parents */
static const char *multiple_active_of(const herd_cib_rsc_t *r)
{
    for (; r; r = r->parent) {
        const char *v = herd_cib_rsc_meta(r, "multiple-active");
        if (v)
            return v;
    }
    return "stop_start";
}

/* What to do with a resource active on several nodes (not counting nodes
 * being fenced): stop_only stops it everywhere; block leaves it (and, when
 * its group says block, the whole group) as it is; stop_start (the
 * default) and stop_unexpected are the usual recovery. */
static void multiple_active(sched_t *s)
{
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        if (!p->managed || p->unit->clone || p->running->len < 2 || p->partial_tgt)
            continue;
        guint live = 0;
        for (guint k = 0; k < p->running->len; k++)
            live += !s->fenced[((herd_cib_node_t *) p->running->pdata[k])->index];
        if (live < 2)
            continue;
        const char *ma = multiple_active_of(p->cfg);
        if (!strcmp(ma, "stop_only")) {
            p->next = NULL;
            p->next_role = HERD_ROLE_STOPPED;
        } else if (!strcmp(ma, "block")) {
            p->blocked = true;
            const herd_cib_rsc_t *g = p->cfg->parent;
            if (g && g->kind == HERD_RSC_GROUP && !strcmp(multiple_active_of(g), "block"))
                for (guint k = 0; k < p->unit->prims->len; k++)
                    ((prim_t *) p->unit->prims->pdata[k])->blocked = true;
        }
    }
}

/* ---- ordering effects ------------------------------------------------- */

static bool prim_moving_or_restarting(const prim_t *p)
{
    if (p->running->len == 0)
        return p->next != NULL;
    if (!p->next)
        return false;
    return p->failed || p->restart || p->running->pdata[0] != p->next || p->running->len > 1;
}

static GPtrArray *prims_under(sched_t *s, const char *id)
{
    const herd_cib_rsc_t *r = herd_cib_rsc(s->cib, id);
    return r ? g_hash_table_lookup(s->under, r) : NULL;
}

/* A blocked resource: a failure left as it is, on a node not fenced. */
static bool held_failed(const sched_t *s, const prim_t *p)
{
    return p->managed && p->blocked && p->failed && p->running->len &&
           !s->fenced[((herd_cib_node_t *) p->running->pdata[0])->index];
}

/* Whether any of ps will be active after the transition through a start
 * that can run: a blocked resource (a failure left as it is) stays where it
 * is, but its start cannot run. */
static bool any_active_after(const sched_t *s, GPtrArray *ps)
{
    for (guint i = 0; ps && i < ps->len; i++) {
        const prim_t *p = ps->pdata[i];
        if (!p->next)
            continue;
        if (held_failed(s, p))
            continue;
        return true;
    }
    return false;
}

static bool any_promoted_after(GPtrArray *ps)
{
    for (guint i = 0; ps && i < ps->len; i++)
        if (((prim_t *) ps->pdata[i])->next_role == HERD_ROLE_PROMOTED)
            return true;
    return false;
}

static bool restarting_on(const prim_t *p, const herd_cib_node_t *n)
{
    if (!p->running->len)
        return p->next && (!n || p->next == n);   /* a fresh start */
    if (n && p->running->pdata[0] != n)
        return false;
    if (!p->next)
        return false;   /* a plain stop does not restart dependents */
    if (p->migratable && !p->failed && !p->restart && p->running->len == 1 &&
        p->running->pdata[0] != p->next)
        return false;   /* a live migration is no restart */
    return p->failed || p->restart || p->running->pdata[0] != p->next || p->running->len > 1;
}

/* first's action name for messages: "X start" or, for collections, "X running" */
static char *action_name(const herd_cib_rsc_t *r, const char *action)
{
    bool coll = r->kind != HERD_RSC_PRIMITIVE;
    if (!action || !strcmp(action, "start"))   /* a notifying clone: once notified */
        return g_strdup_printf("%s %s", r->id, !coll ? "start"
                                               : r->kind == HERD_RSC_CLONE && r->notify ? "notified"
                                               : "running");
    if (!strcmp(action, "promote"))
        return g_strdup_printf("%s %s", r->id, coll ? "promoted" : "promote");
    return g_strdup_printf("%s %s", r->id, action);
}

/* Block a prim: it cannot be active after the transition.  A running one
 * stays when the order is not symmetrical (nothing ties it to first). */
static bool block_prim(prim_t *q, const char *why, bool symmetrical)
{
    if (!q->next || !q->managed)
        return false;
    if (!symmetrical && q->running->len && q->running->pdata[0] == q->next && !q->failed &&
        !q->restart)
        return false;
    if (!q->running->len || q->running->pdata[0] != q->next || q->failed) {
        if (!q->running->len)
            q->blocked_on = q->next;
    }
    q->placed_on = q->next;
    if (!q->assigned_on)
        q->assigned_on = q->next;
    q->next = NULL;
    q->had_node = true;
    q->next_role = HERD_ROLE_STOPPED;
    g_free(q->unrunnable_reason);
    q->unrunnable_reason = g_strdup_printf("due to unrunnable %s", why);
    /* later group members follow */
    unit_t *u = q->unit;
    for (guint k = (guint) q->pos + 1; k < u->prims->len; k++) {
        prim_t *r = u->prims->pdata[k];
        g_autofree char *w = g_strdup_printf("%s start", q->name);
        if (r->next && r->managed) {
            if (!r->running->len)
                r->blocked_on = r->next;
            if (!r->assigned_on)
                r->assigned_on = r->next;
            r->next = NULL;
            r->had_node = true;
            r->next_role = HERD_ROLE_STOPPED;
            g_free(r->unrunnable_reason);
            r->unrunnable_reason = g_strdup_printf("due to unrunnable %s", w);
        }
        q = r;
    }
    return true;
}

/* Which members of q's group are placed now (to see which an order's
 * block took); the caller frees. */
static bool *members_placed(const prim_t *q)
{
    const unit_t *u = q->unit;
    bool *had = g_new0(bool, u->prims->len + 1);
    for (guint k = 0; k < u->prims->len; k++)
        had[k] = ((prim_t *) u->prims->pdata[k])->next != NULL;
    return had;
}

/* An order blocked the group q leads: members that would have started
 * give the order's reason too; running ones stop each because of the one
 * before it, the action named alternating stop and start (as Pacemaker's
 * chain of implied actions reads). */
static void group_block_reasons(prim_t *q, const bool *had)
{
    const unit_t *u = q->unit;
    bool stop = q->unrunnable_reason && g_str_has_prefix(q->unrunnable_reason, "due to required");
    const prim_t *prev = q;
    for (guint k = (guint) q->pos + 1; k < u->prims->len; k++) {
        prim_t *r = u->prims->pdata[k];
        if (!had[k] || r->next)
            break;
        g_free(r->unrunnable_reason);
        if (!r->running->len)
            r->unrunnable_reason = g_strdup(q->unrunnable_reason);
        else
            r->unrunnable_reason = g_strdup_printf("due to required %s %s", prev->name,
                                                   stop ? "stop" : "start");
        stop = !stop;
        prev = r;
    }
}

static void restart_prim(prim_t *q, const char *why)
{
    if (!q->managed || q->restart || q->failed || !q->next || !q->running->len ||
        q->running->pdata[0] != q->next)
        return;
    q->restart = true;
    g_free(q->unrunnable_reason);
    q->unrunnable_reason = g_strdup_printf("due to required %s", why);
}

/* Interleaved clones: an instance of then whose node's instance of first
 * will not be active cannot start (and stops, if running). */
static bool interleave_block(sched_t *s, clone_t *fc, clone_t *tc)
{
    bool changed = false;
    for (guint i = 0; i < tc->units->len; i++) {
        unit_t *tu = tc->units->pdata[i];
        prim_t *q = tu->prims->len ? tu->prims->pdata[0] : NULL;
        if (!q || !q->next || !q->managed)
            continue;
        unit_t *fu = clones_instance_on(fc, q->next);
        if (!fu) {
            /* no instance of first on its node: it cannot be active */
            changed |= block_prim(q, "", true);
            q->blocked_on = NULL;
            q->inhibited = true;
            if (!q->running->len)
                q->placed_on = NULL;   /* nowhere: its own thens have none either */
            g_free(q->unrunnable_reason);
            q->unrunnable_reason = g_strdup("");
            continue;
        }
        if (clones_unit_active_after(s, fu))
            continue;
        const prim_t *fl = fu->prims->pdata[fu->prims->len - 1];
        g_autofree char *w = fu->cfg->kind == HERD_RSC_PRIMITIVE
                                 ? g_strdup_printf("%s start", fl->name)
                                 : g_strdup_printf("%s running", fu->name);
        bool stop = q->running->len && clones_unit_was_active(fu) && fc->start_required;
        changed |= block_prim(q, w, true);
        if (stop && !q->next) {
            g_free(q->unrunnable_reason);
            q->unrunnable_reason = g_strdup_printf("due to required %s", w);
        }
    }
    return changed;
}

static herd_order_t *order_pair(GPtrArray *owned, const herd_order_t *o, const char *first,
                                const char *then, const char *fa, const char *ta)
{
    herd_order_t *x = g_new0(herd_order_t, 1);
    x->id = o->id;
    x->first = (char *) first;
    x->then = (char *) then;
    x->first_action = (char *) fa;
    x->then_action = (char *) ta;
    x->kind = o->kind;
    x->symmetrical = o->symmetrical;
    x->require_all = true;
    g_ptr_array_add(owned, x);
    return x;
}

/* Orders with resource sets as pairs: inside a sequential set each member
 * after the one before it; across sets every member of a set after every
 * member of the set before it. */
static GPtrArray *expand_orders(sched_t *s, GPtrArray *owned)
{
    GPtrArray *all = g_ptr_array_new();
    for (guint i = 0; i < s->cib->orders->len; i++) {
        const herd_order_t *o = s->cib->orders->pdata[i];
        if (!o->sets) {
            g_ptr_array_add(all, (gpointer) o);
            continue;
        }
        const herd_rsc_set_t *prev = NULL;
        for (guint k = 0; k < o->sets->len; k++) {
            const herd_rsc_set_t *set = o->sets->pdata[k];
            if (set->sequential)
                for (guint a = 1; a < set->rsc_ids->len; a++)
                    g_ptr_array_add(all, order_pair(owned, o, set->rsc_ids->pdata[a - 1],
                                                    set->rsc_ids->pdata[a], set->action,
                                                    set->action));
            if (prev && prev->require_all)
                for (guint a = 0; a < prev->rsc_ids->len; a++)
                    for (guint b = 0; b < set->rsc_ids->len; b++)
                        g_ptr_array_add(all, order_pair(owned, o, prev->rsc_ids->pdata[a],
                                                        set->rsc_ids->pdata[b], prev->action,
                                                        set->action));
            prev = set;
        }
    }
    sched_container_orders(s, all, owned);
    return all;
}

/* restart-type=restart (deprecated) on an order's then resource: it
 * restarts when first restarts (start/start, also for optional orders:
 * "due to required FIRST start") or when first stops or moves (stop/stop,
 * said without a reason). */
static bool restart_type_orders(sched_t *s, GPtrArray *orders)
{
    bool changed = false;
    for (guint i = 0; i < orders->len; i++) {
        const herd_order_t *o = orders->pdata[i];
        if (!o->first || !o->then)
            continue;
        const herd_cib_rsc_t *fr = herd_cib_rsc(s->cib, o->first);
        const herd_cib_rsc_t *tr = herd_cib_rsc(s->cib, o->then);
        const char *rt = tr ? herd_cib_rsc_meta(tr, "restart-type") : NULL;
        if (!fr || !rt || strcmp(rt, "restart") != 0)
            continue;
        const char *fa = o->first_action ? o->first_action : "start";
        const char *ta = o->then_action ? o->then_action : fa;
        bool starts = !strcmp(fa, "start") && !strcmp(ta, "start");
        bool stops = !strcmp(fa, "stop") && !strcmp(ta, "stop");
        if ((starts && o->kind == HERD_ORDER_MANDATORY) || (!starts && !stops))
            continue;   /* mandatory start orders: apply_orders */
        GPtrArray *fp = prims_under(s, o->first), *tp = prims_under(s, o->then);
        bool trigger = false;
        for (guint k = 0; fp && k < fp->len && !trigger; k++) {
            const prim_t *f = fp->pdata[k];
            trigger = starts ? f->running->len && restarting_on(f, NULL)
                             : f->running->len && (f->next != f->running->pdata[0] || f->restart ||
                                                   f->failed);
        }
        if (!trigger)
            continue;
        g_autofree char *why = starts ? action_name(fr, "start") : NULL;
        for (guint k = 0; tp && k < tp->len; k++) {
            prim_t *q = tp->pdata[k];
            if (q->restart)
                continue;
            if (why) {
                restart_prim(q, why);
            } else if (q->managed && !q->failed && q->next && q->running->len &&
                       q->running->pdata[0] == q->next) {
                q->restart = true;
                g_clear_pointer(&q->unrunnable_reason, g_free);
            }
            changed |= q->restart;
        }
    }
    return changed;
}

/* A set with require-all=false (and not sequential) lets the next set
 * start once any one of its members is active, through a pseudo action
 * "one-or-more:SET" that is unrunnable when none can be. */
static bool one_or_more_sets(sched_t *s)
{
    bool changed = false;
    for (guint i = 0; i < s->cib->orders->len; i++) {
        const herd_order_t *o = s->cib->orders->pdata[i];
        if (!o->sets || o->kind != HERD_ORDER_MANDATORY)
            continue;
        for (guint k = 1; k < o->sets->len; k++) {
            const herd_rsc_set_t *prev = o->sets->pdata[k - 1], *set = o->sets->pdata[k];
            const char *pa = prev->action ? prev->action : "start";
            const char *sa = set->action ? set->action : "start";
            if (prev->require_all || prev->sequential || strcmp(pa, "start") != 0 ||
                strcmp(sa, "start") != 0)
                continue;
            bool any = false;
            for (guint a = 0; a < prev->rsc_ids->len && !any; a++)
                any = any_active_after(s, prims_under(s, prev->rsc_ids->pdata[a]));
            if (any)
                continue;
            g_autofree char *why = g_strdup_printf("one-or-more:%s", prev->id);
            for (guint b = 0; b < set->rsc_ids->len; b++) {
                GPtrArray *tp = prims_under(s, set->rsc_ids->pdata[b]);
                const herd_cib_rsc_t *tr = herd_cib_rsc(s->cib, set->rsc_ids->pdata[b]);
                for (guint q = 0; tp && q < tp->len; q++) {
                    prim_t *p = tp->pdata[q];
                    if (p->pos == 0 || tr->kind == HERD_RSC_PRIMITIVE)
                        changed |= block_prim(p, why, o->symmetrical);
                }
            }
        }
    }
    return changed;
}

static void apply_orders(sched_t *s)
{
    g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) orders = expand_orders(s, owned);
    for (int round = 0; round < 4; round++) {
        bool changed = sched_bundle_orders(s);   /* bundle.c */
        changed |= restart_type_orders(s, orders);
        changed |= one_or_more_sets(s);
        for (guint i = 0; i < orders->len; i++) {
            const herd_order_t *o = orders->pdata[i];
            if (!o->first || !o->then)
                continue;
            const char *fa = o->first_action ? o->first_action : "start";
            const char *ta = o->then_action ? o->then_action : fa;
            if (strcmp(ta, "start") != 0)
                continue;
            const herd_cib_rsc_t *fr = herd_cib_rsc(s->cib, o->first);
            const herd_cib_rsc_t *tr = herd_cib_rsc(s->cib, o->then);
            GPtrArray *fp = prims_under(s, o->first), *tp = prims_under(s, o->then);
            if (!fr || !tr || !fp || !tp)
                continue;
            /* an optional order to a then with the (deprecated) meta
             * restart-type=restart still restarts it with its first (a
             * restarting first: restart_type_orders; a first clone gaining
             * an instance: here) */
            const char *rtype = herd_cib_rsc_meta(tr, "restart-type");
            bool restart_only = o->kind == HERD_ORDER_OPTIONAL && rtype && !strcmp(rtype, "restart");
            if (o->kind != HERD_ORDER_MANDATORY && !restart_only)
                continue;
            g_autoptr(GPtrArray) btp = tr->kind == HERD_RSC_BUNDLE
                                           ? sched_bundle_order_targets(s, tr) : NULL;
            if (btp)
                tp = btp;   /* a bundle's containers; the replicas follow */
            g_autofree char *why = action_name(fr, fa);
            bool first_was_active = false;
            for (guint k = 0; k < fp->len; k++)
                first_was_active |= ((prim_t *) fp->pdata[k])->running->len > 0 &&
                                    !held_failed(s, fp->pdata[k]);
            bool runnable;
            int need = clones_order_min(fr, o, fa);
            clone_t *fc = fr->kind == HERD_RSC_CLONE ? g_hash_table_lookup(s->clone_by_rsc, fr)
                                                     : NULL;
            clone_t *tc = tr->kind == HERD_RSC_CLONE ? g_hash_table_lookup(s->clone_by_rsc, tr)
                                                     : NULL;
            if (need > 0 && fc) {
                /* the then waits for enough instances, through a pseudo
                 * action that is itself unrunnable when they are not */
                runnable = clones_active_after(s, fc) >= need;
                if (!runnable && tc && clones_any_stopping(fc))
                    tc->start_required = true;
                if (!runnable) {
                    g_free(why);
                    why = g_strdup_printf("clone-one-or-more:%s", o->id);
                    first_was_active = false;
                }
            } else if (restart_only) {
                runnable = true;
            } else if (!strcmp(fa, "start") && fc && tc && tr->interleave) {
                /* interleaved: each instance waits for the instance of
                 * first on its own node */
                changed |= interleave_block(s, fc, tc);
                runnable = any_active_after(s, fp);
                if (!runnable)
                    continue;
            } else if (!strcmp(fa, "start"))
                runnable = any_active_after(s, fp);
            else if (!strcmp(fa, "promote"))
                runnable = any_promoted_after(fp);
            else
                continue;
            if (!runnable) {
                for (guint k = 0; k < tp->len; k++) {
                    prim_t *q = tp->pdata[k];
                    if (q->pos == 0 || tr->kind == HERD_RSC_PRIMITIVE) {
                        bool was = q->next != NULL;
                        g_autofree bool *had = members_placed(q);
                        changed |= block_prim(q, why, o->symmetrical);
                        if (was && !q->next && q->running->len && first_was_active &&
                            fr->kind != HERD_RSC_CLONE) {
                            g_free(q->unrunnable_reason);
                            q->unrunnable_reason = g_strdup_printf("due to required %s start", fr->id);
                        }
                        if (was && !q->next)
                            group_block_reasons(q, had);
                    }
                }
                continue;
            }
            if (strcmp(fa, "start") != 0 || need > 0)
                continue;   /* (through clone-one-or-more: no restart) */
            /* a first that restarts restarts what depends on it */
            bool interleave = tr->kind == HERD_RSC_CLONE && fr->kind == HERD_RSC_CLONE &&
                              tr->interleave;
            for (guint k = 0; k < tp->len; k++) {
                prim_t *q = tp->pdata[k];
                if (q->restart || !q->running->len)
                    continue;
                const herd_cib_node_t *qn = q->running->pdata[0];
                for (guint j = 0; j < fp->len; j++) {
                    prim_t *f = fp->pdata[j];
                    /* an instance an interleaved order takes off q's node
                     * forces the clone's start there */
                    bool inhibited = !interleave && f->inhibited && f->running->len &&
                                     f->running->pdata[0] == qn;
                    if (inhibited || restarting_on(f, interleave ? qn : NULL)) {
                        g_autofree char *w = interleave ? g_strdup_printf("%s start", f->name)
                                                        : action_name(fr, "start");
                        restart_prim(q, w);
                        changed |= q->restart;
                        break;
                    }
                }
            }
        }
        if (!changed)
            break;
    }
}

/* A stop that cannot run: a blocked resource's (a failure left as it is)
 * or one that waits on such a stop. */
static bool stop_unrunnable(const sched_t *s, const prim_t *p)
{
    if (!p->running->len)
        return false;
    const herd_cib_node_t *n = p->running->pdata[0];
    if (p->stop_blocked)
        return true;
    return p->managed && p->blocked && !s->fenced[n->index];
}

/* A plain stop of p that must wait for the stop of q. */
static bool stop_after(const sched_t *s, prim_t *p, const prim_t *q)
{
    if (p == q || p->stop_blocked || !p->managed || p->blocked || p->next ||
        p->running->len != 1 || s->fenced[((herd_cib_node_t *) p->running->pdata[0])->index] ||
        !stop_unrunnable(s, q))
        return false;
    p->stop_blocked = true;
    return true;
}

/* Stops run in the reverse of the start order (inside a group, and for
 * symmetrical mandatory orders), or as a stop-then-stop order says: a stop
 * that would follow one that cannot run cannot run either. */
static void block_stops(sched_t *s)
{
    g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) orders = expand_orders(s, owned);
    for (int round = 0; round < 8; round++) {
        bool changed = false;
        for (guint i = 0; i < s->all_units->len; i++) {
            unit_t *u = s->all_units->pdata[i];
            for (guint k = 0; k + 1 < u->prims->len; k++)
                changed |= stop_after(s, u->prims->pdata[k], u->prims->pdata[k + 1]);
        }
        for (guint i = 0; i < orders->len; i++) {
            const herd_order_t *o = orders->pdata[i];
            if (!o->first || !o->then || o->kind != HERD_ORDER_MANDATORY)
                continue;
            const char *fa = o->first_action ? o->first_action : "start";
            const char *ta = o->then_action ? o->then_action : fa;
            GPtrArray *fp = prims_under(s, o->first), *tp = prims_under(s, o->then);
            if (!fp || !tp)
                continue;
            GPtrArray *waiting, *before;
            if (!strcmp(fa, "start") && !strcmp(ta, "start") && o->symmetrical) {
                waiting = fp;
                before = tp;
            } else if (!strcmp(fa, "stop") && !strcmp(ta, "stop")) {
                waiting = tp;
                before = fp;
            } else {
                continue;
            }
            for (guint b = 0; b < before->len; b++)
                for (guint w = 0; w < waiting->len; w++)
                    changed |= stop_after(s, waiting->pdata[w], before->pdata[b]);
        }
        if (!changed)
            break;
    }
}

/* Group members after one that restarts restart too. */
static void group_restarts(sched_t *s)
{
    for (guint i = 0; i < s->all_units->len; i++) {
        unit_t *u = s->all_units->pdata[i];
        bool chain = false;
        const char *why = NULL;
        for (guint k = 0; k < u->prims->len; k++) {
            prim_t *p = u->prims->pdata[k];
            if (chain && p->running->len == 1 && p->next == p->running->pdata[0] && !p->failed &&
                !p->restart) {
                p->restart = true;
                p->restart_node = p->next;
                g_free(p->unrunnable_reason);
                p->unrunnable_reason = g_strdup_printf("due to required %s start", why);
            }
            if (p->next && prim_moving_or_restarting(p)) {
                chain = true;
                why = p->name;
            }
        }
    }
}

/* ---- decisions -------------------------------------------------------- */

static void add_decision(sched_t *s, herd_decision_t *d)
{
    g_ptr_array_add(s->res->decisions, d);
}

static void decide_prim(sched_t *s, prim_t *p)
{
    const herd_cib_node_t *cur = p->running->len ? p->running->pdata[0] : NULL;
    const herd_cib_node_t *nxt = p->next;
    bool promotable = p->unit->clone && p->unit->clone->promotable;
    herd_role_t r0 = p->role, r1 = p->next_role;
    if (promotable && r0 == HERD_ROLE_STARTED)
        r0 = HERD_ROLE_UNPROMOTED;
    if (p->managed && cur && s->unfenceable[cur->index]) {
        /* on an unclean node that cannot be fenced: nothing can be done */
        herd_decision_t *b = decision(HERD_DECISION_STOP, p->name);
        b->from = g_strdup(cur->uname);
        if (p->unit->clone && p->unit->clone->promotable)
            b->from_role = p->role == HERD_ROLE_STARTED ? HERD_ROLE_UNPROMOTED : p->role;
        b->blocked = true;
        /* ... and without quorum it would have been stopped anyway */
        const char *q = s->nqp;
        const char *rq = herd_cib_rsc_meta(p->cfg, "requires");
        if (p->unit->clone)
            b->reason = g_strdup("due to node availability");   /* no instance there */
        else if (!s->res->have_quorum && strcmp(q, "ignore") && strcmp(q, "freeze") &&
            !(rq && !strcmp(rq, "nothing")))
            b->reason = g_strdup("due to no quorum");
        add_decision(s, b);
        return;
    }
    if (!p->managed || (p->blocked && cur && !s->fenced[cur->index]))
        return;
    if (!cur && !nxt && p->blocked_on) {
        herd_decision_t *b = decision(HERD_DECISION_START, p->name);
        b->to = g_strdup(p->blocked_on->uname);
        b->reason = g_strdup(p->unrunnable_reason);
        b->blocked = true;
        add_decision(s, b);
        return;
    }
    if (!cur && !nxt)
        return;
    herd_decision_t *d = NULL;
    if (p->partial_tgt && p->running->len > 1) {
        /* a partial migration: completed when the target stays chosen,
         * else stopped on both and started where chosen (a move) */
        bool complete = nxt == p->partial_tgt && p->running->len == 2 && p->migratable &&
                        !p->failed;
        if (nxt) {
            d = decision(complete ? HERD_DECISION_MIGRATE : HERD_DECISION_MOVE, p->name);
            d->from = g_strdup(complete ? p->partial_src->uname : cur->uname);
            d->to = g_strdup(nxt->uname);
            if (complete && p->restart)
                d->reason = g_strdup(p->unrunnable_reason);
            add_decision(s, d);
            return;
        }
    }
    guint live = 0;
    for (guint k = 0; k < p->running->len; k++)
        live += !s->fenced[((herd_cib_node_t *) p->running->pdata[k])->index];
    if (p->running->len > 1 && live == 1 && nxt && !s->fenced[nxt->index] && !p->failed &&
        !p->restart) {
        bool there = false;
        for (guint k = 0; k < p->running->len; k++)
            there |= p->running->pdata[k] == nxt;
        if (there)
            return;     /* the other nodes are fenced: it stays */
    }
    if (p->running->len > 1) {
        bool there = false;
        for (guint k = 0; k < p->running->len; k++)
            there |= p->running->pdata[k] == nxt;
        if (nxt && there && !promotable && p->role == HERD_ROLE_PROMOTED && !p->failed) {
            /* a primitive found promoted: it comes back only started */
            d = decision(nxt == cur ? HERD_DECISION_RESTART : HERD_DECISION_MOVE, p->name);
            d->from = g_strdup(cur->uname);
            d->to = g_strdup(nxt->uname);
            d->from_role = HERD_ROLE_PROMOTED;
            d->to_role = HERD_ROLE_STARTED;
            add_decision(s, d);
            return;
        }
        if (nxt && there) {
            d = decision(p->failed ? HERD_DECISION_RECOVER : HERD_DECISION_RESTART, p->name);
            d->from = g_strdup(nxt->uname);
            if (p->failed && !strcmp(multiple_active_of(p->cfg), "stop_unexpected"))
                d->reason = g_strdup("due to being multiply active");
            add_decision(s, d);
            return;
        }
        if (nxt) {
            /* a failure anywhere (a failed start elsewhere) makes it a recovery */
            d = decision(p->failed ? HERD_DECISION_RECOVER : HERD_DECISION_MOVE, p->name);
            d->from = g_strdup(cur->uname);
            d->to = g_strdup(nxt->uname);
            add_decision(s, d);
            return;
        }
        for (guint k = 0; k < p->running->len; k++) {
            d = decision(HERD_DECISION_STOP, p->name);
            d->from = g_strdup(((herd_cib_node_t *) p->running->pdata[k])->uname);
            d->reason = g_strdup("due to node availability");
            add_decision(s, d);
        }
        return;
    }
    const char *nqp = s->nqp;
    /* requires=nothing: quorum does not matter */
    const char *req = herd_cib_rsc_meta(p->cfg, "requires");
    bool needs_quorum = !req || strcmp(req, "nothing") != 0;
    if (!s->res->have_quorum && strcmp(nqp, "ignore") != 0 && needs_quorum) {
        bool freeze = !strcmp(nqp, "freeze");
        if (!strcmp(nqp, "demote") && cur) {
            if (promotable && r0 == HERD_ROLE_PROMOTED) {
                d = decision(HERD_DECISION_DEMOTE, p->name);
                d->from_role = r0;
                d->to_role = HERD_ROLE_UNPROMOTED;
                d->to = g_strdup(cur->uname);
                add_decision(s, d);
                return;
            }
            if (promotable)
                return;
        }
        if (!cur) {
            d = decision(HERD_DECISION_START, p->name);
            d->to = g_strdup(nxt->uname);
            d->reason = g_strdup(freeze ? "due to quorum freeze" : "due to no quorum");
            d->blocked = true;
            add_decision(s, d);
            return;
        }
        /* "no quorum" only when quorum is what stops it: a resource that
         * could not be placed anyway stops due to node availability */
        if (!freeze && (nxt || p->had_node) && (!strcmp(nqp, "stop") || !strcmp(nqp, "demote"))) {
            d = decision(HERD_DECISION_STOP, p->name);
            d->from = g_strdup(cur->uname);
            if (promotable || r0 == HERD_ROLE_PROMOTED)
                d->from_role = r0;
            d->reason = g_strdup("due to no quorum");
            add_decision(s, d);
            return;
        }
        if (freeze && !p->failed)
            return;
    }
    if (!cur) {
        if (promotable && r1 == HERD_ROLE_PROMOTED) {
            d = decision(HERD_DECISION_PROMOTE, p->name);
            d->from_role = HERD_ROLE_STOPPED;
            d->to_role = r1;
        } else {
            d = decision(HERD_DECISION_START, p->name);
        }
        d->to = g_strdup(nxt->uname);
    } else if (!nxt) {
        d = decision(HERD_DECISION_STOP, p->name);
        d->from = g_strdup(cur->uname);
        if (promotable || r0 == HERD_ROLE_PROMOTED)
            d->from_role = r0;
        d->reason = g_strdup(p->unrunnable_reason && strncmp(p->unrunnable_reason, "due to resource", 15)
                             ? p->unrunnable_reason : "due to node availability");
        if (!*d->reason)
            g_clear_pointer(&d->reason, g_free);   /* stopped without a reason */
        if (p->blocked) {
            g_free(d->reason);
            d->reason = NULL;
            d->blocked = true;
        } else if (p->stop_blocked) {
            d->blocked = true;
        }
    } else if (cur != nxt) {
        d = decision(p->failed && (!s->fenced[cur->index] || p->guest_reset || s->ns[cur->index]->online)
                     ? HERD_DECISION_RECOVER
                     : p->migratable && !promotable && (!p->partial_tgt || nxt == p->partial_tgt)
                     ? HERD_DECISION_MIGRATE : HERD_DECISION_MOVE,
                     p->name);
        d->from = g_strdup(cur->uname);
        d->to = g_strdup(nxt->uname);
        if (promotable) {
            d->from_role = r0;
            d->to_role = r1 == HERD_ROLE_STARTED ? HERD_ROLE_UNPROMOTED : r1;
        }
        if (d->kind == HERD_DECISION_MIGRATE && s->fenced[cur->index])
            d->kind = HERD_DECISION_MOVE;
    } else if (p->demote_onfail && promotable && r0 == HERD_ROLE_PROMOTED) {
        if (r1 == HERD_ROLE_PROMOTED) {
            d = decision(HERD_DECISION_REPROMOTE, p->name);
            d->from_role = r0;
            d->from = g_strdup(cur->uname);
        } else {
            d = decision(HERD_DECISION_DEMOTE, p->name);
            d->from_role = r0;
            d->to_role = HERD_ROLE_UNPROMOTED;
            d->to = g_strdup(nxt->uname);
        }
    } else if (p->failed) {
        d = decision(HERD_DECISION_RECOVER, p->name);
        d->from = g_strdup(cur->uname);
        if (promotable) {
            /* recovered into another role: "Promoted -> Unpromoted node" */
            d->from_role = r0;
            d->to_role = r1 == HERD_ROLE_STARTED ? HERD_ROLE_UNPROMOTED : r1;
        } else if (r0 == HERD_ROLE_PROMOTED) {
            /* promoted once, no longer promotable: "Promoted -> Started" */
            d->from_role = r0;
            d->to_role = HERD_ROLE_STARTED;
        }
    } else if (p->restart) {
        d = decision(HERD_DECISION_RESTART, p->name);
        d->from = g_strdup(cur->uname);
        if (promotable) {
            d->from_role = r0;
            d->to_role = r1 == HERD_ROLE_STARTED ? HERD_ROLE_UNPROMOTED : r1;
        }
        d->reason = g_strdup(p->unrunnable_reason);
    } else if (p->reload && p->running->len == 1 && r0 == r1) {
        d = decision(HERD_DECISION_RELOAD, p->name);
        d->from = g_strdup(cur->uname);
        if (promotable)
            d->from_role = r0;
    } else if (promotable && r0 != r1 && r1 == HERD_ROLE_PROMOTED) {
        d = decision(HERD_DECISION_PROMOTE, p->name);
        d->from_role = r0 == HERD_ROLE_STARTED ? HERD_ROLE_UNPROMOTED : r0;
        d->to_role = r1;
        d->to = g_strdup(nxt->uname);
    } else if (promotable && r0 == HERD_ROLE_PROMOTED && r1 != HERD_ROLE_PROMOTED) {
        d = decision(HERD_DECISION_DEMOTE, p->name);
        d->from_role = r0;
        d->to_role = HERD_ROLE_UNPROMOTED;
        d->to = g_strdup(nxt->uname);
    }
    if (d)
        add_decision(s, d);
}

static void decide(sched_t *s, GPtrArray *order)
{
    for (guint i = s->fence->len; i-- > 0;)
        add_decision(s, s->fence->pdata[i]);
    g_ptr_array_set_size(s->fence, 0);
    /* resources in assignment order, instances in order */
    for (guint k = 0; k < order->len; k++) {
        const herd_cib_rsc_t *top = order->pdata[k];
        GPtrArray *list = g_hash_table_lookup(s->under, top);
        for (guint i = 0; list && i < list->len; i++)
            decide_prim(s, list->pdata[i]);
    }
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        if (!p->orphan || !p->running->len || !s->cib->options.stop_orphan_resources)
            continue;
        if (!p->managed)
            continue;       /* on a node in maintenance: left alone */
        for (guint k = 0; k < p->running->len; k++) {
            herd_decision_t *d = decision(HERD_DECISION_STOP, p->name);
            d->from = g_strdup(((herd_cib_node_t *) p->running->pdata[k])->uname);
            if (p->role == HERD_ROLE_PROMOTED)
                d->from_role = p->role;     /* an orphaned promoted instance */
            d->reason = g_strdup("due to node availability");
            /* on an unclean node that cannot be fenced: nothing can be done */
            d->blocked = s->unfenceable[((herd_cib_node_t *) p->running->pdata[k])->index];
            add_decision(s, d);
        }
    }
}

/* ---- result ----------------------------------------------------------- */

static void placement_free(herd_placement_t *p)
{
    g_free(p->name); g_free(p->top_id); g_free(p->next);
    g_free(p->scores);
    g_free(p->discover);
    g_free(p->hist_name);
    g_free(p->assigned);
    g_ptr_array_free(p->current, TRUE);
    g_free(p);
}

static void fill_result(sched_t *s)
{
    herd_sched_result_t *res = s->res;
    for (int n = 0; n < s->nn; n++) {
        s->ns[n]->fenced_now = s->fenced[n];
        g_ptr_array_add(res->nodes, s->ns[n]);
        s->ns[n] = NULL;
    }
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        if (p->orphan)
            continue;
        herd_placement_t *pl = g_new0(herd_placement_t, 1);
        pl->name = g_strdup(p->name);
        pl->top_id = g_strdup(top_of(p->cfg)->id);
        pl->cfg = p->cfg;
        pl->current = g_ptr_array_new_with_free_func(g_free);
        for (guint k = 0; k < p->running->len; k++)
            g_ptr_array_add(pl->current, g_strdup(((herd_cib_node_t *) p->running->pdata[k])->uname));
        pl->current_role = p->running->len ? p->role : HERD_ROLE_STOPPED;
        pl->next = p->next ? g_strdup(p->next->uname) : NULL;
        pl->next_role = p->next_role;
        pl->failed = p->failed;
        pl->managed = p->managed || (s->no_fencing_device && !s->cib->options.maintenance_mode &&
                                     herd_cib_parse_bool(meta(p->cfg, "is-managed"), true));
        pl->blocked = p->blocked;
        pl->demote_onfail = p->demote_onfail;   /* display: still FAILED */
        if (p->unit->clone && p->unit->inst >= p->unit->clone->max && p->hist_name)
            pl->hist_name = g_strdup(p->hist_name);
        if (!p->next && p->assigned_on)
            pl->assigned = g_strdup(p->assigned_on->uname);
        for (const herd_cib_rsc_t *a = p->cfg; a; a = a->parent)
            if (herd_role_parse(meta(a, "target-role")) == HERD_ROLE_STOPPED)
                pl->disabled = true;
        if (p->excl && s->nn)
            pl->discover = g_memdup2(p->excl, sizeof(bool) * (size_t) s->nn);
        if (p->unit->score_set) {
            pl->scores = g_new0(int, s->nn ? s->nn : 1);
            if (s->nn)   /* no nodes: no scores to copy (score may be NULL) */
                memcpy(pl->scores, p->unit->score, sizeof(int) * (size_t) s->nn);
        }
        g_ptr_array_add(res->placements, pl);
    }
}

/* More capacity first: each utilization name counts one way or the other
 * (a name a node lacks is 0 there). */
static int capacity_cmp(const herd_cib_node_t *a, const herd_cib_node_t *b)
{
    int result = 0;
    for (int pass = 0; pass < 2; pass++) {
        const herd_cib_node_t *x = pass ? b : a, *y = pass ? a : b;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, x->utilization);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const char *ov = g_hash_table_lookup(y->utilization, k);
            if (pass && ov)
                continue;       /* counted in the first pass */
            long cx = strtol(v, NULL, 10), cy = ov ? strtol(ov, NULL, 10) : 0;
            long ca = pass ? cy : cx, cb = pass ? cx : cy;
            if (ca > cb)
                result--;
            else if (ca < cb)
                result++;
        }
    }
    return result;
}

static gint node_capacity_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
    const sched_t *s = data;
    int x = *(const int *) a, y = *(const int *) b;
    bool ux = node_usable(s, x), uy = node_usable(s, y);
    if (ux != uy)
        return ux ? -1 : 1;
    int c = capacity_cmp(s->ns[x]->cfg, s->ns[y]->cfg);
    if (c)
        return c < 0 ? -1 : 1;
    return strcmp(s->ns[x]->cfg->uname, s->ns[y]->cfg->uname);
}

/* Node indexes in the order non-default placement strategies sort
 * resources by: usable nodes first, more capacity first, then by name. */
static int *node_capacity_order(sched_t *s)
{
    int *o = g_new(int, (size_t) s->nn + 1);
    for (int n = 0; n < s->nn; n++)
        o[n] = n;
    g_qsort_with_data(o, s->nn, sizeof(int), node_capacity_cmp, s);
    return o;
}

/* For the placement order: a unit that must be with a clone cannot go
 * where the clone is banned (its template instance's score is -INFINITY). */
static void coloc_clone_bans(sched_t *s, unit_t *u, int *sc)
{
    GArray *idx = g_hash_table_lookup(s->co_by_dep, u);
    for (guint k = 0; idx && k < idx->len; k++) {
        guint i = g_array_index(idx, guint, k);
        const herd_colocation_t *co = s->colocs->pdata[i];
        clone_t *c = s->co_pri[i].clone;
        if (s->co_dep[i].unit != u || !c || co->score < INF || !c->units->len)
            continue;
        const prim_t *t = ((unit_t *) c->units->pdata[0])->prims->pdata[0];
        for (int n = 0; n < s->nn; n++)
            if (t->loc[n] <= -INF)
                sc[n] = -INF;
    }
}

static gint rsc_weight_order(gconstpointer a, gconstpointer b, gpointer data)
{
    sched_t *s = data;
    const herd_cib_rsc_t *x = *(herd_cib_rsc_t *const *) a, *y = *(herd_cib_rsc_t *const *) b;
    int px = meta_score(x, "priority", 0), py = meta_score(y, "priority", 0);
    if (px != py)
        return px > py ? -1 : 1;
    const int *kx = g_hash_table_lookup(s->sort_key, x);
    const int *ky = g_hash_table_lookup(s->sort_key, y);
    for (int k = 0; kx && ky && k <= s->nn; k++)
        if (kx[k] != ky[k])
            return kx[k] > ky[k] ? -1 : 1;
    return x->index - y->index;
}

static gint rsc_order(gconstpointer a, gconstpointer b)
{
    const herd_cib_rsc_t *x = *(herd_cib_rsc_t *const *) a, *y = *(herd_cib_rsc_t *const *) b;
    int px = meta_score(x, "priority", 0), py = meta_score(y, "priority", 0);
    if (px != py)
        return px > py ? -1 : 1;
    return x->index - y->index;
}

/* Run the scheduler; see herd_sched.h. */
herd_sched_result_t *herd_sched_run(const herd_cib_t *cib, time_t now)
{
    sched_t s = {0};
    s.cib = cib;
    s.now = now;
    s.debug = g_getenv("HERD_SCHED_DEBUG") != NULL;
    s.nn = (int) cib->nodes->len;
    s.ns = g_new0(herd_node_state_t *, s.nn ? s.nn : 1);
    s.units = g_ptr_array_new();
    s.clones = g_ptr_array_new();
    s.all_units = g_ptr_array_new();
    s.prims = g_ptr_array_new();
    s.prim_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    s.unit_by_rsc = g_hash_table_new(g_direct_hash, g_direct_equal);
    s.clone_by_rsc = g_hash_table_new(g_direct_hash, g_direct_equal);
    s.fence = g_ptr_array_new();
    s.orphan_cfgs = g_ptr_array_new_with_free_func((GDestroyNotify) orphan_cfg_free);
    s.sort_key = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    s.fenced = g_new0(bool, s.nn ? s.nn : 1);
    s.unfenceable = g_new0(bool, s.nn ? s.nn : 1);
    s.load = g_new0(int, s.nn ? s.nn : 1);
    s.used = g_new0(GHashTable *, s.nn ? s.nn : 1);
    for (int n = 0; n < s.nn; n++)
        s.used[n] = g_hash_table_new(g_str_hash, g_str_equal);
    herd_sched_result_t *res = g_new0(herd_sched_result_t, 1);
    res->decisions = g_ptr_array_new_with_free_func((GDestroyNotify) decision_free);
    res->placements = g_ptr_array_new_with_free_func((GDestroyNotify) placement_free);
    res->nodes = g_ptr_array_new_with_free_func(g_free);
    res->have_quorum = cib->have_quorum;
    res->rsc_order = g_ptr_array_new();
    s.res = res;

    /* suicide needs fencing, and a cluster that had quorum (or says to
     * panic without it); otherwise it is stop */
    s.nqp = cib->options.no_quorum_policy;
    if (!strcmp(s.nqp, "suicide") &&
        !(cib->options.stonith_enabled && (cib->have_quorum || cib->no_quorum_panic)))
        s.nqp = "stop";
    /* fencing enabled without any fence device (or SBD's watchdog):
     * Pacemaker starts nothing and recovers nothing */
    if (cib->options.stonith_enabled &&
        !herd_cib_parse_bool(g_hash_table_lookup(cib->options.values, "have-watchdog"), false)) {
        s.no_fencing_device = true;
        for (guint i = 0; i < cib->all_rscs->len; i++) {
            const herd_cib_rsc_t *r = cib->all_rscs->pdata[i];
            if (r->kind == HERD_RSC_PRIMITIVE && r->klass && !strcmp(r->klass, "stonith"))
                s.no_fencing_device = false;
        }
    }
    unpack_nodes(&s);
    build(&s);
    if (!cib->have_quorum && cib->options.stonith_enabled && !strcmp(s.nqp, "suicide"))
        for (int n = 0; n < s.nn; n++)
            if (s.ns[n]->online && s.ns[n]->cfg->kind == HERD_NODE_MEMBER)
                fence_node(&s, n, "cluster does not have quorum");
    /* unclean nodes are fenced (their resources then count as stopped) */
    for (int n = 0; n < s.nn; n++)
        if (s.ns[n]->unclean && !s.fenced[n]) {
            const herd_cib_node_t *nd = s.ns[n]->cfg;
            const char *why = !nd->has_state ? "node is unclean"
                            : nd->in_ccm && !nd->crmd_online ? "peer process is no longer available"
                            : !nd->in_ccm ? "peer is no longer part of the cluster" : "node is unclean";
            fence_node(&s, n, why);
        }
    unpack_histories(&s, 0);
    sched_remote_state(&s, false);
    unpack_histories(&s, 1);
    sched_remote_state(&s, true);
    unpack_histories(&s, 2);
    sched_remote_unpacked(&s);
    sched_migrations(&s);
    sched_container_restarts(&s);
    sched_shutdown_locks(&s);
    set_current(&s);
    for (int n = 0; n < s.nn; n++)
        s.ns[n]->online_before = s.ns[n]->online;
    s.under = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                    (GDestroyNotify) g_ptr_array_unref);
    for (guint i = 0; i < s.prims->len; i++) {
        prim_t *p = s.prims->pdata[i];
        for (const herd_cib_rsc_t *a = p->cfg; a; a = a->parent) {
            GPtrArray *l = g_hash_table_lookup(s.under, a);
            if (!l) {
                l = g_ptr_array_new();
                g_hash_table_insert(s.under, (gpointer) a, l);
            }
            g_ptr_array_add(l, p);
        }
    }
    index_colocations(&s);
    sched_failcounts(&s);
    apply_tickets(&s);
    compute_locations(&s);

    /* assignment order: priority, then configuration order */
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    for (guint i = 0; i < cib->resources->len; i++)
        g_ptr_array_add(order, cib->resources->pdata[i]);
    g_ptr_array_sort(order, rsc_order);
    /* the display keeps this order; with utilization, assignment (and so
     * the summary) takes the strongest preference first */
    for (guint i = 0; i < order->len; i++)
        g_ptr_array_add(res->rsc_order, order->pdata[i]);
    if (use_utilization(&s)) {
        /* other placement strategies sort the resources first: the higher
         * score on the resource's current node, then the higher score on
         * each node in turn (nodes by capacity, then name) */
        g_autofree int *norder = node_capacity_order(&s);
        for (guint i = 0; i < order->len; i++) {
            const herd_cib_rsc_t *r = order->pdata[i];
            unit_t *u = g_hash_table_lookup(s.unit_by_rsc, r);
            clone_t *c = g_hash_table_lookup(s.clone_by_rsc, r);
            unit_t *w = u ? u : c && c->units->len ? c->units->pdata[0] : NULL;
            int *key = g_new(int, (size_t) s.nn + 1);
            for (int n = 0; n <= s.nn; n++)
                key[n] = -INF;
            if (w && c) {
                /* a clone's own scores: no instance stickiness; a failure
                 * ban holds for the whole clone */
                const herd_cib_node_t *cur = NULL;
                for (guint k = 0; k < c->units->len && !cur; k++)
                    cur = ((unit_t *) c->units->pdata[k])->current;
                for (int n = 0; n < s.nn; n++) {
                    int v = 0;
                    for (guint k = 0; k < w->prims->len; k++) {
                        prim_t *p = w->prims->pdata[k];
                        v = k == 0 ? p->loc[n] : herd_score_add(v, p->loc[n]);
                        if (k == 0 && p->ban[n] < 0)
                            v = -INF;
                    }
                    if (cur && cur->index == n)
                        key[0] = v;
                    for (int k = 0; k < s.nn; k++)
                        if (norder[k] == n)
                            key[k + 1] = v;
                }
            } else if (w) {
                g_autofree int *sc = g_new0(int, s.nn ? s.nn : 1);
                base_scores(&s, w, sc);
                if (u)
                    coloc_clone_bans(&s, u, sc);
                prim_t *lead = w->prims->len ? w->prims->pdata[0] : NULL;
                if (lead && lead->running->len) {
                    const herd_cib_node_t *cur = lead->running->pdata[0];
                    key[0] = sc[cur->index];
                }
                /* on nodes that cannot run resources: a group's internal
                 * colocations rule them out; a primitive keeps its
                 * configured score there (taken as the default, 0) */
                for (int k = 0; k < s.nn; k++)
                    key[k + 1] = node_usable(&s, norder[k]) ? sc[norder[k]]
                                 : w->prims->len > 1 ? -INF : s.cib->options.symmetric_cluster ? 0 : -INF;
            }
            g_hash_table_insert(s.sort_key, (gpointer) r, key);
        }
        g_ptr_array_sort_with_data(order, rsc_weight_order, &s);
    }
    /* remote connections first: their nodes' availability depends on them */
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < order->len; i++) {
            const herd_cib_rsc_t *r = order->pdata[i];
            if (pass == 0 && !sched_remote_is_connection(r))
                continue;
            if (r->kind == HERD_RSC_BUNDLE) {
                if (pass == 1)
                    sched_bundle_assign(&s, r);
                continue;
            }
            unit_t *u = g_hash_table_lookup(s.unit_by_rsc, r);
            clone_t *c = g_hash_table_lookup(s.clone_by_rsc, r);
            if (u)
                assign_unit(&s, u);
            else if (c)
                assign_clone(&s, c);
        }
        if (pass == 0 && sched_remote_assigned(&s))
            compute_locations(&s);
    }
    for (guint i = 0; i < s.clones->len; i++)
        promote(&s, s.clones->pdata[i]);
    multiple_active(&s);
    /* resources on fenced nodes: they are stopped by the fencing */
    /* blocked resources stay as they are */
    for (guint i = 0; i < s.prims->len; i++) {
        prim_t *p = s.prims->pdata[i];
        if (p->blocked && p->running->len) {
            const herd_cib_node_t *n = p->running->pdata[0];
            if (!s.fenced[n->index]) {
                p->next = n;
                p->next_role = p->role;
            }
        }
    }
    sched_unfence(&s);
    group_restarts(&s);
    apply_orders(&s);
    group_restarts(&s);
    block_stops(&s);
    sched_remote_finish(&s);
    decide(&s, order);
    fill_result(&s);
    res->graph = herd_graph_build(cib, res);   /* graph.c */

    for (guint i = 0; i < s.prims->len; i++) {
        prim_t *p = s.prims->pdata[i];
        g_free(p->name); g_ptr_array_free(p->running, TRUE); g_free(p->ban); g_free(p->loc);
        g_free(p->excl);
        g_free(p->unrunnable_reason);
        g_free(p->hist_name);
        g_free(p->fc_ignored);
        g_free(p);
    }
    for (guint i = 0; i < s.all_units->len; i++) {
        unit_t *u = s.all_units->pdata[i];
        g_free(u->name); g_ptr_array_free(u->prims, TRUE); g_free(u->score);
        g_free(u);
    }
    for (guint i = 0; i < s.clones->len; i++) {
        clone_t *c = s.clones->pdata[i];
        g_ptr_array_free(c->units, TRUE);
        g_free(c->count);
        g_free(c);
    }
    g_ptr_array_free(s.units, TRUE);
    g_ptr_array_free(s.clones, TRUE);
    g_ptr_array_free(s.all_units, TRUE);
    g_ptr_array_free(s.prims, TRUE);
    g_hash_table_destroy(s.prim_by_name);
    g_hash_table_destroy(s.unit_by_rsc);
    g_hash_table_destroy(s.clone_by_rsc);
    g_hash_table_destroy(s.under);
    g_hash_table_destroy(s.co_by_dep);
    g_hash_table_destroy(s.co_by_pri);
    g_free(s.co_dep);
    g_free(s.co_pri);
    g_ptr_array_free(s.colocs, TRUE);
    g_ptr_array_set_free_func(s.coloc_owned, g_free);
    g_ptr_array_free(s.coloc_owned, TRUE);
    g_ptr_array_free(s.fence, TRUE);
    res->orphan_cfgs = s.orphan_cfgs;   /* placements point at them */
    g_hash_table_destroy(s.sort_key);
    g_free(s.fenced);
    g_free(s.rflags);
    g_free(s.unfenceable);
    g_free(s.load);
    for (int n = 0; n < s.nn; n++)
        g_hash_table_destroy(s.used[n]);
    g_free(s.used);
    g_free(s.ns);
    return res;
}

/* Free a result; see herd_sched.h. */
void herd_sched_result_free(herd_sched_result_t *res)
{
    if (!res)
        return;
    g_ptr_array_free(res->decisions, TRUE);
    g_ptr_array_free(res->placements, TRUE);
    g_ptr_array_free(res->nodes, TRUE);
    g_ptr_array_free(res->rsc_order, TRUE);
    herd_graph_free(res->graph);
    if (res->scores)
        g_ptr_array_free(res->scores, TRUE);
    if (res->orphan_cfgs)
        g_ptr_array_free(res->orphan_cfgs, TRUE);
    g_free(res);
}
