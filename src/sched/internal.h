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
    bool *fc_ignored;        /* per node: its fail count there bans nothing
                              * (on-fail=ignore, or cleared because the
                              * parameters changed since) (NULL: none) */
    const herd_cib_node_t *restart_node;
    bool migratable;
    bool unrunnable_start;   /* start blocked by ordering */
    bool had_node;           /* assigned a node, then stopped by an order */
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
    const herd_cib_node_t *lock_node;  /* shutdown-lock: only there */
    const char *unfence_why; /* a fence device changed where it runs */
    const herd_cib_node_t *partial_src, *partial_tgt;  /* a partial live
                              * migration (migration.c) */
    const herd_cib_node_t *container_restart;  /* a failure there restarts
                              * its container (container.c) */
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
    guint fit;                   /* members whose utilization fit there (a prefix) */
    bool done, busy;
    bool score_set;              /* score holds the assignment scores */
    int priority;
    int order;                   /* configuration order */
    const herd_cib_node_t *pin;  /* bundle child instance: the only node it
                                  * may run on (its replica's guest node) */
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
    const herd_cib_rsc_t *bundle;    /* the bundle whose replicas (or child
                                      * instances) these are, or NULL */
    bool bundle_assigning;       /* bundle.c is assigning it */
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
    GHashTable *sort_key;        /* top rsc -> placement sort key (int[nn + 1], strategies) */
    bool debug;                  /* HERD_SCHED_DEBUG: trace to stderr */
    bool no_fencing_device;      /* fencing on but no device (nor watchdog):
                                  * resources are left as they are */
    GHashTable *under;
    GPtrArray *orphan_cfgs;      /* herd_cib_rsc_t* made for orphans (owned) */           /* rsc cfg -> GPtrArray of prim_t* below it */
    int *rflags;                 /* per node: remote.c's bookkeeping */
} sched_t;

/* remote.c: remote and guest nodes (hooks called from sched.c). */
bool sched_remote_is_connection(const herd_cib_rsc_t *r);
void sched_remote_state(sched_t *s, bool guests);
void sched_remote_unpacked(sched_t *s);
void sched_remote_finish(sched_t *s);
bool sched_remote_unpack_early(const sched_t *s, int i);
bool sched_remote_orphan(const sched_t *s, herd_cib_rsc_t *o, const herd_rsc_history_t *h);
void sched_remote_locations(sched_t *s);
bool sched_remote_assigned(sched_t *s);
void sched_fence_node(sched_t *s, int i, const char *reason, const char *rsc);

/* sched.c helpers */
int sched_meta_score(const herd_cib_rsc_t *r, const char *name, int dflt);

/* digest.c */
char *sched_param_digest(GHashTable *params, const char *only);
GHashTable *sched_node_params(const sched_t *s, const herd_cib_rsc_t *r, const herd_cib_node_t *n);
int sched_definition_changed(const sched_t *s, const herd_cib_rsc_t *r, const herd_lrm_op_t *op,
                             const herd_cib_node_t *n);
bool sched_agent_changed(const herd_cib_rsc_t *r, const herd_rsc_history_t *h);
char *sched_op_digest(const sched_t *s, const herd_cib_rsc_t *r, const char *task,
                      guint64 interval_ms, const herd_cib_node_t *n);

/* container.c */
const herd_cib_rsc_t *sched_container_of(const sched_t *s, const herd_cib_rsc_t *r);
void sched_container_colocations(sched_t *s);
void sched_container_orders(sched_t *s, GPtrArray *all, GPtrArray *owned);
void sched_container_restarts(sched_t *s);

/* migration.c */
void sched_migrations(sched_t *s);

/* unfence.c */
void sched_unfence(sched_t *s);

/* lock.c */
void sched_shutdown_locks(sched_t *s);

/* failcount.c */
bool sched_failure_params_changed(const sched_t *s, const herd_cib_rsc_t *cfg,
                                  const herd_rsc_history_t *h, const herd_cib_node_t *n);
void sched_failcounts(sched_t *s);
/* sched.c: building blocks bundle.c uses. */
unit_t *sched_new_unit(sched_t *s, const herd_cib_rsc_t *cfg, clone_t *c, int inst);
void sched_assign_unit(sched_t *s, unit_t *u);
void sched_assign_clone(sched_t *s, clone_t *c);
void sched_compute_locations(sched_t *s);
bool sched_node_usable(const sched_t *s, int i);

/* bundle.c: bundles (replicas of ip, container, connection, and the
 * child's instances on the replicas' guest nodes). */
void sched_bundle_build(sched_t *s, const herd_cib_rsc_t *b);
void sched_bundle_locations(sched_t *s);
void sched_bundle_assign(sched_t *s, const herd_cib_rsc_t *b);
bool sched_bundle_orders(sched_t *s);
int sched_bundle_node_penalty(const sched_t *s, const clone_t *c, int n);
const herd_cib_node_t *sched_bundle_attr_node(const sched_t *s, const prim_t *p,
                                              const herd_cib_node_t *n);
GPtrArray *sched_bundle_order_targets(sched_t *s, const herd_cib_rsc_t *b);
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
