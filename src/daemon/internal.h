/* internal.h: pieces of herdd shared inside src/daemon (and its unit tests).
 *
 *   cib_store.c     the durable CIB: one file, atomic writes, history, and a
 *                   journal for the daemon's own status edits
 *   cib_validate.c  the one `validate` gate every write goes through
 *   cib_ops.c       query / replace / modify / node attributes on a document
 *   ipc_server.c    the listening socket, framed connections, peer checks
 *   dispatch.c      one IPC request -> one operation -> one reply
 *   converge.c      "the CIB changed": where scheduling and execution plug in
 *   herdd.c         main(): options, main loop, signals, readiness
 */
#ifndef HERD_DAEMON_INTERNAL_H
#define HERD_DAEMON_INTERNAL_H

#include <libxml/tree.h>
#include <sys/types.h>

#include "herd_cluster.h"
#include "herd_common.h"
#include "herd_daemon.h"

/* ---- CIB validation (cib_validate.c): parse/validate are in herd_daemon.h */

/* A new empty CIB (version 0.0.0) that passes herd_store_validate.  Owned. */
xmlDoc *herd_store_new_empty(void);

/* ---- the durable store (cib_store.c) ------------------------------------ */

typedef struct herd_store herd_store_t;

/* The version triple of a CIB: admin_epoch.epoch.num_updates. */
typedef struct {
    gint64 admin_epoch;
    gint64 epoch;
    gint64 num_updates;
} herd_store_version_t;

/* Read the version attributes of `doc` (missing ones read as 0). */
herd_store_version_t herd_store_version(xmlDoc *doc);

/* Compare versions: <0, 0 or >0 as a is older, equal or newer than b. */
int herd_store_version_cmp(const herd_store_version_t *a, const herd_store_version_t *b);

/* Open the store in `state_dir` (created 0750 if missing): takes the
 * directory's lock (one daemon per directory), loads cib.xml, or writes an
 * empty valid CIB when there is none.  A file that cannot be read, does not
 * parse, fails its digest or fails validation is an error (HERD_EXIT_CONFIG,
 * or HERD_EXIT_DIGEST, or the errno's status) and is never modified.
 * `keep` is how many earlier versions stay under history/ (0 keeps none).
 * Returns the owned store, or NULL with `err` set. */
herd_store_t *herd_store_open(const char *state_dir, guint keep, GError **err);

/* Close the store and release its lock. */
void herd_store_free(herd_store_t *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_store_t, herd_store_free)

/* The current CIB.  Borrowed: valid until the next commit. */
xmlDoc *herd_store_doc(herd_store_t *store);

/* Path of the CIB file (borrowed). */
const char *herd_store_path(herd_store_t *store);

/* How the version moves on a commit. */
typedef enum {
    HERD_STORE_COMMIT_AUTO,    /* configuration changed: epoch+1, num_updates=0;
                                only status changed: num_updates+1 */
    HERD_STORE_COMMIT_REPLACE, /* a whole replacement: keep its version if newer,
                                refuse it (HERD_EXIT_OLD) if older */
} herd_store_commit_mode_t;

/* Make `doc` the new CIB.  The store takes ownership of `doc` in every
 * case.  It is validated, its version set per `mode`, cib-last-written
 * stamped, and written atomically (temporary file, fsync, rename,
 * directory fsync), the previous file kept under history/.  When `doc`
 * is identical to the current CIB nothing is written and *changed is
 * false.  On error (validation, old version, I/O) the current CIB, in
 * memory and on disk, is unchanged.  Returns 0 or an exit status with
 * `err` set. */
int herd_store_commit(herd_store_t *store, xmlDoc *doc, herd_store_commit_mode_t mode,
                          bool *changed, GError **err);

