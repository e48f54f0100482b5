/* graph_internal.h: the graph builder's working state (src/sched only). */
#ifndef HERD_SCHED_GRAPH_INTERNAL_H
#define HERD_SCHED_GRAPH_INTERNAL_H

#include "herd_sched.h"

typedef struct {
    const herd_cib_t *cib;
    const herd_sched_result_t *res;
    herd_graph_t *g;
    GHashTable *index;           /* "key@node" -> herd_action_t* */
    GHashTable *edges;           /* "first>then" set */
    GHashTable *hist_exact;      /* "node\x1fid" -> herd_rsc_history_t* */
    GHashTable *hist_base;       /* "node\x1fid without :N" -> GPtrArray of them */
    GHashTable *decision_by_rsc; /* instance name -> first herd_decision_t* */
    GHashTable *prim_acts;       /* instance name -> prim_acts_t* */
    GHashTable *group_of_prim;   /* instance name -> synapse group (int) */
    GHashTable *coll;            /* group/clone id -> coll_acts_t* */
    GHashTable *anon_probe;      /* "cfgid@node" -> instance name probing */
    GHashTable *no_discovery;    /* rsc id -> set of nodes (discovery=never) */
    GHashTable *fenced_nodes;    /* uname -> fencing herd_action_t* */
    GHashTable *hist_ids;        /* every history's resource id (a set) */
    GHashTable *inactive_name;   /* instance -> name of the inactive
                                  * histories mapped to it */
    bool no_probe_edges;         /* build_clone: probes not before the
                                  * clone's start (a bundle's containers:
                                  * before their own starts only) */
    bool force_start;            /* build_clone: start/running even
                                  * without starts (bundle.c's blocked
                                  * child instances) */
} gb_t;

#endif
