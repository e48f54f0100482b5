/* converge.c: where "the CIB changed" turns into work.
 *
 *   herdd_cib_changed()      every committed change made from outside (IPC
 *                            writes, membership, timers) lands here; runs
 *                            are coalesced into one idle source.
 *   converge_run()           1. unpack the store's document into the model;
 *                            2. schedule (herd_sched_run, the real now);
 *                            3. execute the transition graph: an action runs
 *                               once all its inputs completed, at most
 *                               batch-limit at a time; pseudo and cluster
 *                               actions complete at once.
 *   executor result          recorded as an lrm_rsc_op (herd_store_record_op),
 *                            committed as a status change.  An expected
 *                            result lets the graph go on; a failure (or a
 *                            new change from outside) aborts the transition:
 *                            running actions finish, nothing new starts,
 *                            and the scheduler plans again from the CIB.
 *   recurring monitors       become executor recurring operations; a changed
 *                            result is recorded, a failure raises the fail
 *                            count (fail-count-RSC#monitor_N, as Pacemaker's
 *                            attribute manager keeps it) and re-plans.
 *   shutdown                 the node gets the "shutdown" transient attribute
 *                            and the scheduler stops everything on it.
 */
#include <string.h>
#include <unistd.h>

#include <libxml/xpath.h>

#include "herd_cib.h"
#include "herd_exec.h"
#include "herd_sched.h"
#include "internal.h"

enum { A_WAIT, A_RUNNING, A_DONE, A_FAILED };

typedef struct job job_t;

struct herd_converge {
    herdd_t *d;
    herd_exec_t *ex;
    char *uuid;                /* this daemon run's transition uuid */
    int transition;            /* number of the current/last transition */
    bool active;               /* a transition is executing */
    bool aborted;              /* ... and must start nothing new */
    bool replan;               /* plan again once the transition is idle */
    herd_cib_t *cib;           /* the model the graph points into */
    herd_sched_result_t *res;
    guint8 *state;             /* per graph action */
    /* Per transition, so that a completion costs its successors, not a
     * scan of the whole graph: who waits on each action, and the actions
     * whose inputs are met (in graph order) not started yet. */
    GPtrArray *dependents;     /* per action: GArray of guint (action ids) */
    guint8 *queued;            /* per action: in `ready` */
    GQueue ready;
    guint running;
    guint batch_limit;
    bool had_rsc_actions;      /* the current transition runs agents */
    int idle_runs;             /* transitions in a row since an outside change */
    int call_id;
    GHashTable *jobs;          /* every live job (owned set) */
    GHashTable *recurring;     /* "rsc\tinterval" -> job_t* (borrowed) */
    GHashTable *saved_params;  /* rsc -> digest of its saved parameters */
    GQueue unsynced;           /* unsynced_t: written, not yet told (herdd_flush_nowait) */
    guint idle_source, recheck_source, shutdown_timer;
    bool shutting_down;
};

struct job {
    herd_converge_t *cv;
    int transition, action_id;  /* the graph action it completes (-1: none) */
    guint call;                 /* executor call id */
    char *rsc_id, *klass, *provider, *type, *task, *op_key, *digest, *reason;
    guint64 interval_ms;
    int target_rc;
    bool recurring, cancelled, in_cb, recorded;
    int last_rc, last_status;
};

static void job_free(gpointer p)
{
    job_t *j = p;
    g_free(j->rsc_id); g_free(j->klass); g_free(j->provider); g_free(j->type);
    g_free(j->task); g_free(j->op_key); g_free(j->digest); g_free(j->reason);
    g_free(j);
}

static const char *local_name(herdd_t *d)
{
    return herd_cluster_local_node(d->cluster)->name;
}

static char *local_id(herdd_t *d)
{
    return g_strdup_printf("%u", herd_cluster_local_node(d->cluster)->id);
}

/* Tell subscribers about a status change made here (no new run: the graph
 * in progress accounts for it). */
static void notify_change(herdd_t *d, const char *reason);

/* ---- parameter digest (the scheduler's, so that it sees no change) ----- */

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *param_digest(GHashTable *params)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    if (params) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, params);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_ptr_array_add(names, k);
    }
    g_ptr_array_sort(names, str_cmp);
    g_autoptr(GString) x = g_string_new(" <parameters");
    for (guint i = 0; i < names->len; i++) {
        g_string_append_printf(x, " %s=\"", (char *)names->pdata[i]);
        for (const char *c = g_hash_table_lookup(params, names->pdata[i]); c && *c; c++) {
            switch (*c) {
            case '&': g_string_append(x, "&amp;"); break;
            case '<': g_string_append(x, "&lt;"); break;
            case '>': g_string_append(x, "&gt;"); break;
            case '"': g_string_append(x, "&quot;"); break;
            default: g_string_append_c(x, *c);
            }
        }
        g_string_append_c(x, '"');
    }
    g_string_append(x, "/>\n");
    return g_compute_checksum_for_string(G_CHECKSUM_MD5, x->str, (gssize)x->len);
}

/* ---- failures ----------------------------------------------------------- */

/* Raise the fail count of a failed result in `doc` as Pacemaker's attribute
 * manager does: fail-count-RSC#OP_INTERVAL +1 (INFINITY for a failed start
 * when start-failure-is-fatal, and for a failed stop), and
 * last-failure-RSC#OP_INTERVAL = now. */
static void apply_failure(xmlDoc *doc, const herd_op_result_t *r, bool fatal_start)
{
    g_autofree char *suffix = g_strdup_printf("%s#%s_%" G_GINT64_FORMAT, r->rsc_id, r->operation,
                                              r->interval_ms);
    g_autofree char *fc = g_strconcat("fail-count-", suffix, NULL);
    g_autofree char *lf = g_strconcat("last-failure-", suffix, NULL);
    const char *old = herd_store_attr_get(doc, HERD_STORE_ATTR_STATUS, r->node_id, r->node_name,
                                          NULL, fc);
    gint64 n = old ? g_ascii_strtoll(old, NULL, 10) : 0;
    if (old && (!strcmp(old, "INFINITY") || !strcmp(old, "+INFINITY")))
        n = 1000000;
    bool inf = (fatal_start && !strcmp(r->operation, "start")) || !strcmp(r->operation, "stop");
    g_autofree char *v = inf || n + 1 >= 1000000 ? g_strdup("INFINITY")
                                                 : g_strdup_printf("%" G_GINT64_FORMAT, n + 1);
    herd_store_attr_set(doc, HERD_STORE_ATTR_STATUS, r->node_id, r->node_name, NULL, fc, v, NULL);
    g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, r->last_rc_change);
    herd_store_attr_set(doc, HERD_STORE_ATTR_STATUS, r->node_id, r->node_name, NULL, lf, now,
                        NULL);
}

