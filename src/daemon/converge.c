/* converge.c: where "the CIB changed" turns into work.
 *
 * Today the hook only logs.  The plan, for the scheduler and executor
 * engineers (see also the report of the daemon branch):
 *
 *   herdd_cib_changed()      every committed change (IPC writes, membership,
 *                            and later executor results and timers) lands
 *                            here; runs are coalesced into one idle source.
 *   converge_run()           1. unpack: the src/cib model parser on
 *                               herd_store_doc(d->store) (read-only);
 *                            2. schedule: src/sched on that model ->
 *                               transition graph (pure, no I/O);
 *                            3. execute: hand the graph to the executor
 *                               (src/exec), honouring batch-limit; if a
 *                               graph is already running, abort it (let
 *                               running actions finish, start nothing new)
 *                               and re-plan when it is idle.
 *   executor result          for each finished action: copy the CIB,
 *                            herd_store_record_op() (cib_ops.c: lrm_rsc_op
 *                            with call-id, rc-code, op-status, interval,
 *                            exec-time, op-digest, ...), commit with
 *                            HERD_STORE_COMMIT_AUTO (a status change bumps
 *                            num_updates only), which calls this hook again:
 *                            the next run sees the result.
 */
#include "internal.h"

static gboolean converge_run(gpointer data)
{
    herdd_t *d = data;
    d->converge_source = 0;
    herd_store_version_t v = herd_store_version(herd_store_doc(d->store));
    herd_notice("CIB is now %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                " (%s): scheduler and executor not connected yet, nothing to do",
                v.admin_epoch, v.epoch, v.num_updates,
                d->pending_reason ? d->pending_reason : "change");
    g_clear_pointer(&d->pending_reason, g_free);
    /* TODO(scheduler/executor): unpack -> schedule -> execute graph here. */
    return G_SOURCE_REMOVE;
}

void herdd_cib_changed(herdd_t *d, const char *reason)
{
    d->changes++;
    herd_info("CIB changed: %s", reason);
    if (!d->pending_reason)
        d->pending_reason = g_strdup(reason);
    else if (!g_str_has_suffix(d->pending_reason, ", ...")) {
        char *more = g_strconcat(d->pending_reason, ", ...", NULL);
        g_free(d->pending_reason);
        d->pending_reason = more;
    }
    if (!d->converge_source)
        d->converge_source = g_idle_add(converge_run, d);
}

void herdd_converge_cancel(herdd_t *d)
{
    if (d->converge_source)
        g_source_remove(d->converge_source);
    d->converge_source = 0;
    g_clear_pointer(&d->pending_reason, g_free);
}
