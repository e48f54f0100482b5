/* display.c: the cluster status as crm_mon / crm_simulate print it (node
 * list, resources by group, clone and bundle with their roles and flags),
 * shared by `herd simulate` and `herd status`.
 *
 * The text follows Pacemaker 2.1.5's crm_mon text output byte for byte;
 * the same content is also available as a JSON tree (display_status_json)
 * for `--output-as json|xml`.  Everything here is derived from the CIB model
 * and the scheduler's result; display-only facts (pending operations,
 * ignored failures, guest nodes) are computed here from the model. */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cli.h"
#include "herd_cib.h"
#include "herd_sched.h"

typedef struct {
    const herd_cib_t *cib;
    const herd_sched_result_t *res;
    bool revised;
    GHashTable *by_name;      /* placement name -> placement */
    GHashTable *node_state;   /* uname -> herd_node_state_t */
    GHashTable *active_count; /* uname -> GINT count of active primitives */
    GHashTable *guest_host;   /* guest node uname -> container resource id */
    GHashTable *remote_conn;  /* remote node uname -> connection resource id */
    GHashTable *bundle_host;  /* bundle replica node uname -> container id */
    GHashTable *bundle_index; /* bundle replica node uname -> bundle index + 1 */
    GHashTable *blocked_decision; /* resources whose transition is blocked */
    GHashTable *stopping;     /* resources the transition stops */
    GHashTable *history_at;   /* "node\x1frsc" and "node\x1fbase:" (an anonymous
                               * instance's id without its number) -> index + 1
                               * of the first such history */
} view_t;

typedef enum { NODE_MEMBER, NODE_REMOTE, NODE_GUEST, NODE_HIDDEN } node_class_t;

static const char *fence_reason(const view_t *v, const char *name);

/* ---- small helpers ---------------------------------------------------- */

static const herd_placement_t *pl_of(const view_t *v, const char *name)
{
    return g_hash_table_lookup(v->by_name, name);
}

static bool in_promotable(const herd_cib_rsc_t *r)
{
    for (; r; r = r->parent)
        if ((r->kind == HERD_RSC_CLONE || r->kind == HERD_RSC_BUNDLE) && r->promotable)
            return true;
    return false;
}

static const herd_cib_rsc_t *clone_above(const herd_cib_rsc_t *r)
{
    for (r = r->parent; r; r = r->parent)
        if (r->kind == HERD_RSC_CLONE)
            return r;
    return NULL;
}

static const char *meta_of(const herd_cib_rsc_t *r, const char *name)
{
    return herd_cib_rsc_meta(r, name);
}

static bool rsc_managed(const view_t *v, const herd_cib_rsc_t *r)
{
    if (v->cib->options.maintenance_mode)
        return false;
    if (!herd_cib_parse_bool(meta_of(r, "is-managed"), true))
        return false;
    if (herd_cib_parse_bool(meta_of(r, "maintenance"), false))
        return false;
    return true;
}

/* Pacemaker's "disabled": target-role Stopped, or Unpromoted in a
 * promotable clone. */
static bool rsc_disabled(const herd_cib_rsc_t *r)
{
    herd_role_t t = herd_role_parse(meta_of(r, "target-role"));
    if (!meta_of(r, "target-role"))
        return false;
    return t == HERD_ROLE_STOPPED || (t == HERD_ROLE_UNPROMOTED && in_promotable(r));
}

/* The nodes an instance is active on in this view (borrowed strings). */
/* Resources the transition cannot touch (unmanaged, or blocked after a
 * failure) stay where they are in the revised status. */
/* Managed, as Pacemaker shows it: resources on a node in maintenance are
 * left alone too. */
static bool inst_managed(const view_t *v, const herd_placement_t *p)
{
    if (!p->managed)
        return false;
    for (guint i = 0; i < p->current->len; i++) {
        const herd_node_state_t *n = g_hash_table_lookup(v->node_state, p->current->pdata[i]);
        if (n && n->maintenance)
            return false;
    }
    return true;
}

static bool inst_frozen(const view_t *v, const herd_placement_t *p)
{
    if (g_hash_table_contains(v->blocked_decision, p->name))
        return true;
    if (inst_managed(v, p) && !p->blocked)
        return false;
    /* fencing a node stops what ran there, managed or not */
    for (guint i = 0; i < p->current->len; i++) {
        const herd_node_state_t *n = g_hash_table_lookup(v->node_state, p->current->pdata[i]);
        if (n && n->fenced_now)
            return false;
    }
    return true;
}

static void inst_nodes(const view_t *v, const herd_placement_t *p, GPtrArray *out)
{
    if (v->revised && !inst_frozen(v, p)) {
        if (p->next && !g_hash_table_contains(v->stopping, p->name))
            g_ptr_array_add(out, p->next);
        return;
    }
    for (guint i = 0; i < p->current->len; i++)
        g_ptr_array_add(out, p->current->pdata[i]);
}

static bool inst_active(const view_t *v, const herd_placement_t *p)
{
    if (v->revised && !inst_frozen(v, p))
        return p->next != NULL && !g_hash_table_contains(v->stopping, p->name);
    return p->current->len > 0;
}

static herd_role_t inst_role(const view_t *v, const herd_placement_t *p)
{
    if (!inst_active(v, p))
        return HERD_ROLE_STOPPED;
    herd_role_t r = v->revised && !inst_frozen(v, p) ? p->next_role : p->current_role;
    if (r == HERD_ROLE_UNKNOWN || r == HERD_ROLE_STOPPED)
        r = HERD_ROLE_STARTED;
    if (r == HERD_ROLE_STARTED && in_promotable(p->cfg))
        r = HERD_ROLE_UNPROMOTED;
    if (r == HERD_ROLE_UNPROMOTED && !in_promotable(p->cfg))
        r = HERD_ROLE_STARTED;
    return r;
}

static bool inst_failed(const view_t *v, const herd_placement_t *p)
{
    if (!v->revised)
        return p->failed || p->demote_onfail;
    /* after the transition a failure stays only where nothing acted */
    return p->failed && inst_frozen(v, p);
}

/* The history of `p` on `node` (NULL when none). */
static guint history_index(const view_t *v, const char *node, const char *rsc, const char *suffix)
{
    g_autofree char *key = g_strconcat(node, "\x1f", rsc, suffix, NULL);
    return GPOINTER_TO_UINT(g_hash_table_lookup(v->history_at, key));
}

/* The first history on `node` that belongs to instance `p`: by its name,
 * its configured id, or (an anonymous clone's) any instance number. */
static const herd_rsc_history_t *history_of(const view_t *v, const herd_placement_t *p,
                                            const char *node)
{
    const herd_cib_rsc_t *cl = clone_above(p->cfg);
    guint found = history_index(v, node, p->name, "");
    guint by_id = history_index(v, node, p->cfg->id, "");
    if (by_id && (!found || by_id < found))
        found = by_id;
    if (cl && !cl->unique) {
        guint by_base = history_index(v, node, p->cfg->id, ":");
        if (by_base && (!found || by_base < found))
            found = by_base;
    }
    return found ? v->cib->histories->pdata[found - 1] : NULL;
}

/* A pending operation recorded last (current view only): its task. */
static const char *inst_pending(const view_t *v, const herd_placement_t *p, bool *recurring)
{
    *recurring = false;
    if (v->revised)
        return NULL;
    for (guint k = 0; k < p->current->len; k++) {
        const herd_rsc_history_t *h = history_of(v, p, p->current->pdata[k]);
        if (!h || !h->ops->len)
            continue;
        const herd_lrm_op_t *op = h->ops->pdata[h->ops->len - 1];
        if (op->op_status != -1 || !strcmp(op->operation, "notify"))
            continue;
        *recurring = op->interval_ms > 0;
        return op->operation;
    }
    return NULL;
}

