/* failcount.c: fail counts (the fail-count-* and last-failure-* transient
 * node attributes) and the migration-threshold bans they cause. */
#include <string.h>

#include "internal.h"
#include "scores.h"

/* Before feature set 3.0.13 fail counts were kept per resource
 * ("fail-count-RSC"); since, per operation ("fail-count-RSC#OP_INTERVAL").
 * Pacemaker reads only the naming of the CIB's own feature set (a CIB
 * without one counts as old). */
static bool legacy_names(const sched_t *s)
{
    const char *v = s->cib->feature_set;
    if (!v)
        return true;
    int want[3] = {3, 0, 13};
    for (int i = 0; i < 3; i++) {
        char *end;
        long x = strtol(v, &end, 10);
        if (x != want[i])
            return x < want[i];
        if (*end != '.')
            return i < 2;   /* "3.0" < "3.0.13" */
        v = end + 1;
    }
    return false;
}

/* Is `key` PREFIX-ID, with ":N" allowed for anonymous clone instances and
 * then, unless legacy, "#OP_INTERVAL"? */
static bool attr_matches(const char *key, const char *prefix, const char *id, bool anon,
                         bool legacy)
{
    size_t pl = strlen(prefix), il = strlen(id);
    if (strncmp(key, prefix, pl) != 0 || strncmp(key + pl, id, il) != 0)
        return false;
    const char *r = key + pl + il;
    if (anon && *r == ':' && g_ascii_isdigit(r[1])) {
        r++;
        while (g_ascii_isdigit(*r))
            r++;
    }
    if (legacy)
        return *r == '\0';
    /* "#" something "_" digits at the end */
    if (*r != '#' || !r[1])
        return false;
    const char *us = strrchr(r + 1, '_');
    if (!us || us == r + 1 || !us[1])
        return false;
    for (const char *d = us + 1; *d; d++)
        if (!g_ascii_isdigit(*d))
            return false;
    return true;
}

/* Whether the failure recorded in history h (its last_failure entry, for a
 * start or a monitor) ran with other parameters than the resource has now:
 * Pacemaker then clears the fail count ("resource parameters have
 * changed"), so it bans nothing.  An entry without a digest tells
 * nothing. */
bool sched_failure_params_changed(const sched_t *s, const herd_cib_rsc_t *cfg,
                                  const herd_rsc_history_t *h, const herd_cib_node_t *n)
{
    if (cfg->implicit)
        return false;   /* a guest's connection: its parameters are made up */
    for (guint i = 0; i < h->ops->len; i++) {
        const herd_lrm_op_t *op = h->ops->pdata[i];
        if (!op->id || !strstr(op->id, "last_failure") || !op->op_digest)
            continue;
        if (strcmp(op->operation, "start") != 0 && strcmp(op->operation, "monitor") != 0)
            continue;
        g_autofree char *now = sched_op_digest(s, cfg, op->operation, op->interval_ms, n);
        return strcmp(now, op->op_digest) != 0;
    }
    return false;
}

/* Fail counts: the total of a primitive's fail-count attributes on each
 * node bans it there (-INFINITY in p->ban) once it reaches the
 * resource's migration-threshold, unless its failures expired
 * (failure-timeout after the latest last-failure) or do not count there
 * (p->fc_ignored). */
void sched_failcounts(sched_t *s)
{
    bool legacy = legacy_names(s);
    for (guint i = 0; i < s->prims->len; i++) {
        prim_t *p = s->prims->pdata[i];
        int threshold = sched_meta_score(p->cfg, "migration-threshold", INF);
        guint64 timeout_ms = 0;
        const char *ft = herd_cib_rsc_meta(p->cfg, "failure-timeout");
        if (ft)
            herd_cib_parse_interval(ft, &timeout_ms);
        if (threshold <= 0)
            continue;
        const herd_cib_rsc_t *cl = NULL;
        for (const herd_cib_rsc_t *a = p->cfg; a && !cl; a = a->parent)
            if (a->kind == HERD_RSC_CLONE)
                cl = a;
        bool anon = cl && !cl->unique;
        const char *key_id = anon ? p->cfg->id : p->name;
        for (int n = 0; n < s->nn; n++) {
            const herd_cib_node_t *nd = s->ns[n]->cfg;
            GHashTableIter it;
            gpointer k, v;
            int total = 0;
            time_t last = 0;
            g_hash_table_iter_init(&it, nd->attrs);
            while (g_hash_table_iter_next(&it, &k, &v)) {
                const char *key = k;
                if (attr_matches(key, "fail-count-", key_id, anon, legacy)) {
                    int sc;
                    if (herd_score_parse(v, &sc))
                        total = herd_score_add(total, sc);
                } else if (attr_matches(key, "last-failure-", key_id, anon, legacy)) {
                    time_t t = (time_t) g_ascii_strtoll(v, NULL, 10);
                    if (t > last)
                        last = t;
                }
            }
            if (total <= 0 || (p->fc_ignored && p->fc_ignored[n]))
                continue;
            if (timeout_ms > 0 && last > 0 && s->now >= last + (time_t) (timeout_ms / 1000))
                continue;   /* expired */
            if (total >= threshold)
                p->ban[n] = -INF;
        }
    }
}
