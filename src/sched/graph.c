/* graph.c: the transition graph built from the scheduler's decisions.
 *
 * For every primitive instance the decisions and placements say what must
 * happen (stop here, start there, promote, migrate, probe, monitor); this
 * file turns that into actions with ordering edges the way Pacemaker
 * does: group and clone pseudo actions around their members' actions,
 * stop before start, probes before starts, fencing before the (pseudo)
 * stops of the fenced node's resources, configured orders, migration.
 * Pure and deterministic: no I/O, iteration only over arrays. */
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "graph_internal.h"

/* ---- building blocks ---------------------------------------------------- */

static void action_free(herd_action_t *a)
{
    if (a->meta)
        g_hash_table_destroy(a->meta);
    if (a->params)
        g_hash_table_destroy(a->params);
    g_ptr_array_free(a->inputs, TRUE);
    g_free(a);
}

/* Free a graph; see herd_sched.h. */
void herd_graph_free(herd_graph_t *g)
{
    if (!g)
        return;
    g_ptr_array_free(g->actions, TRUE);
    g_string_chunk_free(g->strings);
    g_free(g);
}

/* a string kept in the graph's string chunk (NULL stays NULL) */
static char *gs(gb_t *b, const char *str)
{
    return str ? g_string_chunk_insert_const(b->g->strings, str) : NULL;
}

G_GNUC_PRINTF(2, 3)
static char *gsf(gb_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *t = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return gs(b, t);
}

/* set a meta attribute (takes `value`) */
static void meta_set(herd_action_t *a, const char *name, char *value)
{
    if (!a->meta)
        a->meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_replace(a->meta, g_strdup(name), value);
}

static const char *meta_get(const herd_action_t *a, const char *name)
{
    return a->meta ? g_hash_table_lookup(a->meta, name) : NULL;
}

static char *action_index_key(const char *key, const char *node)
{
    return g_strconcat(key, "@", node ? node : "", NULL);
}

/* Find or create an action.  `key` is the operation key; node NULL for
 * pseudo actions. */
static herd_action_t *gb_action(gb_t *b, herd_action_kind_t kind, const char *key, const char *task,
                                const char *node, int group, int rank)
{
    g_autofree char *ik = action_index_key(key, node);
    herd_action_t *a = g_hash_table_lookup(b->index, ik);
    if (a)
        return a;
    a = g_new0(herd_action_t, 1);
    a->kind = kind;
    a->key = gs(b, key);
    a->task = gs(b, task);
    a->node = gs(b, node);
    a->inputs = g_ptr_array_new();
    a->sort_group = group;
    a->sort_rank = rank;
    a->seq = (int) b->g->actions->len;
    g_ptr_array_add(b->g->actions, a);
    g_hash_table_insert(b->index, g_steal_pointer(&ik), a);
    return a;
}

static herd_action_t *gb_find(gb_t *b, const char *key, const char *node)
{
    g_autofree char *ik = action_index_key(key, node);
    return g_hash_table_lookup(b->index, ik);
}

/* first must complete before then (no-op when either is missing) */
static void gb_order(gb_t *b, herd_action_t *first, herd_action_t *then)
{
    if (!first || !then || first == then)
        return;
    if (then->inputs->len < 8) {
        for (guint i = 0; i < then->inputs->len; i++)
            if (then->inputs->pdata[i] == first)
                return;
    } else {
        gpointer ek = GSIZE_TO_POINTER(((gsize) (guint32) first->seq << 32) | (guint32) then->seq);
        if (then->inputs->len == 8)   /* index the inputs so far */
            for (guint i = 0; i < then->inputs->len; i++) {
                const herd_action_t *in = then->inputs->pdata[i];
                g_hash_table_add(b->edges, GSIZE_TO_POINTER(((gsize) (guint32) in->seq << 32) |
                                                            (guint32) then->seq));
            }
        if (g_hash_table_contains(b->edges, ek))
            return;
        g_hash_table_add(b->edges, ek);
    }
    g_ptr_array_add(then->inputs, first);
}

/* ---- resources -------------------------------------------------------- */

static const herd_cib_rsc_t *clone_of(const herd_cib_rsc_t *r)
{
    for (; r; r = r->parent)
        if (r->kind == HERD_RSC_CLONE)
            return r;
    return NULL;
}

static const herd_cib_rsc_t *group_of(const herd_cib_rsc_t *r)
{
    return r->parent && r->parent->kind == HERD_RSC_GROUP ? r->parent : NULL;
}

static const herd_cib_rsc_t *top_of(const herd_cib_rsc_t *r)
{
    while (r->parent)
        r = r->parent;
    return r;
}

/* "rsc:3" -> 3, -1 without an instance suffix */
static int inst_of(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? atoi(c + 1) : -1;
}

/* whether a history leaves the resource active (roughly, for naming) */
static bool hist_active(const herd_rsc_history_t *h)
{
    bool active = false;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        const char *t = op->operation;
        if (op->op_status == 1 || !strcmp(t, "notify") || !strcmp(t, "cancel"))
            continue;
        bool ok = op->rc == (op->target_rc >= 0 ? op->target_rc : 0) && op->op_status == 0;
        if (!strcmp(t, "stop"))
            active = !ok;
        else if (!strcmp(t, "monitor"))
            active = op->rc != 7;
        else
            active = true;
    }
    return active;
}

static char *hist_key(const char *node, const char *id)
{
    return g_strconcat(node, "\x1f", id, NULL);
}

/* the history recorded under exactly `id` on a node, or NULL */
static const herd_rsc_history_t *hist_exact(gb_t *b, const char *node, const char *id)
{
    g_autofree char *k = hist_key(node, id);
    return g_hash_table_lookup(b->hist_exact, k);
}

/* the history of a primitive on a node (by configured id), or NULL */
static const herd_rsc_history_t *history_on(gb_t *b, const herd_placement_t *p, const char *node)
{
    const herd_cib_rsc_t *cl = clone_of(p->cfg);
    if (!(cl && !cl->unique))
        return hist_exact(b, node, p->name);
    g_autofree char *k = hist_key(node, p->cfg->id);
    GPtrArray *l = g_hash_table_lookup(b->hist_base, k);
    const herd_rsc_history_t *first = NULL;
    for (guint i = 0; l && i < l->len; i++) {
        const herd_rsc_history_t *h = l->pdata[i];
        if (hist_active(h))
            return h;
        if (!first)
            first = h;
    }
    return first;
}

static bool node_in(const herd_placement_t *p, const char *node);

/* whether a history tells the resource's state (a probe still pending
 * does not: it is probed again) */
static bool hist_known(const herd_rsc_history_t *h)
{
    if (!h)
        return false;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (strcmp(op->operation, "monitor") || op->interval_ms || op->op_status != -1)
            return true;
    }
    return false;
}

/* For an anonymous clone instance, the name its active history has (the
 * name the node's executor knows it by), or NULL. */
static const char *clone_name(gb_t *b, const herd_placement_t *p)
{
    const herd_cib_rsc_t *cl = clone_of(p->cfg);
    if (!cl || cl->unique)
        return NULL;
    if (p->hist_name)
        return p->hist_name;    /* an extra copy: its own history */
    for (guint i = 0; i < p->current->len; i++) {
        const herd_rsc_history_t *h = history_on(b, p, p->current->pdata[i]);
        if (h && hist_active(h))
            return h->rsc_id;
    }
    /* inactive histories are all taken by the first inactive instance */
    return g_hash_table_lookup(b->inactive_name, p->name);
}

/* which instance the inactive histories of each anonymous clone go to */
static void map_inactive_histories(gb_t *b)
{
    GHashTable *done = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < b->res->placements->len; i++) {
        const herd_placement_t *p = b->res->placements->pdata[i];
        const herd_cib_rsc_t *cl = clone_of(p->cfg);
        if (!cl || cl->unique || p->current->len || g_hash_table_contains(done, p->cfg))
            continue;
        g_hash_table_add(done, (gpointer) p->cfg);
        for (guint k = 0; k < b->cib->histories->len; k++) {
            const herd_rsc_history_t *h = b->cib->histories->pdata[k];
            /* (only histories recorded without an instance number) */
            if (strcmp(h->rsc_id, p->cfg->id) || hist_active(h))
                continue;
            g_hash_table_insert(b->inactive_name, p->name, h->rsc_id);
            break;
        }
    }
    g_hash_table_destroy(done);
}

/* Whether any node's history knows a resource by this id. */
static bool known_anywhere(gb_t *b, const char *id)
{
    return g_hash_table_contains(b->hist_ids, id);
}

/* Name an instance's action on a node: rsc_id (the resource as the graph
 * names it: the history's name or, for anonymous clones, the configured
 * id), label (what crm_simulate prints: rsc_id when the node has a history
 * under it, else the instance) and the name its operation key uses. */
static void name_action(gb_t *b, herd_action_t *a, const herd_placement_t *p, const char *node,
                        const char **key_name)
{
    const herd_cib_rsc_t *cl = clone_of(p->cfg);
    const char *cn = clone_name(b, p);
    a->rsc = gs(b, p->name);
    if (!cl || cl->unique) {
        a->rsc_id = a->rsc;
        a->label = a->rsc;
    } else {
        a->rsc_id = gs(b, cn ? cn : p->cfg->id);
        a->label = node && known_anywhere(b, a->rsc_id) ? a->rsc_id : a->rsc;
        /* a bundle's child on a guest the status knows (node_state) */
        const herd_cib_node_t *gn = node && p->cfg->bundle_of ? herd_cib_node(b->cib, node) : NULL;
        if (gn && gn->kind == HERD_NODE_GUEST && gn->has_state)
            a->label = a->rsc_id;
    }
    *key_name = cn ? cn : p->name;
}

static guint64 op_timeout(gb_t *b, const herd_cib_rsc_t *r, const char *task, guint64 interval)
{
    for (guint i = 0; r->ops && i < r->ops->len; i++) {
        const herd_cib_op_t *o = r->ops->pdata[i];
        if (!strcmp(o->name, task) && o->interval_ms == interval && o->timeout_ms)
            return o->timeout_ms;
    }
    const char *d = b->cib->op_defaults ? g_hash_table_lookup(b->cib->op_defaults, "timeout") : NULL;
    guint64 ms;
    if (d && herd_cib_parse_interval(d, &ms))
        return ms;
    return 20000;
}

/* Rank of a primitive's action in synapse order (ascending). */
static int prim_rank(const char *task, guint64 interval)
{
    if (!strcmp(task, "migrate_from"))
        return 22;
    if (!strcmp(task, "migrate_to"))
        return 24;
    if (!strcmp(task, "promote"))
        return 26;
    if (!strcmp(task, "monitor") && interval)
        return 28;
    if (!strcmp(task, "start"))
        return 30;
    if (!strcmp(task, "stop"))
        return 32;
    if (!strcmp(task, "demote"))
        return 34;
    if (!strcmp(task, "monitor"))
        return 36;
    return 38;
}

static bool hist_has_monitor(const herd_rsc_history_t *h, guint64 interval);

static herd_action_t *rsc_op(gb_t *b, const herd_placement_t *p, const char *task, guint64 interval,
                             const char *node, const char *reason)
{
    char iv[24];
    g_snprintf(iv, sizeof iv, "%" G_GUINT64_FORMAT, interval);
    g_autofree char *key = g_strconcat(p->name, "_", task, "_", iv, NULL);
    herd_action_t *a = gb_find(b, key, node);
    if (a)
        return a;
    int group = GPOINTER_TO_INT(g_hash_table_lookup(b->group_of_prim, p->name));
    a = gb_action(b, HERD_ACTION_RSC, key, task, node, group, prim_rank(task, interval));
    const char *kn;
    name_action(b, a, p, node, &kn);
    a->klass = gs(b, p->cfg->klass);
    a->provider = gs(b, p->cfg->provider);
    a->type = gs(b, p->cfg->type);
    /* the operation key names the resource as the node knows it; a cancel
     * is keyed by the monitor it cancels */
    bool cancel = !strcmp(task, "cancel");
    if (strcmp(kn, a->rsc) || cancel)
        a->key = gsf(b, "%s_%s_%" G_GUINT64_FORMAT, kn, cancel ? "monitor" : task, interval);
    a->cfg = p->cfg;
    a->interval_ms = interval;
    a->timeout_ms = op_timeout(b, p->cfg, !strcmp(task, "cancel") ? "monitor" : task, interval);
    a->params = g_hash_table_ref(p->cfg->params);
    a->reason = gs(b, reason);
    /* actions Pacemaker creates while unpacking the status (the monitor
     * that is already active, the stop of a failed resource) have the
     * lowest ids and so come last among the resource's synapses */
    if (node && interval && !strcmp(task, "monitor") && node_in(p, node) &&
        hist_has_monitor(history_on(b, p, node), interval))
        a->sort_rank += 20;
    else if (node && !strcmp(task, "stop") && p->failed)
        a->sort_rank = 46;
    if (node && b->fenced_nodes && g_hash_table_contains(b->fenced_nodes, node) &&
        (!strcmp(task, "stop") || !strcmp(task, "demote"))) {
        /* the node's fencing stops it: a pseudo action after the fencing */
        a->kind = HERD_ACTION_PSEUDO;
        a->node = NULL;
        const herd_cib_rsc_t *acl = clone_of(p->cfg);
        if (acl && !acl->unique) {
            /* an anonymous instance: keyed by the name its history has */
            const herd_rsc_history_t *h = history_on(b, p, node);
            a->key = gsf(b, "%s_%s_%s", h ? h->rsc_id : p->cfg->id, task, iv);
        }
        if (!(p->cfg->klass && !strcmp(p->cfg->klass, "stonith")))
            gb_order(b, g_hash_table_lookup(b->fenced_nodes, node), a);
        a->fence_implied = true;
    }
    return a;
}

