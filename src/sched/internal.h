/* internal.h: the scheduler's working state, shared inside src/sched. */
#ifndef HERD_SCHED_INTERNAL_H
#define HERD_SCHED_INTERNAL_H

#include "herd_sched.h"

#define INF HERD_SCORE_INFINITY

typedef struct prim prim_t;
typedef struct unit unit_t;
typedef struct clone clone_t;

/* A primitive instance: the thing that starts and stops on a node. */
struct prim {
    const herd_cib_rsc_t *cfg;
    char *name;              /* display name ("rsc:1" in clones) */
    unit_t *unit;            /* its placement unit */
    int pos;                 /* position in the unit (group order) */
    GPtrArray *running;      /* herd_cib_node_t* it is active on */
    herd_role_t role;        /* current role (highest over nodes) */
    bool failed;             /* a failure needs recovery */
    bool managed;
    bool blocked;            /* on-fail=block or failed stop w/o fencing */
    bool stop_only;          /* on-fail=stop */
    bool ticket_stop;        /* a ticket it needs is missing */
    bool ticket_freeze;      /* ... with loss-policy=freeze */
    bool ticket_nopromote;
    bool ticket_freeze_promoted;   /* a ticket its promoted role needs is missing */
    bool orphan;
    bool *excl;              /* per node: resource-discovery=exclusive allows
                              * it (NULL: no exclusive constraint) */
    bool guest_reset;        /* container recovered to fence its guest */
    bool restart;            /* definition changed: restart in place */
    bool reload;             /* only reloadable parameters changed */
    bool *fc_ignored;        /* per node: failures there had on-fail=ignore
                              * (NULL: none) */
    const herd_cib_node_t *restart_node;
    bool migratable;
    bool unrunnable_start;   /* start blocked by ordering */
    bool stop_blocked;       /* its stop waits on a stop that cannot run */
    const herd_cib_node_t *blocked_on;  /* where it would have started */
    const herd_cib_node_t *placed_on;   /* where it was placed before an
                                         * order blocked it (clones.c) */
    bool inhibited;          /* an interleaved order left it no node */
    const herd_cib_node_t *assigned_on; /* where placement put it, before
                                         * any order blocked it */
    char *unrunnable_reason;
    int *ban;                /* per node: -INF when fail count bans */
    int *loc;                /* per node: location + availability score */
    const herd_cib_node_t *next;
    herd_role_t next_role;
    const herd_cib_node_t *fence_before; /* node fenced because of this */
    int promo_score;
    bool demote_onfail;      /* a failure with on-fail=demote */
    char *hist_name;         /* the id its status history used */
};

/* A placement unit: a primitive, or a group, possibly a clone instance. */
struct unit {
    const herd_cib_rsc_t *cfg;   /* primitive or group */
    char *name;                  /* display name */
    clone_t *clone;              /* owning clone, or NULL */
    int inst;                    /* instance number in the clone */
    GPtrArray *prims;            /* prim_t* in order */
    int *score;                  /* per node, filled when assigning */
    const herd_cib_node_t *current;  /* where it runs now (first prim) */
    const herd_cib_node_t *prefer;   /* tie-break node (first member's) */
    const herd_cib_node_t *assigned;
    bool done, busy;
    bool score_set;              /* score holds the assignment scores */
    int priority;
    int order;                   /* configuration order */
};

struct clone {
    const herd_cib_rsc_t *cfg;
    GPtrArray *units;            /* instances */
    int max, node_max;
    bool done, busy;
    bool promotable;
    bool promoted_done;
    bool start_required;         /* its start is forced through a clone-min
                                  * order whose first stops instances */
    int *count;                  /* per node instance count */
};

/* One side of a colocation: a unit or a clone. */
typedef struct {
    unit_t *unit;
    clone_t *clone;
} target_t;

/* The scheduler's whole state for one run. */
typedef struct {
    const herd_cib_t *cib;
    time_t now;
    int nn;                      /* number of nodes */
    herd_node_state_t **ns;      /* per node */
    GPtrArray *units;            /* unit_t* that are not in clones */
    GPtrArray *clones;           /* clone_t* */
    GPtrArray *all_units;        /* every unit */
    GPtrArray *prims;            /* prim_t*, resource order */
    GHashTable *prim_by_name;    /* instance name -> prim */
    GHashTable *unit_by_rsc;     /* top or group rsc -> unit (non clone) */
    GHashTable *clone_by_rsc;    /* clone rsc / its child -> clone */
    herd_sched_result_t *res;
    const char *nqp;             /* effective no-quorum-policy */
    GPtrArray *fence;            /* fence decisions (herd_decision_t*) */
    bool *fenced;                /* per node: will be fenced */
    bool *unfenceable;           /* per node: unclean, but no quorum to fence */
    int *load;                   /* per node assigned primitive count */
    GHashTable **used;           /* per node utilization used (name -> int) */
    const unit_t *fit_unit;      /* unit being placed (utilization check) */
    guint64 failure_timeout_ms;  /* of the resource being unpacked */
    GPtrArray *colocs;           /* colocations, sets expanded to pairs */
    GPtrArray *coloc_owned;      /* the pairs made from sets (owned) */
    target_t *co_dep, *co_pri;   /* per colocation: its two sides */
    GHashTable *co_by_dep;       /* unit/clone -> GArray of colocation index */
    GHashTable *co_by_pri;
    GHashTable *sort_key;        /* top rsc -> placement weight (strategies) */
    bool debug;                  /* HERD_SCHED_DEBUG: trace to stderr */
    GHashTable *under;
    GPtrArray *orphan_cfgs;      /* herd_cib_rsc_t* made for orphans (owned) */           /* rsc cfg -> GPtrArray of prim_t* below it */
    int *rflags;                 /* per node: remote.c's bookkeeping */
} sched_t;

/* remote.c: remote and guest nodes (hooks called from sched.c). */
bool sched_remote_is_connection(const herd_cib_rsc_t *r);
void sched_remote_state(sched_t *s);
void sched_remote_unpacked(sched_t *s);
void sched_remote_finish(sched_t *s);
bool sched_remote_unpack_early(const sched_t *s, int i);
bool sched_remote_orphan(const sched_t *s, herd_cib_rsc_t *o, const herd_rsc_history_t *h);
void sched_remote_locations(sched_t *s);
bool sched_remote_assigned(sched_t *s);
void sched_fence_node(sched_t *s, int i, const char *reason, const char *rsc);

/* clones.c: ordering rules particular to clones. */
int clones_order_min(const herd_cib_rsc_t *first, const herd_order_t *o, const char *first_action);
bool clones_unit_active_after(const sched_t *s, const unit_t *u);
int clones_active_after(const sched_t *s, const clone_t *c);
unit_t *clones_instance_on(const clone_t *c, const herd_cib_node_t *n);
bool clones_unit_was_active(const unit_t *u);
bool clones_any_stopping(const clone_t *c);
bool clones_unit_failed(const unit_t *u);
int clones_stickiness(const unit_t *u);
bool clones_needs_fencing(const sched_t *s, const herd_cib_rsc_t *r);
bool clones_unclean_orphan(const sched_t *s, const clone_t *c, const herd_cib_rsc_t *r, int ni);

#endif
