/* scores.c: placement scores kept in the result for `herd simulate -s`
 * (see scores.h). */
#include <string.h>

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

/* The score the location constraints naming `id` itself give node `nd`. */
static int own_location(sched_t *s, const char *id, const herd_cib_node_t *nd)
{
    int sc = 0;
    for (guint i = 0; i < s->cib->locations->len; i++) {
        const herd_location_t *l = s->cib->locations->pdata[i];
        if (!l->rsc || strcmp(l->rsc, id))
            continue;
        if (l->role == HERD_ROLE_PROMOTED || l->role == HERD_ROLE_UNPROMOTED)
            continue;
        if (l->node && !strcmp(l->node, nd->uname))
            sc = herd_score_add(sc, l->score);
        for (guint r = 0; r < l->rules->len; r++) {
            const herd_rule_t *rule = l->rules->pdata[r];
            if (rule->role && herd_role_parse(rule->role) == HERD_ROLE_PROMOTED)
                continue;
            if (!herd_rule_eval(rule, nd, NULL, s->now))
                continue;
            int v = rule->score;
            if (rule->score_attribute) {
                const char *a = g_hash_table_lookup(nd->attrs, rule->score_attribute);
                if (!a || !herd_score_parse(a, &v))
                    continue;
            }
            sc = herd_score_add(sc, v);
        }
    }
    return sc;
}

static int stickiness(const sched_t *s, const prim_t *p, int n)
{
    if (!p->managed || (p->failed && p->ban[n] < 0))
        return 0;
    for (guint j = 0; j < p->running->len; j++) {
        if (p->running->pdata[j] != s->ns[n]->cfg)
            continue;
        int v = 0;
        const char *m = herd_cib_rsc_meta(p->cfg, "resource-stickiness");
        if (!m)
            m = herd_cib_rsc_meta(p->cfg, "stickiness");
        if (!m || !herd_score_parse(m, &v))
            v = 0;
        return v;
    }
    return 0;
}

static bool stopped_role(const herd_cib_rsc_t *r)
{
    return herd_role_parse(herd_cib_rsc_meta(r, "target-role")) == HERD_ROLE_STOPPED;
}

/* A group as Pacemaker reports it: the group's own scores, each member's
 * before the group merges them (the group's constraints count for the
 * first member only), then the first member with the others' added and
 * each later member held to where the one before it goes. */
static void group_scores(sched_t *s, const unit_t *u)
{
    int nn = s->nn;
    g_autofree int *gl = g_new0(int, nn);
    guint m = u->prims->len;
    g_autofree int *line = g_new0(int, (size_t) nn * (m ? m : 1));
    for (int n = 0; n < nn; n++) {
        const herd_cib_node_t *nd = s->ns[n]->cfg;
        gl[n] = own_location(s, u->cfg->id, nd);
        for (guint k = 0; k < m; k++) {
            const prim_t *p = u->prims->pdata[k];
            /* herd's per-member score carries the group's constraints on
             * every member; Pacemaker's only on the first */
            int v = p->loc[n];
            if (k > 0 && v > -HERD_SCORE_INFINITY && v < HERD_SCORE_INFINITY &&
                gl[n] > -HERD_SCORE_INFINITY && gl[n] < HERD_SCORE_INFINITY)
                v -= gl[n];
            line[k * nn + n] = v;
        }
    }
    bool gstop = stopped_role(u->cfg);
    for (int n = 0; n < nn; n++)
        add(s, HERD_SCORE_ALLOCATION, "pcmk__group_assign", u->cfg->id, s->ns[n]->cfg->uname,
            gstop ? -HERD_SCORE_INFINITY : gl[n]);
    for (guint k = 0; k < m; k++) {
        const prim_t *p = u->prims->pdata[k];
        for (int n = 0; n < nn; n++)
            add(s, HERD_SCORE_ALLOCATION, "pcmk__group_assign", p->name, s->ns[n]->cfg->uname,
                line[k * nn + n]);
    }
    const herd_cib_node_t *prev = NULL;
    bool held = false;      /* an earlier member cannot run: the rest cannot */
    for (guint k = 0; k < m; k++) {
        const prim_t *p = u->prims->pdata[k];
        bool stop = gstop || stopped_role(p->cfg) || held;
        for (int n = 0; n < nn; n++) {
            int v;
            if (stop) {
                v = -HERD_SCORE_INFINITY;
            } else if (k == 0) {
                v = 0;
                for (guint j = 0; j < m; j++)
                    v = herd_score_add(v, herd_score_add(line[j * nn + n],
                                                         stickiness(s, u->prims->pdata[j], n)));
            } else if (prev && prev == s->ns[n]->cfg) {
                v = herd_score_add(line[k * nn + n], stickiness(s, p, n));
            } else {
                v = -HERD_SCORE_INFINITY;
            }
            add(s, HERD_SCORE_ALLOCATION, "pcmk__primitive_assign", p->name,
                s->ns[n]->cfg->uname, v);
        }
        prev = p->next;
        if (!prev)
            held = true;
    }
}