/* A pseudo action of a collective resource (group, clone, group instance
 * in a clone): name is the display name ("grp", "grp:1", "cl"). */
static herd_action_t *coll_op(gb_t *b, const char *name, const char *task, int group, int rank,
                              const herd_cib_rsc_t *cfg)
{
    g_autofree char *key = g_strdup_printf("%s_%s_0", name, task);
    herd_action_t *a = gb_find(b, key, NULL);
    if (a)
        return a;
    a = gb_action(b, HERD_ACTION_PSEUDO, key, task, NULL, group, rank);
    a->rsc = gs(b, name);
    a->cfg = cfg;
    return a;
}

/* ranks of collective pseudo actions (groups: before the members; clones:
 * after their instances) */
enum {
    R_GRP_DEMOTED = -46, R_GRP_DEMOTE, R_GRP_PROMOTED, R_GRP_PROMOTE,
    R_GRP_STOPPED = -40, R_GRP_STOP, R_GRP_RUNNING, R_GRP_START,
};
/* clones: per phase (demote, promote, stop, start) confirmed-post, post,
 * confirmed-pre, pre, done, action */
enum { PH_DEMOTE, PH_PROMOTE, PH_STOP, PH_START };
enum { SUB_CPOST, SUB_POST, SUB_CPRE, SUB_PRE, SUB_DONE, SUB_ACTION };
#define R_CL(ph, sub) (100 + (ph) * 10 + (sub))
#define R_CL_DEMOTED R_CL(PH_DEMOTE, SUB_DONE)
#define R_CL_DEMOTE R_CL(PH_DEMOTE, SUB_ACTION)
#define R_CL_PROMOTED R_CL(PH_PROMOTE, SUB_DONE)
#define R_CL_PROMOTE R_CL(PH_PROMOTE, SUB_ACTION)
#define R_CL_STOPPED R_CL(PH_STOP, SUB_DONE)
#define R_CL_STOP R_CL(PH_STOP, SUB_ACTION)
#define R_CL_RUNNING R_CL(PH_START, SUB_DONE)
#define R_CL_START R_CL(PH_START, SUB_ACTION)

/* ---- per primitive ---------------------------------------------------- */

typedef struct {
    herd_action_t *start, *stop_any, *promote, *demote;
    herd_action_t *migrate_to, *migrate_from;
    GPtrArray *monitors;     /* new recurring monitors */
    GPtrArray *stops;        /* herd_action_t* (one per node) */
    GPtrArray *probes;
} prim_acts_t;

static void prim_acts_free(prim_acts_t *pa)
{
    g_ptr_array_free(pa->stops, TRUE);
    g_ptr_array_free(pa->probes, TRUE);
    g_ptr_array_free(pa->monitors, TRUE);
    g_free(pa);
}

static bool hist_has_monitor(const herd_rsc_history_t *h, guint64 interval)
{
    if (!h)
        return false;
    bool has = false;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (!strcmp(op->operation, "monitor") && op->interval_ms == interval)
            has = op->op_status != 1;
        else if (!strcmp(op->operation, "start") || !strcmp(op->operation, "stop") ||
                 !strcmp(op->operation, "migrate_from") || !strcmp(op->operation, "promote") ||
                 !strcmp(op->operation, "demote"))
            has = false;
        else if (!strcmp(op->operation, "cancel") && op->interval_ms == interval)
            has = false;
    }
    return has;
}

static bool monitor_applies(const herd_cib_op_t *o, herd_role_t role, bool promotable);

/* Recurring monitors for `role` on `node`; `after` is what they follow
 * (a start or promote), NULL when the resource stays as it is. */
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

static void add_monitors(gb_t *b, const herd_placement_t *p, const char *node, herd_role_t role,
                         herd_action_t *after, bool promotable)
{
    bool fresh = after && (!strcmp(after->task, "start") || !strcmp(after->task, "migrate_from") ||
                           !strcmp(after->task, "reload-agent"));
    /* a role change after a start there: the old monitors are gone too */
    const prim_acts_t *pa0 = after ? g_hash_table_lookup(b->prim_acts, p->name) : NULL;
    if (pa0 && pa0->start && pa0->start->node && node && !strcmp(pa0->start->node, node))
        fresh = true;
    const herd_rsc_history_t *h = fresh ? NULL : history_on(b, p, node);
    for (guint i = 0; p->cfg->ops && i < p->cfg->ops->len; i++) {
        const herd_cib_op_t *o = p->cfg->ops->pdata[i];
        if (!monitor_applies(o, role, promotable))
            continue;
        bool dup = false;   /* two monitors with one interval: Pacemaker uses neither */
        for (guint k = 0; k < p->cfg->ops->len && !dup; k++) {
            const herd_cib_op_t *q = p->cfg->ops->pdata[k];
            dup = q != o && q->interval_ms == o->interval_ms && !strcmp(q->name, "monitor");
        }
        if (dup)
            continue;
        if ((!after || !fresh) && hist_has_monitor(h, o->interval_ms))
            continue;   /* already active under the same key */
        herd_action_t *m = rsc_op(b, p, "monitor", o->interval_ms, node,
                                  after ? "recurring monitor after the start" : "recurring monitor not active");
        meta_set(m, "interval", g_strdup_printf("%" G_GUINT64_FORMAT, o->interval_ms));
        meta_set(m, "name", g_strdup("monitor"));
        if (o->role == HERD_ROLE_PROMOTED)
            meta_set(m, "role", g_strdup("Promoted"));
        gb_order(b, after, m);
        if (after && !fresh && m->sort_rank == 28)
            m->sort_rank = 25;   /* after a role change only: before it */
        prim_acts_t *pa = g_hash_table_lookup(b->prim_acts, p->name);
        if (pa)
            g_ptr_array_add(pa->monitors, m);
    }
}

/* whether a configured op is a recurring monitor for `role` */
static bool monitor_applies(const herd_cib_op_t *o, herd_role_t role, bool promotable)
{
    if (strcmp(o->name, "monitor") || !o->interval_ms || !o->enabled)
        return false;
    if (!promotable && role == HERD_ROLE_UNPROMOTED)
        role = HERD_ROLE_STARTED;
    switch (o->role) {
    case HERD_ROLE_PROMOTED:
        return role == HERD_ROLE_PROMOTED;
    case HERD_ROLE_UNPROMOTED:
        return role != HERD_ROLE_PROMOTED;
    case HERD_ROLE_STARTED:
        /* role=Started names no role of a promotable clone's instances */
        return !promotable && role != HERD_ROLE_PROMOTED;
    case HERD_ROLE_STOPPED:
        return false;
    default:
        /* a role-less monitor is not scheduled for the promoted role */
        return !(promotable && role == HERD_ROLE_PROMOTED);
    }
}

/* Cancel the recurring monitors active on `node` that no configured
 * monitor of `role` keeps (all of them when `all`). */
static void cancel_monitors(gb_t *b, const herd_placement_t *p, const char *node, herd_role_t role,
                            bool promotable, bool all)
{
    const herd_rsc_history_t *h = history_on(b, p, node);
    if (!h)
        return;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (strcmp(op->operation, "monitor") || !op->interval_ms ||
            !hist_has_monitor(h, op->interval_ms))
            continue;
        bool keep = false;
        for (guint k = 0; !all && p->cfg->ops && k < p->cfg->ops->len && !keep; k++) {
            const herd_cib_op_t *o = p->cfg->ops->pdata[k];
            keep = o->interval_ms == op->interval_ms && monitor_applies(o, role, promotable);
        }
        if (keep)
            continue;
        herd_action_t *c = rsc_op(b, p, "cancel", op->interval_ms, node,
                                  all ? "monitors stop in maintenance"
                                      : "the monitor is no longer configured for the role");
        meta_set(c, "interval", g_strdup_printf("%" G_GUINT64_FORMAT, op->interval_ms));
        meta_set(c, "operation", g_strdup("monitor"));
    }
}

/* Monitors with role=Stopped: on every usable node where the resource
 * will not run, after its probe (or stop) there. */
static void add_stopped_monitors(gb_t *b, const herd_placement_t *p, prim_acts_t *pa)
{
    for (guint i = 0; p->cfg->ops && i < p->cfg->ops->len; i++) {
        const herd_cib_op_t *o = p->cfg->ops->pdata[i];
        if (strcmp(o->name, "monitor") || !o->interval_ms || !o->enabled ||
            o->role != HERD_ROLE_STOPPED)
            continue;
        for (guint n = 0; n < b->res->nodes->len; n++) {
            const herd_node_state_t *ns = b->res->nodes->pdata[n];
            const char *node = ns->cfg->uname;
            if (!ns->online || ns->unclean || ns->fenced_now || ns->pending ||
                ns->cfg->kind != HERD_NODE_MEMBER)
                continue;
            if (p->next && !strcmp(p->next, node))
                continue;
            bool stops_here = false;
            for (guint k = 0; k < pa->stops->len; k++) {
                herd_action_t *st = pa->stops->pdata[k];
                stops_here |= st->node && !strcmp(st->node, node);
            }
            if (node_in(p, node) && !stops_here)
                continue;   /* active there and staying */
            const herd_rsc_history_t *h = history_on(b, p, node);
            if (h && hist_has_monitor(h, o->interval_ms) && !node_in(p, node))
                continue;
            herd_action_t *m = rsc_op(b, p, "monitor", o->interval_ms, node,
                                      "monitor of the stopped role");
            meta_set(m, "interval", g_strdup_printf("%" G_GUINT64_FORMAT, o->interval_ms));
            meta_set(m, "role", g_strdup("Stopped"));
            for (guint k = 0; k < pa->probes->len; k++) {
                herd_action_t *pr = pa->probes->pdata[k];
                if (!strcmp(pr->node, node))
                    gb_order(b, pr, m);
            }
            g_ptr_array_add(pa->monitors, m);
        }
    }
}

/* the role change waits for the cancellation of the old role's monitors */
static void order_cancels(gb_t *b, const herd_placement_t *p, const char *node, herd_action_t *then)
{
    const herd_rsc_history_t *h = history_on(b, p, node);
    for (guint i = 0; h && i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (strcmp(op->operation, "monitor") || !op->interval_ms)
            continue;
        char iv[24];
        g_snprintf(iv, sizeof iv, "%" G_GUINT64_FORMAT, op->interval_ms);
        g_autofree char *key = g_strconcat(p->name, "_cancel_", iv, NULL);
        gb_order(b, gb_find(b, key, node), then);
    }
}

/* whether a node has a fail count for a resource (fail-count-ID[#op]) */
static bool has_failcount(const herd_cib_node_t *n, const char *id)
{
    if (!n || !n->attrs)
        return false;
    g_autofree char *prefix = g_strconcat("fail-count-", id, NULL);
    size_t len = strlen(prefix);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, n->attrs);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        const char *key = k;
        if (!strncmp(key, prefix, len) && (key[len] == '\0' || key[len] == '#'))
            return true;
    }
    return false;
}

/* Clear a resource's fail count on a node (when it has one): its
 * definition changed or it is no longer configured. */