static bool result_failed(const herd_op_result_t *r)
{
    bool probe = r->interval_ms == 0 && g_strcmp0(r->operation, "monitor") == 0;
    if (r->op_status != 0)
        return true;
    if (probe)
        return r->rc_code != 0 && r->rc_code != 7 && r->rc_code != 8;
    if (!strcmp(r->operation, "monitor"))
        return r->rc_code != 0 && r->rc_code != 8 && r->rc_code != 190 && r->rc_code != 191;
    return r->rc_code != 0 && r->rc_code != 190;
}

/* Remove from lrm_resource `lr` its recurring operation records (of
 * `interval_ms`, or any non-zero interval when it is -1; of `operation`
 * when not NULL), failure records excepted.  Returns how many went. */
static int drop_ops(xmlNode *lr, gint64 interval_ms, const char *operation)
{
    int n = 0;
    xmlNode *next = NULL;
    for (xmlNode *op = lr ? lr->children : NULL; op; op = next) {
        next = op->next;
        if (op->type != XML_ELEMENT_NODE || strcmp((const char *)op->name, "lrm_rsc_op"))
            continue;
        xmlChar *iv = xmlGetProp(op, (const xmlChar *)"interval");
        xmlChar *id = xmlGetProp(op, (const xmlChar *)"id");
        xmlChar *opn = xmlGetProp(op, (const xmlChar *)"operation");
        gint64 v = iv ? g_ascii_strtoll((const char *)iv, NULL, 10) : 0;
        bool match = (interval_ms < 0 ? (iv && strcmp((const char *)iv, "0") != 0)
                                      : (iv && v == interval_ms)) &&
                     (!operation || (opn && !strcmp((const char *)opn, operation))) &&
                     !(id && strstr((const char *)id, "_last_failure_"));
        xmlFree(iv);
        xmlFree(id);
        xmlFree(opn);
        if (match) {
            xmlUnlinkNode(op);
            xmlFreeNode(op);
            n++;
        }
    }
    return n;
}

/* Stage a result (and its failure accounting) in the store's live
 * document; the caller queues the flush (herdd_status_staged). */
static void record(herdd_t *d, const herd_op_result_t *res, bool fatal_start, bool drop_recurring)
{
    xmlDoc *doc = herd_store_stage(d->store, res->node_id, res->rsc_id);
    herd_store_record_op(doc, res);
    if (drop_recurring) {
        /* a stopped resource has no recurring monitors left (the record
         * of a failure stays, shown until a cleanup or failure-timeout) */
        drop_ops(herd_lrm_find(doc, res->node_id, res->rsc_id, false), -1, "monitor");
    }
    if (result_failed(res))
        apply_failure(doc, res, fatal_start);
}

/* ---- the transition ----------------------------------------------------- */

static void fire_ready(herd_converge_t *cv);
static void consider_dependents(herd_converge_t *cv, int id);
static void transition_maybe_end(herd_converge_t *cv);
static gboolean converge_run(gpointer data);

static void schedule_run(herd_converge_t *cv)
{
    if (!cv->idle_source)
        cv->idle_source = g_idle_add(converge_run, cv->d);
}

static void abort_transition(herd_converge_t *cv, const char *why)
{
    cv->replan = true;
    if (!cv->active) {
        schedule_run(cv);
        return;
    }
    if (!cv->aborted)
        herd_notice("transition %d aborted: %s", cv->transition, why);
    cv->aborted = true;
    transition_maybe_end(cv);
}

static char *rec_key(const char *rsc, guint64 interval)
{
    return g_strdup_printf("%s\t%" G_GUINT64_FORMAT, rsc, interval);
}

/* Stop a recurring job: it is freed by its CANCELLED callback, or here
 * when the executor does not know it any more. */
static void cancel_recurring(herd_converge_t *cv, job_t *j)
{
    g_autofree char *key = rec_key(j->rsc_id, j->interval_ms);
    if (g_hash_table_lookup(cv->recurring, key) == j)
        g_hash_table_remove(cv->recurring, key);
    j->cancelled = true;
    if (j->in_cb)
        return; /* its callback frees it on return */
    if (!herd_exec_cancel(cv->ex, j->call))
        g_hash_table_remove(cv->jobs, j);
}

static void cancel_recurring_of(herd_converge_t *cv, const char *rsc)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, cv->recurring);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!strcmp(((job_t *)v)->rsc_id, rsc))
            g_ptr_array_add(all, v);
    for (guint i = 0; i < all->len; i++)
        cancel_recurring(cv, all->pdata[i]);
}

static void action_done(herd_converge_t *cv, job_t *j, bool ok)
{
    if (j->action_id < 0 || j->transition != cv->transition || !cv->active)
        return;
    if (cv->state[j->action_id] != A_RUNNING)
        return;
    cv->state[j->action_id] = ok ? A_DONE : A_FAILED;
    if (ok)
        consider_dependents(cv, j->action_id);
    j->action_id = -1;
    cv->running--;
    if (!ok)
        abort_transition(cv, "an action did not give the expected result");
    else if (!cv->aborted)
        fire_ready(cv);
    transition_maybe_end(cv);
}

static void herdd_flush_nowait(herdd_t *d);
static bool journal_now(herdd_t *d);