/* Stage a status edit made by the daemon itself: returns the live
 * document (borrowed) for the caller to edit in place, and notes that the
 * status of node `node_id` (its node_state attributes and transient
 * attributes) and, when `rsc_id` is given, that resource's lrm_resource
 * there, are to be written.  node_id NULL: an edit anywhere (the next
 * flush rewrites the whole CIB).  Staged edits are visible at once to
 * everything reading the document, and durable once herd_store_flush
 * returns 0; a commit writes them too.  Configuration edits must go
 * through herd_store_commit (they are validated there). */
xmlDoc *herd_store_stage(herd_store_t *store, const char *node_id, const char *rsc_id);

/* Whether staged edits wait for a flush. */
bool herd_store_pending(herd_store_t *store);

/* Write the staged edits as one change (num_updates + 1): appended to the
 * journal and fdatasynced, or, when `fold` is set or the journal has
 * outgrown the CIB, by rewriting the CIB file (fsync, rename, directory
 * fsync) and emptying the journal.  With `fold` and nothing staged, a
 * non-empty journal is folded into the CIB file.  Returns 0 or an exit
 * status with `err`; the edits then stay staged (kept in memory, retried
 * by the next flush). */
int herd_store_flush(herd_store_t *store, bool fold, GError **err);

/* Called in the main loop when journal records up to number `seq` are
 * durable, or with `err` (an errno) when the syncer failed: the store has
 * then staged a rewrite of the whole CIB, which the next flush writes. */
typedef void (*herd_store_synced_fn)(guint64 seq, int err, void *user);

/* Give the store a syncer thread (the default GLib main context hears of
 * its completions through `fn`), for herd_store_flush_nowait. */
void herd_store_set_syncer(herd_store_t *store, herd_store_synced_fn fn, void *user);

/* herd_store_flush into the journal without waiting for the fdatasync:
 * the record is written and the syncer makes it durable.  `seq` is set to
 * the record's number, to wait for in `fn`, or 0 when it is durable
 * already (no syncer, or the CIB file was rewritten).  Only for changes
 * nobody has been told of yet: tell them from `fn`. */
int herd_store_flush_nowait(herd_store_t *store, guint64 *seq, GError **err);

/* Whether records written by herd_store_flush_nowait wait for their sync. */
bool herd_store_unsynced(herd_store_t *store);

/* What the store has written since it was opened. */
typedef struct {
    guint64 snapshots;        /* whole CIB files written */
    guint64 journal_records;  /* journal records appended */
    guint64 bytes_written;
} herd_store_stats_t;
herd_store_stats_t herd_store_stats(herd_store_t *store);

/* The hex SHA-256 digest of the CIB as last written (borrowed). */
const char *herd_store_digest(herd_store_t *store);

/* Serialise `doc` the way the store writes it (owned string). */
char *herd_store_to_string(xmlDoc *doc, gsize *len);

/* ---- operations on a document (cib_ops.c) ------------------------------- */

/* The XML of `doc` selected by `xpath` or `section` (a top-level section
 * name: configuration, nodes, resources, constraints, crm_config,
 * rsc_defaults, op_defaults, status), or the whole CIB when both are NULL.
 * Several matches are wrapped in <xpath-query>.  Returns an owned string,
 * or NULL with `err` (HERD_EXIT_NOSUCH when nothing matches, USAGE for a
 * bad xpath or section). */
char *herd_store_query(xmlDoc *doc, const char *xpath, const char *section, GError **err);

/* Merge `fragment` (its root element) into `doc` as cibadmin --modify
 * does: the element of the same name (and id when it has one) is found,
 * its attributes updated and its children merged the same way, missing
 * ones created.  A <cib> fragment merges at the root.  Returns 0, or
 * HERD_EXIT_NOSUCH when no place for the fragment exists. */
int herd_store_modify(xmlDoc *doc, xmlNode *fragment, GError **err);

/* Delete the elements of `doc` matching `xpath`.  Returns 0, or NOSUCH. */
int herd_store_delete_xpath(xmlDoc *doc, const char *xpath, GError **err);

