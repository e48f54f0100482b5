/* sim_whatif.c: `herd simulate`'s what-if options: synthetic events applied
 * to the CIB before scheduling, node attributes, fail counts, scores,
 * utilization, saving the input, and the structured (json/xml) output. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herd_cib_inject.h"
#include "sim_whatif.h"

/* ---- options ------------------------------------------------------------ */

/* The options taking a list (one value per use): their storage in
 * sim_whatif_t, by offset, and their help. */
static const struct {
    const char *name;
    char flag;
    size_t offset;
    const char *help, *arg;
} list_options[] = {
    {"node-up", 'u', offsetof(sim_whatif_t, node_up), "Simulate bringing a node online", "NODE"},
    {"node-down", 'd', offsetof(sim_whatif_t, node_down), "Simulate taking a node offline",
     "NODE"},
    {"node-fail", 'f', offsetof(sim_whatif_t, node_fail), "Simulate a node failing", "NODE"},
    {"op-inject", 'i', offsetof(sim_whatif_t, op_inject),
     "Inject an operation result (RSC_TASK_INTERVALMS@NODE=RC) before scheduling", "OPSPEC"},
    {"op-fail", 'F', offsetof(sim_whatif_t, op_fail),
     "Fail this action (RSC_TASK_INTERVALMS@NODE=RC) during the simulated transition "
     "(implies -S)", "OPSPEC"},
    {"ticket-grant", 'g', offsetof(sim_whatif_t, ticket_grant), "Simulate granting a ticket",
     "TICKET"},
    {"ticket-revoke", 'r', offsetof(sim_whatif_t, ticket_revoke), "Simulate revoking a ticket",
     "TICKET"},
    {"ticket-standby", 'b', offsetof(sim_whatif_t, ticket_standby),
     "Simulate making a ticket standby", "TICKET"},
    {"ticket-activate", 'e', offsetof(sim_whatif_t, ticket_activate),
     "Simulate activating a ticket", "TICKET"},
};

static char ***list_of(sim_whatif_t *w, size_t i)
{
    return (char ***) ((char *) w + list_options[i].offset);
}

GOptionEntry *sim_whatif_entries(const GOptionEntry *base, sim_whatif_t *w)
{
    const GOptionEntry mine[] = {
        {"quorum", 'q', 0, G_OPTION_ARG_STRING, &w->quorum,
         "Set to '1' (or 'true') to indicate the cluster has quorum (applied only with another event, as crm_simulate does)", "QUORUM"},
        {"watchdog", 'w', 0, G_OPTION_ARG_STRING, &w->watchdog,
         "Set to '1' (or 'true') to indicate the cluster has an active watchdog device",
         "DEVICE"},
        {"show-attrs", 'A', 0, G_OPTION_ARG_NONE, &w->show_attrs, "Show node attributes", NULL},
        {"show-failcounts", 'c', 0, G_OPTION_ARG_NONE, &w->show_failcounts,
         "Show resource fail counts", NULL},
        {"save-input", 'I', 0, G_OPTION_ARG_FILENAME, &w->save_input,
         "Save the input configuration (after the synthetic events) to FILE", "FILE"},
        {NULL}};
    size_t nb = 0, nl = G_N_ELEMENTS(list_options), nm = G_N_ELEMENTS(mine);
    while (base[nb].long_name)
        nb++;
    GOptionEntry *all = g_new0(GOptionEntry, nb + nl + nm);
    memcpy(all, base, nb * sizeof *all);
    for (size_t i = 0; i < nl; i++)
        all[nb + i] = (GOptionEntry){list_options[i].name, list_options[i].flag, 0,
                                     G_OPTION_ARG_STRING_ARRAY, list_of(w, i),
                                     list_options[i].help, list_options[i].arg};
    memcpy(all + nb + nl, mine, nm * sizeof *all);
    return all;
}

void sim_whatif_clear(sim_whatif_t *w)
{
    for (size_t i = 0; i < G_N_ELEMENTS(list_options); i++)
        g_clear_pointer(list_of(w, i), g_strfreev);
    g_clear_pointer(&w->quorum, g_free);
    g_clear_pointer(&w->watchdog, g_free);
    g_clear_pointer(&w->save_input, g_free);
    g_clear_pointer(&w->text, g_free);
    if (w->mods)
        g_ptr_array_free(w->mods, TRUE);
    w->mods = NULL;
    g_clear_pointer(&w->before, herd_cib_free);
}