static void on_result(const herd_exec_result_t *r, void *user)
{
    job_t *j = user;
    herd_converge_t *cv = j->cv;
    herdd_t *d = cv->d;
    if (r->status == HERD_OP_CANCELLED) {
        action_done(cv, j, true);
        g_hash_table_remove(cv->jobs, j);
        return;
    }
    j->in_cb = true;
    g_autofree char *node_id = local_id(d);
    g_autofree char *tkey = g_strdup_printf("%d:%d:%d:%s", j->action_id < 0 ? 0 : j->action_id,
                                            j->transition, j->target_rc, cv->uuid);
    herd_op_result_t res = {
        .node_id = node_id, .node_name = local_name(d),
        .rsc_id = j->rsc_id, .rsc_class = j->klass, .rsc_provider = j->provider,
        .rsc_type = j->type, .operation = j->task, .op_key = j->op_key,
        .transition_key = tkey, .op_digest = j->digest, .interval_ms = (gint64)j->interval_ms,
        .call_id = ++cv->call_id, .rc_code = r->rc, .op_status = r->status,
        .last_rc_change = r->finished_real_us / 1000000,
        .exec_time_ms = herd_exec_result_exec_ms(r), .queue_time_ms = herd_exec_result_queue_ms(r),
    };
    bool failed = r->verdict.failure != HERD_FAIL_NONE;
    bool changed = !j->recorded || j->last_rc != r->rc || j->last_status != (int)r->status;
    if (!j->recurring || changed) {
        const char *why = r->exit_reason && *r->exit_reason ? r->exit_reason : r->verdict.note;
        if (failed)
            herd_warn("result of %s on %s: %s (rc=%d, %s): %s", j->op_key, local_name(d),
                      herd_ocf_rc_name(r->rc), r->rc, herd_op_status_name(r->status), why);
        else
            herd_notice("result of %s on %s: %s (rc=%d)", j->op_key, local_name(d),
                        herd_ocf_rc_name(r->rc), r->rc);
        bool fatal = cv->cib ? cv->cib->options.start_failure_is_fatal : true;
        bool stop_ok = !strcmp(j->task, "stop") && !failed;
        record(d, &res, fatal, stop_ok);
        g_autofree char *why2 = g_strdup_printf("%s result rc=%d", j->op_key, r->rc);
        herdd_status_staged(d, why2, false);
        /* written before the graph goes on (the sync is not waited for:
         * see herdd_flush_nowait), so that telling of this result does
         * not wait for the next action's fork */
        if (journal_now(d))
            herdd_flush_nowait(d);
        j->recorded = true;
        j->last_rc = r->rc;
        j->last_status = r->status;
    }
    j->in_cb = false;
    /* The graph goes on only on the expected result (a probe finding the
     * resource running is no failure, but the plan assumed otherwise). */
    bool expected = r->status == HERD_OP_DONE &&
                    (r->rc == j->target_rc || (!failed && j->target_rc != 7 &&
                                               (r->rc == 190 || r->rc == 191)));
    if (j->recurring) {
        if (j->action_id >= 0)
            action_done(cv, j, expected);
        else if (failed && changed)
            abort_transition(cv, "a recurring monitor failed");
        if (failed && changed && j->action_id < 0 && !cv->active)
            schedule_run(cv);
        if (j->cancelled || r->run_count == 0)
            g_hash_table_remove(cv->jobs, j);
        return;
    }
    action_done(cv, j, expected);
    g_hash_table_remove(cv->jobs, j);
}

static GHashTable *copy_strtab(GHashTable *src)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (src) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, src);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_hash_table_replace(t, g_strdup(k), g_strdup(v));
    }
    return t;
}

/* The parameters an agent last ran with are kept under STATE/rsc-params,
 * so that a resource no longer configured (an orphan) is stopped with
 * them, also after a restart of herdd. */
static char *params_path(herdd_t *d, const char *rsc)
{
    g_autofree char *dir = g_build_filename(d->state_dir, "rsc-params", NULL);
    g_autofree char *safe = g_strdelimit(g_strdup(rsc), "/", '_');
    return g_build_filename(dir, safe, NULL);
}

static void params_save(herd_converge_t *cv, const char *rsc, GHashTable *params,
                        const char *digest)
{
    const char *known = g_hash_table_lookup(cv->saved_params, rsc);
    if (known && !strcmp(known, digest))
        return;
    g_autofree char *path = params_path(cv->d, rsc);
    g_autofree char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0750);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (params) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, params);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_key_file_set_string(kf, "params", k, v);
    }
    gsize len = 0;
    g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
    if (!g_file_set_contents(path, text, (gssize)len, NULL))
        herd_warn("cannot save the parameters of %s in %s", rsc, path);
    g_hash_table_replace(cv->saved_params, g_strdup(rsc), g_strdup(digest));
}

static GHashTable *params_load(herd_converge_t *cv, const char *rsc)
{
    g_autofree char *path = params_path(cv->d, rsc);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return NULL;
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) keys = g_key_file_get_keys(kf, "params", NULL, NULL);
    for (int i = 0; keys && keys[i]; i++)
        g_hash_table_replace(t, g_strdup(keys[i]),
                             g_key_file_get_string(kf, "params", keys[i], NULL));
    return t;
}

static void params_forget(herd_converge_t *cv, const char *rsc)
{
    g_autofree char *path = params_path(cv->d, rsc);
    unlink(path);
    g_hash_table_remove(cv->saved_params, rsc);
}

/* Start one resource action on the executor. */
static void submit(herd_converge_t *cv, herd_action_t *a)
{
    herdd_t *d = cv->d;
    job_t *j = g_new0(job_t, 1);
    j->cv = cv;
    j->transition = cv->transition;
    j->action_id = a->id;
    j->rsc_id = g_strdup(a->rsc_id ? a->rsc_id : a->rsc);
    j->klass = g_strdup(a->klass);
    j->provider = g_strdup(a->provider);
    j->type = g_strdup(a->type);
    j->task = g_strdup(a->task);
    j->interval_ms = a->interval_ms;
    j->op_key = g_strdup_printf("%s_%s_%" G_GUINT64_FORMAT, j->rsc_id, a->task, a->interval_ms);
    {
        /* Pacemaker's op-digest: the parameters, and for a recurring
         * operation its timeout as CRM_meta_timeout too */
        g_autoptr(GHashTable) dp = copy_strtab(a->params);
        if (a->interval_ms > 0)
            g_hash_table_replace(dp, g_strdup("CRM_meta_timeout"),
                                 g_strdup_printf("%" G_GUINT64_FORMAT, a->timeout_ms));
        j->digest = param_digest(dp);
    }
    j->reason = g_strdup(a->reason);
    const char *role = a->meta ? g_hash_table_lookup(a->meta, "role") : NULL;
    bool monitor = !strcmp(a->task, "monitor");
    j->target_rc = monitor && a->interval_ms == 0 ? 7
                   : monitor && role && !strcmp(role, "Promoted") ? 8 : 0;
    j->recurring = monitor && a->interval_ms > 0;
    g_hash_table_add(cv->jobs, j);

    if (!strcmp(a->task, "stop") || !strcmp(a->task, "demote") || !strcmp(a->task, "promote") ||
        !strcmp(a->task, "migrate_to"))
        cancel_recurring_of(cv, j->rsc_id);
    if (j->recurring) {
        g_autofree char *key = rec_key(j->rsc_id, j->interval_ms);
        job_t *old = g_hash_table_lookup(cv->recurring, key);
        if (old)
            cancel_recurring(cv, old);
        g_hash_table_replace(cv->recurring, g_steal_pointer(&key), j);
    }
    g_autoptr(GHashTable) saved = NULL;
    GHashTable *params = a->params;
    if (a->cfg) {
        /* keyed by the parameters alone: the op-digest of a recurring
         * monitor (it adds the timeout) differs from a start's, and
         * keying on it rewrote (and fsynced) the file before every
         * action of a recovery although nothing had changed */
        g_autofree char *pd = param_digest(a->params);
        params_save(cv, j->rsc_id, a->params, pd);
    }
    else if ((saved = params_load(cv, j->rsc_id)))
        params = saved;
    g_autofree char *spec = a->provider
                                ? g_strdup_printf("%s:%s:%s", a->klass, a->provider, a->type)
                                : g_strdup_printf("%s:%s", a->klass, a->type);
    g_autoptr(GHashTable) meta = copy_strtab(a->meta);
    g_autofree char *node_id = local_id(d);
    g_hash_table_replace(meta, g_strdup("on_node"), g_strdup(local_name(d)));
    g_hash_table_replace(meta, g_strdup("on_node_uuid"), g_strdup(node_id));
    herd_exec_request_t req = {
        .agent = spec, .action = a->task, .rsc_id = j->rsc_id, .params = params,
        .meta = meta, .timeout_ms = (guint)a->timeout_ms, .interval_ms = (guint)a->interval_ms,
        .expected_rc = monitor && a->interval_ms == 0 ? -1 : j->target_rc,
    };
    herd_notice("initiating %s on %s%s%s", j->op_key, local_name(d), a->reason ? ": " : "",
                a->reason ? a->reason : "");
    cv->state[a->id] = A_RUNNING;
    cv->running++;
    cv->had_rsc_actions = true;
    j->call = herd_exec_submit(cv->ex, &req, on_result, j);
}

