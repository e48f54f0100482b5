/* scores.h: the placement scores kept for `herd simulate -s` (internal to
 * src/sched).  The scheduler calls these hooks where it has computed a
 * unit's per-node scores or an instance's promotion score; they append
 * herd_score_t entries to the result. */
#ifndef HERD_SCHED_SCORES_H
#define HERD_SCHED_SCORES_H

#include "internal.h"

/* Record the allocation scores `sc` (one per node) of unit `u`: a
 * primitive's as pcmk__primitive_assign, a group's as pcmk__group_assign
 * followed by its members'. */
void sched_scores_unit(sched_t *s, const unit_t *u, const int *sc);

/* Record a clone's scores once its instances are assigned: the clone's
 * own and each instance's (pcmk__clone_allocate), then each instance's at
 * its turn (pcmk__primitive_assign), nodes already full banned. */
void sched_scores_clone(sched_t *s, const clone_t *c);

/* Record the promotion score of clone instance `p` on node `n`. */
void sched_scores_promotion(sched_t *s, const prim_t *p, const herd_cib_node_t *n, int score);
int sched_scores_clone_location(sched_t *s, const clone_t *c, const herd_cib_node_t *nd);

#endif
