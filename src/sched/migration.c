/* migration.c: what live-migration records in the status say across
 * nodes.  A migration is migrate_to on the source S, migrate_from on the
 * target T, then a stop on S.  A successful migrate_to on S (target T):
 *  - with a successful migrate_from on T and nothing newer on S, the
 *    migration is "dangling": the resource runs on T only (S just gets
 *    its stop);
 *  - with a failed migrate_from, the resource is failed where it is still
 *    active on S (recovered, not migrated again);
 *  - with none (or a pending one): it also runs on T if T is online and
 *    has nothing newer, and then, with S online too, the migration is
 *    "partial" (it may be completed to T, or else the resource moves);
 *    otherwise it failed on S.
 * A failed migrate_to on S leaves the resource active on T too (when T
 * has history for it and nothing newer).  Records newer than the
 * migration on a node (a non-monitor op, or a monitor saying "not
 * running") mean it no longer matters there: same node by call id,
 * across nodes by last-rc-change. */
#include <string.h>

#include "internal.h"

static const herd_rsc_history_t *history_on(const sched_t *s, const char *rsc, const char *node)
{
    for (guint i = 0; i < s->cib->histories->len; i++) {
        const herd_rsc_history_t *h = s->cib->histories->pdata[i];
        if (!strcmp(h->node, node) && !strcmp(h->rsc_id, rsc))
            return h;
    }
    return NULL;
}

/* Is op newer than ref?  Same node: by call id; else by last-rc-change
 * (unknown when either lacks one). */
static bool newer(const herd_lrm_op_t *op, const herd_lrm_op_t *ref, bool same_node)
{
    if (same_node && op->call_id >= 0 && ref->call_id >= 0 && op->call_id != ref->call_id)
        return op->call_id > ref->call_id;
    return op->last_rc_change > 0 && ref->last_rc_change > 0 &&
           op->last_rc_change > ref->last_rc_change;
}

static bool is_monitor(const herd_lrm_op_t *op)
{
    return !strcmp(op->operation, "monitor");
}

/* Any non-monitor op in h newer than ref? */
static bool non_monitor_after(const herd_rsc_history_t *h, const herd_lrm_op_t *ref, bool same)
{
    for (guint i = 0; h && i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (op != ref && !is_monitor(op) && strcmp(op->operation, "cancel") != 0 &&
            op->op_status != -1 && op->call_id != -1 && newer(op, ref, same))
            return true;
    }
    return false;
}

/* Does h have newer state than the migration (ref) on its node? */
static bool newer_state(const herd_rsc_history_t *h, const herd_lrm_op_t *ref, bool same)
{
    if (non_monitor_after(h, ref, same))
        return true;
    for (guint i = 0; h && i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (op != ref && is_monitor(op) && op->rc == 7 && newer(op, ref, same))
            return true;
    }
    return false;
}

static bool runs_on(const prim_t *p, const herd_cib_node_t *n)
{
    for (guint k = 0; k < p->running->len; k++)
        if (p->running->pdata[k] == n)
            return true;
    return false;
}

static bool online(const sched_t *s, const herd_cib_node_t *n)
{
    return n && s->ns[n->index]->online;
}

static void migrate_to_ok(sched_t *s, prim_t *p, const herd_rsc_history_t *h,
                          const herd_lrm_op_t *mt)
{
    const herd_cib_node_t *src = herd_cib_node(s->cib, h->node);
    const herd_cib_node_t *tgt = herd_cib_node(s->cib, mt->migrate_target);
    if (!src || !tgt || src == tgt)
        return;
    bool src_newer = non_monitor_after(h, mt, true);
    const herd_rsc_history_t *ht = history_on(s, h->rsc_id, tgt->uname);
    const herd_lrm_op_t *mf = NULL;
    for (guint i = 0; ht && i < ht->ops->len; i++) {
        const herd_lrm_op_t *op = ht->ops->pdata[i];
        if (!strcmp(op->operation, "migrate_from") && op->migrate_source &&
            !strcmp(op->migrate_source, src->uname))
            mf = op;
    }
    if (src_newer && mf)
        return;
    bool tgt_newer = mf ? newer_state(ht, mf, true) : newer_state(ht, mt, false);
    if (src_newer && tgt_newer)
        return;
    bool mf_pending = mf && (mf->op_status == -1 || mf->call_id == -1);
    if (mf && !mf_pending && mf->op_status == 0 && mf->rc == 0) {
        /* dangling: done on the target; the source only needs its stop */
        if (!src_newer && !tgt_newer && runs_on(p, tgt))
            g_ptr_array_remove(p->running, (gpointer) src);
        return;
    }
    if (mf && !mf_pending) {
        /* the migrate_from failed: recover where it still runs */
        if (!src_newer && runs_on(p, src)) {
            p->failed = true;
            p->migratable = false;
        }
        return;
    }
    if (online(s, tgt) && !tgt_newer) {
        /* the target counts first (Pacemaker adds it while unpacking the
         * source) */
        g_ptr_array_remove(p->running, (gpointer) tgt);
        g_ptr_array_insert(p->running, 0, (gpointer) tgt);
        if (online(s, src)) {
            p->partial_src = src;
            p->partial_tgt = tgt;
        }
    } else if (!src_newer) {
        p->failed = true;
        p->migratable = false;
    }
}

static void migrate_to_failed(sched_t *s, prim_t *p, const herd_rsc_history_t *h,
                              const herd_lrm_op_t *mt)
{
    const herd_cib_node_t *tgt = mt->migrate_target ? herd_cib_node(s->cib, mt->migrate_target)
                                                    : NULL;
    if (!tgt)
        return;
    const herd_rsc_history_t *ht = history_on(s, h->rsc_id, tgt->uname);
    bool known = false;
    for (guint i = 0; ht && i < ht->ops->len; i++) {
        const herd_lrm_op_t *op = ht->ops->pdata[i];
        known |= op->op_status != -1 && op->call_id != -1;
    }
    if (known && !newer_state(ht, mt, false) && online(s, tgt) && !runs_on(p, tgt))
        g_ptr_array_add(p->running, (gpointer) tgt);
    p->migratable = false;
}

/* Apply the migration records of every primitive (not clone instances)
 * to where it runs; call after the histories are unpacked. */
void sched_migrations(sched_t *s)
{
    for (guint i = 0; i < s->cib->histories->len; i++) {
        const herd_rsc_history_t *h = s->cib->histories->pdata[i];
        prim_t *p = g_hash_table_lookup(s->prim_by_name, h->rsc_id);
        const herd_cib_node_t *n = herd_cib_node(s->cib, h->node);
        if (!p || p->unit->clone || !n || n->kind != HERD_NODE_MEMBER || !s->ns[n->index]->online)
            continue;
        /* the last migrate_to decides */
        const herd_lrm_op_t *mt = NULL;
        for (guint k = 0; k < h->ops->len; k++) {
            const herd_lrm_op_t *op = h->ops->pdata[k];
            if (!strcmp(op->operation, "migrate_to") && op->op_status != -1 && op->call_id != -1)
                mt = op;
        }
        if (!mt || !mt->migrate_target || !mt->migrate_source ||
            strcmp(mt->migrate_source, h->node) != 0)
            continue;
        if (mt->op_status == 0 && mt->rc == 0)
            migrate_to_ok(s, p, h, mt);
        else
            migrate_to_failed(s, p, h, mt);
    }
}