static herd_action_t *clear_failcount(gb_t *b, const char *rsc, const char *id, const char *node,
                                      int group, int rank)
{
    if (!has_failcount(herd_cib_node(b->cib, node), id))
        return NULL;
    g_autofree char *key = g_strconcat(rsc, "_clear_failcount_0", NULL);
    herd_action_t *a = gb_action(b, HERD_ACTION_CLUSTER, key, "clear_failcount", node, group, rank);
    a->rsc = gs(b, rsc);
    a->rsc_id = gs(b, id);
    a->reason = gs(b, "the failures were of an older definition");
    return a;
}

static const herd_decision_t *decision_for(gb_t *b, const char *name)
{
    return g_hash_table_lookup(b->decision_by_rsc, name);
}

static bool node_in(const herd_placement_t *p, const char *node)
{
    for (guint i = 0; i < p->current->len; i++)
        if (!strcmp(p->current->pdata[i], node))
            return true;
    return false;
}

static void build_prim_actions(gb_t *b, const herd_placement_t *p);

static void build_prim(gb_t *b, const herd_placement_t *p)
{
    build_prim_actions(b, p);
    prim_acts_t *pa = g_hash_table_lookup(b->prim_acts, p->name);
    add_stopped_monitors(b, p, pa);
    for (guint i = 0; i < pa->monitors->len; i++) {
        herd_action_t *m = pa->monitors->pdata[i];
        const char *role = meta_get(m, "role");
        if (!role || strcmp(role, "Stopped"))
            continue;
        for (guint k = 0; k < pa->stops->len; k++) {
            herd_action_t *st = pa->stops->pdata[k];
            if (st->node && !strcmp(st->node, m->node))
                gb_order(b, st, m);
        }
    }
}

static void build_prim_actions(gb_t *b, const herd_placement_t *p)
{
    prim_acts_t *pa = g_new0(prim_acts_t, 1);
    pa->stops = g_ptr_array_new();
    pa->probes = g_ptr_array_new();
    pa->monitors = g_ptr_array_new();
    g_hash_table_insert(b->prim_acts, p->name, pa);
    const herd_cib_rsc_t *cl = clone_of(p->cfg);
    bool promotable = cl && cl->promotable;
    const herd_decision_t *d = decision_for(b, p->name);

    /* probes: nodes that have no history of the resource */
    if (b->cib->options.enable_startup_probes && !p->orphan) {
        for (guint n = 0; n < b->res->nodes->len; n++) {
            const herd_node_state_t *ns = b->res->nodes->pdata[n];
            const char *node = ns->cfg->uname;
            if (!ns->online || ns->unclean || ns->fenced_now || ns->pending)
                continue;
            /* remote nodes: a bundle's containers and addresses only;
             * guest nodes up before the transition: the instance of the
             * bundle's child meant for it */
            bool guest_kid = ns->cfg->kind == HERD_NODE_GUEST && ns->online_before &&
                             p->cfg->bundle_of && !p->cfg->implicit && p->next &&
                             !strcmp(p->next, node);
            if (ns->cfg->kind != HERD_NODE_MEMBER && !guest_kid &&
                !(ns->cfg->kind == HERD_NODE_REMOTE && p->cfg->bundle_of && p->cfg->implicit &&
                  !p->cfg->remote_node))
                continue;
            if (p->cfg->bundle_of && !p->cfg->implicit && !guest_kid)
                continue;   /* a bundle's child runs in its guests only */
            if (p->cfg->bundle_of && p->cfg->remote_node && !p->next && !p->current->len)
                continue;   /* a connection that cannot start */
            if (guest_kid) {
                if (!hist_known(history_on(b, p, node))) {
                    herd_action_t *pr = rsc_op(b, p, "monitor", 0, node,
                                               "probe: no history on the node");
                    g_ptr_array_add(pa->probes, pr);
                }
                continue;
            }
            if (hist_known(history_on(b, p, node)))
                continue;
            if (p->discover && !p->discover[n])
                continue;   /* resource-discovery=exclusive elsewhere */
            if (g_hash_table_contains(b->no_discovery, p->cfg->id) &&
                g_hash_table_contains(g_hash_table_lookup(b->no_discovery, p->cfg->id), node))
                continue;
            if (cl && !cl->unique) {
                /* an anonymous clone is probed once per node, by the
                 * instance that runs or will run there, else a free one */
                const char *who = g_hash_table_lookup(b->anon_probe, node);
                g_autofree char *k = g_strdup_printf("%s@%s", p->cfg->id, node);
                const char *chosen = g_hash_table_lookup(b->anon_probe, k);
                (void) who;
                if (chosen && strcmp(chosen, p->name))
                    continue;
                if (!chosen)
                    continue;
            }
            herd_action_t *pr = rsc_op(b, p, "monitor", 0, node, "probe: no history on the node");
            g_ptr_array_add(pa->probes, pr);
        }
    }
    if (!p->managed) {
        const char *m = herd_cib_rsc_meta(p->cfg, "maintenance");
        if (b->cib->options.maintenance_mode || herd_cib_parse_bool(m, false))
            for (guint i = 0; i < p->current->len; i++)
                cancel_monitors(b, p, p->current->pdata[i], p->current_role, promotable, true);
        return;
    }

    const char *nxt = p->next;
    bool blocked = d && d->blocked;
    bool restart = d && (d->kind == HERD_DECISION_RECOVER || d->kind == HERD_DECISION_RESTART);
    bool migrate = d && d->kind == HERD_DECISION_MIGRATE;
    herd_role_t r0 = p->current_role, r1 = p->next_role;
    if (promotable && r0 == HERD_ROLE_STARTED)
        r0 = HERD_ROLE_UNPROMOTED;
    if (promotable && r1 == HERD_ROLE_STARTED)
        r1 = HERD_ROLE_UNPROMOTED;

    if (!d) {
        /* nothing changes: only monitors not yet active */
        /* (a failed resource left as it is is blocked: nothing runs) */
        if (nxt && node_in(p, nxt) && p->current->len == 1 && !p->failed) {
            cancel_monitors(b, p, nxt, r1, promotable, false);
            add_monitors(b, p, nxt, r1, NULL, promotable);
        }
        return;
    }
    if (blocked)
        return;

    const char *why = d->reason ? d->reason : "the transition summary";
    bool starts = nxt && d->kind != HERD_DECISION_STOP &&
                  (p->current->len == 0 || !node_in(p, nxt) || restart || p->current->len > 1);
    /* multiple-active=stop_unexpected: only the instances elsewhere stop;
     * the one where it stays is left running (its start is a pseudo action) */
    bool unexpected = nxt && restart && p->current->len > 1 && node_in(p, nxt) &&
                      !strcmp(multiple_active_of(p->cfg), "stop_unexpected");
    /* stops */
    for (guint i = 0; i < p->current->len; i++) {
        const char *node = p->current->pdata[i];
        bool stop = !nxt || strcmp(node, nxt) || restart || p->current->len > 1 ||
                    d->kind == HERD_DECISION_STOP;
        if (unexpected && !strcmp(node, nxt))
            stop = false;
        if (!stop)
            continue;
        if (r0 == HERD_ROLE_PROMOTED && promotable) {
            herd_action_t *dm = rsc_op(b, p, "demote", 0, node, why);
            pa->demote = dm;
        }
        herd_action_t *st = rsc_op(b, p, "stop", 0, node, why);
        if (restart && !p->failed && nxt && !strcmp(node, nxt) && st->sort_rank == 32 &&
            d->reason && strstr(d->reason, "definition change"))
        {
            st->sort_rank = 28;   /* a restart for new parameters: created after the start */
            clear_failcount(b, p->name, p->cfg->id, node,
                            GPOINTER_TO_INT(g_hash_table_lookup(b->group_of_prim, p->name)), 29);
        }
        gb_order(b, pa->demote, st);
        g_ptr_array_add(pa->stops, st);
        pa->stop_any = st;
    }
    if (migrate && p->current->len == 1 && nxt) {
        const char *from = p->current->pdata[0];
        herd_action_t *mt = rsc_op(b, p, "migrate_to", 0, from, "live migration");
        herd_action_t *mf = rsc_op(b, p, "migrate_from", 0, nxt, "live migration");
        meta_set(mt, "migrate_source", g_strdup(from));
        meta_set(mt, "migrate_target", g_strdup(nxt));
        meta_set(mf, "migrate_source", g_strdup(from));
        meta_set(mf, "migrate_target", g_strdup(nxt));
        gb_order(b, mt, mf);
        gb_order(b, mf, pa->stop_any);
        pa->migrate_to = mt;
        pa->migrate_from = mf;
        g_autofree char *key = g_strdup_printf("%s_start_0", p->name);
        int group = GPOINTER_TO_INT(g_hash_table_lookup(b->group_of_prim, p->name));
        herd_action_t *s = gb_action(b, HERD_ACTION_PSEUDO, key, "start", NULL, group, 30);
        s->rsc = gs(b, p->name);
        s->cfg = p->cfg;
        s->reason = gs(b, "live migration");
        gb_order(b, pa->stop_any, s);
        gb_order(b, mf, s);
        pa->start = s;
        for (guint i = 0; i < pa->probes->len; i++)
            gb_order(b, pa->probes->pdata[i], mt);
        add_monitors(b, p, nxt, r1, s, promotable);
        return;
    }
    if (starts && unexpected) {
        g_autofree char *key = g_strdup_printf("%s_start_0", p->name);
        int group = GPOINTER_TO_INT(g_hash_table_lookup(b->group_of_prim, p->name));
        herd_action_t *s = gb_action(b, HERD_ACTION_PSEUDO, key, "start", NULL, group, 30);
        s->rsc = gs(b, p->name);
        s->cfg = p->cfg;
        s->reason = gs(b, "multiple-active=stop_unexpected");
        for (guint i = 0; i < pa->stops->len; i++)
            gb_order(b, pa->stops->pdata[i], s);
        for (guint i = 0; i < pa->probes->len; i++)
            gb_order(b, pa->probes->pdata[i], s);
        pa->start = s;
        add_monitors(b, p, nxt, r1, s, promotable);
        return;
    }
    if (starts) {
        herd_action_t *s = rsc_op(b, p, "start", 0, nxt, why);
        pa->start = s;
        for (guint i = 0; i < pa->stops->len; i++)
            gb_order(b, pa->stops->pdata[i], s);
        herd_action_t *last = s;
        if (r1 == HERD_ROLE_PROMOTED && promotable) {
            pa->promote = rsc_op(b, p, "promote", 0, nxt, why);
            gb_order(b, s, pa->promote);
            last = pa->promote;
        }
        add_monitors(b, p, nxt, r1, last, promotable);
        return;
    }
    if (d->kind == HERD_DECISION_RELOAD && nxt) {
        /* the agent reloads its parameters; the monitors run again */
        herd_action_t *rl = rsc_op(b, p, "reload-agent", 0, nxt, "resource definition change");
        add_monitors(b, p, nxt, r1, rl, promotable);
        return;
    }
    if (nxt && promotable && r0 != r1) {
        if (r1 == HERD_ROLE_PROMOTED) {
            cancel_monitors(b, p, nxt, r1, promotable, false);
            pa->promote = rsc_op(b, p, "promote", 0, nxt, why);
            order_cancels(b, p, nxt, pa->promote);
            add_monitors(b, p, nxt, r1, pa->promote, promotable);
        } else if (r0 == HERD_ROLE_PROMOTED) {
            cancel_monitors(b, p, nxt, r1, promotable, false);
            pa->demote = rsc_op(b, p, "demote", 0, nxt, why);
            order_cancels(b, p, nxt, pa->demote);
            add_monitors(b, p, nxt, r1, pa->demote, promotable);
        }
        return;
    }
    if (nxt && node_in(p, nxt)) {
        cancel_monitors(b, p, nxt, r1, promotable, false);
        add_monitors(b, p, nxt, r1, NULL, promotable);
    }
}

/* ---- collectives ------------------------------------------------------ */

/* a collective's stop that stops something by fencing follows the fencing */
static bool requires_fencing(const herd_cib_rsc_t *r)
{
    const char *req = r ? herd_cib_rsc_meta(r, "requires") : NULL;
    return !req || !strcmp(req, "fencing") || !strcmp(req, "unfencing");
}

static void fence_before(gb_t *b, const herd_action_t *stop, herd_action_t *coll_stop)
{
    if (!stop->fence_implied || !coll_stop || !requires_fencing(stop->cfg))
        return;
    for (guint i = 0; i < stop->inputs->len; i++) {
        herd_action_t *in = stop->inputs->pdata[i];
        if (in->kind == HERD_ACTION_FENCE)
            gb_order(b, in, coll_stop);
    }
}

static prim_acts_t *pa_of(gb_t *b, const char *name)
{
    return g_hash_table_lookup(b->prim_acts, name);
}

