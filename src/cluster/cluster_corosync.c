/* cluster_corosync.c: the corosync backend (TODO).
 *
 * The interface is ready; what the implementation has to do:
 *   start:  cpg_model_initialize(CPG_MODEL_V1) with deliver_fn and
 *           totem_confchg_fn callbacks, cpg_join(group "herd"),
 *           cpg_local_get() -> herd_cluster_set_local_id(); node names
 *           from cmap (nodelist.node.N.name / ring0_addr) or
 *           corosync_cfg_get_node_addrs; quorum_initialize() with
 *           quorum_trackstart(CS_TRACK_CHANGES) for quorum.  Attach
 *           cpg_fd_get() and quorum_fd_get() to the main loop with
 *           g_unix_fd_add(), calling cpg_dispatch / quorum_dispatch
 *           (CS_DISPATCH_ALL) when readable.
 *   confchg -> herd_cluster_set_membership(members, quorate)
 *   deliver -> herd_cluster_deliver(nodeid, msg, len)
 *   quorum notification -> herd_cluster_set_membership(same nodes, quorate)
 *   send:   cpg_mcast_joined(CPG_TYPE_AGREED) with a small header naming
 *           the destination (0 = all); receivers drop messages not for
 *           them.  CS_ERR_TRY_AGAIN: queue and retry from an idle source.
 *   stop:   cpg_leave, cpg_finalize, quorum_finalize, remove fd sources.
 * Packages (already in scripts/deps.sh): libcpg-dev libquorum-dev
 * libcmap-dev.  ../shared/tools/corosync-lab shows a 3-node test bed.
 */
#include "herd_common.h"
#include "internal.h"

static int corosync_start(herd_cluster_t *c, GError **err)
{
    g_set_error(err, HERD_ERROR, HERD_EXIT_UNIMPLEMENT_FEATURE,
                "the corosync cluster backend is not implemented yet; use --cluster local");
    return HERD_EXIT_UNIMPLEMENT_FEATURE;
}

static void corosync_stop(herd_cluster_t *c)
{
}

static int corosync_send(herd_cluster_t *c, guint32 to, const void *data, gsize len,
                         GError **err)
{
    g_set_error(err, HERD_ERROR, HERD_EXIT_UNIMPLEMENT_FEATURE,
                "the corosync cluster backend is not implemented yet");
    return HERD_EXIT_UNIMPLEMENT_FEATURE;
}

const herd_cluster_backend_t herd_cluster_backend_corosync = {
    .name = "corosync",
    .start = corosync_start,
    .stop = corosync_stop,
    .send = corosync_send,
};