/* Where an attribute lives. */
typedef enum {
    HERD_STORE_ATTR_CRM_CONFIG,  /* cluster property: crm_config/cluster_property_set */
    HERD_STORE_ATTR_RSC_DEFAULTS,
    HERD_STORE_ATTR_OP_DEFAULTS,
    HERD_STORE_ATTR_NODES,       /* permanent node attribute: configuration/nodes */
    HERD_STORE_ATTR_STATUS,      /* transient node attribute: status/transient_attributes */
    HERD_STORE_ATTR_UTILIZATION, /* node utilization: configuration/nodes/node/utilization */
} herd_store_scope_t;

/* Parse "crm_config", "nodes", "status", "forever", "reboot", ...; -1 if
 * unknown. */
int herd_store_scope_from_name(const char *name);
const char *herd_store_scope_name(herd_store_scope_t scope);

/* Whether attributes of `scope` belong to a node (a node is then needed). */
bool herd_store_scope_is_node(herd_store_scope_t scope);

/* Set attribute `name` to `value` in `scope` (node `node_id`/`node_name`
 * for NODES and STATUS), creating the node entry and the attribute set as
 * Pacemaker names them.  Returns 0 or an exit status with `err`. */
int herd_store_attr_set(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                      const char *node_name, const char *set_id, const char *name,
                      const char *value, GError **err);

/* The value of attribute `name` (borrowed from `doc`), or NULL if unset. */
const char *herd_store_attr_get(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                              const char *node_name, const char *set_id, const char *name);

/* Delete attribute `name`; returns true if something was removed. */
bool herd_store_attr_delete(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                          const char *node_name, const char *set_id, const char *name);

/* Make sure `node` has a <node> entry in configuration/nodes and a
 * <node_state> in status (crmd/join/expected/in_ccm as a joined node). */
void herd_store_ensure_node(xmlDoc *doc, const char *node_id, const char *node_name);

/* Find the id of the node named `node_name` in configuration/nodes
 * (borrowed), or NULL. */
const char *herd_store_node_id(xmlDoc *doc, const char *node_name);

/* ---- the daemon --------------------------------------------------------- */

typedef struct herdd herdd_t;
typedef struct herd_ipc_server herd_ipc_server_t;
typedef struct herd_converge herd_converge_t;

struct herdd {
    char *state_dir;
    char *socket_path;
    GMainLoop *loop;
    herd_store_t *store;
    herd_cluster_t *cluster;
    herd_ipc_server_t *ipc;
    guint converge_source; /* pending idle "CIB changed" run, 0 if none */
    guint64 changes;       /* CIB changes seen since start */
    char *pending_reason;
    bool ready;            /* READY=1 sent (after the first membership) */
    herd_converge_t *converge; /* scheduler + executor (NULL: store only) */
    const char *rsc_tmp_dir;   /* HA_RSCTMP for agents (NULL: build default) */
    const char *ocf_root;      /* OCF root (NULL: build default) */
    guint flush_source;        /* pending flush of staged status edits, 0 if none */
    char *flush_reason;        /* the first staged edit's reason */
    guint flush_count;         /* staged edits since the last flush */
};

/* Create the converger of `d` (executor included; sets d->converge).
 * Free with herdd_converge_free. */
herd_converge_t *herdd_converge_new(herdd_t *d);
void herdd_converge_free(herd_converge_t *cv);

/* SIGTERM: stop the node's resources, then quit the main loop.  Returns
 * false when there is nothing to wait for (maintenance mode, already
 * shutting down, no converger): the caller quits at once. */
bool herdd_converge_shutdown(herdd_t *d);

/* Forget this node's resource history (start-up: reprobe). */
void herdd_converge_reset_node(herdd_t *d);

/* The "CIB changed" hook (converge.c): called after every committed
 * change with a short reason; coalesces changes into one run per main-loop
 * iteration (converge_run). */
