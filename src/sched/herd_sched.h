/* herd_sched.h: the scheduler, a pure function from a CIB model to
 * decisions.
 *
 * herd_sched_run() takes a loaded herd_cib_t and the "now" (seconds since
 * the epoch, used for rules, failure-timeout and shutdown locks) and
 * returns a herd_sched_result_t: the decisions of the transition summary
 * (what starts, stops, moves, recovers, is promoted or fenced, each with
 * its reason) and the resulting placement.  It does no I/O, reads no
 * clock, uses no globals; the same input gives the same output.
 *
 * The result borrows strings from nothing: it owns copies.  Free it with
 * herd_sched_result_free().  The CIB must outlive nothing returned.
 */
#ifndef HERD_SCHED_H
#define HERD_SCHED_H

#include <time.h>

#include <glib.h>

#include "herd_cib.h"
#include "herd_cib_inject.h"

typedef enum {
    HERD_DECISION_FENCE,
    HERD_DECISION_START,
    HERD_DECISION_STOP,
    HERD_DECISION_MOVE,
    HERD_DECISION_RECOVER,
    HERD_DECISION_RESTART,
    HERD_DECISION_MIGRATE,
    HERD_DECISION_PROMOTE,
    HERD_DECISION_DEMOTE,
    HERD_DECISION_REPROMOTE,
    HERD_DECISION_RELOAD,    /* new parameters an agent reload applies */
} herd_decision_kind_t;

/* One line of the transition summary. */
typedef struct {
    herd_decision_kind_t kind;
    char *rsc;               /* resource (instance) name; FENCE: node */
    char *from, *to;         /* nodes (NULL when not applicable) */
    herd_role_t from_role, to_role;
    char *reason;            /* "due to node availability", NULL ... */
    bool blocked;            /* the action cannot run: "(blocked)" */
    char *fence_action;      /* FENCE: reboot, off, on */
    char *fence_reason;      /* FENCE: 'node is unclean' etc. */
    char *fence_rsc;         /* FENCE of a guest: the container */
} herd_decision_t;

/* Where a primitive instance is and will be. */
typedef struct {
    char *name;              /* "rsc" or "rsc:N" */
    char *top_id;            /* the top-level resource holding it */
    const herd_cib_rsc_t *cfg;
    GPtrArray *current;      /* char* node names it is active on */
    herd_role_t current_role;
    char *next;              /* node after the transition, or NULL */
    herd_role_t next_role;
    bool failed, managed, orphan;
    bool disabled;           /* target-role Stopped (itself or a parent) */
    bool blocked;            /* a failure blocks further action */
    bool demote_onfail;      /* failed with on-fail=demote: demoted in place,
                              * shown FAILED */
    int *scores;             /* per node (result node order): the placement
                              * scores it was assigned with, or NULL */
    bool *discover;          /* per node (result node order): with a
                              * resource-discovery=exclusive location, the
                              * nodes it may be probed on; NULL otherwise */
    char *hist_name;         /* an extra instance of an anonymous clone (a
                              * copy beyond clone-max): the history id it
                              * was read from; NULL otherwise */
    char *assigned;          /* no next node because an order blocked it:
                              * where placement had put it (its probes
                              * name it there); NULL otherwise */
} herd_placement_t;

/* A node after status unpacking. */
typedef struct {
    const herd_cib_node_t *cfg;
    bool online, unclean, standby, maintenance, shutdown, pending, fenced_now;
    bool online_before;      /* online as the status shows it, before the
                              * assignment brings remote nodes up */
    bool standby_onfail;
} herd_node_state_t;

typedef struct herd_graph herd_graph_t;
/* One placement score, as crm_simulate -s prints it:
 * "WHERE: RSC allocation score on NODE: SCORE" (kind ALLOCATION) or
 * "RSC promotion score on NODE: SCORE" (kind PROMOTION). */
