/* herd_cib_inject.h: synthetic cluster events applied to a CIB document
 * before it is loaded (crm_simulate's -u -d -f -i -q -w -g -r -b -e).
 *
 * The events change the XML text of a CIB the way crm_simulate changes it,
 * so that the model built from the result (herd_cib_load_memory) and the
 * scheduler see what Pacemaker's scheduler would see:
 *   node up    node_state in_ccm=true crmd=online join=member expected=member
 *              (a node unknown to the CIB is added to <nodes>)
 *   node down  node_state in_ccm=false crmd=offline join=down
 *              expected=down (its history and transient attributes are
 *              dropped)
 *   node fail  node_state in_ccm=false, the rest kept
 *   op inject  an lrm_rsc_op (RSC_last_0, RSC_TASK_INTERVAL or
 *              RSC_last_failure_0) with call-id one past the resource's
 *              highest on that node; a failure (rc != 0, a probe's 7
 *              excepted) also bumps fail-count-RSC#TASK_INTERVAL and sets
 *              last-failure-RSC#TASK_INTERVAL on the node
 *   quorum     cib have-quorum=VALUE
 *   watchdog   crm_config have-watchdog=VALUE
 *   tickets    ticket_state granted=true|false, standby=true|false
 */
#ifndef HERD_CIB_INJECT_H
#define HERD_CIB_INJECT_H

#include <stdbool.h>
#include <time.h>

#include <glib.h>

typedef struct {
    GPtrArray *node_up;          /* char* node names (NULL = none) */
    GPtrArray *node_down;
    GPtrArray *node_fail;
    GPtrArray *op_inject;        /* char* OPSPECs */
    GPtrArray *ticket_grant;     /* char* ticket ids */
    GPtrArray *ticket_revoke;
    GPtrArray *ticket_standby;
    GPtrArray *ticket_activate;
    const char *quorum;          /* NULL = leave alone */
    const char *watchdog;
    time_t now;                  /* last-failure / last-rc-change stamps */
} herd_cib_inject_t;

/* A parsed OPSPEC: ${resource}_${task}_${interval_in_ms}@${node}=${rc}. */
typedef struct {
    char *rsc, *task, *node;
    guint64 interval_ms;
    int rc;
} herd_opspec_t;

/* Parse an OPSPEC into *out (strings owned by the caller: free with
 * herd_opspec_clear).  False with *err (HERD_EXIT_USAGE, naming what is
 * wrong) when it is malformed. */
bool herd_opspec_parse(const char *spec, herd_opspec_t *out, GError **err);

/* Free the strings of a parsed OPSPEC. */
void herd_opspec_clear(herd_opspec_t *spec);

/* True when `inj` asks for no change at all.  As in crm_simulate 2.1.5, a
 * quorum setting alone counts as no change (it is applied only together
 * with another event). */
bool herd_cib_inject_empty(const herd_cib_inject_t *inj);

/* Apply `inj` to the CIB text `buf` (named `name` in messages).  Returns
 * the new document as a NUL-terminated string (free with g_free; *out_len
 * gets its length) or NULL with *err: DATAERR when the text is not XML,
 * USAGE for a malformed OPSPEC or value, NOSUCH for an unknown node or
 * resource.  One line per change made ("Taking node n1 offline") is added
 * to `log` (char*, owned by the array) when it is not NULL. */
char *herd_cib_inject(const char *buf, size_t len, const char *name,
                      const herd_cib_inject_t *inj, GPtrArray *log, size_t *out_len,
                      GError **err);

/* ---- changing a CIB document ------------------------------------------- *
 *
 * The document crm_simulate -O writes: the CIB once a simulated transition
 * ran, each action's result recorded in the status as the controller
 * records an executor event. */

typedef struct herd_cib_doc herd_cib_doc_t;

/* Parse CIB text (named `name` in messages); `now` stamps what is recorded
 * (last-rc-change, last-failure).  NULL with *err (DATAERR) when it is not
 * a <cib> XML document.  Free with herd_cib_doc_free. */
herd_cib_doc_t *herd_cib_doc_parse(const char *buf, size_t len, const char *name, time_t now,
                                   GError **err);

/* The document as indented XML text, its version grown as the CIB's
 * grows: the epoch by each configuration change (num_updates back to 0),
 * num_updates by each change to the status since.  A new NUL-terminated string (*len its length when
 * not NULL); g_free it. */
char *herd_cib_doc_dump(herd_cib_doc_t *d, size_t *len);

/* Free a document.  NULL is fine. */
void herd_cib_doc_free(herd_cib_doc_t *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_cib_doc_t, herd_cib_doc_free)

/* One operation result to record. */
typedef struct {
    const char *rsc;             /* the history's name: a new one is created
                                  * under it */
    const char *rsc_alt[2];      /* names an existing history is looked for
                                  * under first ("rsc:1"; NULL: none) */
    const char *op_rsc;          /* the resource the entry's ids and keys
                                  * name (NULL: the history's name); an
                                  * anonymous clone's configured id */
    const char *klass, *provider, *type;   /* the agent, for a new history */
    const char *task;            /* as executed (a reload is recorded as a
                                  * start) */
    guint64 interval_ms;
    const char *node, *node_uuid;
    int target_rc, rc;           /* expected and actual result */
    const char *exit_reason;     /* kept for a failure only */
    const char *digest;          /* op-digest, or NULL */
    const char *migrate_source, *migrate_target;   /* migrations */
    const char *notify_type, *notify_operation;    /* notifications */
    const char *failcount_rsc;   /* a user-injected failure: the resource
                                  * name its fail count gets (NULL: none) */
    bool injected;               /* crm_simulate -i's layout (failure entry
                                  * first) */
} herd_cib_op_result_t;

/* Record `r` in the status (its node_state is created if need be); with
 * failcount_rsc and a failing rc, also bump the node's fail count and set
 * its last failure, adding a line per attribute to `log` (may be NULL). */
void herd_cib_doc_record_op(herd_cib_doc_t *d, const herd_cib_op_result_t *r, GPtrArray *log);

/* Record node `uname` (id `uuid`, may be NULL) fenced: out of the
 * membership, its resource history and transient attributes cleared. */
void herd_cib_doc_fence(herd_cib_doc_t *d, const char *uname, const char *uuid);

#endif