/* The members' actions of a group (instance): name is "grp" or "grp:N",
 * members the placements in order.  Returns the group's start/running/
 * stop/stopped pseudo actions through out (NULL when none). */
typedef struct {
    herd_action_t *start, *running, *stop, *stopped, *promote, *promoted, *demote, *demoted;
    herd_action_t *cpost[4];     /* notifications: confirmed-post per phase */
} coll_acts_t;

static void build_group(gb_t *b, const char *name, const herd_cib_rsc_t *cfg, GPtrArray *members,
                        int group, coll_acts_t *out)
{
    memset(out, 0, sizeof *out);
    /* ordered=false (also inherited from a clone): members in any order */
    bool ordered = herd_cib_parse_bool(herd_cib_rsc_meta(cfg, "ordered"), true);
    bool any_start = b->force_start, any_stop = false, any_promote = false, any_demote = false;
    bool stop_waits = false;
    for (guint i = 0; i < members->len; i++) {
        prim_acts_t *pa = pa_of(b, ((herd_placement_t *) members->pdata[i])->name);
        any_start |= pa->start != NULL;
        any_stop |= pa->stops->len > 0;
        any_promote |= pa->promote != NULL;
        any_demote |= pa->demote != NULL;
        /* a stop waiting on one that cannot run: the group's stop still
         * begins, its stopped never comes */
        const herd_decision_t *d = decision_for(b, ((herd_placement_t *) members->pdata[i])->name);
        stop_waits |= d && d->kind == HERD_DECISION_STOP && d->blocked && d->reason;
    }
    if (any_promote) {
        out->promote = coll_op(b, name, "promote", group, R_GRP_PROMOTE, cfg);
        out->promoted = coll_op(b, name, "promoted", group, R_GRP_PROMOTED, cfg);
    }
    if (any_demote) {
        out->demote = coll_op(b, name, "demote", group, R_GRP_DEMOTE, cfg);
        out->demoted = coll_op(b, name, "demoted", group, R_GRP_DEMOTED, cfg);
    }
    prim_acts_t *prevp = NULL;
    for (guint i = 0; i < members->len; i++) {
        prim_acts_t *pa = pa_of(b, ((herd_placement_t *) members->pdata[i])->name);
        gb_order(b, out->promote, pa->promote);
        gb_order(b, pa->promote, out->promoted);
        gb_order(b, out->demote, pa->demote);
        gb_order(b, pa->demote, out->demoted);
        if (prevp && ordered)
            gb_order(b, prevp->promote, pa->promote);
        prevp = pa;
    }
    if (any_stop) {
        out->stop = coll_op(b, name, "stop", group, R_GRP_STOP, cfg);
        out->stopped = coll_op(b, name, "stopped", group, R_GRP_STOPPED, cfg);
        gb_order(b, out->stop, out->stopped);
    } else if (stop_waits) {
        out->stop = coll_op(b, name, "stop", group, R_GRP_STOP, cfg);
    }
    if (any_start) {
        out->start = coll_op(b, name, "start", group, R_GRP_START, cfg);
        out->running = coll_op(b, name, "running", group, R_GRP_RUNNING, cfg);
        gb_order(b, out->start, out->running);
        gb_order(b, out->stopped, out->start);
    }
    prim_acts_t *prev = NULL;
    for (guint i = 0; i < members->len; i++) {
        const herd_placement_t *p = members->pdata[i];
        prim_acts_t *pa = pa_of(b, p->name);
        if (!ordered)
            prev = NULL;
        if (pa->start) {
            gb_order(b, out->start, pa->start);
            gb_order(b, pa->start, out->running);
            if (prev && prev->start) {
                gb_order(b, prev->start, pa->start);
                /* a migrating member migrates after the one before it */
                gb_order(b, prev->migrate_from ? prev->migrate_from : prev->start, pa->migrate_to);
            }
        }
        for (guint k = 0; k < pa->stops->len; k++) {
            gb_order(b, out->stop, pa->stops->pdata[k]);
            fence_before(b, pa->stops->pdata[k], out->stop);
            gb_order(b, pa->stops->pdata[k], out->stopped);
            if (prev)
                for (guint j = 0; j < prev->stops->len; j++)
                    gb_order(b, pa->stops->pdata[k], prev->stops->pdata[j]);
        }
        prev = pa;
    }
    /* the members' probes come before the group's stop is complete, and
     * before the stops of their neighbours */
    for (guint i = 0; i < members->len; i++) {
        prim_acts_t *pa = pa_of(b, ((herd_placement_t *) members->pdata[i])->name);
        for (guint k = 0; k < pa->probes->len; k++) {
            gb_order(b, pa->probes->pdata[k], out->stopped);
            for (int d = -1; d <= 1; d += 2) {
                int j = (int) i + d;
                if (j < 0 || j >= (int) members->len)
                    continue;
                prim_acts_t *qa = pa_of(b, ((herd_placement_t *) members->pdata[j])->name);
                for (guint m = 0; m < qa->stops->len; m++)
                    gb_order(b, pa->probes->pdata[k], qa->stops->pdata[m]);
            }
        }
    }
}

/* an instance of a clone: a primitive or a group instance */
typedef struct {
    const char *name;
    GPtrArray *prims;        /* placements */
    coll_acts_t ga;          /* group instance pseudo actions */
    bool is_group;
} inst_t;

static const char *const phase_task[] = {"demote", "promote", "stop", "start"};
static const char *const phase_done[] = {"demoted", "promoted", "stopped", "running"};

static bool node_fenced(gb_t *b, const char *node)
{
    return g_hash_table_contains(b->fenced_nodes, node);
}

/* an instance's notification of a phase on a node */
static herd_action_t *notify_op(gb_t *b, const herd_placement_t *p, const char *node, bool pre,
                                int phase)
{
    g_autofree char *key = g_strdup_printf("%s_%s_notify_%s_0", p->name, pre ? "pre" : "post",
                                           phase_task[phase]);
    herd_action_t *a = gb_find(b, key, node);
    if (a)
        return a;
    int group = GPOINTER_TO_INT(g_hash_table_lookup(b->group_of_prim, p->name));
    /* later phases first, post before pre (Pacemaker's creation order,
     * reversed) */
    a = gb_action(b, HERD_ACTION_RSC, key, "notify", node, group, phase * 2 + (pre ? 1 : 0));
    const char *kn;
    name_action(b, a, p, node, &kn);
    if (strcmp(kn, a->rsc))
        a->key = gsf(b, "%s_%s_notify_%s_0", kn, pre ? "pre" : "post", phase_task[phase]);
    a->cfg = p->cfg;
    a->klass = gs(b, p->cfg->klass);
    a->provider = gs(b, p->cfg->provider);
    a->type = gs(b, p->cfg->type);
    a->timeout_ms = op_timeout(b, p->cfg, "notify", 0);
    a->params = g_hash_table_ref(p->cfg->params);
    a->reason = gsf(b, "%s-%s notification of the clone", pre ? "pre" : "post",
                                phase_task[phase]);
    meta_set(a, "notify_type", g_strdup(pre ? "pre" : "post"));
    meta_set(a, "notify_operation", g_strdup(phase_task[phase]));
    return a;
}

/* Clone notifications (notify=true): for each phase with instance actions,
 * pre and post notifications of the instances around the clone's action. */
static void build_notifications(gb_t *b, const herd_cib_rsc_t *c, int group, GPtrArray *insts,
                                coll_acts_t *ca)
{
    herd_action_t *act[4] = {ca->demote, ca->promote, ca->stop, ca->start};
    herd_action_t *done[4] = {ca->demoted, ca->promoted, ca->stopped, ca->running};
    static const int order[] = {PH_DEMOTE, PH_STOP, PH_START, PH_PROMOTE};
    herd_action_t *cpost_prev[4] = {0};
    int nprev = 0;
    for (int oi = 0; oi < 4; oi++) {
        int ph = order[oi];
        if (!act[ph])
            continue;
        g_autofree char *pre_n = g_strdup_printf("pre_notify_%s", phase_task[ph]);
        g_autofree char *cpre_n = g_strdup_printf("confirmed-pre_notify_%s", phase_task[ph]);
        g_autofree char *post_n = g_strdup_printf("post_notify_%s", phase_done[ph]);
        g_autofree char *cpost_n = g_strdup_printf("confirmed-post_notify_%s", phase_done[ph]);
        herd_action_t *pre = coll_op(b, c->id, pre_n, group, R_CL(ph, SUB_PRE), c);
        herd_action_t *cpre = coll_op(b, c->id, cpre_n, group, R_CL(ph, SUB_CPRE), c);
        herd_action_t *post = coll_op(b, c->id, post_n, group, R_CL(ph, SUB_POST), c);
        herd_action_t *cpost = coll_op(b, c->id, cpost_n, group, R_CL(ph, SUB_CPOST), c);
        meta_set(pre, "notify_type", g_strdup("pre"));
        meta_set(post, "notify_type", g_strdup("post"));
        gb_order(b, pre, cpre);
        gb_order(b, cpre, act[ph]);
        gb_order(b, done[ph], post);
        gb_order(b, cpre, post);
        gb_order(b, post, cpost);
        for (int k = 0; k < nprev; k++)
            gb_order(b, cpost_prev[k], pre);
        if (ph == PH_START || ph == PH_PROMOTE)
            for (guint i = 0; i < insts->len; i++) {
                inst_t *in = insts->pdata[i];
                for (guint k = 0; k < in->prims->len; k++) {
                    prim_acts_t *pa = pa_of(b, ((herd_placement_t *) in->prims->pdata[k])->name);
                    for (guint j = 0; j < pa->monitors->len; j++)
                        gb_order(b, cpost, pa->monitors->pdata[j]);
                }
            }
        cpost_prev[nprev++] = cpost;
        ca->cpost[ph] = cpost;
        for (guint i = 0; i < insts->len; i++) {
            inst_t *in = insts->pdata[i];
            for (guint k = 0; k < in->prims->len; k++) {
                const herd_placement_t *p = in->prims->pdata[k];
                prim_acts_t *pa = pa_of(b, p->name);
                if (!p->managed)
                    continue;
                if (ph == PH_STOP || ph == PH_DEMOTE) {
                    if (!p->current->len)
                        continue;
                    const char *node = p->current->pdata[0];
                    if (node_fenced(b, node))
                        continue;
                    herd_action_t *n = notify_op(b, p, node, true, ph);
                    gb_order(b, pre, n);
                    gb_order(b, n, cpre);
                    if (ph == PH_DEMOTE || !pa->stops->len) {
                        n = notify_op(b, p, node, false, ph);
                        gb_order(b, post, n);
                        gb_order(b, n, cpost);
                    }
                } else {
                    if (!p->next || node_fenced(b, p->next))
                        continue;
                    if (ph == PH_START && b->force_start)
                        continue;   /* no instance starts: nothing to tell */
                    if (ph != PH_START || !pa->start) {
                        herd_action_t *n = notify_op(b, p, p->next, true, ph);
                        gb_order(b, pre, n);
                        gb_order(b, n, cpre);
                    }
                    herd_action_t *n = notify_op(b, p, p->next, false, ph);
                    gb_order(b, post, n);
                    gb_order(b, n, cpost);
                }
            }
        }
    }
}

/* Is clone c the first (start) of an order that needs only some of its
 * instances (require-all=false, or clone-min set)? */
static bool clone_feeds_one_or_more(gb_t *b, const herd_cib_rsc_t *c)
{
    const char *cmin = herd_cib_rsc_meta(c, "clone-min");
    for (guint i = 0; i < b->cib->orders->len; i++) {
        const herd_order_t *o = b->cib->orders->pdata[i];
        if (o->sets || !o->first || strcmp(o->first, c->id) != 0)
            continue;
        if (o->first_action && strcmp(o->first_action, "start") != 0)
            continue;
        if (!o->require_all || (cmin && atoi(cmin) > 0))
            return true;
    }
    return false;
}