void herdd_cib_changed(herdd_t *d, const char *reason);

/* A status edit was staged in the store (herd_store_stage) for `reason`:
 * a flush is queued at high priority, so that every edit made in this
 * main-loop pass is written by one flush before the loop goes on;
 * subscribers hear of it then.  With `replan`, a converge run follows. */
void herdd_status_staged(herdd_t *d, const char *reason, bool replan);

/* Write staged status edits now (herd_store_flush with `fold`) and tell
 * subscribers.  Returns 0 or an exit status with `err`. */
int herdd_flush(herdd_t *d, bool fold, GError **err);

/* herdd_flush as the daemon's rule has it: into the journal while a
 * transition runs, else folded into the CIB file. */
int herdd_flush_staged(herdd_t *d, GError **err);

/* Cancel a pending converge run (shutdown). */
void herdd_converge_cancel(herdd_t *d);

/* An executor result to record in the status section (converge.c). */
typedef struct {
    const char *node_id, *node_name;
    const char *rsc_id, *rsc_class, *rsc_provider, *rsc_type;
    const char *operation;     /* start, stop, monitor, promote, ... */
    const char *op_key;        /* RSC_OP_INTERVAL, e.g. "db_monitor_10000" */
    const char *transition_key;
    const char *op_digest;
    gint64 interval_ms;
    int call_id, rc_code, op_status;
    gint64 last_rc_change, exec_time_ms, queue_time_ms;
} herd_op_result_t;

/* Record `res` as an lrm_rsc_op under status/node_state/lrm, the way
 * Pacemaker does (last_failure_0 for failures, RSC_last_0 otherwise,
 * RSC_monitor_INTERVAL for recurring ops), into `doc`.  The caller
 * commits `doc`. */
void herd_store_record_op(xmlDoc *doc, const herd_op_result_t *res);

/* lrm_index.c: the lrm_resource element of (node id, resource id) in
 * `doc`, found through the document's index when it has one (constant
 * time), else by a scan; with `create`, made (with its node_state, lrm and
 * lrm_resources) when missing.  Borrowed from `doc`; NULL when absent. */
xmlNode *herd_lrm_find(xmlDoc *doc, const char *node_id, const char *rsc_id, bool create);

/* Remove that element (index kept right); false when there was none. */
bool herd_lrm_remove(xmlDoc *doc, const char *node_id, const char *rsc_id);

/* Give `doc` an (empty, lazily built) index, or free it before the
 * document is freed.  The store does both for its live document. */
void herd_lrm_index_attach(xmlDoc *doc);
void herd_lrm_index_detach(xmlDoc *doc);

/* Must be called before element `n` of `doc` is unlinked or freed, so the
 * index never holds a freed element. */
void herd_lrm_index_unlinking(xmlDoc *doc, xmlNode *n);

/* Record an executor result in the status section (herd_store_record_op)
 * and commit it; the commit calls herdd_cib_changed, so the next converge
 * run sees it.  Returns 0 or an exit status with `err` (the CIB is then
 * unchanged). */
int herdd_record_result(herdd_t *d, const herd_op_result_t *res, GError **err);

/* Handle one decoded request and return the owned reply object (dispatch.c). */
JsonObject *herdd_dispatch(herdd_t *d, JsonObject *req, const herd_ipc_peer_t *peer);

/* Start listening on `path` (removed first if a stale socket).  Returns the
 * owned server, or NULL with `err`. */
herd_ipc_server_t *herd_ipc_server_new(herdd_t *d, const char *path, GError **err);
void herd_ipc_server_free(herd_ipc_server_t *srv);

/* Send `event` (borrowed) to every subscribed connection (NULL server:
 * nothing).  Subscribers that cannot keep up are dropped. */
void herd_ipc_server_broadcast(herd_ipc_server_t *srv, JsonObject *event);

#endif