/* Complete a cluster action here (clear_failcount, do_shutdown). */
static void run_cluster_action(herd_converge_t *cv, herd_action_t *a)
{
    herdd_t *d = cv->d;
    if (!strcmp(a->task, "clear_failcount") && a->rsc_id) {
        xmlDoc *doc = herd_store_doc(d->store);
        g_autofree char *xp = g_strdup_printf(
            "/cib/status/node_state[@uname='%s']/transient_attributes//nvpair["
            "starts-with(@name,'fail-count-%s#') or starts-with(@name,'last-failure-%s#')]",
            a->node, a->rsc_id, a->rsc_id);
        if (herd_store_delete_xpath(doc, xp, NULL) == 0) {
            const char *nid = a->node ? herd_store_node_id(doc, a->node) : NULL;
            g_autofree char *id = g_strdup(nid);
            herd_store_stage(d->store, id, NULL);
            herdd_status_staged(d, "clear_failcount", false);
        }
    }
    herd_info("cluster action %s on %s", a->task, a->node ? a->node : "");
}

/* A cancelled recurring monitor leaves no record (as Pacemaker deletes
 * it), so that the scheduler does not cancel it again. */
static void forget_recurring(herd_converge_t *cv, const herd_action_t *a)
{
    herdd_t *d = cv->d;
    herd_notice("cancelling %s_monitor_%" G_GUINT64_FORMAT " on %s%s%s",
                a->rsc_id ? a->rsc_id : a->rsc, a->interval_ms, local_name(d),
                a->reason ? ": " : "", a->reason ? a->reason : "");
    const char *rid = a->rsc_id ? a->rsc_id : a->rsc;
    g_autofree char *id = local_id(d);
    if (drop_ops(herd_lrm_find(herd_store_doc(d->store), id, rid, false),
                 (gint64)a->interval_ms, NULL) > 0) {
        herd_store_stage(d->store, id, rid);
        herdd_status_staged(d, "monitor cancelled", false);
    }
}

/* "delete": an unconfigured resource is stopped; its history and fail
 * counts go (the controller's job in Pacemaker: no agent runs). */
static void forget_resource(herd_converge_t *cv, const herd_action_t *a)
{
    herdd_t *d = cv->d;
    const char *rid = a->rsc_id ? a->rsc_id : a->rsc;
    herd_notice("forgetting %s on %s%s%s", rid, local_name(d), a->reason ? ": " : "",
                a->reason ? a->reason : "");
    cancel_recurring_of(cv, rid);
    params_forget(cv, rid);
    xmlDoc *doc = herd_store_doc(d->store);
    g_autofree char *nid = local_id(d);
    bool changed = herd_lrm_remove(doc, nid, rid);
    g_autofree char *xa = g_strdup_printf(
        "/cib/status/node_state[@uname='%s']/transient_attributes//nvpair["
        "starts-with(@name,'fail-count-%s#') or starts-with(@name,'last-failure-%s#')]",
        local_name(d), rid, rid);
    changed |= herd_store_delete_xpath(doc, xa, NULL) == 0;
    if (changed) {
        g_autofree char *id = local_id(d);
        herd_store_stage(d->store, id, rid);
        herdd_status_staged(d, "resource forgotten", false);
    }
}

/* Queue action `i` if it waits and its inputs are met: all of them done,
 * or any one with require_any. */
static void consider(herd_converge_t *cv, guint i)
{
    if (cv->state[i] != A_WAIT || cv->queued[i])
        return;
    const herd_action_t *a = cv->res->graph->actions->pdata[i];
    bool ready = true;
    bool any = a->inputs->len == 0;
    for (guint k = 0; k < a->inputs->len; k++) {
        const herd_action_t *in = a->inputs->pdata[k];
        if (cv->state[in->id] == A_DONE)
            any = true;
        else
            ready = false;
    }
    const char *ra = a->meta ? g_hash_table_lookup(a->meta, "require_any") : NULL;
    if (ra && !strcmp(ra, "true") ? !any : !ready)
        return;
    cv->queued[i] = 1;
    g_queue_push_tail(&cv->ready, GUINT_TO_POINTER(i));
}

static void consider_dependents(herd_converge_t *cv, int id)
{
    GArray *deps = cv->dependents->pdata[id];
    for (guint k = 0; deps && k < deps->len; k++)
        consider(cv, g_array_index(deps, guint, k));
}

static void array_free0(gpointer p)
{
    if (p)
        g_array_unref(p);
}

/* Set up the per-transition tables and queue what can run at once. */
static void graph_prepare(herd_converge_t *cv)
{
    GPtrArray *acts = cv->res->graph->actions;
    cv->dependents = g_ptr_array_new_with_free_func(array_free0);
    g_ptr_array_set_size(cv->dependents, (gint)acts->len);
    cv->queued = g_new0(guint8, acts->len);
    g_queue_init(&cv->ready);
    for (guint i = 0; i < acts->len; i++) {
        const herd_action_t *a = acts->pdata[i];
        for (guint k = 0; k < a->inputs->len; k++) {
            guint in = (guint)((const herd_action_t *)a->inputs->pdata[k])->id;
            GArray *deps = cv->dependents->pdata[in];
            if (!deps)
                deps = cv->dependents->pdata[in] = g_array_new(FALSE, FALSE, sizeof(guint));
            g_array_append_val(deps, i);
        }
    }
    for (guint i = 0; i < acts->len; i++)
        consider(cv, i);
}