static void build_clone(gb_t *b, const herd_cib_rsc_t *c, int group, GPtrArray *insts)
{
    coll_acts_t ca = {0};
    bool any_start = b->force_start, any_stop = false, any_promote = false, any_demote = false;
    for (guint i = 0; i < insts->len; i++) {
        inst_t *in = insts->pdata[i];
        for (guint k = 0; k < in->prims->len; k++) {
            prim_acts_t *pa = pa_of(b, ((herd_placement_t *) in->prims->pdata[k])->name);
            any_start |= pa->start != NULL;
            any_stop |= pa->stops->len > 0;
            any_promote |= pa->promote != NULL;
            any_demote |= pa->demote != NULL;
        }
    }
    if (any_demote) {
        ca.demote = coll_op(b, c->id, "demote", group, R_CL_DEMOTE, c);
        ca.demoted = coll_op(b, c->id, "demoted", group, R_CL_DEMOTED, c);
        gb_order(b, ca.demote, ca.demoted);
    }
    if (any_stop) {
        ca.stop = coll_op(b, c->id, "stop", group, R_CL_STOP, c);
        ca.stopped = coll_op(b, c->id, "stopped", group, R_CL_STOPPED, c);
        gb_order(b, ca.stop, ca.stopped);
        gb_order(b, ca.demoted, ca.stop);
    }
    if (!any_start && any_stop && clone_feeds_one_or_more(b, c)) {
        /* a clone ordered first with require-all=false or clone-min: its
         * start and running stay in the graph while some instance
         * remains active, even with none starting (fewer than clone-min
         * included: the corpus's cloned_stop_two) */
        bool left = false;
        for (guint i = 0; i < insts->len && !left; i++) {
            inst_t *in = insts->pdata[i];
            const herd_placement_t *p = in->prims->len ? in->prims->pdata[0] : NULL;
            left = p && p->next != NULL;
        }
        any_start = left;
    }
    if (any_start) {
        ca.start = coll_op(b, c->id, "start", group, R_CL_START, c);
        ca.running = coll_op(b, c->id, "running", group, R_CL_RUNNING, c);
        gb_order(b, ca.start, ca.running);
        gb_order(b, ca.stopped, ca.start);
        gb_order(b, ca.demoted, ca.start);
    }
    if (any_promote) {
        ca.promote = coll_op(b, c->id, "promote", group, R_CL_PROMOTE, c);
        ca.promoted = coll_op(b, c->id, "promoted", group, R_CL_PROMOTED, c);
        gb_order(b, ca.running, ca.promote);
        gb_order(b, ca.stopped, ca.promote);
        gb_order(b, ca.demoted, ca.promote);
    }
    for (guint i = 0; i < insts->len; i++) {
        inst_t *in = insts->pdata[i];
        if (in->is_group) {
            gb_order(b, ca.start, in->ga.start);
            gb_order(b, in->ga.running, ca.running);
            gb_order(b, ca.stop, in->ga.stop);
            gb_order(b, in->ga.stopped, ca.stopped);
            gb_order(b, ca.promote, in->ga.promote);
            gb_order(b, in->ga.promoted, ca.promoted);
            gb_order(b, ca.demote, in->ga.demote);
            gb_order(b, in->ga.demoted, ca.demoted);
        }
        for (guint k = 0; k < in->prims->len; k++) {
            prim_acts_t *pa = pa_of(b, ((herd_placement_t *) in->prims->pdata[k])->name);
            if (!in->is_group) {
                gb_order(b, ca.start, pa->start);
                gb_order(b, pa->start, ca.running);
                for (guint j = 0; j < pa->stops->len; j++) {
                    gb_order(b, ca.stop, pa->stops->pdata[j]);
                    fence_before(b, pa->stops->pdata[j], ca.stop);
                    gb_order(b, pa->stops->pdata[j], ca.stopped);
                }
            }
            if (!in->is_group) {
                gb_order(b, ca.promote, pa->promote);
                gb_order(b, pa->promote, ca.promoted);
                gb_order(b, ca.demote, pa->demote);
                gb_order(b, pa->demote, ca.demoted);
            }
            for (guint j = 0; j < pa->probes->len && !b->no_probe_edges; j++) {
                gb_order(b, pa->probes->pdata[j], ca.start);
                gb_order(b, pa->probes->pdata[j], ca.stopped);
            }
        }
    }
    if (c->notify && c->children->len == 1 &&
        ((herd_cib_rsc_t *) c->children->pdata[0])->kind == HERD_RSC_PRIMITIVE)
        build_notifications(b, c, group, insts, &ca);
    coll_acts_t *keep = g_new(coll_acts_t, 1);
    *keep = ca;
    g_hash_table_insert(b->coll, (gpointer) c->id, keep);
}

/* A bundle (see bundle.c): the pseudo actions of the child's implicit
 * clone around the child instances, and the bundle's own around its
 * containers and that clone. */
static void build_bundle(gb_t *b, const herd_cib_rsc_t *top, int tp)
{
    const herd_cib_rsc_t *bc = top->bundle_clone;
    g_autoptr(GPtrArray) kids = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) conts = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func((GDestroyNotify) g_ptr_array_unref);
    for (guint i = 0; i < b->res->placements->len; i++) {
        const herd_placement_t *p = b->res->placements->pdata[i];
        bool kid = bc && clone_of(p->cfg) == bc;
        bool cont = false;
        for (guint k = 0; top->bundle_containers && k < top->bundle_containers->len; k++)
            cont |= top->bundle_containers->pdata[k] == p->cfg;
        if (!kid && !cont)
            continue;
        inst_t *in = g_new0(inst_t, 1);
        in->name = p->name;
        in->prims = g_ptr_array_new();
        g_ptr_array_add(lists, in->prims);
        g_ptr_array_add(in->prims, (gpointer) p);
        g_ptr_array_add(kid ? kids : conts, in);
    }
    /* a child instance stopping because its container cannot run still
     * has its (unrunnable) start: the clone and the bundle get their start
     * and running pseudo actions */
    bool forced = false, blocked_start = false;
    for (guint i = 0; i < kids->len; i++) {
        const herd_placement_t *p = ((inst_t *) kids->pdata[i])->prims->pdata[0];
        prim_acts_t *pa = pa_of(b, p->name);
        const herd_decision_t *d = decision_for(b, p->name);
        blocked_start |= d && d->kind == HERD_DECISION_START && d->blocked;
        forced |= (p->current->len && !p->next && p->managed) || blocked_start;
        if (pa && pa->start)
            forced = false, i = kids->len;    /* real starts */
    }
    /* ... unless the bundle's own start cannot run (a container's start
     * blocked by an order): then nothing of it is shown */
    for (guint i = 0; i < conts->len; i++) {
        const herd_placement_t *p = ((inst_t *) conts->pdata[i])->prims->pdata[0];
        const herd_decision_t *d = decision_for(b, p->name);
        if (d && d->kind == HERD_DECISION_START && d->blocked)
            forced = false;
    }
    b->force_start = forced;
    if (bc)
        build_clone(b, bc, tp * 65536 + 65534, kids);
    b->force_start = false;
    b->no_probe_edges = true;
    build_clone(b, top, tp * 65536 + 65535, conts);
    b->no_probe_edges = false;
    coll_acts_t *ba = g_hash_table_lookup(b->coll, top->id);
    coll_acts_t *ca = bc ? g_hash_table_lookup(b->coll, bc->id) : NULL;
    if (!ba || !ca)
        return;
    int group = tp * 65536 + 65535;
    static const struct { const char *t, *done; int r, rd; } ph[] = {
        {"demote", "demoted", R_CL_DEMOTE, R_CL_DEMOTED},
        {"stop", "stopped", R_CL_STOP, R_CL_STOPPED},
        {"start", "running", R_CL_START, R_CL_RUNNING},
        {"promote", "promoted", R_CL_PROMOTE, R_CL_PROMOTED},
    };
    herd_action_t **bs[] = {&ba->demote, &ba->stop, &ba->start, &ba->promote};
    herd_action_t **bd[] = {&ba->demoted, &ba->stopped, &ba->running, &ba->promoted};
    herd_action_t *cs[] = {ca->demote, ca->stop, ca->start, ca->promote};
    herd_action_t *cd[] = {ca->demoted, ca->stopped, ca->running, ca->promoted};
    for (int k = 0; k < 4; k++) {
        if (!cs[k])
            continue;
        if (!*bd[k]) {
            /* (a notifying child whose instances only stop: Pacemaker
             * shows the bundle's running, not its start) */
            if (!(k == 2 && forced && bc->notify && !blocked_start))
                *bs[k] = coll_op(b, top->id, ph[k].t, group, ph[k].r, top);
            *bd[k] = coll_op(b, top->id, ph[k].done, group, ph[k].rd, top);
            gb_order(b, *bs[k], *bd[k]);
        }
        gb_order(b, *bs[k], cs[k]);
        gb_order(b, cd[k], *bd[k]);
    }
    gb_order(b, ba->stopped, ba->start);
    gb_order(b, ba->demoted, ba->stop);
    gb_order(b, ba->running, ba->promote);
    /* a replica's container starts before what runs in it, and before
     * its connection is probed or started */
    for (guint i = 0; i < conts->len; i++) {
        const herd_placement_t *p = ((inst_t *) conts->pdata[i])->prims->pdata[0];
        prim_acts_t *pa = pa_of(b, p->name);
        gb_order(b, pa ? pa->start : NULL, ca->running);
        const herd_cib_rsc_t *conn = p->cfg->replica >= 0 && top->bundle_conns &&
                                     (guint) p->cfg->replica < top->bundle_conns->len
                                         ? top->bundle_conns->pdata[p->cfg->replica] : NULL;
        prim_acts_t *na = conn ? pa_of(b, conn->id) : NULL;
        if (!pa || !na)
            continue;
        for (guint k = 0; k < na->probes->len; k++)
            gb_order(b, pa->start, na->probes->pdata[k]);
        gb_order(b, pa->start, na->start);
    }
}

/* ---- orders ----------------------------------------------------------- */

static const char *inverse_task(const char *t)
{
    if (!strcmp(t, "start"))
        return "stop";
    if (!strcmp(t, "stop"))
        return "start";
    if (!strcmp(t, "promote"))
        return "demote";
    if (!strcmp(t, "demote"))
        return "promote";
    return NULL;
}

/* A primitive's action for `task` (its first stop for "stop"), or NULL. */
static herd_action_t *prim_task(prim_acts_t *pa, const char *task)
{
    if (!pa)
        return NULL;
    if (!strcmp(task, "start"))
        return pa->start;
    if (!strcmp(task, "stop"))
        return pa->stops->len ? pa->stops->pdata[0] : NULL;
    if (!strcmp(task, "promote"))
        return pa->promote;
    if (!strcmp(task, "demote"))
        return pa->demote;
    return NULL;
}

/* The action standing for `task` of resource `id`: as the first of an
 * order a collective's completion (running, stopped, ...), as the then its
 * beginning. */
static herd_action_t *order_point(gb_t *b, const char *id, const char *task, bool first)
{
    const herd_cib_rsc_t *r = herd_cib_rsc(b->cib, id);
    if (!r)
        return NULL;
    if (r->kind == HERD_RSC_PRIMITIVE && !clone_of(r))
        return prim_task(pa_of(b, id), task);
    if (r->kind == HERD_RSC_GROUP && !clone_of(r)) {
        coll_acts_t *ga = g_hash_table_lookup(b->coll, r->id);
        if (!ga)
            return NULL;
        if (!strcmp(task, "start"))
            return first ? ga->running : ga->start;
        if (!strcmp(task, "stop"))
            return first ? ga->stopped : ga->stop;
        return NULL;
    }
    const herd_cib_rsc_t *c = clone_of(r);
    if (!c)
        return NULL;
    coll_acts_t *ca = g_hash_table_lookup(b->coll, c->id);
    if (!ca)
        return NULL;
    if (!strcmp(task, "start"))
        return first ? (ca->cpost[PH_START] ? ca->cpost[PH_START] : ca->running) : ca->start;
    if (!strcmp(task, "stop"))
        return first ? (ca->cpost[PH_STOP] ? ca->cpost[PH_STOP] : ca->stopped) : ca->stop;
    if (!strcmp(task, "promote"))
        return first ? (ca->cpost[PH_PROMOTE] ? ca->cpost[PH_PROMOTE] : ca->promoted)
                     : ca->promote;
    if (!strcmp(task, "demote"))
        return first ? (ca->cpost[PH_DEMOTE] ? ca->cpost[PH_DEMOTE] : ca->demoted) : ca->demote;
    return NULL;
}

/* Interleaved clones: each instance of the then waits for the instance of
 * the first on its own node.  False when this does not apply. */
