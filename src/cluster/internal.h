/* internal.h: what the cluster backends share inside src/cluster. */
#ifndef HERD_CLUSTER_INTERNAL_H
#define HERD_CLUSTER_INTERNAL_H

#include "herd_cluster.h"

extern const herd_cluster_backend_t herd_cluster_backend_local;
extern const herd_cluster_backend_t herd_cluster_backend_corosync;

/* Set this node's id once the backend knows it. */
void herd_cluster_set_local_id(herd_cluster_t *c, guint32 id);

#endif