/* Whether the last failed operation of `p` on `node` was `task`. */
static bool last_failure_is(const view_t *v, const herd_placement_t *p, const char *node,
                            const char *task)
{
    const herd_rsc_history_t *h = history_of(v, p, node);
    if (!h)
        return false;
    const herd_lrm_op_t *last = NULL;
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (op->op_status == -1 || op->call_id == -1 || op->op_status == 1)
            continue;
        int expected = op->target_rc >= 0 ? op->target_rc : 0;
        if (op->op_status != 0 || op->rc != expected)
            last = op;
    }
    return last && !strcmp(last->operation, task);
}

static bool inst_failure_ignored(const view_t *v, const herd_placement_t *p)
{
    for (guint k = 0; k < p->current->len; k++) {
        if (v->revised && !inst_frozen(v, p) && (!p->next || strcmp(p->next, p->current->pdata[k])))
            continue;
        const herd_rsc_history_t *h = history_of(v, p, p->current->pdata[k]);
        if (!h)
            continue;
        for (guint i = 0; i < h->ops->len; i++) {
            const herd_lrm_op_t *op = h->ops->pdata[i];
            if (op->op_status == -1 || op->call_id == -1)
                continue;
            int expected = op->target_rc >= 0 ? op->target_rc : 0;
            bool probe = !strcmp(op->operation, "monitor") && op->interval_ms == 0;
            if (op->op_status == 0 && (op->rc == expected || (probe && (op->rc == 7 || op->rc == 8))))
                continue;
            if (op->op_status == 1)
                continue;
            for (guint j = 0; j < p->cfg->ops->len; j++) {
                const herd_cib_op_t *c = p->cfg->ops->pdata[j];
                if (!strcmp(c->name, op->operation) && c->interval_ms == op->interval_ms &&
                    c->on_fail && !strcmp(c->on_fail, "ignore"))
                    return true;
            }
        }
    }
    return false;
}

static const herd_node_state_t *node_state(const view_t *v, const char *uname)
{
    return g_hash_table_lookup(v->node_state, uname);
}

static node_class_t node_class(const view_t *v, const herd_node_state_t *n)
{
    const char *name = n->cfg->uname;
    if (g_hash_table_contains(v->guest_host, name) || g_hash_table_contains(v->bundle_host, name))
        return NODE_GUEST;
    if (g_hash_table_contains(v->remote_conn, name))
        return NODE_REMOTE;
    if (n->cfg->kind == HERD_NODE_MEMBER)
        return NODE_MEMBER;
    if (n->cfg->configured)
        return NODE_REMOTE;
    /* a remote node_state with no connection resource: Pacemaker ignores it */
    return NODE_HIDDEN;
}

/* The next history of resource `id` from position *i on, on a node that is
 * online or unclean (what such a node recorded still counts), advancing *i
 * past it; NULL when there is none. */
static const herd_rsc_history_t *next_live_history(const view_t *v, const char *id, guint *i)
{
    while (*i < v->cib->histories->len) {
        const herd_rsc_history_t *h = v->cib->histories->pdata[(*i)++];
        if (strcmp(h->rsc_id, id))
            continue;
        const herd_node_state_t *ns = node_state(v, h->node);
        if (ns && (ns->online || ns->unclean))
            return h;
    }
    return NULL;
}

/* Whether a resource without a placement (a bundle's container) is active
 * somewhere by its history: the last completed operation decides. */
static bool history_active(const view_t *v, const char *id)
{
    guint i = 0;
    for (const herd_rsc_history_t *h; (h = next_live_history(v, id, &i));) {
        bool active = false;
        for (guint k = 0; k < h->ops->len; k++) {
            const herd_lrm_op_t *op = h->ops->pdata[k];
            if (op->op_status == -1 || op->call_id == -1) {
                if (!strcmp(op->operation, "start"))
                    active = true;
                continue;
            }
            if (!strcmp(op->operation, "stop"))
                active = op->rc != 0 || op->op_status != 0;
            else if (!strcmp(op->operation, "start") || !strcmp(op->operation, "migrate_from"))
                active = true;
            else if (!strcmp(op->operation, "monitor"))
                active = op->rc == 0 || op->rc == 8 || (op->interval_ms && op->rc != 7);
        }
        if (active)
            return true;
    }
    return false;
}

static void hist_eval_fwd(const herd_rsc_history_t *h, bool *active, bool *failed);

/* Whether resource `id` runs without a failure somewhere by its history
 * (a guest's implicit connection). */
static bool history_healthy(const view_t *v, const char *id)
{
    guint i = 0;
    for (const herd_rsc_history_t *h; (h = next_live_history(v, id, &i));) {
        bool active, failed;
        hist_eval_fwd(h, &active, &failed);
        if (active && !failed)
            return true;
    }
    return false;
}

/* Whether the status has any history of resource `id`. */
static bool history_known(const view_t *v, const char *id)
{
    for (guint i = 0; i < v->cib->histories->len; i++)
        if (!strcmp(((herd_rsc_history_t *) v->cib->histories->pdata[i])->rsc_id, id))
            return true;
    return false;
}

static bool node_online(const view_t *v, const herd_node_state_t *n)
{
    const char *name = n->cfg->uname;
    const char *host = g_hash_table_lookup(v->guest_host, name);
    if (host) {
        const herd_placement_t *p = pl_of(v, host);
        if (p) {
            if (!inst_active(v, p) || (v->revised && n->fenced_now) || (!v->revised && p->failed))
                return false;
            /* the guest's (implicit) connection must run as well */
            const herd_placement_t *conn = pl_of(v, name);
            if (conn)
                return inst_active(v, conn) && !inst_failed(v, conn);
            return v->revised || history_healthy(v, name) || !history_known(v, name);
        }
    }
    host = g_hash_table_lookup(v->bundle_host, name);
    if (host && v->revised) {
        /* after the transition: the scheduled container and connection */
        const herd_placement_t *pc = pl_of(v, host), *conn = pl_of(v, name);
        if (pc && conn)
            return !n->fenced_now && inst_active(v, pc) && inst_active(v, conn) &&
                   !inst_failed(v, conn);
    }
    if (host)
        return history_active(v, host) && (v->revised || history_healthy(v, name));
    if (v->revised && n->fenced_now)
        return false;
    if (!v->revised && !n->online && n->cfg->kind == HERD_NODE_MEMBER) {
        const char *why = fence_reason(v, name);
        if (why && !strcmp(why, "peer process is no longer available"))
            return true;
    }
    const char *conn = g_hash_table_lookup(v->remote_conn, name);
    if (conn) {
        const herd_placement_t *p = pl_of(v, conn);
        if (p)
            return inst_active(v, p) && !inst_failed(v, p);
    }
    return n->online;
}

/* The reason of a fencing decision for node `name` (NULL when none). */
static const char *fence_reason(const view_t *v, const char *name)
{
    for (guint i = 0; i < v->res->decisions->len; i++) {
        const herd_decision_t *d = v->res->decisions->pdata[i];
        if (d->kind == HERD_DECISION_FENCE && !strcmp(d->rsc, name) &&
            (!d->fence_action || strcmp(d->fence_action, "on")))
            return d->fence_reason ? d->fence_reason : "";
    }
    return NULL;
}

