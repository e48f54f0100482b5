/* lock.c: shutdown locks.  With the cluster option shutdown-lock, a
 * resource stopped by a node's clean shutdown is recorded with
 * shutdown-lock=TIME on its lrm_resource; it may then run only on that
 * node (so it stays stopped while the node is away) until the lock
 * expires after shutdown-lock-limit (never when the limit is 0).  Clone
 * instances are not locked. */
#include "internal.h"

/* Set p->lock_node from the status for every locked primitive. */
void sched_shutdown_locks(sched_t *s)
{
    if (!s->cib->options.shutdown_lock)
        return;
    guint64 limit = s->cib->options.shutdown_lock_limit_ms;
    for (guint i = 0; i < s->cib->histories->len; i++) {
        const herd_rsc_history_t *h = s->cib->histories->pdata[i];
        if (h->shutdown_lock <= 0)
            continue;
        if (limit && s->now >= h->shutdown_lock + (time_t) (limit / 1000))
            continue;   /* expired */
        prim_t *p = g_hash_table_lookup(s->prim_by_name, h->rsc_id);
        const herd_cib_node_t *n = herd_cib_node(s->cib, h->node);
        if (p && n && !p->unit->clone && p->managed)
            p->lock_node = n;
    }
}