/* ---- loading with events ------------------------------------------------ */

static GPtrArray *strv_array(char **v)
{
    if (!v)
        return NULL;
    GPtrArray *a = g_ptr_array_new();
    for (; *v; v++)
        g_ptr_array_add(a, *v);
    return a;
}

static char *read_input(const char *path, size_t *len, GError **err)
{
    char *buf = NULL;
    gsize n = 0;
    if (!strcmp(path, "-")) {
        GString *s = g_string_new(NULL);
        char tmp[65536];
        size_t k;
        while ((k = fread(tmp, 1, sizeof tmp, stdin)) > 0)
            g_string_append_len(s, tmp, (gssize) k);
        *len = s->len;
        return g_string_free(s, FALSE);
    }
    g_autoptr(GError) e = NULL;
    if (!g_file_get_contents(path, &buf, &n, &e)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT, "%s: cannot read the CIB: %s", path,
                    e->message);
        return NULL;
    }
    *len = n;
    return buf;
}

static bool valid_bool_value(const char *v)
{
    static const char *const ok[] = {"1", "0", "true", "false", "yes", "no", "on", "off",
                                     "y", "n", NULL};
    for (int i = 0; ok[i]; i++)
        if (!g_ascii_strcasecmp(v, ok[i]))
            return true;
    return false;
}

int sim_whatif_load(sim_whatif_t *w, const char *cmd, const char *path, herd_cib_t **cib)
{
    if (w->quorum && !valid_bool_value(w->quorum))
        return cli_usage_error(cmd, "--quorum '%s': expected 1/true or 0/false", w->quorum);
    if (w->watchdog && !valid_bool_value(w->watchdog))
        return cli_usage_error(cmd, "--watchdog '%s': expected 1/true or 0/false", w->watchdog);
    /* A malformed OPSPEC is a usage error before anything is read. */
    char **const specs[] = {w->op_inject, w->op_fail};
    for (size_t i = 0; i < G_N_ELEMENTS(specs); i++) {
        for (char **s = specs[i]; s && *s; s++) {
            herd_opspec_t spec;
            g_autoptr(GError) e = NULL;
            if (!herd_opspec_parse(*s, &spec, &e))
                return cli_usage_error(cmd, "%s", e->message);
            herd_opspec_clear(&spec);
        }
    }
    g_autoptr(GError) err = NULL;
    size_t len = 0;
    g_autofree char *buf = read_input(path, &len, &err);
    if (!buf) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        return err->code;
    }
    if (len == 0) {
        fprintf(stderr, "%s: %s:1: empty file, expected a <cib> document\n", cmd, path);
        return HERD_EXIT_DATAERR;
    }
    g_autoptr(GPtrArray) up = strv_array(w->node_up), down = strv_array(w->node_down),
                         fail = strv_array(w->node_fail), ops = strv_array(w->op_inject),
                         grant = strv_array(w->ticket_grant), revoke = strv_array(w->ticket_revoke),
                         standby = strv_array(w->ticket_standby),
                         activate = strv_array(w->ticket_activate);
    herd_cib_inject_t inj = {
        .node_up = up, .node_down = down, .node_fail = fail, .op_inject = ops,
        .ticket_grant = grant, .ticket_revoke = revoke, .ticket_standby = standby,
        .ticket_activate = activate, .quorum = w->quorum, .watchdog = w->watchdog,
        .now = time(NULL)};
    g_autofree char *changed = NULL;
    size_t changed_len = 0;
    if (!herd_cib_inject_empty(&inj)) {
        w->mods = g_ptr_array_new_with_free_func(g_free);
        changed = herd_cib_inject(buf, len, path, &inj, w->mods, &changed_len, &err);
        if (!changed) {
            fprintf(stderr, "%s: %s\n", cmd, err->message);
            return err->code;
        }
        w->before = herd_cib_load_memory(buf, len, path, &err);
        if (!w->before) {
            fprintf(stderr, "%s: %s\n", cmd, err->message);
            return err->code;
        }
    }
    const char *text = changed ? changed : buf;
    size_t text_len = changed ? changed_len : len;
    if (w->save_input) {
        g_autoptr(GError) e = NULL;
        if (!g_file_set_contents(w->save_input, text, (gssize) text_len, &e)) {
            fprintf(stderr, "%s: cannot save the input to %s: %s\n", cmd, w->save_input,
                    e->message);
            return HERD_EXIT_CANTCREATE;
        }
    }
    *cib = herd_cib_load_memory(text, text_len, path, &err);
    if (!*cib) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        return err->code;
    }
    /* kept for the revised CIB (-O, -F) */
    w->text_len = text_len;
    w->text = changed ? g_steal_pointer(&changed) : g_steal_pointer(&buf);
    return HERD_EXIT_OK;
}