/* Fencing that Pacemaker decides while unpacking the status (the node
 * shows UNCLEAN in the current status), as opposed to later scheduling. */
static bool fenced_at_unpack(const view_t *v, const char *name)
{
    const char *why = fence_reason(v, name);
    return why && strcmp(why, "deadman ticket was lost") && strcmp(why, "required by fencing monitor");
}

static bool node_unclean(const view_t *v, const herd_node_state_t *n)
{
    if (v->revised)
        return n->unclean && !n->fenced_now;
    if (n->unclean)
        return true;
    if (n->cfg->kind == HERD_NODE_MEMBER && fenced_at_unpack(v, n->cfg->uname))
        return true;
    const char *conn = g_hash_table_lookup(v->remote_conn, n->cfg->uname);
    if (!conn)
        conn = g_hash_table_lookup(v->guest_host, n->cfg->uname);
    if (conn && n->fenced_now) {
        const herd_placement_t *p = pl_of(v, conn);
        return p && p->failed;
    }
    return false;
}

/* ---- primitives --------------------------------------------------------- */

static void add_flag(GString *s, bool *have, const char *flag)
{
    g_string_append(s, *have ? ", " : " (");
    g_string_append(s, flag);
    *have = true;
}

/* The text of one primitive instance, without indentation and bullet. */
static void prim_text(const view_t *v, const herd_placement_t *p, GString *s)
{
    const herd_cib_rsc_t *r = p->cfg;
    const herd_cib_rsc_t *cl = clone_above(r);
    const char *name = cl && !cl->unique ? r->id : p->name;
    g_string_append_printf(s, "%s\t(%s%s%s:%s):\t", name, r->klass ? r->klass : "unknown",
                           r->provider ? ":" : "", r->provider ? r->provider : "",
                           r->type ? r->type : "unknown");
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    inst_nodes(v, p, nodes);
    const char *node = nodes->len == 1 ? nodes->pdata[0] : NULL;
    herd_role_t role = inst_role(v, p);
    bool recurring;
    const char *pending = inst_pending(v, p, &recurring);
    if (p->orphan)
        g_string_append(s, " ORPHANED");
    if (inst_failed(v, p)) {
        g_string_append(s, " FAILED");
        /* a failed demote leaves the role unpromoted unless it blocks */
        if (node && last_failure_is(v, p, node, "demote") && (!v->revised || inst_frozen(v, p)))
            role = p->blocked ? HERD_ROLE_PROMOTED : HERD_ROLE_UNPROMOTED;
        if (role > HERD_ROLE_UNPROMOTED)
            g_string_append_printf(s, " %s", herd_role_name(role));
    } else {
        const char *state = NULL;
        if (pending && !recurring) {
            if (!strcmp(pending, "start"))
                state = "Starting";
            else if (!strcmp(pending, "stop"))
                state = "Stopping";
            else if (!strcmp(pending, "migrate_to") || !strcmp(pending, "migrate_from"))
                state = "Migrating";
            else if (!strcmp(pending, "promote"))
                state = "Promoting";
            else if (!strcmp(pending, "demote"))
                state = "Demoting";
        }
        g_string_append_printf(s, " %s", state ? state : herd_role_name(role));
    }
    if (node)
        g_string_append_printf(s, " %s", node);
    bool have = false;
    if (node) {
        const herd_node_state_t *ns = node_state(v, node);
        if (ns && !node_online(v, ns) && node_unclean(v, ns))
            add_flag(s, &have, "UNCLEAN");
    }
    if (pending && recurring && !strcmp(pending, "monitor"))
        add_flag(s, &have, "Monitoring");
    const char *tr = meta_of(r, "target-role");
    if (tr) {
        herd_role_t t = herd_role_parse(tr);
        if (t == HERD_ROLE_STOPPED) {
            add_flag(s, &have, "disabled");
        } else if (in_promotable(r) && t == HERD_ROLE_UNPROMOTED) {
            add_flag(s, &have, "target-role:");
            g_string_append(s, tr);
        }
    }
    if (p->blocked && (!v->revised || inst_frozen(v, p)))
        add_flag(s, &have, "blocked");
    else if (!inst_managed(v, p))
        add_flag(s, &have, "unmanaged");
    if (inst_failure_ignored(v, p))
        add_flag(s, &have, "failure ignored");
    if (have)
        g_string_append_c(s, ')');
    if (nodes->len > 1) {
        g_string_append(s, " [");
        for (guint i = 0; i < nodes->len; i++)
            g_string_append_printf(s, " %s", (char *) nodes->pdata[i]);
        g_string_append(s, " ]");
    }
}

static void print_prim(const view_t *v, FILE *out, int depth, const herd_placement_t *p)
{
    g_autoptr(GString) s = g_string_new(NULL);
    prim_text(v, p, s);
    fprintf(out, "%*s* %s\n", depth * 2, "", s->str);
}

/* ---- groups ------------------------------------------------------------- */

static void group_header(const view_t *v, FILE *out, int depth, const herd_cib_rsc_t *g,
                         const char *name)
{
    g_autoptr(GString) flags = g_string_new(NULL);
    if (!rsc_managed(v, g))
        g_string_append(flags, "unmanaged");
    if (rsc_disabled(g))
        g_string_append_printf(flags, "%sdisabled", flags->len ? ", " : "");
    if (flags->len)
        fprintf(out, "%*s* Resource Group: %s (%s):\n", depth * 2, "", name, flags->str);
    else
        fprintf(out, "%*s* Resource Group: %s:\n", depth * 2, "", name);
}

/* the member placements of group `g` (instance `inst` in a clone, or -1) */
static void group_members(const view_t *v, const herd_cib_rsc_t *g, int inst, GPtrArray *out)
{
    for (guint k = 0; k < g->children->len; k++) {
        const herd_cib_rsc_t *m = g->children->pdata[k];
        g_autofree char *nm = inst >= 0 ? g_strdup_printf("%s:%d", m->id, inst) : g_strdup(m->id);
        const herd_placement_t *p = pl_of(v, nm);
        if (p)
            g_ptr_array_add(out, (gpointer) p);
    }
}

static void print_group(const view_t *v, FILE *out, int depth, const herd_cib_rsc_t *g, int inst)
{
    g_autoptr(GPtrArray) ms = g_ptr_array_new();
    group_members(v, g, inst, ms);
    if (!ms->len)
        return;
    g_autofree char *name = inst >= 0 ? g_strdup_printf("%s:%d", g->id, inst) : g_strdup(g->id);
    group_header(v, out, depth, g, name);
    for (guint i = 0; i < ms->len; i++)
        print_prim(v, out, depth + 1, ms->pdata[i]);
}

/* ---- clones ------------------------------------------------------------- */

typedef struct {
    const view_t *v;
    FILE *out;
    const herd_cib_rsc_t *c;
    bool header_done;
} clone_ctx_t;

static void clone_header(clone_ctx_t *x)
{
    if (x->header_done)
        return;
    x->header_done = true;
    const herd_cib_rsc_t *c = x->c;
    const herd_cib_rsc_t *child = c->children->pdata[0];
    g_autoptr(GString) flags = g_string_new(NULL);
    if (c->promotable)
        g_string_append(flags, "promotable");
    if (c->unique)
        g_string_append_printf(flags, "%sunique", flags->len ? ", " : "");
    if (rsc_disabled(c))
        g_string_append_printf(flags, "%sdisabled", flags->len ? ", " : "");
    if (!rsc_managed(x->v, c))
        g_string_append_printf(flags, "%sunmanaged", flags->len ? ", " : "");
    if (flags->len)
        fprintf(x->out, "    * Clone Set: %s [%s] (%s):\n", c->id, child->id, flags->str);
    else
        fprintf(x->out, "    * Clone Set: %s [%s]:\n", c->id, child->id);
}