static bool order_interleaved(gb_t *b, const char *first, const char *ft, const char *then,
                              const char *tt)
{
    const herd_cib_rsc_t *fr = herd_cib_rsc(b->cib, first), *tr = herd_cib_rsc(b->cib, then);
    if (!fr || !tr || fr->kind != HERD_RSC_CLONE || tr->kind != HERD_RSC_CLONE || !tr->interleave ||
        fr->children->len != 1 || tr->children->len != 1 ||
        ((herd_cib_rsc_t *) fr->children->pdata[0])->kind != HERD_RSC_PRIMITIVE ||
        ((herd_cib_rsc_t *) tr->children->pdata[0])->kind != HERD_RSC_PRIMITIVE)
        return false;
    bool up_f = !strcmp(ft, "start") || !strcmp(ft, "promote");
    for (guint i = 0; i < b->res->placements->len; i++) {
        const herd_placement_t *q = b->res->placements->pdata[i];
        if (q->cfg->parent != tr)
            continue;
        herd_action_t *ta = prim_task(pa_of(b, q->name), tt);
        const char *node = ta ? (ta->node ? ta->node : q->current->len ? q->current->pdata[0] : NULL)
                              : NULL;
        if (!node)
            continue;
        for (guint k = 0; k < b->res->placements->len; k++) {
            const herd_placement_t *p = b->res->placements->pdata[k];
            if (p->cfg->parent != fr)
                continue;
            bool there = up_f ? p->next && !strcmp(p->next, node) : node_in(p, node);
            if (there)
                gb_order(b, prim_task(pa_of(b, p->name), ft), ta);
        }
    }
    return true;
}

static void order_pair(gb_t *b, const char *first, const char *ft, const char *then, const char *tt)
{
    /* interleaved clones: per-node instance orderings, besides the clones' */
    order_interleaved(b, first, ft, then, tt);
    herd_action_t *f = order_point(b, first, ft, true);
    herd_action_t *t = order_point(b, then, tt, false);
    prim_acts_t *fa = !strcmp(ft, "stop") ? pa_of(b, first) : NULL;
    if (fa && fa->migrate_to)
        return;   /* a migrating resource's stop waits for its migration only */
    if (!strcmp(ft, "start") && !strcmp(tt, "start")) {
        /* the then's probes come before the first's stop */
        prim_acts_t *ta = pa_of(b, then);
        const herd_cib_rsc_t *fr = herd_cib_rsc(b->cib, first);
        herd_action_t *fs = order_point(b, first, "stop", false);
        if (ta && fr && fs && !clone_of(fr) && herd_cib_rsc(b->cib, then) &&
            !clone_of(herd_cib_rsc(b->cib, then)))
            for (guint k = 0; k < ta->probes->len; k++)
                gb_order(b, ta->probes->pdata[k], fs);
    }
    if (f && t) {
        gb_order(b, f, t);
        prim_acts_t *ta = !strcmp(tt, "start") ? pa_of(b, then) : NULL;
        if (ta && ta->migrate_to)
            gb_order(b, f, ta->migrate_to);   /* a migration counts as the start */
        if (!t->reason)
            t->reason = gsf(b, "ordered after %s %s", ft, first);
    }
}

/* A "one or more" pseudo action: complete when any of the starts of a
 * clone's instances (or of a set's resources) is; NULL when none starts. */
static herd_action_t *one_or_more(gb_t *b, const char *name, const herd_cib_rsc_t *clone,
                                  GPtrArray *rsc_ids, herd_action_t *then)
{
    g_autoptr(GPtrArray) starts = g_ptr_array_new();
    for (guint i = 0; i < b->res->placements->len; i++) {
        const herd_placement_t *p = b->res->placements->pdata[i];
        bool in = false;
        if (clone)
            in = clone_of(p->cfg) == clone;
        for (guint k = 0; rsc_ids && k < rsc_ids->len && !in; k++)
            in = !strcmp(p->cfg->id, rsc_ids->pdata[k]);
        prim_acts_t *pa = in ? pa_of(b, p->name) : NULL;
        if (pa && pa->start)
            g_ptr_array_add(starts, pa->start);
    }
    if (!starts->len)
        return NULL;
    if (clone) {
        /* with clone-min, fewer instances active after cannot run it */
        const char *cmin = herd_cib_rsc_meta(clone, "clone-min");
        int need = cmin ? atoi(cmin) : 0, have = 0;
        const herd_cib_rsc_t *child = clone->children->len ? clone->children->pdata[0] : NULL;
        if (child && child->kind == HERD_RSC_GROUP && child->children->len)
            child = child->children->pdata[0];
        for (guint i = 0; need > 0 && child && i < b->res->placements->len; i++) {
            const herd_placement_t *p = b->res->placements->pdata[i];
            have += p->cfg == child && p->next != NULL;
        }
        if (have < need)
            return NULL;
    }
    herd_action_t *a = gb_action(b, HERD_ACTION_PSEUDO, name, "one-or-more", NULL, (1 << 28) - 1, 0);
    a->reason = gs(b, "one of the resources before it started");
    for (guint i = 0; i < starts->len; i++)
        gb_order(b, starts->pdata[i], a);
    gb_order(b, a, then);
    /* it completes when any input does */
    meta_set(a, "require_any", g_strdup("true"));
    return a;
}

static void serialize_pair(gb_t *b, const char *first, const char *then)
{
    prim_acts_t *fa = pa_of(b, first);
    prim_acts_t *ta = pa_of(b, then);
    if (fa && ta && fa->stop_any)
        gb_order(b, fa->stop_any, ta->migrate_to ? ta->migrate_to : ta->start);
}

/* resources an order names: the resource, or every primitive made from
 * a template */
static GPtrArray *order_targets(gb_t *b, const char *id)
{
    GPtrArray *l = g_ptr_array_new();
    if (!herd_cib_rsc(b->cib, id)) {
        for (guint i = 0; i < b->cib->all_rscs->len; i++) {
            const herd_cib_rsc_t *r = b->cib->all_rscs->pdata[i];
            if (r->template_id && !strcmp(r->template_id, id))
                g_ptr_array_add(l, r->id);
        }
    } else {
        g_ptr_array_add(l, (gpointer) id);
    }
    return l;
}

static void apply_order(gb_t *b, const herd_order_t *o)
{
    if (o->kind == HERD_ORDER_SERIALIZE) {
        /* not at the same time: the then's start (or migration) waits for
         * the first's stop */
        if (o->first && o->then)
            serialize_pair(b, o->first, o->then);
        for (guint si = 0; o->sets && si < o->sets->len; si++) {
            const herd_rsc_set_t *st = o->sets->pdata[si];
            /* resources with nothing to do do not break the chain */
            const char *last = NULL;
            for (guint k = 0; st->sequential && k < st->rsc_ids->len; k++) {
                prim_acts_t *pa = pa_of(b, st->rsc_ids->pdata[k]);
                if (last)
                    serialize_pair(b, last, st->rsc_ids->pdata[k]);
                if (pa && pa->stop_any)
                    last = st->rsc_ids->pdata[k];
            }
        }
        return;
    }
    if (o->first && o->then && (!o->sets || !o->sets->len)) {
        g_autoptr(GPtrArray) fl = order_targets(b, o->first);
        g_autoptr(GPtrArray) tl = order_targets(b, o->then);
        if (fl->len != 1 || tl->len != 1 || strcmp(fl->pdata[0], o->first) ||
            strcmp(tl->pdata[0], o->then)) {
            for (guint i = 0; i < fl->len; i++)
                for (guint k = 0; k < tl->len; k++) {
                    herd_order_t one = *o;
                    one.first = fl->pdata[i];
                    one.then = tl->pdata[k];
                    apply_order(b, &one);
                }
            return;
        }
    }
    if (o->sets && o->sets->len) {
        /* sequential sets: each resource after the one before it, and each
         * set after the previous set */
        const herd_rsc_set_t *prev = NULL;
        for (guint si = 0; si < o->sets->len; si++) {
            const herd_rsc_set_t *st = o->sets->pdata[si];
            const char *act = st->action ? st->action : "start";
            if (st->sequential)
                for (guint k = 1; k < st->rsc_ids->len; k++) {
                    order_pair(b, st->rsc_ids->pdata[k - 1], act, st->rsc_ids->pdata[k], act);
                    if (o->symmetrical && inverse_task(act))
                        order_pair(b, st->rsc_ids->pdata[k], inverse_task(act),
                                   st->rsc_ids->pdata[k - 1], inverse_task(act));
                }
            if (prev && !prev->require_all && !prev->sequential) {
                /* any one of the previous set is enough */
                g_autofree char *name = g_strdup_printf("one-or-more:%s", prev->id);
                herd_action_t *pt = one_or_more(b, name, NULL, prev->rsc_ids, NULL);
                for (guint k = 0; pt && k < st->rsc_ids->len; k++)
                    gb_order(b, pt, order_point(b, st->rsc_ids->pdata[k], act, false));
            } else if (prev) {
                const char *pact = prev->action ? prev->action : "start";
                for (guint i = 0; i < prev->rsc_ids->len; i++)
                    for (guint k = 0; k < st->rsc_ids->len; k++) {
                        order_pair(b, prev->rsc_ids->pdata[i], pact, st->rsc_ids->pdata[k], act);
                        if (o->symmetrical && inverse_task(act) && inverse_task(pact))
                            order_pair(b, st->rsc_ids->pdata[k], inverse_task(act),
                                       prev->rsc_ids->pdata[i], inverse_task(pact));
                    }
            }
            prev = st;
        }
        return;
    }
    if (!o->first || !o->then)
        return;
    const char *ft = o->first_action ? o->first_action : "start";
    const char *tt = o->then_action ? o->then_action : ft;
    const herd_cib_rsc_t *fr = herd_cib_rsc(b->cib, o->first);
    const char *cmin = fr && fr->kind == HERD_RSC_CLONE ? herd_cib_rsc_meta(fr, "clone-min") : NULL;
    if (fr && fr->kind == HERD_RSC_CLONE && !strcmp(ft, "start") &&
        (!o->require_all || (cmin && atoi(cmin) > 0))) {
        /* the then waits for enough instances of the clone, not all */
        g_autofree char *name = g_strdup_printf("clone-one-or-more:%s", o->id);
        one_or_more(b, name, fr, NULL, order_point(b, o->then, tt, false));
    } else {
        order_pair(b, o->first, ft, o->then, tt);
    }
    if (o->symmetrical && inverse_task(ft) && inverse_task(tt))
        order_pair(b, o->then, inverse_task(tt), o->first, inverse_task(ft));
}

/* Whether the history on a node is checked against the configuration:
 * the node can run resources (online, clean, not shutting down, not in
 * standby or maintenance). */
static bool node_runs_resources(const herd_node_state_t *ns)
{
    return ns->online && !ns->unclean && !ns->fenced_now && !ns->shutdown && !ns->standby &&
           !ns->maintenance;
}

/* A "delete" action that makes the executor forget resource history `h`
 * on `node` (its agent as the history recorded it), with its reason. */
static herd_action_t *history_delete(gb_t *b, const char *key, const herd_rsc_history_t *h,
                                     const char *node, int group, int prio, const char *reason)
{
    herd_action_t *a = gb_action(b, HERD_ACTION_RSC, key, "delete", node, group, prio);
    a->rsc = gs(b, h->rsc_id);
    a->rsc_id = a->rsc;
    a->label = a->rsc;
    a->klass = gs(b, h->klass);
    a->provider = gs(b, h->provider);
    a->type = gs(b, h->type);
    a->timeout_ms = 20000;
    a->reason = gs(b, reason);
    return a;
}

/* ---- the whole graph --------------------------------------------------- */

static gint synapse_cmp(gconstpointer x, gconstpointer y)
{
    const herd_action_t *a = *(herd_action_t *const *) x, *b = *(herd_action_t *const *) y;
    if (a->sort_group != b->sort_group)
        return a->sort_group < b->sort_group ? -1 : 1;
    if (a->sort_rank != b->sort_rank)
        return a->sort_rank < b->sort_rank ? -1 : 1;
    /* later-created first (as Pacemaker's prepended action lists) */
    return a->seq > b->seq ? -1 : a->seq < b->seq;
}

static void gb_clear(gb_t *b)
{
    g_hash_table_destroy(b->index);
    g_hash_table_destroy(b->edges);
    g_hash_table_destroy(b->hist_exact);
    g_hash_table_destroy(b->hist_base);
    g_hash_table_destroy(b->decision_by_rsc);
    g_hash_table_destroy(b->prim_acts);
    g_hash_table_destroy(b->group_of_prim);
    g_hash_table_destroy(b->coll);
    g_hash_table_destroy(b->anon_probe);
    g_hash_table_destroy(b->no_discovery);
    g_hash_table_destroy(b->fenced_nodes);
    g_hash_table_destroy(b->inactive_name);
    g_hash_table_destroy(b->hist_ids);
}

