/* scores.c: placement scores kept in the result for `herd simulate -s`
 * (see scores.h). */
#include "scores.h"

static void score_free(herd_score_t *sc)
{
    g_free(sc->rsc);
    g_free(sc->node);
    g_free(sc);
}

static void add(sched_t *s, herd_score_kind_t kind, const char *where, const char *rsc,
                const char *node, int score)
{
    if (!s->res->scores)
        s->res->scores = g_ptr_array_new_with_free_func((GDestroyNotify) score_free);
    herd_score_t *sc = g_new0(herd_score_t, 1);
    sc->kind = kind;
    sc->where = where;
    sc->rsc = g_strdup(rsc);
    sc->node = g_strdup(node);
    sc->score = score;
    g_ptr_array_add(s->res->scores, sc);
}

/* Record a unit's allocation scores; see scores.h. */
void sched_scores_unit(sched_t *s, const unit_t *u, const int *sc)
{
    const char *where = u->cfg->kind == HERD_RSC_GROUP ? "pcmk__group_assign"
                                                       : "pcmk__primitive_assign";
    /* A resource asked to stay stopped is banned everywhere first. */
    const char *tr = herd_cib_rsc_meta(u->cfg, "target-role");
    bool stopped = herd_role_parse(tr) == HERD_ROLE_STOPPED;
    for (int n = 0; n < s->nn; n++)
        add(s, HERD_SCORE_ALLOCATION, where, u->name, s->ns[n]->cfg->uname,
            stopped ? -HERD_SCORE_INFINITY : sc[n]);
    if (u->cfg->kind != HERD_RSC_GROUP)
        return;
    for (guint k = 0; k < u->prims->len; k++) {
        const prim_t *p = u->prims->pdata[k];
        for (int n = 0; n < s->nn; n++)
            add(s, HERD_SCORE_ALLOCATION, "pcmk__primitive_assign", p->name,
                s->ns[n]->cfg->uname, p->loc ? p->loc[n] : 0);
    }
}

/* Record a promotion score; see scores.h. */
void sched_scores_promotion(sched_t *s, const prim_t *p, const herd_cib_node_t *n, int score)
{
    add(s, HERD_SCORE_PROMOTION, NULL, p->name, n->uname, score);
}