/* Start what is ready, in graph order, within batch-limit. */
static void fire_ready(herd_converge_t *cv)
{
    GPtrArray *acts = cv->res->graph->actions;
    while (!cv->aborted && !g_queue_is_empty(&cv->ready)) {
        guint i = GPOINTER_TO_UINT(g_queue_peek_head(&cv->ready));
        herd_action_t *a = acts->pdata[i];
        bool runs_agent = a->kind == HERD_ACTION_RSC &&
                          !(a->node && strcmp(a->node, local_name(cv->d)) != 0) &&
                          strcmp(a->task, "delete") != 0 && strcmp(a->task, "cancel") != 0;
        if (runs_agent && cv->batch_limit && cv->running >= cv->batch_limit)
            break; /* a slot frees when a running action completes */
        g_queue_pop_head(&cv->ready);
        cv->queued[i] = 0;
        if (cv->state[i] != A_WAIT)
            continue;
        switch (a->kind) {
        case HERD_ACTION_PSEUDO:
            cv->state[i] = A_DONE;
            consider_dependents(cv, (int)i);
            break;
        case HERD_ACTION_CLUSTER:
            run_cluster_action(cv, a);
            cv->state[i] = A_DONE;
            consider_dependents(cv, (int)i);
            break;
        case HERD_ACTION_FENCE:
            herd_err("cannot fence %s: no fencing in a single-node herd", a->node);
            cv->state[i] = A_FAILED;
            abort_transition(cv, "fencing is not available");
            break;
        case HERD_ACTION_RSC:
            if (a->node && strcmp(a->node, local_name(cv->d)) != 0) {
                cv->state[i] = A_FAILED; /* not ours: another node's action */
                break;
            }
            if (!strcmp(a->task, "delete")) {
                forget_resource(cv, a);
                cv->had_rsc_actions = true;
                cv->state[i] = A_DONE;
                consider_dependents(cv, (int)i);
                break;
            }
            if (!strcmp(a->task, "cancel")) {
                g_autofree char *key = rec_key(a->rsc_id ? a->rsc_id : a->rsc,
                                               a->interval_ms);
                job_t *old = g_hash_table_lookup(cv->recurring, key);
                if (old)
                    cancel_recurring(cv, old);
                forget_recurring(cv, a);
                cv->had_rsc_actions = true;
                cv->state[i] = A_DONE;
                consider_dependents(cv, (int)i);
                break;
            }
            submit(cv, a);
            break;
        }
    }
}

static void transition_free(herd_converge_t *cv)
{
    g_clear_pointer(&cv->res, herd_sched_result_free);
    g_clear_pointer(&cv->cib, herd_cib_free);
    g_clear_pointer(&cv->state, g_free);
    g_clear_pointer(&cv->dependents, g_ptr_array_unref);
    g_clear_pointer(&cv->queued, g_free);
    g_queue_clear(&cv->ready);
    cv->active = false;
    cv->aborted = false;
    cv->running = 0;
}

static gboolean on_recheck(gpointer data)
{
    herd_converge_t *cv = data;
    cv->recheck_source = 0;
    schedule_run(cv);
    return G_SOURCE_REMOVE;
}

/* failure-timeout: the soonest expiry of a recorded failure, if any. */
static void expire_failures(herd_converge_t *cv, const herd_cib_t *cib, time_t now)
{
    herdd_t *d = cv->d;
    const herd_cib_node_t *me = herd_cib_node(cib, local_name(d));
    if (!me)
        return;
    time_t soonest = 0;
    g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, me->attrs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *name = k;
        if (!g_str_has_prefix(name, "last-failure-"))
            continue;
        const char *rsc = name + strlen("last-failure-");
        const char *hash = strchr(rsc, '#');
        g_autofree char *rid = hash ? g_strndup(rsc, (gsize)(hash - rsc)) : g_strdup(rsc);
        g_autofree char *base = g_strdup(rid);
        char *colon = strrchr(base, ':');
        if (colon)
            *colon = '\0';
        const herd_cib_rsc_t *r = herd_cib_rsc(cib, base);
        const char *ft = r ? herd_cib_rsc_meta(r, "failure-timeout") : NULL;
        guint64 ms = 0;
        if (!ft || !herd_cib_parse_interval(ft, &ms) || ms == 0)
            continue;
        time_t at = (time_t)g_ascii_strtoll(v, NULL, 10) + (time_t)((ms + 999) / 1000);
        if (at <= now)
            g_ptr_array_add(expired, g_strdup(rid));
        else if (!soonest || at < soonest)
            soonest = at;
    }
    for (guint i = 0; i < expired->len; i++) {
        const char *rid = expired->pdata[i];
        herd_notice("failure of %s on %s expired (failure-timeout): clearing its fail count",
                    rid, local_name(d));
        xmlDoc *doc = herd_store_doc(d->store);
        g_autofree char *xp = g_strdup_printf(
            "/cib/status/node_state[@uname='%s']/transient_attributes//nvpair["
            "starts-with(@name,'fail-count-%s#') or starts-with(@name,'last-failure-%s#')]",
            local_name(d), rid, rid);
        bool changed = herd_store_delete_xpath(doc, xp, NULL) == 0;
        g_autofree char *id = local_id(d);
        g_autofree char *fid = g_strdup_printf("%s_last_failure_0", rid);
        xmlNode *lr = herd_lrm_find(doc, id, rid, false);
        for (xmlNode *op = lr ? lr->children : NULL; op; op = op->next) {
            xmlChar *oid = op->type == XML_ELEMENT_NODE ? xmlGetProp(op, (const xmlChar *)"id")
                                                        : NULL;
            bool hit = oid && !strcmp((const char *)oid, fid);
            xmlFree(oid);
            if (hit) {
                xmlUnlinkNode(op);
                xmlFreeNode(op);
                changed = true;
                break;
            }
        }
        if (changed) {
            herd_store_stage(d->store, id, rid);
            herdd_status_staged(d, "failure-timeout expired", true);
        }
    }
    if (soonest) {
        if (cv->recheck_source)
            g_source_remove(cv->recheck_source);
        gint64 wait_ms = ((gint64)soonest - (gint64)now) * 1000;
        cv->recheck_source = g_timeout_add((guint)MAX(wait_ms, 100), on_recheck, cv);
    }
}

static void transition_maybe_end(herd_converge_t *cv)
{
    if (!cv->active || cv->running > 0)
        return;
    if (!cv->aborted) {
        /* anything still runnable? fire_ready ran after each completion */
        GPtrArray *acts = cv->res->graph->actions;
        for (guint i = 0; i < acts->len; i++)
            if (cv->state[i] == A_WAIT) {
                herd_action_t *a = acts->pdata[i];
                bool blocked = false;
                for (guint k = 0; k < a->inputs->len; k++)
                    if (cv->state[((herd_action_t *)a->inputs->pdata[k])->id] == A_FAILED)
                        blocked = true;
                if (!blocked)
                    return; /* waiting on a batch slot: cannot happen when idle */
            }
    }
    bool ran = cv->had_rsc_actions;
    herd_info("transition %d %s", cv->transition, cv->aborted ? "aborted" : "complete");
    transition_free(cv);
    herdd_t *d = cv->d;
    if (cv->shutting_down && !ran && !cv->replan) {
        herd_notice("all resources are stopped: exiting");
        g_main_loop_quit(d->loop);
        return;
    }
    if (ran || cv->replan)
        schedule_run(cv);
    cv->replan = false;
}