/* ---- the simulated transition ------------------------------------------- */

/* -F: does a spec ask this action to fail?  As crm_simulate: the spec
 * begins with RSC_TASK_INTERVAL@NODE= (any case), RSC the name of the
 * resource's history or, for an anonymous clone, its configured id. */
static const char *op_fail_match(const herd_action_t *a, int *rc, void *user)
{
    const sim_whatif_t *w = user;
    const char *cfg_id = NULL, *hist = NULL;
    herd_graph_action_names(a, &cfg_id, &hist);
    const char *names[] = {hist, cfg_id};
    for (char **s = w->op_fail; s && *s; s++) {
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            if (!names[i])
                continue;
            g_autofree char *key = g_strdup_printf("%s_%s_%" G_GUINT64_FORMAT "@%s=", names[i],
                                                   a->task, a->interval_ms, a->node);
            if (g_ascii_strncasecmp(key, *s, strlen(key)))
                continue;
            *rc = atoi(*s + strlen(key));
            return names[i];
        }
    }
    return NULL;
}

int sim_whatif_execute(const sim_whatif_t *w, const char *cmd, const herd_cib_t *cib,
                       const herd_sched_result_t *res, time_t now, sim_run_t *run)
{
    memset(run, 0, sizeof *run);
    run->steps = herd_graph_execute_steps(res->graph, w->op_fail ? op_fail_match : NULL,
                                          (gpointer) w);
    run->notes = g_ptr_array_new_with_free_func((GDestroyNotify) g_ptr_array_unref);
    if (!w->text)
        return HERD_EXIT_OK;   /* no document (the live CIB): nothing to record */
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_cib_doc_t) doc = herd_cib_doc_parse(w->text, w->text_len,
                                                       cib->source ? cib->source : "-",
                                                       time(NULL), &err);
    if (!doc) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        return err->code;
    }
    for (guint i = 0; i < run->steps->len; i++) {
        const herd_exec_step_t *st = &g_array_index(run->steps, herd_exec_step_t, i);
        GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
        herd_graph_record_step(cib, st, now, doc, notes);
        g_ptr_array_add(run->notes, notes);
    }
    run->revised = herd_cib_doc_dump(doc, &run->revised_len);
    return HERD_EXIT_OK;
}

void sim_run_clear(sim_run_t *run)
{
    g_clear_pointer(&run->steps, g_array_unref);
    g_clear_pointer(&run->notes, g_ptr_array_unref);
    g_clear_pointer(&run->revised, g_free);
}

void sim_run_print(const sim_run_t *run, FILE *out)
{
    for (guint i = 0; i < run->steps->len; i++) {
        const herd_exec_step_t *st = &g_array_index(run->steps, herd_exec_step_t, i);
        g_autofree char *line = herd_graph_action_line(st->action);
        fprintf(out, "%s\n", line);
        if (st->failed)
            fprintf(out, "Pretending action %d failed with rc=%d\n", st->action->id, st->rc);
        const GPtrArray *notes = i < run->notes->len ? run->notes->pdata[i] : NULL;
        for (guint k = 0; notes && k < notes->len; k++)
            fprintf(out, "  * %s\n", (const char *) notes->pdata[k]);
    }
}

void sim_whatif_print_mods(const sim_whatif_t *w, FILE *out)
{
    if (!w->mods)
        return;
    fprintf(out, "Performing Requested Modifications:\n");
    for (guint i = 0; i < w->mods->len; i++)
        fprintf(out, "  * %s\n", (const char *) w->mods->pdata[i]);
    fprintf(out, "\n");
}

/* ---- node attributes and fail counts ------------------------------------ */