static gint node_idx_cmp(gconstpointer a, gconstpointer b)
{
    const herd_cib_node_t *x = *(herd_cib_node_t *const *) a;
    const herd_cib_node_t *y = *(herd_cib_node_t *const *) b;
    return x->index - y->index;
}

static void print_node_list_item(FILE *out, const char *label, GPtrArray *nodes)
{
    if (!nodes->len)
        return;
    g_ptr_array_sort(nodes, node_idx_cmp);
    fprintf(out, "      * %s: [", label);
    for (guint i = 0; i < nodes->len; i++)
        fprintf(out, " %s", ((herd_cib_node_t *) nodes->pdata[i])->uname);
    fprintf(out, " ]\n");
}

static node_class_t node_class(const view_t *v, const herd_node_state_t *n);
static bool node_online(const view_t *v, const herd_node_state_t *n);

/* In an asymmetric cluster a clone's "Stopped" list holds the nodes where
 * its instances have a history (after the transition: every online
 * cluster node, where the probes ran). */
static bool clone_known_on(const view_t *v, const herd_cib_rsc_t *c, const herd_node_state_t *n)
{
    if (v->revised && n->cfg->kind == HERD_NODE_MEMBER && node_online(v, n))
        return true;
    for (guint i = 0; i < v->cib->histories->len; i++) {
        const herd_rsc_history_t *h = v->cib->histories->pdata[i];
        if (strcmp(h->node, n->cfg->uname))
            continue;
        g_autofree char *base = g_strdup(h->rsc_id);
        char *colon = strrchr(base, ':');
        if (colon)
            *colon = 0;
        const herd_cib_rsc_t *r = herd_cib_rsc(v->cib, base);
        for (; r; r = r->parent)
            if (r == c)
                return true;
    }
    return false;
}

/* A clone's configured target-role: its own, else its child's. */
static const char *clone_configured_role(const herd_cib_rsc_t *c)
{
    const char *tr = meta_of(c, "target-role");
    if (!tr && c->children->len)
        tr = meta_of(c->children->pdata[0], "target-role");
    return tr;
}

static void print_clone(const view_t *v, FILE *out, const herd_cib_rsc_t *c)
{
    clone_ctx_t x = {v, out, c, false};
    const herd_cib_rsc_t *child = c->children->pdata[0];
    bool is_group = child->kind == HERD_RSC_GROUP;
    const herd_cib_rsc_t *first = is_group ? (child->children->len ? child->children->pdata[0] : NULL)
                                           : child;
    if (!first) {
        clone_header(&x);
        return;
    }
    g_autoptr(GPtrArray) promoted = g_ptr_array_new();
    g_autoptr(GPtrArray) started = g_ptr_array_new();
    GHashTable *on = g_hash_table_new(g_str_hash, g_str_equal);
    int active_instances = 0, instances = 0;
    for (int i = 0;; i++) {
        g_autofree char *nm = g_strdup_printf("%s:%d", first->id, i);
        if (!pl_of(v, nm))
            break;
        instances++;
        g_autoptr(GPtrArray) ms = g_ptr_array_new();
        if (is_group)
            group_members(v, child, i, ms);
        else
            g_ptr_array_add(ms, (gpointer) pl_of(v, nm));
        bool any = false, all = true, odd = false, pending = false;
        const char *loc = NULL;
        bool split = false;
        herd_role_t role = HERD_ROLE_STOPPED;
        for (guint k = 0; k < ms->len; k++) {
            const herd_placement_t *p = ms->pdata[k];
            g_autoptr(GPtrArray) nodes = g_ptr_array_new();
            inst_nodes(v, p, nodes);
            for (guint j = 0; j < nodes->len; j++)
                g_hash_table_add(on, nodes->pdata[j]);
            if (nodes->len) {
                any = true;
                if (nodes->len > 1 || (loc && strcmp(loc, nodes->pdata[0])))
                    split = true;
                loc = nodes->pdata[0];
                herd_role_t r = inst_role(v, p);
                if (r > role)
                    role = r;
            } else {
                all = false;
            }
            if (p->orphan || !inst_managed(v, p) || inst_failed(v, p))
                odd = true;
            bool rec;
            const char *pt = inst_pending(v, p, &rec);
            if (pt && !(rec == false && !strcmp(pt, "monitor")))
                pending = true;
        }
        bool full = false;
        if (c->unique) {
            full = true;
        } else if (pending) {
            full = true;
        } else if (!any) {
            /* stopped: listed by node below */
        } else if (odd) {
            full = true;
        } else if (all) {
            if (split || !loc) {
                full = true;
            } else {
                const herd_node_state_t *ns = node_state(v, loc);
                const herd_cib_node_t *nd = herd_cib_node(v->cib, loc);
                if (ns && !node_online(v, ns) && node_unclean(v, ns))
                    full = true;
                else if (nd)
                    g_ptr_array_add(role > HERD_ROLE_UNPROMOTED ? promoted : started, (gpointer) nd);
            }
        } else {
            full = true;
        }
        if (full) {
            clone_header(&x);
            if (is_group)
                print_group(v, out, 3, child, i);
            else
                print_prim(v, out, 3, ms->pdata[0]);
        }
    }
    if (promoted->len) {
        clone_header(&x);
        print_node_list_item(out, "Promoted", promoted);
    }
    if (started->len) {
        clone_header(&x);
        const char *tr = clone_configured_role(c);
        if (c->promotable && tr && herd_role_parse(tr) == HERD_ROLE_UNPROMOTED)
            print_node_list_item(out, "Unpromoted (target-role)", started);
        else
            print_node_list_item(out, c->promotable ? "Unpromoted" : "Started", started);
    }
    /* Pacemaker counts the instances it listed by node, not those it
     * printed in full (failed, unmanaged, ...) */
    active_instances = (int) (promoted->len + started->len);
    int clone_max = c->clone_max >= 0 ? c->clone_max : instances;
    bool printed_stopped = false;
    if (!c->unique && active_instances < clone_max) {
        g_autoptr(GPtrArray) stopped = g_ptr_array_new();
        for (guint i = 0; i < v->res->nodes->len; i++) {
            const herd_node_state_t *n = v->res->nodes->pdata[i];
            if (!v->cib->options.symmetric_cluster && !clone_known_on(v, c, n))
                continue;
            if (g_hash_table_contains(on, n->cfg->uname) || node_class(v, n) == NODE_HIDDEN)
                continue;
            /* a bundle's nodes exist only for resources unpacked after it */
            int bi = GPOINTER_TO_INT(g_hash_table_lookup(v->bundle_index, n->cfg->uname));
            if (bi && !n->cfg->configured)
                continue;
            g_ptr_array_add(stopped, (gpointer) n->cfg);
        }
        if (stopped->len) {
            clone_header(&x);
            const char *tr = clone_configured_role(c);
            bool dis = tr && herd_role_parse(tr) == HERD_ROLE_STOPPED;
            print_node_list_item(out, dis ? "Stopped (disabled)" : "Stopped", stopped);
            printed_stopped = true;
        }
    }
    if (!printed_stopped && active_instances == 0)
        clone_header(&x);
    g_hash_table_destroy(on);
}