static const char *decision_name(herd_decision_kind_t k)
{
    static const char *names[] = {"Fence", "Start", "Stop", "Move", "Recover", "Restart",
                                  "Migrate", "Promote", "Demote", "Re-promote"};
    return k <= HERD_DECISION_REPROMOTE ? names[k] : "?";
}

static gboolean converge_run(gpointer data)
{
    herdd_t *d = data;
    herd_converge_t *cv = d->converge;
    cv->idle_source = 0;
    if (d->converge_source) {
        g_source_remove(d->converge_source);
        d->converge_source = 0;
    }
    if (cv->active) {
        abort_transition(cv, d->pending_reason ? d->pending_reason : "CIB changed");
        g_clear_pointer(&d->pending_reason, g_free);
        return G_SOURCE_REMOVE;
    }
    g_clear_pointer(&d->pending_reason, g_free);
    gsize len = 0;
    g_autofree char *text = herd_store_to_string(herd_store_doc(d->store), &len);
    g_autoptr(GError) err = NULL;
    herd_cib_t *cib = herd_cib_load_memory(text, len, herd_store_path(d->store), &err);
    if (!cib) {
        herd_err("cannot unpack the CIB: %s", err->message);
        return G_SOURCE_REMOVE;
    }
    time_t now = time(NULL);
    expire_failures(cv, cib, now);
    herd_sched_result_t *res = herd_sched_run(cib, now);
    herd_store_version_t v = herd_store_version(herd_store_doc(d->store));
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *dc = res->decisions->pdata[i];
        herd_notice("decision: %s %s%s%s%s%s%s%s", decision_name(dc->kind),
                    dc->rsc ? dc->rsc : "", dc->from ? " on " : "", dc->from ? dc->from : "",
                    dc->to ? " -> " : "", dc->to ? dc->to : "", dc->reason ? " " : "",
                    dc->reason ? dc->reason : "");
    }
    guint n = res->graph ? res->graph->actions->len : 0;
    if (n == 0) {
        /* idle: fold the journal into cib.xml, so that the file read by
         * other tools (crm_simulate -x) is whole */
        g_autoptr(GError) ferr = NULL;
        if (herdd_flush(d, true, &ferr))
            herd_err("cannot write the CIB: %s", ferr->message);
        herd_info("CIB %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                  ": nothing to do", v.admin_epoch, v.epoch, v.num_updates);
        herd_sched_result_free(res);
        herd_cib_free(cib);
        cv->idle_runs = 0;
        if (cv->shutting_down) {
            herd_notice("all resources are stopped: exiting");
            g_main_loop_quit(d->loop);
        }
        return G_SOURCE_REMOVE;
    }
    if (++cv->idle_runs > 100) {
        herd_err("the scheduler keeps planning actions after 100 transitions: giving up "
                 "until the next change");
        herd_sched_result_free(res);
        herd_cib_free(cib);
        return G_SOURCE_REMOVE;
    }
    cv->transition++;
    cv->cib = cib;
    cv->res = res;
    cv->state = g_new0(guint8, n);
    graph_prepare(cv);
    cv->active = true;
    cv->aborted = false;
    cv->replan = false;
    cv->had_rsc_actions = false;
    cv->running = 0;
    const char *bl = g_hash_table_lookup(cib->options.values, "batch-limit");
    gint64 limit = bl ? g_ascii_strtoll(bl, NULL, 10) : 0;
    cv->batch_limit = limit > 0 ? (guint)limit : 2 * g_get_num_processors();
    herd_notice("transition %d: %u action(s) for CIB %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                ".%" G_GINT64_FORMAT, cv->transition, n, v.admin_epoch, v.epoch,
                v.num_updates);
    fire_ready(cv);
    transition_maybe_end(cv);
    return G_SOURCE_REMOVE;
}

static void notify_change(herdd_t *d, const char *reason)
{
    d->changes++;
    herd_store_version_t v = herd_store_version(herd_store_doc(d->store));
    g_autofree char *version = g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                                               ".%" G_GINT64_FORMAT, v.admin_epoch, v.epoch,
                                               v.num_updates);
    g_autoptr(JsonObject) ev = json_object_new();
    json_object_set_string_member(ev, "event", "cib_changed");
    json_object_set_string_member(ev, "version", version);
    json_object_set_string_member(ev, "reason", reason);
    json_object_set_string_member(ev, "digest", herd_store_digest(d->store));
    herd_ipc_server_broadcast(d->ipc, ev);
}

static void request_run(herdd_t *d, const char *reason)
{
    if (d->converge)
        d->converge->idle_runs = 0;
    if (!d->pending_reason)
        d->pending_reason = g_strdup(reason);
    else if (!g_str_has_suffix(d->pending_reason, ", ...")) {
        char *more = g_strconcat(d->pending_reason, ", ...", NULL);
        g_free(d->pending_reason);
        d->pending_reason = more;
    }
    if (!d->converge_source && d->converge)
        d->converge_source = g_idle_add(converge_run, d);
}

void herdd_cib_changed(herdd_t *d, const char *reason)
{
    herd_info("CIB changed: %s", reason);
    notify_change(d, reason);
    request_run(d, reason);
}

/* Staged edits go to the journal only while a transition runs: then
 * results come one after another and rewriting the CIB for each would cost
 * its whole size every time.  Otherwise (a recurring monitor's changed
 * result, an IPC request) the CIB file is rewritten, so that it is whole
 * whenever no transition runs. */
static bool journal_now(herdd_t *d)
{
    return d->converge && d->converge->active;
}

static gboolean on_flush(gpointer data)
{
    herdd_t *d = data;
    d->flush_source = 0;
    if (journal_now(d)) {
        herdd_flush_nowait(d);
        return G_SOURCE_REMOVE;
    }
    g_autoptr(GError) err = NULL;
    if (herdd_flush(d, true, &err))
        herd_err("cannot write %u status change(s) to the CIB: %s (kept in memory, "
                 "written with the next change)", d->flush_count, err->message);
    return G_SOURCE_REMOVE;
}

void herdd_status_staged(herdd_t *d, const char *reason, bool replan)
{
    if (!d->flush_reason)
        d->flush_reason = g_strdup(reason);
    d->flush_count++;
    if (!d->flush_source)
        d->flush_source = g_idle_add_full(G_PRIORITY_HIGH, on_flush, d, NULL);
    if (replan) {
        herd_info("CIB changed: %s", reason);
        request_run(d, reason);
    }
}