static bool hidden_attr(const char *name)
{
    /* as crm_mon: internal names, and the ones shown elsewhere */
    return name[0] == '#' || g_str_has_prefix(name, "fail-count-") ||
           g_str_has_prefix(name, "last-failure-") || !strcmp(name, "shutdown") ||
           !strcmp(name, "terminate") || !strcmp(name, "standby");
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *sorted_keys(GHashTable *t)
{
    GPtrArray *keys = g_ptr_array_new();
    if (t) {
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &k, NULL))
            g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, cmp_str);
    return keys;
}

void sim_whatif_print_attrs(const herd_cib_t *cib, const herd_sched_result_t *res, FILE *out)
{
    fprintf(out, "\n  * Node Attributes:\n");
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        if (!n->online_before)
            continue;
        g_autoptr(GPtrArray) keys = sorted_keys(n->cfg->attrs);
        bool header = false;    /* a node with nothing to show is left out */
        for (guint k = 0; k < keys->len; k++) {
            const char *name = keys->pdata[k];
            if (hidden_attr(name))
                continue;
            if (!header)
                fprintf(out, "    * Node: %s:\n", n->cfg->uname);
            header = true;
            fprintf(out, "      * %-32s\t: %-10s\n", name,
                    (const char *) g_hash_table_lookup(n->cfg->attrs, name));
        }
    }
}

/* The latest last-failure-RSC[#op] of a node for `rsc`, or 0. */
static long long last_failure(const herd_cib_node_t *n, const char *rsc)
{
    long long latest = 0;
    GHashTableIter it;
    gpointer k, v;
    g_autofree char *exact = g_strdup_printf("last-failure-%s", rsc);
    g_autofree char *prefix = g_strdup_printf("last-failure-%s#", rsc);
    g_hash_table_iter_init(&it, n->attrs);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!strcmp(k, exact) || g_str_has_prefix(k, prefix))
            latest = MAX(latest, g_ascii_strtoll(v, NULL, 10));
    return latest;
}

/* Fail counts of one node: rsc name -> summed count (INFINITY capped). */
static GHashTable *node_failcounts(const herd_cib_node_t *n)
{
    GHashTable *fc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!n->attrs)
        return fc;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, n->attrs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *name = k;
        if (!g_str_has_prefix(name, "fail-count-"))
            continue;
        g_autofree char *rsc = g_strdup(name + strlen("fail-count-"));
        char *hash = strchr(rsc, '#');
        if (hash)
            *hash = '\0';
        int add = 0;
        if (!herd_score_parse(v, &add))
            add = 0;
        int *cur = g_hash_table_lookup(fc, rsc);
        if (!cur) {
            cur = g_new0(int, 1);
            g_hash_table_insert(fc, g_strdup(rsc), cur);
        }
        *cur = herd_score_add(*cur, add);
    }
    return fc;
}

static const herd_cib_rsc_t *cfg_rsc(const herd_cib_t *cib, const char *name)
{
    const herd_cib_rsc_t *r = herd_cib_rsc(cib, name);
    if (!r) {
        g_autofree char *base = g_strdup(name);
        char *colon = strrchr(base, ':');
        if (colon)
            *colon = '\0';
        r = herd_cib_rsc(cib, base);
    }
    return r;
}

void sim_whatif_print_failcounts(const herd_cib_t *cib, const herd_sched_result_t *res,
                                 FILE *out)
{
    fprintf(out, "\n  * Migration Summary:\n");
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        g_autoptr(GHashTable) fc = node_failcounts(n->cfg);
        g_autoptr(GPtrArray) keys = sorted_keys(fc);
        bool header = false;
        for (guint k = 0; k < keys->len; k++) {
            const char *rsc = keys->pdata[k];
            int count = *(int *) g_hash_table_lookup(fc, rsc);
            if (count <= 0)
                continue;
            if (!header) {
                fprintf(out, "    * Node: %s:\n", n->cfg->uname);
                header = true;
            }
            const herd_cib_rsc_t *r = cfg_rsc(cib, rsc);
            int threshold = HERD_SCORE_INFINITY;
            const char *mt = r ? herd_cib_rsc_meta(r, "migration-threshold") : NULL;
            if (mt && !herd_score_parse(mt, &threshold))
                threshold = HERD_SCORE_INFINITY;
            char buf[16];
            fprintf(out, "      * %s: migration-threshold=%d fail-count=%s", rsc, threshold,
                    herd_score_str(count, buf));
            long long lf = last_failure(n->cfg, rsc);
            if (lf > 0) {
                time_t t = (time_t) lf;
                struct tm tm;
                char when[64];
                gmtime_r(&t, &tm);
                strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
                fprintf(out, " last-failure='%s'", when);
            }
            fprintf(out, "\n");
        }
    }
}