typedef enum {
    HERD_SCORE_ALLOCATION,
    HERD_SCORE_PROMOTION,
} herd_score_kind_t;

typedef struct {
    herd_score_kind_t kind;
    const char *where;       /* static: "pcmk__primitive_assign", ... */
    char *rsc;               /* resource or instance name */
    char *node;              /* node name */
    int score;
} herd_score_t;

typedef struct {
    GPtrArray *decisions;    /* herd_decision_t*, in summary order */
    GPtrArray *placements;   /* herd_placement_t*, resource order */
    GPtrArray *nodes;        /* herd_node_state_t*, node order */
    GPtrArray *rsc_order;    /* top-level const herd_cib_rsc_t* in display
                              * order (priority, then configuration) */
    bool have_quorum;
    herd_graph_t *graph;     /* the transition graph (see below) */
    GPtrArray *orphan_cfgs;  /* herd_cib_rsc_t* made up for orphaned
                              * resources (history, no configuration);
                              * placements and actions point at them, so
                              * the result owns them */
    GPtrArray *scores;       /* herd_score_t*, in the order they were
                              * computed (NULL when none were) */
} herd_sched_result_t;

/* Run the scheduler.  Returns a new result (never NULL for a loaded CIB). */
herd_sched_result_t *herd_sched_run(const herd_cib_t *cib, time_t now);

/* Free a result.  NULL is fine. */
void herd_sched_result_free(herd_sched_result_t *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_sched_result_t, herd_sched_result_free)

/* ---- the transition graph --------------------------------------------- *
 *
 * The actions the decisions need and the orderings between them, in the
 * shape Pacemaker's transition graph has, so that a daemon can execute it:
 * an action runs once every action in its `inputs` has completed.  The
 * actions are kept in synapse order (the order Pacemaker writes them and
 * a simulated execution scans them in); `id` is the position. */

typedef enum {
    HERD_ACTION_RSC,         /* an executor operation on a node */
    HERD_ACTION_PSEUDO,      /* a point in the graph (group/clone start, a
                              * stop implied by fencing); nothing runs */
    HERD_ACTION_CLUSTER,     /* do_shutdown, clear_failcount on a node */
    HERD_ACTION_FENCE,       /* fence a node */
} herd_action_kind_t;

typedef struct herd_action herd_action_t;

struct herd_action {
    int id;                  /* position in herd_graph_t.actions */
    herd_action_kind_t kind;
    char *task;              /* start stop monitor promote demote notify
                              * migrate_to migrate_from cancel running
                              * stopped promoted demoted stonith ... */
    char *key;               /* operation key: "rsc_monitor_10000",
                              * "grp_running_0", "stonith-n1-reboot" */
    char *rsc;               /* resource instance ("rsc:1"), NULL for
                              * fencing and node actions */
    char *rsc_id;            /* the resource as the graph names it: the
                              * name its history has; for an anonymous
                              * clone instance without one, the configured
                              * id (the executor knows no instance) */
    char *label;             /* the name crm_simulate prints for it */
    const herd_cib_rsc_t *cfg;   /* the primitive (or group/clone); NULL
                                  * for orphans (no longer configured) */
    char *klass, *provider, *type;   /* the agent of a resource action */
    char *node;              /* node it runs on (NULL for pseudo) */
    guint64 interval_ms;     /* monitor / cancel interval */
    guint64 timeout_ms;
    GHashTable *meta;        /* name -> value, written as CRM_meta_NAME */
    GHashTable *params;      /* instance attributes for the agent */
    char *reason;            /* why the action exists, in words */
    GPtrArray *inputs;       /* herd_action_t* that must complete first */
    bool fence_implied;      /* a stop the fencing of its node implies */
    int sort_group, sort_rank, seq;   /* internal: synapse order */
};

struct herd_graph {
    GPtrArray *actions;      /* herd_action_t*, owned, synapse order */
    GStringChunk *strings;   /* every string of the actions (task, key, rsc,
                              * node, reason, agent): freed with the graph */
};