int herdd_flush_staged(herdd_t *d, GError **err)
{
    return herdd_flush(d, !journal_now(d), err);
}

/* Changes written by herdd_flush_nowait whose fdatasync is in flight:
 * subscribers hear of them once they are durable (on_store_synced). */
typedef struct {
    guint64 seq;
    char *reason;
} unsynced_t;

static void unsynced_free(gpointer p)
{
    unsynced_t *u = p;
    g_free(u->reason);
    g_free(u);
}

/* Tell subscribers of the changes durable up to record `seq` (all when
 * `seq` is G_MAXUINT64), oldest first. */
static void tell_synced(herdd_t *d, guint64 seq)
{
    herd_converge_t *cv = d->converge;
    unsynced_t *u;
    while (cv && (u = g_queue_peek_head(&cv->unsynced)) && u->seq <= seq) {
        g_queue_pop_head(&cv->unsynced);
        notify_change(d, u->reason);
        unsynced_free(u);
    }
}

static void on_store_synced(guint64 seq, int err, void *user)
{
    herdd_t *d = user;
    if (err) {
        /* the store staged a rewrite of the whole CIB: write it (sync) */
        g_autoptr(GError) ferr = NULL;
        if (herdd_flush(d, true, &ferr))
            herd_err("cannot write the CIB: %s", ferr->message);
        return;
    }
    tell_synced(d, seq);
}

static char *take_flush_reason(herdd_t *d)
{
    char *reason =
        d->flush_count > 1 ? g_strdup_printf("%s (and %u more)", d->flush_reason ? d->flush_reason
                                                                                 : "status",
                                             d->flush_count - 1)
                           : g_strdup(d->flush_reason ? d->flush_reason : "status");
    g_clear_pointer(&d->flush_reason, g_free);
    d->flush_count = 0;
    if (d->flush_source) {
        g_source_remove(d->flush_source);
        d->flush_source = 0;
    }
    return reason;
}

int herdd_flush(herdd_t *d, bool fold, GError **err)
{
    bool pending = herd_store_pending(d->store);
    bool unsynced = herd_store_unsynced(d->store);
    if (!pending && !fold && !unsynced)
        return 0;
    int rc = herd_store_flush(d->store, fold, err);
    if (rc)
        return rc;
    /* this flush was synchronous: every earlier record is durable too */
    tell_synced(d, G_MAXUINT64);
    if (!pending)
        return 0;
    g_autofree char *reason = take_flush_reason(d);
    notify_change(d, reason);
    return 0;
}

/* The daemon's own operation results, written while a transition runs.
 *
 * Durability: the journal record is written here, and its fdatasync runs
 * on the store's syncer thread, so that the next action of the graph
 * starts without waiting for the disk.  Nothing has been acknowledged
 * from such a record: subscribers are told of it only once it is durable
 * (on_store_synced), every client request first flushes synchronously
 * (herdd_dispatch -> herdd_flush: its fdatasync covers every earlier
 * record), and an op_result sent by a client is flushed synchronously
 * before its reply (herdd_record_result).  An operation result is herdd's
 * own record of what it did: if herdd dies before the sync, at most the
 * newest results are lost, and at start-up herdd forgets this node's
 * history and reprobes every resource (herdd_converge_reset_node), so a
 * lost result neither loses an acknowledged change nor makes a resource
 * start twice (the probe finds it running). */
static void herdd_flush_nowait(herdd_t *d)
{
    if (!herd_store_pending(d->store))
        return;
    guint64 seq = 0;
    g_autoptr(GError) err = NULL;
    if (herd_store_flush_nowait(d->store, &seq, &err)) {
        herd_err("cannot write %u status change(s) to the CIB: %s (kept in memory, "
                 "written with the next change)", d->flush_count, err->message);
        return;
    }
    char *reason = take_flush_reason(d);
    if (seq == 0 || !d->converge) {
        tell_synced(d, G_MAXUINT64);
        notify_change(d, reason);
        g_free(reason);
        return;
    }
    unsynced_t *u = g_new0(unsynced_t, 1);
    u->seq = seq;
    u->reason = reason;
    g_queue_push_tail(&d->converge->unsynced, u);
}

void herdd_converge_cancel(herdd_t *d)
{
    if (d->converge_source)
        g_source_remove(d->converge_source);
    d->converge_source = 0;
    g_clear_pointer(&d->pending_reason, g_free);
    if (d->flush_source)
        g_source_remove(d->flush_source);
    d->flush_source = 0;
    g_clear_pointer(&d->flush_reason, g_free);
}

/* The directory of herd's compatibility commands: next to herdd itself
 * (the build tree, or sbindir once installed), else the build option. */
static char *sbin_dir(void)
{
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        g_autofree char *dir = g_path_get_dirname(exe);
        g_autofree char *ca = g_build_filename(dir, "crm_attribute", NULL);
        if (g_file_test(ca, G_FILE_TEST_EXISTS))
            return g_steal_pointer(&dir);
    }
    return g_strdup(HERD_SBIN_DIR);
}

herd_converge_t *herdd_converge_new(herdd_t *d)
{
    herd_converge_t *cv = g_new0(herd_converge_t, 1);
    cv->d = d;
    cv->uuid = g_uuid_string_random();
    cv->jobs = g_hash_table_new_full(g_direct_hash, g_direct_equal, job_free, NULL);
    cv->recurring = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cv->saved_params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autofree char *sbin = sbin_dir();
    g_autofree char *e_sbin = g_strdup_printf("HA_SBIN_DIR=%s", sbin);
    g_autofree char *e_sock = g_strdup_printf("HERD_SOCKET=%s", d->socket_path);
    g_autofree char *e_path = g_strdup_printf("PATH=%s:/usr/sbin:/usr/bin:/sbin:/bin", sbin);
    const char *env[] = {e_sbin, e_sock, e_path, NULL};
    herd_exec_config_t cfg = {.extra_env = env, .rsc_tmp_dir = d->rsc_tmp_dir,
                              .dirs = {.ocf_root = d->ocf_root}};
    cv->ex = herd_exec_new(&cfg);
    /* call-ids go on from the highest in the CIB (a resource's history is
     * ordered by them: a new result must never sort before an old one) */
    xmlXPathContext *ctx = xmlXPathNewContext(herd_store_doc(d->store));
    xmlXPathObject *obj =
        ctx ? xmlXPathEvalExpression((const xmlChar *)"//lrm_rsc_op/@call-id", ctx) : NULL;
    for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlChar *v = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
        gint64 n = v ? g_ascii_strtoll((const char *)v, NULL, 10) : 0;
        if (n > cv->call_id && n < G_MAXINT)
            cv->call_id = (int)n;
        xmlFree(v);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    g_queue_init(&cv->unsynced);
    d->converge = cv;
    herd_store_set_syncer(d->store, on_store_synced, d);
    return cv;
}