/* ---- bundles ------------------------------------------------------------ */

typedef struct {
    bool active, failed;
    herd_role_t role;
    const char *node;
} hstate_t;

/* A resource's state on one node from its operation history alone (for
 * the parts of bundles the scheduler does not model). */
static void hist_eval(const herd_rsc_history_t *h, hstate_t *st)
{
    for (guint k = 0; k < h->ops->len; k++) {
        const herd_lrm_op_t *op = h->ops->pdata[k];
        const char *t = op->operation;
        if (op->op_status == -1 || op->call_id == -1) {
            if (!strcmp(t, "start") || !strcmp(t, "promote")) {
                st->active = true;
                if (st->role < HERD_ROLE_STARTED)
                    st->role = HERD_ROLE_STARTED;
            }
            continue;
        }
        if (op->op_status == 1 || !strcmp(t, "notify") || !strcmp(t, "cancel") ||
            !strcmp(t, "meta-data") || !strcmp(t, "reload") || !strcmp(t, "reload-agent"))
            continue;
        int expected = op->target_rc >= 0 ? op->target_rc : 0;
        bool probe = !strcmp(t, "monitor") && op->interval_ms == 0;
        bool ok = op->op_status == 0 &&
                  (op->rc == expected || (probe && (op->rc == 7 || op->rc == 0 || op->rc == 8)));
        if (ok) {
            if (!strcmp(t, "start") || !strcmp(t, "migrate_from")) {
                st->active = true, st->failed = false, st->role = HERD_ROLE_STARTED;
            } else if (!strcmp(t, "stop")) {
                st->active = false, st->failed = false, st->role = HERD_ROLE_STOPPED;
            } else if (!strcmp(t, "promote")) {
                st->active = true, st->role = HERD_ROLE_PROMOTED;
            } else if (!strcmp(t, "demote")) {
                st->active = true, st->role = HERD_ROLE_UNPROMOTED;
            } else if (!strcmp(t, "monitor")) {
                if (op->rc == 7) {
                    st->active = false, st->failed = false, st->role = HERD_ROLE_STOPPED;
                } else if (op->rc == 8) {
                    st->active = true, st->role = HERD_ROLE_PROMOTED;
                } else if (!st->active) {
                    st->active = true, st->role = HERD_ROLE_STARTED;
                }
            }
            continue;
        }
        st->active = true;
        st->failed = true;
        if (st->role < HERD_ROLE_STARTED)
            st->role = HERD_ROLE_STARTED;
        if (!strcmp(t, "promote") || (!strcmp(t, "monitor") && op->rc == 8) || !strcmp(t, "demote"))
            st->role = HERD_ROLE_PROMOTED;
    }
}

static void hist_eval_fwd(const herd_rsc_history_t *h, bool *active, bool *failed)
{
    hstate_t st = {false, false, HERD_ROLE_STOPPED, NULL};
    hist_eval(h, &st);
    *active = st.active;
    *failed = st.failed;
}

/* State of resource `id` (or an anonymous instance "id:N" when `any_inst`)
 * on node `only` (NULL: any node the status says is up). */
static void rsc_state(const view_t *v, const char *id, const char *only, hstate_t *out)
{
    memset(out, 0, sizeof *out);
    out->role = HERD_ROLE_STOPPED;
    size_t n = strlen(id);
    for (guint i = 0; i < v->cib->histories->len; i++) {
        const herd_rsc_history_t *h = v->cib->histories->pdata[i];
        if (strncmp(h->rsc_id, id, n) || (h->rsc_id[n] && h->rsc_id[n] != ':'))
            continue;
        if (only ? strcmp(h->node, only) != 0 : false)
            continue;
        if (!only) {
            const herd_node_state_t *ns = node_state(v, h->node);
            if (!ns || !(ns->online || ns->unclean))
                continue;
        }
        hstate_t st = {false, false, HERD_ROLE_STOPPED, NULL};
        hist_eval(h, &st);
        if (st.active) {
            out->active = true;
            out->failed |= st.failed;
            if (st.role > out->role)
                out->role = st.role;
            if (!out->node)
                out->node = h->node;
        }
    }
}

static void print_bundle(const view_t *v, FILE *out, const herd_cib_rsc_t *b)
{
    g_autoptr(GString) flags = g_string_new(NULL);
    if (b->unique)
        g_string_append(flags, " (unique)");
    if (!rsc_managed(v, b))
        g_string_append(flags, " (unmanaged)");
    fprintf(out, "    * Container bundle%s: %s [%s]%s:\n", b->replicas > 1 ? " set" : "", b->id,
            b->image ? b->image : "", flags->str);
    const herd_cib_rsc_t *child = b->children->len ? b->children->pdata[0] : NULL;
    const char *ctype = b->container_type ? b->container_type : "docker";
    guint32 ip = 0;
    bool have_ip = false;
    if (b->ip_range_start) {
        unsigned a1, a2, a3, a4;
        if (sscanf(b->ip_range_start, "%u.%u.%u.%u", &a1, &a2, &a3, &a4) == 4) {
            ip = (a1 << 24) | (a2 << 16) | (a3 << 8) | a4;
            have_ip = true;
        }
    }
    for (int i = 0; i < (b->replicas > 0 ? b->replicas : 1); i++) {
        g_autofree char *container = g_strdup_printf("%s-%s-%d", b->id, ctype, i);
        g_autofree char *remote = g_strdup_printf("%s-%d", b->id, i);
        g_autoptr(GString) s = g_string_new(child ? remote : container);
        if (have_ip) {
            guint32 a = ip + (guint32) i;
            g_string_append_printf(s, " (%u.%u.%u.%u)", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                                   a & 255);
        }
        hstate_t cst, st;
        rsc_state(v, container, NULL, &cst);
        g_autofree char *inst = child ? g_strdup_printf("%s:%d", child->id, i) : NULL;
        const herd_placement_t *pc = v->revised ? pl_of(v, container) : NULL;
        const herd_placement_t *pi = v->revised && inst ? pl_of(v, inst) : NULL;
        g_autoptr(GPtrArray) on = g_ptr_array_new();
        if (pc) {
            /* after the transition: as scheduled */
            inst_nodes(v, pc, on);
            cst.active = inst_active(v, pc) && on->len;
            cst.failed = inst_failed(v, pc);
            cst.node = on->len ? on->pdata[0] : NULL;
            cst.role = cst.active ? HERD_ROLE_STARTED : HERD_ROLE_STOPPED;
        }
        if (child && pi) {
            g_string_append_printf(s, "\t(%s%s%s:%s):\t", child->klass ? child->klass : "unknown",
                                   child->provider ? ":" : "", child->provider ? child->provider : "",
                                   child->type ? child->type : "unknown");
            st.active = inst_active(v, pi);
            st.failed = inst_failed(v, pi);
            st.role = inst_role(v, pi);
            st.node = NULL;
        } else if (child) {
            rsc_state(v, child->id, remote, &st);
            g_string_append_printf(s, "\t(%s%s%s:%s):\t", child->klass ? child->klass : "unknown",
                                   child->provider ? ":" : "", child->provider ? child->provider : "",
                                   child->type ? child->type : "unknown");
        } else {
            st = cst;
            g_string_append_printf(s, "\t(ocf:heartbeat:%s):\t", ctype);
        }
        herd_role_t role = st.active ? st.role : HERD_ROLE_STOPPED;
        if (role == HERD_ROLE_STARTED && child && b->promotable)
            role = HERD_ROLE_UNPROMOTED;
        if (st.failed) {
            g_string_append(s, " FAILED");
            if (role > HERD_ROLE_UNPROMOTED)
                g_string_append_printf(s, " %s", herd_role_name(role));
        } else {
            g_string_append_printf(s, " %s", herd_role_name(role));
        }
        if (cst.active && cst.node)
            g_string_append_printf(s, " %s", cst.node);
        bool have = false;
        const herd_cib_rsc_t *shown = child ? child : b;
        if (rsc_disabled(shown))
            add_flag(s, &have, "disabled");
        if (!rsc_managed(v, shown))
            add_flag(s, &have, "unmanaged");
        if (have)
            g_string_append_c(s, ')');
        fprintf(out, "      * %s\n", s->str);
    }
}