/* ---- scores and utilization --------------------------------------------- */

void sim_whatif_print_scores(const herd_sched_result_t *res, FILE *out)
{
    /* One line per score, in byte order (as the corpus keeps them): the
     * order is then independent of the order the scheduler computed them. */
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; res->scores && i < res->scores->len; i++) {
        const herd_score_t *s = res->scores->pdata[i];
        char buf[16];
        if (s->kind == HERD_SCORE_PROMOTION)
            g_ptr_array_add(lines, g_strdup_printf("%s promotion score on %s: %s", s->rsc,
                                                   s->node, herd_score_str(s->score, buf)));
        else
            g_ptr_array_add(lines, g_strdup_printf("%s: %s allocation score on %s: %s", s->where,
                                                   s->rsc, s->node,
                                                   herd_score_str(s->score, buf)));
    }
    g_ptr_array_sort(lines, cmp_str);
    fprintf(out, "\n");
    for (guint i = 0; i < lines->len; i++)
        fprintf(out, "%s\n", (const char *) lines->pdata[i]);
}

static void print_capacity(FILE *out, GHashTable *values)
{
    g_autoptr(GPtrArray) keys = sorted_keys(values);
    for (guint k = 0; k < keys->len; k++)
        fprintf(out, " %s=%s", (const char *) keys->pdata[k],
                (const char *) g_hash_table_lookup(values, keys->pdata[k]));
}

/* Placements in the order the scheduler assigned them (the order its
 * scores were recorded in), the others after them in resource order. */
static GPtrArray *assignment_order(const herd_sched_result_t *res)
{
    g_autoptr(GHashTable) rank = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; res->scores && i < res->scores->len; i++) {
        const herd_score_t *s = res->scores->pdata[i];
        if (s->kind == HERD_SCORE_ALLOCATION && !g_hash_table_contains(rank, s->rsc))
            g_hash_table_insert(rank, s->rsc, GUINT_TO_POINTER(g_hash_table_size(rank) + 1));
    }
    GPtrArray *ranked = g_ptr_array_new(), *rest = g_ptr_array_new();
    guint n = g_hash_table_size(rank);
    g_autofree const herd_placement_t **slot = g_new0(const herd_placement_t *, n + 1);
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        guint r = GPOINTER_TO_UINT(g_hash_table_lookup(rank, p->name));
        if (r && !slot[r])
            slot[r] = p;
        else
            g_ptr_array_add(rest, (gpointer) p);
    }
    for (guint r = 1; r <= n; r++)
        if (slot[r])
            g_ptr_array_add(ranked, (gpointer) slot[r]);
    for (guint i = 0; i < rest->len; i++)
        g_ptr_array_add(ranked, rest->pdata[i]);
    g_ptr_array_free(rest, TRUE);
    return ranked;
}

void sim_whatif_print_utilization(const herd_cib_t *cib, const herd_sched_result_t *res,
                                  FILE *out)
{
    GHashTable **left = g_new0(GHashTable *, res->nodes->len);
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        fprintf(out, "Original: %s capacity:", n->cfg->uname);
        print_capacity(out, n->cfg->utilization);
        fprintf(out, "\n");
        left[i] = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
        if (n->cfg->utilization) {
            GHashTableIter it;
            gpointer k, v;
            g_hash_table_iter_init(&it, n->cfg->utilization);
            while (g_hash_table_iter_next(&it, &k, &v))
                g_hash_table_insert(left[i], k, g_strdup(v));
        }
        g_hash_table_insert(index, n->cfg->uname, GUINT_TO_POINTER(i + 1));
    }
    g_autoptr(GPtrArray) order = assignment_order(res);
    for (guint i = 0; i < order->len; i++) {
        const herd_placement_t *p = order->pdata[i];
        if (!p->next)
            continue;
        fprintf(out, "pcmk__finalize_assignment: %s utilization on %s:", p->name, p->next);
        print_capacity(out, p->cfg->utilization);
        fprintf(out, "\n");
        guint ni = GPOINTER_TO_UINT(g_hash_table_lookup(index, p->next));
        if (!ni || !p->cfg->utilization)
            continue;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, p->cfg->utilization);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const char *have = g_hash_table_lookup(left[ni - 1], k);
            if (!have)
                continue;
            long rest = strtol(have, NULL, 10) - strtol(v, NULL, 10);
            g_hash_table_insert(left[ni - 1], k, g_strdup_printf("%ld", rest));
        }
    }
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        fprintf(out, "Remaining: %s capacity:", n->cfg->uname);
        print_capacity(out, left[i]);
        fprintf(out, "\n");
        g_hash_table_destroy(left[i]);
    }
    g_free(left);
    g_hash_table_destroy(index);
}