void herdd_converge_free(herd_converge_t *cv)
{
    if (!cv)
        return;
    if (cv->idle_source)
        g_source_remove(cv->idle_source);
    if (cv->recheck_source)
        g_source_remove(cv->recheck_source);
    if (cv->shutdown_timer)
        g_source_remove(cv->shutdown_timer);
    if (!g_queue_is_empty(&cv->unsynced)) {
        g_autoptr(GError) err = NULL;
        if (herd_store_flush(cv->d->store, false, &err))
            herd_err("cannot write the CIB: %s", err->message);
        tell_synced(cv->d, G_MAXUINT64);
    }
    g_queue_clear_full(&cv->unsynced, unsynced_free);
    herd_exec_free(cv->ex);
    transition_free(cv);
    g_hash_table_destroy(cv->recurring);
    g_hash_table_destroy(cv->saved_params);
    g_hash_table_destroy(cv->jobs);
    g_free(cv->uuid);
    cv->d->converge = NULL;
    g_free(cv);
}

/* shutdown-escalation: the stops did not finish in time. */
static gboolean on_shutdown_escalation(gpointer data)
{
    herd_converge_t *cv = data;
    cv->shutdown_timer = 0;
    herd_err("shutdown-escalation reached with resources still active (a stop that does not "
             "finish?): exiting without waiting for them");
    g_main_loop_quit(cv->d->loop);
    return G_SOURCE_REMOVE;
}

bool herdd_converge_shutdown(herdd_t *d)
{
    herd_converge_t *cv = d->converge;
    if (!cv || cv->shutting_down)
        return false;
    gsize len = 0;
    g_autofree char *text = herd_store_to_string(herd_store_doc(d->store), &len);
    g_autoptr(herd_cib_t) cib = herd_cib_load_memory(text, len, "cib", NULL);
    if (cib && cib->options.maintenance_mode) {
        herd_notice("maintenance mode: leaving resources as they are");
        return false;
    }
    cv->shutting_down = true;
    /* As Pacemaker's shutdown-escalation (default 20 minutes): give up
     * waiting for the stops after that long. */
    const char *esc = cib ? g_hash_table_lookup(cib->options.values, "shutdown-escalation") : NULL;
    guint64 esc_ms = 20 * 60 * 1000;
    if (esc && (!herd_cib_parse_interval(esc, &esc_ms) || esc_ms == 0)) {
        herd_warn("shutdown-escalation '%s' is not a duration: using 20min", esc);
        esc_ms = 20 * 60 * 1000;
    }
    cv->shutdown_timer = g_timeout_add((guint)MIN(esc_ms, (guint64)G_MAXUINT), on_shutdown_escalation, cv);
    herd_notice("stopping resources before exiting (at most %s: shutdown-escalation)",
                esc ? esc : "20min");
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(d->store), 1);
    g_autofree char *id = local_id(d);
    g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / 1000000);
    herd_store_attr_set(doc, HERD_STORE_ATTR_STATUS, id, local_name(d), NULL, "shutdown", now,
                        NULL);
    bool changed = false;
    g_autoptr(GError) err = NULL;
    if (herd_store_commit(d->store, doc, HERD_STORE_COMMIT_AUTO, &changed, &err)) {
        herd_err("cannot record the shutdown: %s", err->message);
        return false;
    }
    herdd_cib_changed(d, "shutdown");
    return true;
}

/* At start-up: what a previous run left of this node's state is stale
 * (its recurring monitors died with it, a start may have been cut short),
 * so the history is forgotten and the scheduler reprobes. */
void herdd_converge_reset_node(herdd_t *d)
{
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(d->store), 1);
    /* Configured resources lose their history (probes find them again);
     * unconfigured ones keep theirs, minus recurring monitors, so that the
     * scheduler still stops them as orphans. */
    g_autofree char *xp = g_strdup_printf(
        "/cib/status/node_state[@uname='%s']/lrm/lrm_resources/lrm_resource", local_name(d));
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *obj = ctx ? xmlXPathEvalExpression((const xmlChar *)xp, ctx) : NULL;
    if (obj && obj->nodesetval) {
        for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
            xmlNode *lr = obj->nodesetval->nodeTab[i];
            xmlChar *id = xmlGetProp(lr, (const xmlChar *)"id");
            if (!id)
                continue;
            g_autofree char *base = g_strdup((const char *)id);
            char *colon = strrchr(base, ':');
            if (colon)
                *colon = '\0';
            g_autofree char *cx = g_strdup_printf(
                "/cib/configuration/resources//primitive[@id='%s']", base);
            xmlXPathObject *c = xmlXPathEvalExpression((const xmlChar *)cx, ctx);
            bool configured = c && c->nodesetval && c->nodesetval->nodeNr > 0;
            xmlXPathFreeObject(c);
            xmlFree(id);
            if (configured) {
                xmlUnlinkNode(lr);
                xmlFreeNode(lr);
                obj->nodesetval->nodeTab[i] = NULL;
            }
        }
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    g_autofree char *xr = g_strdup_printf(
        "/cib/status/node_state[@uname='%s']/lrm//lrm_rsc_op[@interval!='0']", local_name(d));
    herd_store_delete_xpath(doc, xr, NULL);
    g_autofree char *id = local_id(d);
    herd_store_attr_delete(doc, HERD_STORE_ATTR_STATUS, id, local_name(d), NULL, "shutdown");
    bool changed = false;
    g_autoptr(GError) err = NULL;
    if (herd_store_commit(d->store, doc, HERD_STORE_COMMIT_AUTO, &changed, &err))
        herd_err("cannot reset this node's history: %s", err->message);
}

int herdd_record_result(herdd_t *d, const herd_op_result_t *res, GError **err)
{
    /* call-ids order a resource's history: ours must come after it */
    if (d->converge && res->call_id > d->converge->call_id)
        d->converge->call_id = res->call_id;
    record(d, res, true, false);
    g_autofree char *reason = g_strdup_printf("%s_%s_%" G_GINT64_FORMAT " result rc=%d",
                                              res->rsc_id, res->operation, res->interval_ms,
                                              res->rc_code);
    herdd_status_staged(d, reason, false);
    /* acknowledged to the sender: durable before the reply (journalled
     * when a converge run follows: it folds the journal once idle) */
    int rc = herdd_flush(d, d->converge == NULL, err);
    if (rc)
        return rc;
    herd_info("%s %s on %s: rc=%d op-status=%d", res->rsc_id, res->operation, res->node_name,
              res->rc_code, res->op_status);
    herd_info("CIB changed: %s", reason);
    request_run(d, reason);
    return 0;
}