/* Record a unit's allocation scores; see scores.h. */
void sched_scores_unit(sched_t *s, const unit_t *u, const int *sc)
{
    if (u->cfg->kind == HERD_RSC_GROUP) {
        group_scores(s, u);
        return;
    }
    /* A resource asked to stay stopped is banned everywhere first. */
    bool stopped = stopped_role(u->cfg);
    for (int n = 0; n < s->nn; n++)
        add(s, HERD_SCORE_ALLOCATION, "pcmk__primitive_assign", u->name, s->ns[n]->cfg->uname,
            stopped ? -HERD_SCORE_INFINITY : sc[n]);
}

/* Record a clone's scores; see scores.h. */
void sched_scores_clone(sched_t *s, const clone_t *c)
{
    int nn = s->nn;
    const unit_t *first = c->units->len ? c->units->pdata[0] : NULL;
    if (!first || (c->bundle && c->cfg == c->bundle))
        return;     /* (a bundle's replicas: not recorded yet) */
    const char *child = ((const herd_cib_rsc_t *) c->cfg->children->pdata[0])->id;
    bool stopped = stopped_role(c->cfg);
    /* the clone's own: its constraints (and the child's, which Pacemaker
     * gives the clone too) */
    for (int n = 0; n < nn; n++) {
        const herd_cib_node_t *nd = s->ns[n]->cfg;
        int v = herd_score_add(own_location(s, c->cfg->id, nd), own_location(s, child, nd));
        add(s, HERD_SCORE_ALLOCATION, "pcmk__clone_allocate", c->cfg->id, nd->uname,
            stopped ? -HERD_SCORE_INFINITY : v);
    }
    /* instances left without a node have no promotion score: Pacemaker
     * reports them as 0 on "none" */
    if (c->promotable)
        for (guint i = 0; i < c->units->len; i++) {
            const unit_t *u = c->units->pdata[i];
            const prim_t *p = u->prims->pdata[0];
            if (!p->next)
                add(s, HERD_SCORE_PROMOTION, NULL, p->name, "none", 0);
        }
    if (first->cfg->kind == HERD_RSC_GROUP)
        return;     /* cloned groups: not reported yet */
    /* each instance: its locations plus stickiness where it runs */
    g_autofree int *count = g_new0(int, nn);
    g_autofree int *inst = g_new0(int, nn);
    /* the order they were assigned in: kept ones first */
    GArray *order = g_array_new(FALSE, FALSE, sizeof(guint));
    for (int pass = 0; pass < 2; pass++)
        for (guint i = 0; i < c->units->len; i++) {
            const unit_t *u = c->units->pdata[i];
            bool kept = u->assigned && u->current == u->assigned;
            if (u->inst >= c->max)
                continue;   /* extra copies (orphans) have no scores */
            if (kept == (pass == 0))
                g_array_append_val(order, i);
        }
    g_autofree int *with_stick = g_new0(int, (size_t) nn * c->units->len);
    for (guint i = 0; i < c->units->len; i++) {
        const unit_t *u = c->units->pdata[i];
        const prim_t *p = u->prims->pdata[0];
        if (u->inst >= c->max)
            continue;
        for (int n = 0; n < nn; n++) {
            int stick = 0;
            if (p->managed && !(p->failed && p->ban[n] < 0))
                for (guint j = 0; j < p->running->len; j++)
                    if (p->running->pdata[j] == s->ns[n]->cfg) {
                        const char *m = herd_cib_rsc_meta(p->cfg, "resource-stickiness");
                        if (!m || !herd_score_parse(m, &stick))
                            stick = 1;
                    }
            with_stick[i * nn + n] = herd_score_add(p->loc[n], stick);
            add(s, HERD_SCORE_ALLOCATION, "pcmk__clone_allocate", p->name, s->ns[n]->cfg->uname,
                with_stick[i * nn + n]);
        }
    }
    for (guint oi = 0; oi < order->len; oi++) {
        guint i = g_array_index(order, guint, oi);
        const unit_t *u = c->units->pdata[i];
        const prim_t *p = u->prims->pdata[0];
        for (int n = 0; n < nn; n++) {
            int v = herd_score_add(with_stick[i * nn + n],
                                   u->score[n] < 0 ? u->score[n] : 0);
            if (count[n] >= c->node_max || stopped)
                v = -HERD_SCORE_INFINITY;
            inst[n] = v;
            add(s, HERD_SCORE_ALLOCATION, "pcmk__primitive_assign", p->name,
                s->ns[n]->cfg->uname, v);
        }
        if (u->assigned)
            count[u->assigned->index]++;
    }
    g_array_free(order, TRUE);
}

/* Record a promotion score; see scores.h. */
void sched_scores_promotion(sched_t *s, const prim_t *p, const herd_cib_node_t *n, int score)
{
    add(s, HERD_SCORE_PROMOTION, NULL, p->name, n->uname, score);
}

/* The clone-wide score of node nd: the location constraints naming the
 * clone or its child (what Pacemaker adds to a promotion score). */
int sched_scores_clone_location(sched_t *s, const clone_t *c, const herd_cib_node_t *nd)
{
    const char *child = ((const herd_cib_rsc_t *) c->cfg->children->pdata[0])->id;
    return herd_score_add(own_location(s, c->cfg->id, nd), own_location(s, child, nd));
}