/* ---- structured output ------------------------------------------------- */

/* -A and -c as data: per online node its shown attributes, and per node
 * the resources with a fail count. */
static void add_attrs_failcounts(JsonObject *o, const sim_whatif_t *w, const herd_cib_t *cib,
                                 const herd_sched_result_t *res)
{
    if (w->show_attrs) {
        JsonObject *all = json_object_new();
        for (guint i = 0; i < res->nodes->len; i++) {
            const herd_node_state_t *n = res->nodes->pdata[i];
            if (!n->online_before)
                continue;
            JsonObject *attrs = json_object_new();
            g_autoptr(GPtrArray) keys = sorted_keys(n->cfg->attrs);
            for (guint k = 0; k < keys->len; k++)
                if (!hidden_attr(keys->pdata[k]))
                    json_object_set_string_member(attrs, keys->pdata[k],
                                                  g_hash_table_lookup(n->cfg->attrs,
                                                                      keys->pdata[k]));
            json_object_set_object_member(all, n->cfg->uname, attrs);
        }
        json_object_set_object_member(o, "node_attributes", all);
    }
    if (w->show_failcounts) {
        JsonArray *a = json_array_new();
        for (guint i = 0; i < res->nodes->len; i++) {
            const herd_node_state_t *n = res->nodes->pdata[i];
            g_autoptr(GHashTable) fc = node_failcounts(n->cfg);
            g_autoptr(GPtrArray) keys = sorted_keys(fc);
            for (guint k = 0; k < keys->len; k++) {
                int count = *(int *) g_hash_table_lookup(fc, keys->pdata[k]);
                if (count <= 0)
                    continue;
                JsonObject *e = json_object_new();
                json_object_set_string_member(e, "node", n->cfg->uname);
                json_object_set_string_member(e, "resource", keys->pdata[k]);
                char buf[16];
                json_object_set_string_member(e, "fail_count", herd_score_str(count, buf));
                long long lf = last_failure(n->cfg, keys->pdata[k]);
                if (lf > 0)
                    json_object_set_int_member(e, "last_failure", lf);
                json_array_add_object_element(a, e);
            }
        }
        json_object_set_array_member(o, "failcounts", a);
    }
    (void) cib;
}

void sim_whatif_json_add(JsonObject *o, const sim_whatif_t *w, const herd_cib_t *cib,
                         const herd_sched_result_t *before, const herd_sched_result_t *res,
                         bool scores)
{
    add_attrs_failcounts(o, w, w->before ? w->before : cib, before ? before : res);
    json_object_set_string_member(o, "cib", cib->source ? cib->source : "");
    JsonArray *mods = json_array_new();
    for (guint i = 0; w->mods && i < w->mods->len; i++)
        json_array_add_string_element(mods, w->mods->pdata[i]);
    json_object_set_array_member(o, "modifications", mods);
    if (scores) {
        JsonArray *a = json_array_new();
        for (guint i = 0; res->scores && i < res->scores->len; i++) {
            const herd_score_t *s = res->scores->pdata[i];
            JsonObject *so = json_object_new();
            json_object_set_string_member(so, "kind", s->kind == HERD_SCORE_PROMOTION
                                                          ? "promotion" : "allocation");
            json_object_set_string_member(so, "resource", s->rsc);
            json_object_set_string_member(so, "node", s->node);
            char buf[16];
            json_object_set_string_member(so, "score", herd_score_str(s->score, buf));
            json_array_add_object_element(a, so);
        }
        json_object_set_array_member(o, "scores", a);
    }
}
