/* herd_cluster.h: cluster membership and messaging behind one interface.
 *
 * A backend is a small table of functions chosen by name when the daemon
 * starts (OpenSMTPD's scheduler_backend.c pattern):
 *   "local"     one node, always quorate, messages loop back (the default)
 *   "corosync"  CPG for messages and membership, votequorum for quorum
 *               (TODO: cluster_corosync.c has the plan; the interface is
 *               what it needs)
 * Backends attach their file descriptors to the thread-default GLib main
 * context and report through the callbacks, always from the main loop.
 */
#ifndef HERD_CLUSTER_H
#define HERD_CLUSTER_H

#include <glib.h>
#include <stdbool.h>

typedef struct herd_cluster herd_cluster_t;

/* One cluster member.  Owned by the cluster object; valid until the next
 * membership callback. */
typedef struct {
    guint32 id;   /* corosync nodeid; 1 for the local backend */
    char *name;   /* node name (uname) */
    bool online;  /* a member of the current configuration */
} herd_cluster_node_t;

typedef struct {
    /* Membership or quorum changed: `nodes` (herd_cluster_node_t *, in id
     * order, borrowed) is the whole membership. */
    void (*membership)(herd_cluster_t *c, GPtrArray *nodes, bool quorate, void *user);
    /* A message from node `from` (borrowed) arrived. */
    void (*message)(herd_cluster_t *c, const herd_cluster_node_t *from, const void *data,
                    gsize len, void *user);
} herd_cluster_callbacks_t;

/* A backend: what cluster.c calls.  `priv` of the cluster object is the
 * backend's own state. */
typedef struct {
    const char *name;
    /* Connect and start reporting; 0 or an exit status with `err`. */
    int (*start)(herd_cluster_t *c, GError **err);
    /* Disconnect and free the backend's state. */
    void (*stop)(herd_cluster_t *c);
    /* Send to node `to` (0: every member, this node included). */
    int (*send)(herd_cluster_t *c, guint32 to, const void *data, gsize len, GError **err);
} herd_cluster_backend_t;

/* Names of the backends built in, NULL-terminated (static). */
const char *const *herd_cluster_backend_names(void);

/* Create a cluster connection with the backend called `backend` (NULL:
 * "local").  `node_name` overrides this node's name (NULL: uname).
 * Returns the owned object (not started) or NULL with `err`
 * (HERD_EXIT_CONFIG for an unknown backend). */
herd_cluster_t *herd_cluster_new(const char *backend, const char *node_name,
                                 const herd_cluster_callbacks_t *cb, void *user, GError **err);

/* Start the backend: connect, join, begin reporting membership. */
int herd_cluster_start(herd_cluster_t *c, GError **err);

/* Stop and free (NULL is fine). */
void herd_cluster_free(herd_cluster_t *c);

/* Send a message; see herd_cluster_backend_t.send. */
int herd_cluster_send(herd_cluster_t *c, guint32 to, const void *data, gsize len, GError **err);

/* This node (borrowed). */
const herd_cluster_node_t *herd_cluster_local_node(herd_cluster_t *c);

/* The current membership (borrowed array of herd_cluster_node_t *). */
GPtrArray *herd_cluster_nodes(herd_cluster_t *c);

/* Whether this partition has quorum. */
bool herd_cluster_has_quorum(herd_cluster_t *c);

/* The backend's name (static). */
const char *herd_cluster_backend_name(herd_cluster_t *c);

/* ---- for backends (cluster.c) ------------------------------------------- */

/* Backend state pointer. */
void *herd_cluster_priv(herd_cluster_t *c);
void herd_cluster_set_priv(herd_cluster_t *c, void *priv);

/* Replace the membership (takes ownership of `nodes`, an array of
 * herd_cluster_node_t * freeing its items) and quorum, then tell the
 * daemon. */
void herd_cluster_set_membership(herd_cluster_t *c, GPtrArray *nodes, bool quorate);

/* Deliver a received message to the daemon. */
void herd_cluster_deliver(herd_cluster_t *c, guint32 from, const void *data, gsize len);

/* A new node record (owned; free with herd_cluster_node_free). */
herd_cluster_node_t *herd_cluster_node_new(guint32 id, const char *name, bool online);
void herd_cluster_node_free(herd_cluster_node_t *n);

#endif