/* ---- nodes -------------------------------------------------------------- */

static const char *health_of(const view_t *v, const herd_cib_node_t *n)
{
    const char *strategy = v->cib->options.node_health_strategy;
    if (!strategy || !strcmp(strategy, "none"))
        return NULL;
    const char *worst = NULL;
    GHashTableIter it;
    gpointer k, val;
    g_hash_table_iter_init(&it, n->attrs);
    while (g_hash_table_iter_next(&it, &k, &val)) {
        if (!g_str_has_prefix(k, "#health"))
            continue;
        if (!g_ascii_strcasecmp(val, "red"))
            worst = "RED";
        else if (!g_ascii_strcasecmp(val, "yellow") && !worst)
            worst = "YELLOW";
    }
    return worst;
}

static gint name_cmp_p(gconstpointer a, gconstpointer b)
{
    return herd_cib_name_cmp(*(const char *const *) a, *(const char *const *) b);
}

static void print_nodes(const view_t *v, FILE *out)
{
    fprintf(out, "  * Node List:\n");
    /* bundle nodes the CIB has no entry for: online guests when their
     * container and connection run */
    g_autoptr(GPtrArray) extra = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, v->bundle_host);
    while (g_hash_table_iter_next(&it, &key, &val))
        if (!node_state(v, key) && history_active(v, val) && history_active(v, key))
            g_ptr_array_add(extra, key);
    g_ptr_array_sort(extra, name_cmp_p);
    guint next_extra = 0;
    g_autoptr(GString) online = g_string_new(NULL);
    g_autoptr(GString) offline = g_string_new(NULL);
    g_autoptr(GString) r_online = g_string_new(NULL);
    g_autoptr(GString) r_offline = g_string_new(NULL);
    g_autoptr(GString) g_online = g_string_new(NULL);
    for (guint i = 0; i < v->res->nodes->len; i++) {
        const herd_node_state_t *n = v->res->nodes->pdata[i];
        const char *name = n->cfg->uname;
        while (next_extra < extra->len && herd_cib_name_cmp(extra->pdata[next_extra], name) < 0)
            g_string_append_printf(g_online, " %s", (char *) extra->pdata[next_extra++]);
        node_class_t cls = node_class(v, n);
        if (cls == NODE_HIDDEN)
            continue;
        bool guest = cls == NODE_GUEST;
        bool remote = cls == NODE_REMOTE;
        const char *type = guest ? "GuestNode" : remote ? "RemoteNode" : "Node";
        bool on = node_online(v, n);
        bool unclean = node_unclean(v, n);
        g_autofree char *mode = NULL;
        if (unclean) {
            mode = g_strdup(on ? "UNCLEAN (online)" : n->pending ? "UNCLEAN (pending)"
                                                                 : "UNCLEAN (offline)");
        } else if (n->pending) {
            mode = g_strdup("pending");
        } else if (n->standby_onfail && on) {
            mode = g_strdup("standby (on-fail)");
        } else if (n->standby) {
            if (on)
                mode = g_strdup(GPOINTER_TO_INT(g_hash_table_lookup(v->active_count, name))
                                    ? "standby (with active resources)" : "standby");
            else
                mode = g_strdup("OFFLINE (standby)");
        } else if (n->maintenance) {
            mode = g_strdup(on ? "maintenance" : "OFFLINE (maintenance)");
        } else if (on) {
            const char *health = health_of(v, n->cfg);
            if (health) {
                mode = g_strdup_printf("online (health is %s)", health);
            } else {
                g_string_append_printf(guest ? g_online : remote ? r_online : online, " %s", name);
                continue;
            }
        } else {
            if (remote)
                g_string_append_printf(r_offline, " %s", name);
            else if (!guest)
                g_string_append_printf(offline, " %s", name);
            continue;
        }
        fprintf(out, "    * %s %s: %s\n", type, name, mode);
    }
    while (next_extra < extra->len)
        g_string_append_printf(g_online, " %s", (char *) extra->pdata[next_extra++]);
    if (online->len)
        fprintf(out, "    * Online: [%s ]\n", online->str);
    if (offline->len)
        fprintf(out, "    * OFFLINE: [%s ]\n", offline->str);
    if (r_online->len)
        fprintf(out, "    * RemoteOnline: [%s ]\n", r_online->str);
    if (r_offline->len)
        fprintf(out, "    * RemoteOFFLINE: [%s ]\n", r_offline->str);
    if (g_online->len)
        fprintf(out, "    * GuestOnline: [%s ]\n", g_online->str);
    fprintf(out, "\n");
}

/* ---- the whole status ------------------------------------------------- */

/* Resources Pacemaker creates itself: a bundle's containers, addresses and
 * connections, a guest node's connection. */
static bool implicit_rsc(const view_t *v, const char *id)
{
    if (g_hash_table_contains(v->guest_host, id))
        return true;
    for (guint i = 0; i < v->cib->resources->len; i++) {
        const herd_cib_rsc_t *r = v->cib->resources->pdata[i];
        size_t n = strlen(r->id);
        if (r->kind == HERD_RSC_BUNDLE && !strncmp(id, r->id, n) && id[n] == '-')
            return true;
    }
    return false;
}

/* Resources the status knows but the configuration no longer has, still
 * active: Pacemaker lists them last as ORPHANED (current view; the
 * transition stops them unless stop-orphan-resources is off). */