static void choose_anon_probes(gb_t *b)
{
    /* per anonymous clone primitive and node: the instance that runs or
     * will run there (or was placed there before an order blocked it),
     * else the clone's first instance */
    for (guint n = 0; n < b->res->nodes->len; n++) {
        const herd_node_state_t *ns = b->res->nodes->pdata[n];
        const char *node = ns->cfg->uname;
        for (int pass = 0; pass < 2; pass++)
            for (guint i = 0; i < b->res->placements->len; i++) {
                const herd_placement_t *p = b->res->placements->pdata[i];
                const herd_cib_rsc_t *cl = clone_of(p->cfg);
                if (!cl || cl->unique)
                    continue;
                g_autofree char *k = g_strdup_printf("%s@%s", p->cfg->id, node);
                if (g_hash_table_contains(b->anon_probe, k))
                    continue;
                bool mine = (p->next && !strcmp(p->next, node)) || node_in(p, node) ||
                            (p->assigned && !strcmp(p->assigned, node));
                if (pass == 1 || mine)
                    g_hash_table_insert(b->anon_probe, g_steal_pointer(&k), p->name);
            }
    }
}

/* Build the graph; see herd_sched.h. */
herd_graph_t *herd_graph_build(const herd_cib_t *cib, const herd_sched_result_t *res)
{
    gb_t b = {0};
    b.cib = cib;
    b.res = res;
    b.g = g_new0(herd_graph_t, 1);
    b.g->actions = g_ptr_array_new_with_free_func((GDestroyNotify) action_free);
    b.g->strings = g_string_chunk_new(4096);
    b.index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.edges = g_hash_table_new(g_direct_hash, g_direct_equal);
    b.hist_exact = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.hist_base = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
    b.decision_by_rsc = g_hash_table_new(g_str_hash, g_str_equal);
    b.prim_acts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) prim_acts_free);
    b.group_of_prim = g_hash_table_new(g_str_hash, g_str_equal);
    b.coll = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    b.anon_probe = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.no_discovery = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) g_hash_table_unref);
    b.fenced_nodes = g_hash_table_new(g_str_hash, g_str_equal);
    b.inactive_name = g_hash_table_new(g_str_hash, g_str_equal);
    b.hist_ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < cib->histories->len; i++)
        g_hash_table_add(b.hist_ids, ((herd_rsc_history_t *) cib->histories->pdata[i])->rsc_id);

    for (guint i = 0; i < cib->histories->len; i++) {
        const herd_rsc_history_t *h = cib->histories->pdata[i];
        g_hash_table_insert(b.hist_exact, hist_key(h->node, h->rsc_id), (gpointer) h);
        /* "rsc:3" is also found under "rsc" (anonymous clone instances) */
        const char *c = strrchr(h->rsc_id, ':');
        bool digits = c && c[1];
        for (const char *d = c ? c + 1 : NULL; digits && *d; d++)
            digits = g_ascii_isdigit(*d);
        g_autofree char *base = digits ? g_strndup(h->rsc_id, (gsize) (c - h->rsc_id))
                                       : g_strdup(h->rsc_id);
        char *bk = hist_key(h->node, base);
        GPtrArray *l = g_hash_table_lookup(b.hist_base, bk);
        if (!l) {
            l = g_ptr_array_new();
            g_hash_table_insert(b.hist_base, bk, l);
        } else {
            g_free(bk);
        }
        g_ptr_array_add(l, (gpointer) h);
    }
    for (guint i = 0; i < cib->locations->len; i++) {
        const herd_location_t *l = cib->locations->pdata[i];
        if (!l->rsc || !l->node || !l->resource_discovery || strcmp(l->resource_discovery, "never"))
            continue;
        GHashTable *t = g_hash_table_lookup(b.no_discovery, l->rsc);
        if (!t) {
            t = g_hash_table_new(g_str_hash, g_str_equal);
            g_hash_table_insert(b.no_discovery, l->rsc, t);
        }
        g_hash_table_add(t, l->node);
        /* members of a group or clone inherit it */
        const herd_cib_rsc_t *r = herd_cib_rsc(cib, l->rsc);
        for (guint k = 0; r && k < cib->all_rscs->len; k++) {
            const herd_cib_rsc_t *q = cib->all_rscs->pdata[k];
            for (const herd_cib_rsc_t *a = q->parent; a; a = a->parent)
                if (a == r) {
                    GHashTable *u = g_hash_table_lookup(b.no_discovery, q->id);
                    if (!u) {
                        u = g_hash_table_new(g_str_hash, g_str_equal);
                        g_hash_table_insert(b.no_discovery, q->id, u);
                    }
                    g_hash_table_add(u, l->node);
                }
        }
    }

    /* fencing first: stops on fenced nodes follow it */
    int nonrsc = 1 << 28;
    herd_action_t *dc_fence = NULL;
    g_autoptr(GPtrArray) fences = g_ptr_array_new();
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        if (d->kind == HERD_DECISION_FENCE) {
            g_autofree char *key = g_strdup_printf("stonith-%s-%s", d->rsc, d->fence_action);
            const herd_cib_node_t *fn = herd_cib_node(cib, d->rsc);
            bool dc = fn && cib->dc_uuid && !strcmp(fn->id, cib->dc_uuid);
            /* the DC is fenced last; the others in reverse node order */
            herd_action_t *f = gb_action(&b, HERD_ACTION_FENCE, key, "stonith", d->rsc, nonrsc,
                                         dc ? 1 << 20 : fn ? -fn->index : -(int) i);
            if (dc)
                dc_fence = f;
            f->reason = gsf(&b, "fence %s: %s", d->rsc, d->fence_reason ? d->fence_reason : "");
            meta_set(f, "stonith_action", g_strdup(d->fence_action));
            if (d->fence_rsc)   /* a guest: done by recovering its container */
                meta_set(f, "guest", g_strdup("true"));
            g_hash_table_insert(b.fenced_nodes, f->node, f);
            if (!dc)
                g_ptr_array_add(fences, f);
        } else if (!g_hash_table_contains(b.decision_by_rsc, d->rsc)) {
            g_hash_table_insert(b.decision_by_rsc, d->rsc, (gpointer) d);
        }
    }

    /* fencing of the DC after the others; without concurrent fencing, one
     * after the other */
    g_ptr_array_sort(fences, synapse_cmp);
    for (guint i = 0; i < fences->len; i++) {
        /* serial fencing goes in node order */
        if (!cib->options.concurrent_fencing && i + 1 < fences->len)
            gb_order(&b, fences->pdata[i + 1], fences->pdata[i]);
        gb_order(&b, fences->pdata[i], dc_fence);
    }

    /* synapse groups: resources in display order */
    GHashTable *top_pos = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < res->rsc_order->len; i++)
        g_hash_table_insert(top_pos, res->rsc_order->pdata[i], GINT_TO_POINTER((int) i + 1));
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        int tp = GPOINTER_TO_INT(g_hash_table_lookup(top_pos, top_of(p->cfg)));
        if (!tp)
            tp = (int) res->rsc_order->len + 1 + (int) i;
        int inst = inst_of(p->name);
        const herd_cib_rsc_t *cl = clone_of(p->cfg);
        int group = tp * 65536 + (cl && inst >= 0 ? inst + 1 : 0) * 64;
        if (p->cfg->bundle_of) {
            /* a bundle replica by replica: the child instance, then the
             * address, container and connection it runs behind */
            bool kid = !p->cfg->implicit;
            int rep = kid ? inst : p->cfg->replica;
            int part = kid ? 0 : p->cfg->remote_node ? 3 : p->cfg->guest_node ? 2
                     : !strcmp(p->cfg->type ? p->cfg->type : "", "IPaddr2") ? 1 : 2;
            group = tp * 65536 + (rep + 1) * 64 + part;
        }
        const herd_cib_rsc_t *gr = group_of(p->cfg);
        if (gr) {
            int pos = 0;
            for (guint k = 0; k < gr->children->len; k++)
                if (gr->children->pdata[k] == p->cfg)
                    pos = (int) k;
            group += pos + 1;
        }
        g_hash_table_insert(b.group_of_prim, p->name, GINT_TO_POINTER(group));
    }
    choose_anon_probes(&b);
    map_inactive_histories(&b);
    for (guint i = 0; i < res->placements->len; i++)
        build_prim(&b, res->placements->pdata[i]);

    /* groups and clones */
    GPtrArray *seen = g_ptr_array_new();
    for (guint ti = 0; ti < res->rsc_order->len; ti++) {
        const herd_cib_rsc_t *top = res->rsc_order->pdata[ti];
        int tp = (int) ti + 1;
        if (top->kind == HERD_RSC_GROUP) {
            g_autoptr(GPtrArray) members = g_ptr_array_new();
            for (guint i = 0; i < res->placements->len; i++) {
                const herd_placement_t *p = res->placements->pdata[i];
                if (p->cfg->parent == top)
                    g_ptr_array_add(members, (gpointer) p);
            }
            coll_acts_t *ga = g_new(coll_acts_t, 1);
            build_group(&b, top->id, top, members, tp * 65536, ga);
            g_hash_table_insert(b.coll, (gpointer) top->id, ga);
        } else if (top->kind == HERD_RSC_CLONE && top->children->len == 1) {
            const herd_cib_rsc_t *child = top->children->pdata[0];
            GPtrArray *insts = g_ptr_array_new_with_free_func(g_free);
            GHashTable *by_inst = g_hash_table_new(g_direct_hash, g_direct_equal);
            GPtrArray *lists = g_ptr_array_new_with_free_func((GDestroyNotify) g_ptr_array_unref);
            for (guint i = 0; i < res->placements->len; i++) {
                const herd_placement_t *p = res->placements->pdata[i];
                if (clone_of(p->cfg) != top)
                    continue;
                int n = inst_of(p->name);
                inst_t *in = g_hash_table_lookup(by_inst, GINT_TO_POINTER(n + 1));
                if (!in) {
                    in = g_new0(inst_t, 1);
                    in->prims = g_ptr_array_new();
                    g_ptr_array_add(lists, in->prims);
                    in->is_group = child->kind == HERD_RSC_GROUP;
                    g_hash_table_insert(by_inst, GINT_TO_POINTER(n + 1), in);
                    g_ptr_array_add(insts, in);
                }
                g_ptr_array_add(in->prims, (gpointer) p);
            }
            for (guint i = 0; i < insts->len; i++) {
                inst_t *in = insts->pdata[i];
                if (in->is_group) {
                    const herd_placement_t *p0 = in->prims->pdata[0];
                    g_autofree char *gname = g_strdup_printf("%s:%d", child->id, inst_of(p0->name));
                    build_group(&b, gname, child, in->prims,
                                tp * 65536 + (inst_of(p0->name) + 1) * 64, &in->ga);
                }
            }
            build_clone(&b, top, tp * 65536 + 65535, insts);
            g_hash_table_destroy(by_inst);
            g_ptr_array_free(insts, TRUE);
            g_ptr_array_free(lists, TRUE);
        } else if (top->kind == HERD_RSC_BUNDLE) {
            build_bundle(&b, top, tp);
        }
    }
    g_ptr_array_free(seen, TRUE);
    g_hash_table_destroy(top_pos);

    /* probes come before the start of what they probe */
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        prim_acts_t *pa = pa_of(&b, p->name);
        const herd_cib_rsc_t *cl = clone_of(p->cfg);
        if (cl)
            continue;
        for (guint k = 0; k < pa->probes->len; k++)
            gb_order(&b, pa->probes->pdata[k], pa->start);
    }

    for (guint i = 0; i < cib->orders->len; i++)
        apply_order(&b, cib->orders->pdata[i]);

    /* orphans (history of resources no longer configured): stopped, then
     * their history deleted */
    g_autoptr(GHashTable) orphan_cleared = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        if (d->kind != HERD_DECISION_STOP || !d->from || g_hash_table_contains(b.prim_acts, d->rsc))
            continue;
        const herd_rsc_history_t *h = hist_exact(&b, d->from, d->rsc);
        int group = (int) (res->rsc_order->len + res->placements->len + 2 + i) * 65536;
        if (!g_hash_table_contains(orphan_cleared, d->rsc)) {
            g_hash_table_add(orphan_cleared, d->rsc);
            for (guint n = 0; n < res->nodes->len; n++) {
                const herd_node_state_t *ns = res->nodes->pdata[n];
                if (ns->online && !ns->fenced_now)
                    clear_failcount(&b, d->rsc, d->rsc, ns->cfg->uname, group, 20);
            }
        }
        herd_action_t *prev = NULL;
        for (int t = 0; t < 2; t++) {
            const char *task = t ? "delete" : "stop";
            g_autofree char *key = g_strdup_printf("%s_%s_0", d->rsc, task);
            herd_action_t *a = gb_action(&b, HERD_ACTION_RSC, key, task, d->from, group, 32 - 2 * t);
            a->rsc = gs(&b, d->rsc);
            a->rsc_id = a->rsc;
            a->label = a->rsc;
            if (h) {
                a->klass = gs(&b, h->klass);
                a->provider = gs(&b, h->provider);
                a->type = gs(&b, h->type);
            }
            a->timeout_ms = 20000;
            a->reason = gs(&b, t ? "the resource is no longer configured: forget it"
                                   : "the resource is no longer configured");
            if (b.fenced_nodes && g_hash_table_contains(b.fenced_nodes, d->from)) {
                if (t)
                    break;
                a->kind = HERD_ACTION_PSEUDO;
                gb_order(&b, g_hash_table_lookup(b.fenced_nodes, d->from), a);
            }
            gb_order(&b, prev, a);
            prev = a;
        }
    }

    /* the history of an orphan (a resource no longer configured, not an
     * anonymous clone's instance) is deleted on every online node that
     * has it, active there or not; after its stop there */
    guint orphan_n = 0;
    g_autoptr(GHashTable) orphan_group = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < cib->histories->len; i++) {
        const herd_rsc_history_t *h = cib->histories->pdata[i];
        if (g_hash_table_contains(b.prim_acts, h->rsc_id) || herd_cib_rsc(cib, h->rsc_id))
            continue;
        g_autofree char *base = g_strdup(h->rsc_id);
        char *colon = strrchr(base, ':');
        if (colon)
            *colon = 0;
        const herd_cib_rsc_t *br = colon ? herd_cib_rsc(cib, base) : NULL;
        if (br || g_hash_table_contains(b.prim_acts, base))
            continue;   /* an instance of a configured clone */
        const herd_node_state_t *ns = NULL;
        for (guint k = 0; k < res->nodes->len && !ns; k++)
            if (!strcmp(((herd_node_state_t *) res->nodes->pdata[k])->cfg->uname, h->node))
                ns = res->nodes->pdata[k];
        if (!ns || !node_runs_resources(ns))
            continue;
        g_autofree char *skey = g_strdup_printf("%s_stop_0", h->rsc_id);
        herd_action_t *stop = gb_find(&b, skey, h->node);
        g_autofree char *key = g_strdup_printf("%s_delete_0", h->rsc_id);
        if (gb_find(&b, key, h->node))
            continue;
        gpointer gp = g_hash_table_lookup(orphan_group, h->rsc_id);
        if (!gp) {
            gp = GINT_TO_POINTER((int) (res->rsc_order->len + res->placements->len + 2 +
                                        res->decisions->len + ++orphan_n) * 65536);
            g_hash_table_insert(orphan_group, h->rsc_id, gp);
        }
        herd_action_t *a = history_delete(&b, key, h, h->node,
                                          stop ? stop->sort_group : GPOINTER_TO_INT(gp), 30,
                                          "the resource is no longer configured: forget it");
        for (guint k = 0; k < res->nodes->len; k++)   /* after its stops anywhere */
            gb_order(&b, gb_find(&b, skey, ((herd_node_state_t *) res->nodes->pdata[k])->cfg->uname), a);
    }

    /* a history recorded with another agent (class, provider or type) is
     * deleted on its node (after the stop there, before the start), its
     * fail count cleared; not while the resource is failed */
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        if (p->failed || p->orphan || !g_hash_table_contains(b.prim_acts, p->name))
            continue;
        int group = GPOINTER_TO_INT(g_hash_table_lookup(b.group_of_prim, p->name));
        for (guint n = 0; n < res->nodes->len; n++) {
            const herd_node_state_t *ns = res->nodes->pdata[n];
            if (!node_runs_resources(ns))
                continue;
            const char *node = ns->cfg->uname;
            const herd_rsc_history_t *h = history_on(&b, p, node);
            if (!h || !sched_agent_changed(p->cfg, h))
                continue;
            g_autofree char *key = g_strdup_printf("%s_delete_0", h->rsc_id);
            if (gb_find(&b, key, node))
                continue;
            /* after the start and the probes, before the stop in synapse order; the stop
             * of the restart this forces is created while the status is
             * checked, before the resource's other actions */
            clear_failcount(&b, p->name, p->cfg->id, node, group, 37);
            herd_action_t *a = history_delete(&b, key, h, node, group, 37,
                                              "the resource's agent changed: forget its history");
            /* ordered by resource: after its stops anywhere, before its
             * start */
            prim_acts_t *pa = pa_of(&b, p->name);
            for (guint k = 0; k < pa->stops->len; k++) {
                herd_action_t *st = pa->stops->pdata[k];
                if (st->node && !strcmp(st->node, node) && st->kind == HERD_ACTION_RSC &&
                    st->sort_rank < 46)
                    st->sort_rank = 46;
                gb_order(&b, st, a);
            }
            gb_order(&b, a, pa->start);
        }
    }

    /* utilization placement: starts on a node wait for what stops there
     * (load_stopped_NODE) */
    if (cib->options.placement_strategy && strcmp(cib->options.placement_strategy, "default")) {
        /* created as the resources need them, in allocation order: where
         * each is, then the nodes it may go to (best score first, ties in
         * node order); then the other nodes */
        g_autoptr(GPtrArray) order = g_ptr_array_new();
        GHashTable *seen_n = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GPtrArray) pls = g_ptr_array_new();
        for (guint t = 0; t < res->rsc_order->len; t++) {
            const herd_cib_rsc_t *top = res->rsc_order->pdata[t];
            for (guint i = 0; i < res->placements->len; i++) {
                herd_placement_t *p = res->placements->pdata[i];
                if (p->top_id && !strcmp(p->top_id, top->id))
                    g_ptr_array_add(pls, p);
            }
        }
        for (guint i = 0; i < res->placements->len; i++)
            if (!g_ptr_array_find(pls, res->placements->pdata[i], NULL))
                g_ptr_array_add(pls, res->placements->pdata[i]);
        guint nn = res->nodes->len;
        g_autofree guint *idx = g_new(guint, nn ? nn : 1);
        for (guint i = 0; i <= pls->len; i++) {
            const herd_placement_t *p = i < pls->len ? pls->pdata[i] : NULL;
            guint cur = p ? p->current->len : 0;
            for (guint k = 0; k < nn; k++)
                idx[k] = k;
            if (p && p->scores)   /* stable: best score first */
                for (guint a = 1; a < nn; a++)
                    for (guint c = a; c > 0 && p->scores[idx[c]] > p->scores[idx[c - 1]]; c--) {
                        guint tmp = idx[c];
                        idx[c] = idx[c - 1];
                        idx[c - 1] = tmp;
                    }
            for (guint k = 0; k < 2 * nn; k++) {
                const char *node = ((herd_node_state_t *) res->nodes->pdata[k < nn ? k : idx[k - nn]])
                                       ->cfg->uname;
                bool here = false;
                for (guint c = 0; c < cur && k < nn && !here; c++)
                    here = !strcmp(p->current->pdata[c], node);
                if (k < nn && !here)
                    continue;   /* first where it is, in node order */
                if (node && !g_hash_table_contains(seen_n, node)) {
                    g_hash_table_add(seen_n, (gpointer) node);
                    g_ptr_array_add(order, (gpointer) node);
                }
            }
        }
        g_hash_table_destroy(seen_n);
        for (guint n = 0; n < order->len; n++) {
            const herd_node_state_t *ns = NULL;
            for (guint k = 0; k < res->nodes->len && !ns; k++)
                if (!strcmp(((herd_node_state_t *) res->nodes->pdata[k])->cfg->uname,
                            order->pdata[n]))
                    ns = res->nodes->pdata[k];
            if (!ns || !ns->online || ns->unclean || ns->fenced_now)
                continue;
            g_autofree char *key = g_strdup_printf("load_stopped_%s", ns->cfg->uname);
            herd_action_t *ls = gb_action(&b, HERD_ACTION_PSEUDO, key, "load_stopped", NULL,
                                          nonrsc - 2, 0);
            ls->reason = gs(&b, "utilization: what stops on the node frees its capacity");
            for (guint i = 0; i < b.g->actions->len; i++) {
                herd_action_t *a = b.g->actions->pdata[i];
                if (a->kind != HERD_ACTION_RSC || !a->node)
                    continue;
                if (!strcmp(a->task, "migrate_to")) {
                    const char *tgt = meta_get(a, "migrate_target");
                    if (tgt && !strcmp(tgt, ns->cfg->uname))
                        gb_order(&b, ls, a);
                    continue;
                }
                if (strcmp(a->node, ns->cfg->uname))
                    continue;
                if (!strcmp(a->task, "stop"))
                    gb_order(&b, a, ls);
                else if (!strcmp(a->task, "start") || !strcmp(a->task, "migrate_from"))
                    gb_order(&b, ls, a);
            }
        }
    }

    /* what runs on a remote or guest node waits for its connection to
     * start; what stops there goes before the connection stops */
    for (guint i = 0; i < b.g->actions->len; i++) {
        herd_action_t *a = b.g->actions->pdata[i];
        if (a->kind != HERD_ACTION_RSC || !a->node)
            continue;
        const herd_cib_node_t *nd = herd_cib_node(cib, a->node);
        if (!nd || nd->kind == HERD_NODE_MEMBER)
            continue;
        const char *cid = nd->kind == HERD_NODE_REMOTE && nd->container_id ? nd->container_id
                                                                             : nd->uname;
        prim_acts_t *ca = pa_of(&b, cid);
        if (!ca || (a->rsc && !strcmp(a->rsc, cid)))
            continue;
        if (!strcmp(a->task, "stop") || !strcmp(a->task, "demote")) {
            for (guint k = 0; k < ca->stops->len; k++)
                gb_order(&b, a, ca->stops->pdata[k]);
        } else {
            gb_order(&b, ca->start, a);
        }
    }

    /* resources that require fencing start only after the fencing */
    if (g_hash_table_size(b.fenced_nodes)) {
        for (guint i = 0; i < b.g->actions->len; i++) {
            herd_action_t *a = b.g->actions->pdata[i];
            if (a->kind != HERD_ACTION_FENCE)
                continue;
            for (guint k = 0; k < b.g->actions->len; k++) {
                herd_action_t *s = b.g->actions->pdata[k];
                if (s->kind == HERD_ACTION_RSC && !strcmp(s->task, "start") && s->cfg &&
                    !(s->cfg->klass && !strcmp(s->cfg->klass, "stonith"))) {
                    const char *req = herd_cib_rsc_meta(s->cfg, "requires");
                    if (!req || !strcmp(req, "fencing") || !strcmp(req, "unfencing"))
                        gb_order(&b, a, s);
                }
            }
        }
    }

    /* nodes shutting down: after every stop there */
    herd_action_t *dc_shutdown = NULL;
    g_autoptr(GPtrArray) shutdowns = g_ptr_array_new();
    for (guint n = 0; n < res->nodes->len; n++) {
        const herd_node_state_t *ns = res->nodes->pdata[n];
        if (!ns->shutdown || !ns->online || ns->fenced_now || ns->unclean)
            continue;
        if (ns->cfg->kind != HERD_NODE_MEMBER)
            continue;   /* a remote node goes down with its connection */
        g_autofree char *key = g_strdup_printf("do_shutdown-%s", ns->cfg->uname);
        herd_action_t *sd = gb_action(&b, HERD_ACTION_CLUSTER, key, "do_shutdown", ns->cfg->uname,
                                      nonrsc + 1, -(int) n);
        sd->reason = gs(&b, "the node is shutting down");
        if (cib->dc_uuid && !strcmp(ns->cfg->id, cib->dc_uuid))
            dc_shutdown = sd;
        else
            g_ptr_array_add(shutdowns, sd);
        for (guint i = 0; i < b.g->actions->len; i++) {
            herd_action_t *a = b.g->actions->pdata[i];
            if (a->kind == HERD_ACTION_RSC && a->node && !strcmp(a->node, ns->cfg->uname) &&
                !strcmp(a->task, "stop"))
                gb_order(&b, a, sd);
        }
    }

    /* the DC shuts down after the others */
    for (guint i = 0; dc_shutdown && i < shutdowns->len; i++)
        gb_order(&b, shutdowns->pdata[i], dc_shutdown);

    g_ptr_array_sort(b.g->actions, synapse_cmp);
    for (guint i = 0; i < b.g->actions->len; i++)
        ((herd_action_t *) b.g->actions->pdata[i])->id = (int) i;
    herd_graph_t *g = b.g;
    gb_clear(&b);
    return g;
}
