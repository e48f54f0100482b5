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
    int *scores;             /* per node (result node order): the placement
                              * scores it was assigned with, or NULL */
} herd_placement_t;

/* A node after status unpacking. */
typedef struct {
    const herd_cib_node_t *cfg;
    bool online, unclean, standby, maintenance, shutdown, pending, fenced_now;
    bool standby_onfail;
} herd_node_state_t;

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
    GPtrArray *scores;       /* herd_score_t*, in the order they were
                              * computed (NULL when none were) */
} herd_sched_result_t;

/* Run the scheduler.  Returns a new result (never NULL for a loaded CIB). */
herd_sched_result_t *herd_sched_run(const herd_cib_t *cib, time_t now);

/* Free a result.  NULL is fine. */
void herd_sched_result_free(herd_sched_result_t *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_sched_result_t, herd_sched_result_free)

#endif