static void print_orphans(const view_t *v, FILE *out)
{
    if (v->revised && v->cib->options.stop_orphan_resources && !v->cib->options.maintenance_mode)
        return;
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    GHashTable *nodes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) g_ptr_array_unref);
    GHashTable *first = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < v->cib->histories->len; i++) {
        const herd_rsc_history_t *h = v->cib->histories->pdata[i];
        if (herd_cib_rsc(v->cib, h->rsc_id))
            continue;
        g_autofree char *base = g_strdup(h->rsc_id);
        char *colon = strrchr(base, ':');
        if (colon)
            *colon = 0;
        if (herd_cib_rsc(v->cib, base) || implicit_rsc(v, h->rsc_id))
            continue;
        const herd_node_state_t *ns = node_state(v, h->node);
        if (!ns || !(ns->online || ns->unclean))
            continue;
        hstate_t st = {false, false, HERD_ROLE_STOPPED, NULL};
        hist_eval(h, &st);
        if (!st.active)
            continue;
        GPtrArray *on = g_hash_table_lookup(nodes, h->rsc_id);
        if (!on) {
            on = g_ptr_array_new();
            g_hash_table_insert(nodes, h->rsc_id, on);
            g_hash_table_insert(first, h->rsc_id, (gpointer) h);
            g_ptr_array_add(ids, h->rsc_id);
        }
        g_ptr_array_add(on, h->node);
    }
    for (guint i = 0; i < ids->len; i++) {
        const herd_rsc_history_t *h = g_hash_table_lookup(first, ids->pdata[i]);
        GPtrArray *on = g_hash_table_lookup(nodes, ids->pdata[i]);
        g_autoptr(GString) s = g_string_new(NULL);
        g_string_append_printf(s, "%s\t(%s%s%s:%s):\t ORPHANED Started", h->rsc_id,
                               h->klass ? h->klass : "unknown", h->provider ? ":" : "",
                               h->provider ? h->provider : "", h->type ? h->type : "unknown");
        if (on->len == 1)
            g_string_append_printf(s, " %s", (char *) on->pdata[0]);
        bool have = false;
        if (on->len == 1) {
            const herd_node_state_t *ns = node_state(v, on->pdata[0]);
            if (ns && !node_online(v, ns) && node_unclean(v, ns))
                add_flag(s, &have, "UNCLEAN");
        }
        if (v->cib->options.maintenance_mode)
            add_flag(s, &have, "unmanaged");
        if (have)
            g_string_append_c(s, ')');
        if (on->len > 1) {
            g_string_append(s, " [");
            for (guint k = 0; k < on->len; k++)
                g_string_append_printf(s, " %s", (char *) on->pdata[k]);
            g_string_append(s, " ]");
        }
        fprintf(out, "    * %s\n", s->str);
    }
    g_hash_table_destroy(nodes);
    g_hash_table_destroy(first);
}

static void print_status(const view_t *v, FILE *out)
{
    print_nodes(v, out);
    fprintf(out, "  * Full List of Resources:\n");
    if (v->cib->resources->len == 0)
        fprintf(out, "    * No resources\n");
    for (guint i = 0; i < v->res->rsc_order->len; i++) {
        const herd_cib_rsc_t *r = v->res->rsc_order->pdata[i];
        if (r->implicit)
            continue;   /* a guest node's connection is not listed */
        if (r->kind == HERD_RSC_PRIMITIVE) {
            const herd_placement_t *p = pl_of(v, r->id);
            if (p)
                print_prim(v, out, 2, p);
        } else if (r->kind == HERD_RSC_GROUP) {
            print_group(v, out, 2, r, -1);
        } else if (r->kind == HERD_RSC_CLONE && r->children->len == 1) {
            print_clone(v, out, r);
        } else if (r->kind == HERD_RSC_BUNDLE) {
            print_bundle(v, out, r);
        }
    }
    print_orphans(v, out);
}

static void view_init(view_t *v, const herd_cib_t *cib, const herd_sched_result_t *res, bool revised)
{
    v->cib = cib;
    v->res = res;
    v->revised = revised;
    v->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    v->node_state = g_hash_table_new(g_str_hash, g_str_equal);
    v->active_count = g_hash_table_new(g_str_hash, g_str_equal);
    v->guest_host = g_hash_table_new(g_str_hash, g_str_equal);
    v->remote_conn = g_hash_table_new(g_str_hash, g_str_equal);
    v->bundle_host = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    v->bundle_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    v->blocked_decision = g_hash_table_new(g_str_hash, g_str_equal);
    v->stopping = g_hash_table_new(g_str_hash, g_str_equal);
    v->history_at = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = cib->histories->len; i-- > 0;) {
        /* backwards, so that the first history of each key is what stays */
        const herd_rsc_history_t *h = cib->histories->pdata[i];
        g_hash_table_insert(v->history_at, g_strconcat(h->node, "\x1f", h->rsc_id, NULL),
                            GUINT_TO_POINTER(i + 1));
        const char *colon = strrchr(h->rsc_id, ':');
        if (colon)
            g_hash_table_insert(v->history_at,
                                g_strdup_printf("%s\x1f%.*s:", h->node, (int)(colon - h->rsc_id),
                                                h->rsc_id),
                                GUINT_TO_POINTER(i + 1));
    }
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        if (d->kind != HERD_DECISION_FENCE && d->blocked)
            g_hash_table_add(v->blocked_decision, d->rsc);
        else if (d->kind == HERD_DECISION_STOP)
            g_hash_table_add(v->stopping, d->rsc);
    }
    for (guint i = 0; i < res->nodes->len; i++) {
        herd_node_state_t *n = res->nodes->pdata[i];
        g_hash_table_insert(v->node_state, n->cfg->uname, n);
    }
    for (guint i = 0; i < res->placements->len; i++) {
        herd_placement_t *p = res->placements->pdata[i];
        g_hash_table_insert(v->by_name, p->name, p);
        g_autoptr(GPtrArray) nodes = g_ptr_array_new();
        inst_nodes(v, p, nodes);
        for (guint k = 0; k < nodes->len; k++) {
            int c = GPOINTER_TO_INT(g_hash_table_lookup(v->active_count, nodes->pdata[k]));
            g_hash_table_insert(v->active_count, nodes->pdata[k], GINT_TO_POINTER(c + 1));
        }
    }
    for (guint i = 0; i < cib->all_rscs->len; i++) {
        const herd_cib_rsc_t *r = cib->all_rscs->pdata[i];
        const char *rn = r->kind == HERD_RSC_PRIMITIVE ? meta_of(r, "remote-node") : NULL;
        if (rn && herd_cib_node(cib, rn))
            g_hash_table_insert(v->guest_host, (gpointer) rn, r->id);
        if (r->kind == HERD_RSC_PRIMITIVE && !r->parent && r->type && !strcmp(r->type, "remote") &&
            r->provider && !strcmp(r->provider, "pacemaker"))
            g_hash_table_insert(v->remote_conn, r->id, r->id);
        if (r->kind == HERD_RSC_BUNDLE) {
            int n = r->replicas > 0 ? r->replicas : 1;
            for (int k = 0; k < n; k++) {
                char *node = g_strdup_printf("%s-%d", r->id, k);
                g_hash_table_insert(v->bundle_index, g_strdup(node), GINT_TO_POINTER(r->index + 1));
                g_hash_table_insert(v->bundle_host, node,
                                    g_strdup_printf("%s-%s-%d", r->id,
                                                    r->container_type ? r->container_type : "docker",
                                                    k));
            }
        }
    }
}

static void view_clear(view_t *v)
{
    g_hash_table_destroy(v->by_name);
    g_hash_table_destroy(v->node_state);
    g_hash_table_destroy(v->active_count);
    g_hash_table_destroy(v->guest_host);
    g_hash_table_destroy(v->remote_conn);
    g_hash_table_destroy(v->bundle_host);
    g_hash_table_destroy(v->bundle_index);
    g_hash_table_destroy(v->blocked_decision);
    g_hash_table_destroy(v->stopping);
    g_hash_table_destroy(v->history_at);
}

/* Print the status body (the lines after the section title) of `cib` as
 * scheduled in `res`: the current state, or with `revised` the state once
 * the transition has run.  Writes to `out`; owns nothing. */
void display_cluster_status(FILE *out, const herd_cib_t *cib, const herd_sched_result_t *res,
                            bool revised)
{
    view_t v;
    view_init(&v, cib, res, revised);
    print_status(&v, out);
    view_clear(&v);
}

/* ---- structured output (--output-as json|xml) -------------------------- */