/* Build the transition graph for a scheduler result (called by
 * herd_sched_run; exposed for tests).  Returns a new graph owned by the
 * caller (herd_graph_free). */
herd_graph_t *herd_graph_build(const herd_cib_t *cib, const herd_sched_result_t *res);

/* Free a graph.  NULL is fine. */
void herd_graph_free(herd_graph_t *g);

/* Simulate executing the graph as crm_simulate does: rounds over the
 * actions in synapse order, each firing every action whose inputs have
 * completed (an action completes at once when fired).  Returns a new
 * array of the fired actions in firing order (borrowed pointers; free the
 * array only).  Actions that never become runnable are left out. */
GPtrArray *herd_graph_execute(const herd_graph_t *g);

/* One action of a simulated execution: whether it was made to fail and
 * the result it gave (the expected one unless it failed). */
typedef struct {
    const herd_action_t *action;   /* borrowed from the graph */
    bool failed;
    int rc;
    const char *fail_name;   /* failed: the resource name the failure was
                              * asked for (its fail count's), borrowed from
                              * the fail function's user data */
} herd_exec_step_t;

/* Asked for each resource action as it fires: the resource name the
 * failure was asked under (with *rc set) to make it fail with that result
 * (crm_simulate -F), or NULL to let it succeed. */
typedef const char *(*herd_graph_fail_fn)(const herd_action_t *a, int *rc, void *user);

/* Simulate executing the graph as herd_graph_execute does, failing the
 * actions `fail` (may be NULL) picks.  As in crm_simulate, a failure
 * aborts the transition: its dependents do not run, and from then on only
 * pseudo actions and the synapses Pacemaker gives priority INFINITY (a
 * clone's running/stopped/promoted/demoted, post-notifications) still
 * fire.  Returns a new array of herd_exec_step_t in firing order. */
GArray *herd_graph_execute_steps(const herd_graph_t *g, herd_graph_fail_fn fail, void *user);

/* The result an action is expected to give (its transition key's target):
 * 7 for a probe or a monitor of role Stopped, 8 for a monitor of the
 * promoted role, else 0. */
int herd_action_target_rc(const herd_action_t *a);

/* Record what one executed step did in the CIB document `doc` (see
 * herd_cib_inject.h), as crm_simulate records it: a resource action's
 * result in its node's history (a failure asked for also bumps the fail
 * count, with a line per attribute added to `log`, may be NULL), a
 * fencing other than "on" takes the node down and clears its history.
 * Pseudo and cluster actions change nothing.  `now` is the scheduler's
 * (rules in the parameters recorded with the result). */
void herd_graph_record_step(const herd_cib_t *cib, const herd_exec_step_t *st, time_t now,
                            herd_cib_doc_t *doc, GPtrArray *log);

/* The names of an action's resource as crm_simulate records and matches
 * it: *hist the history it lives in ("rsc", "rsc:1": the name its history
 * has, else the instance), *cfg_id the configured id for an instance of
 * an anonymous clone (its results' keys name that), else NULL. */
void herd_graph_action_names(const herd_action_t *a, const char **cfg_id, const char **hist);

/* The op-digest Pacemaker records for an action's result: the md5 of its
 * parameters on its node at `now` (and, for a recurring one, its
 * timeout).  A new string. */
char *herd_sched_action_digest(const herd_cib_t *cib, const herd_action_t *a, time_t now);

/* One line of crm_simulate's "Executing Cluster Transition:" section for
 * an action, without the newline.  Returns a new string. */
char *herd_graph_action_line(const herd_action_t *a);

/* The graph as Pacemaker's transition graph XML.  Returns a new string. */
char *herd_graph_to_xml(const herd_graph_t *g, const herd_cib_t *cib);

/* The graph as a dot graph (crm_simulate -D).  Returns a new string. */
char *herd_graph_to_dot(const herd_graph_t *g);

#endif