static void jstr(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void jbool(JsonBuilder *b, const char *name, bool value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

static void json_prim(const view_t *v, JsonBuilder *b, const herd_placement_t *p)
{
    const herd_cib_rsc_t *r = p->cfg;
    json_builder_begin_object(b);
    jstr(b, "id", p->name);
    jstr(b, "type", "primitive");
    g_autofree char *agent = r->provider ? g_strdup_printf("%s:%s:%s", r->klass, r->provider, r->type)
                                         : g_strdup_printf("%s:%s", r->klass ? r->klass : "",
                                                           r->type ? r->type : "");
    jstr(b, "agent", agent);
    jstr(b, "role", herd_role_name(inst_role(v, p)));
    bool rec;
    const char *pending = inst_pending(v, p, &rec);
    jstr(b, "pending", pending);
    jbool(b, "active", inst_active(v, p));
    jbool(b, "failed", inst_failed(v, p));
    jbool(b, "managed", inst_managed(v, p));
    jbool(b, "blocked", p->blocked);
    jbool(b, "orphaned", p->orphan);
    jbool(b, "disabled", rsc_disabled(r));
    jbool(b, "failure_ignored", inst_failure_ignored(v, p));
    json_builder_set_member_name(b, "nodes");
    json_builder_begin_array(b);
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    inst_nodes(v, p, nodes);
    for (guint i = 0; i < nodes->len; i++)
        json_builder_add_string_value(b, nodes->pdata[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void json_group(const view_t *v, JsonBuilder *b, const herd_cib_rsc_t *g, int inst)
{
    g_autoptr(GPtrArray) ms = g_ptr_array_new();
    group_members(v, g, inst, ms);
    g_autofree char *name = inst >= 0 ? g_strdup_printf("%s:%d", g->id, inst) : g_strdup(g->id);
    json_builder_begin_object(b);
    jstr(b, "id", name);
    jstr(b, "type", "group");
    jbool(b, "managed", rsc_managed(v, g));
    jbool(b, "disabled", rsc_disabled(g));
    json_builder_set_member_name(b, "members");
    json_builder_begin_array(b);
    for (guint i = 0; i < ms->len; i++)
        json_prim(v, b, ms->pdata[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void json_clone(const view_t *v, JsonBuilder *b, const herd_cib_rsc_t *c)
{
    const herd_cib_rsc_t *child = c->children->pdata[0];
    bool is_group = child->kind == HERD_RSC_GROUP;
    const herd_cib_rsc_t *first = is_group ? (child->children->len ? child->children->pdata[0] : NULL)
                                           : child;
    json_builder_begin_object(b);
    jstr(b, "id", c->id);
    jstr(b, "type", "clone");
    jbool(b, "promotable", c->promotable);
    jbool(b, "unique", c->unique);
    jbool(b, "managed", rsc_managed(v, c));
    jbool(b, "disabled", rsc_disabled(c));
    json_builder_set_member_name(b, "instances");
    json_builder_begin_array(b);
    for (int i = 0; first; i++) {
        g_autofree char *nm = g_strdup_printf("%s:%d", first->id, i);
        const herd_placement_t *p = pl_of(v, nm);
        if (!p)
            break;
        if (is_group)
            json_group(v, b, child, i);
        else
            json_prim(v, b, p);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void json_bundle(const view_t *v, JsonBuilder *b, const herd_cib_rsc_t *r)
{
    const herd_cib_rsc_t *child = r->children->len ? r->children->pdata[0] : NULL;
    const char *ctype = r->container_type ? r->container_type : "docker";
    json_builder_begin_object(b);
    jstr(b, "id", r->id);
    jstr(b, "type", "bundle");
    jstr(b, "image", r->image);
    jbool(b, "managed", rsc_managed(v, r));
    json_builder_set_member_name(b, "replicas");
    json_builder_begin_array(b);
    for (int i = 0; i < (r->replicas > 0 ? r->replicas : 1); i++) {
        g_autofree char *container = g_strdup_printf("%s-%s-%d", r->id, ctype, i);
        g_autofree char *remote = g_strdup_printf("%s-%d", r->id, i);
        hstate_t cst, st;
        rsc_state(v, container, NULL, &cst);
        if (child)
            rsc_state(v, child->id, remote, &st);
        else
            st = cst;
        json_builder_begin_object(b);
        jstr(b, "id", child ? remote : container);
        jstr(b, "container", container);
        jstr(b, "role", herd_role_name(st.active ? st.role : HERD_ROLE_STOPPED));
        jbool(b, "failed", st.failed);
        jstr(b, "node", cst.active ? cst.node : NULL);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

/* The same content as display_cluster_status as a JSON object:
 * {"nodes": [{name, type, online, state, ...}], "resources": [...]}.
 * Returns a new node (the caller frees it with json_node_unref). */
JsonNode *display_status_json(const herd_cib_t *cib, const herd_sched_result_t *res, bool revised)
{
    view_t v;
    view_init(&v, cib, res, revised);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "nodes");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        node_class_t cls = node_class(&v, n);
        if (cls == NODE_HIDDEN)
            continue;
        bool on = node_online(&v, n);
        json_builder_begin_object(b);
        jstr(b, "name", n->cfg->uname);
        jstr(b, "type", cls == NODE_GUEST ? "guest" : cls == NODE_REMOTE ? "remote" : "member");
        jbool(b, "online", on);
        jbool(b, "unclean", node_unclean(&v, n));
        jbool(b, "standby", n->standby);
        jbool(b, "maintenance", n->maintenance);
        jbool(b, "pending", n->pending);
        json_builder_set_member_name(b, "active_resources");
        json_builder_add_int_value(b, GPOINTER_TO_INT(g_hash_table_lookup(v.active_count,
                                                                          n->cfg->uname)));
        jstr(b, "health", health_of(&v, n->cfg));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "resources");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->rsc_order->len; i++) {
        const herd_cib_rsc_t *r = res->rsc_order->pdata[i];
        if (r->implicit)
            continue;
        if (r->kind == HERD_RSC_PRIMITIVE) {
            const herd_placement_t *p = pl_of(&v, r->id);
            if (p)
                json_prim(&v, b, p);
        } else if (r->kind == HERD_RSC_GROUP) {
            json_group(&v, b, r, -1);
        } else if (r->kind == HERD_RSC_CLONE && r->children->len == 1) {
            json_clone(&v, b, r);
        } else if (r->kind == HERD_RSC_BUNDLE) {
            json_bundle(&v, b, r);
        }
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    view_clear(&v);
    return json_builder_get_root(b);
}

/* What crm_simulate prints before "Current cluster status:": the
 * maintenance-mode banner and the count of disabled and blocked resource
 * instances, followed by a blank line when anything was printed. */
void display_simulate_prelude(FILE *out, const herd_cib_t *cib, const herd_sched_result_t *res)
{
    bool printed = false;
    if (cib->options.maintenance_mode) {
        fprintf(out, "\n              *** Resource management is DISABLED ***\n"
                     "  The cluster will not attempt to start, stop or recover services\n");
        printed = true;
    }
    view_t v;
    view_init(&v, cib, res, false);
    int instances = 0, disabled = 0, blocked = 0;
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        if (p->orphan && !p->current->len)
            continue;
        instances++;
        if (rsc_disabled(p->cfg))
            disabled++;
        if (p->blocked)
            blocked++;
    }
    view_clear(&v);
    if (disabled || blocked) {
        if (printed)
            fprintf(out, "\n");
        fprintf(out, "%d of %d resource instances DISABLED and %d BLOCKED from further action due "
                     "to failure\n", disabled, instances, blocked);
        printed = true;
    }
    if (printed)
        fprintf(out, "\n");
}
