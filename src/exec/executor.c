/* executor.c: actions on a GLib main context: a queue with a concurrency
 * limit, timeouts enforced on the agent's whole process group (SIGTERM,
 * then SIGKILL after a grace period), bounded output capture, recurring
 * actions and cancellation. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "internal.h"

#define DEFAULT_TIMEOUT_MS 20000
#define DEFAULT_GRACE_MS 2000
#define DEFAULT_OUTPUT_LIMIT (64 * 1024)
#define EXIT_REASON_PREFIX "ocf-exit-reason:"
#define EXIT_REASON_MAX 256

typedef enum {
    OP_QUEUED,
    OP_RUNNING,
    OP_WAITING,   /* recurring: between runs */
    OP_META,      /* stonith: waiting for the agent's meta-data (port/plug) */
} op_state_t;

typedef struct {
    GString *buf;
    int fd;
    GSource *src;
    bool truncated;
} capture_t;

typedef struct op {
    herd_exec_t *ex;
    guint id;
    op_state_t state;
    /* the request, owned copies */
    char *agent_name, *action, *rsc_id, *target, *port_param;
    GHashTable *params, *meta;
    guint timeout_ms, interval_ms;
    int expected_rc;
    herd_agent_class_t klass; /* known once started */
    char *path;               /* the executable, once started */
    herd_exec_cb cb;
    void *user;
    /* the current run */
    GPid pid;
    int exec_err_fd;
    capture_t out, err;
    GSource *child_src, *timeout_src, *kill_src, *interval_src;
    bool timed_out, cancelled, in_callback;
    guint meta_call;          /* OP_META: the meta-data action's call id */
    gint64 queued_us, started_us;
    guint run_count;
} op_t;

struct herd_exec {
    GMainContext *ctx;
    guint max_concurrent, default_timeout_ms, kill_grace_ms;
    gsize output_limit;
    char *ocf_root, *lsb_dir, *stonith_dir, *heartbeat_dir, *rsc_tmp, *cwd;
    char **extra_env;
    herd_agent_dirs_t dirs;
    GHashTable *ops;   /* id -> op_t* (owned) */
    GQueue queue;      /* op_t* waiting for a slot */
    guint running;
    guint next_id;
    GSource *pump_src;
    GHashTable *stonith_port; /* agent spec -> "port" | "plug" | "none" */
    GHashTable *busy_rsc;     /* rsc_id of each running op (a set) */
};

static void op_free(op_t *op);
static void pump_schedule(herd_exec_t *ex);
static gboolean on_interval(gpointer data);
static void pump_now(herd_exec_t *ex);

static GHashTable *copy_table(GHashTable *src)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (src) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, src);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_hash_table_insert(t, g_strdup(k), g_strdup(v ? v : ""));
    }
    return t;
}

static void source_clear(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

static void capture_close(capture_t *c)
{
    source_clear(&c->src);
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
}

/* Read what is available; false at EOF or error.  Past the limit, output
 * is read and dropped so the agent never blocks on a full pipe. */
static bool capture_read(herd_exec_t *ex, capture_t *c)
{
    char chunk[16384];
    for (;;) {
        ssize_t n = read(c->fd, chunk, sizeof chunk);
        if (n > 0) {
            gsize room = ex->output_limit > c->buf->len ? ex->output_limit - c->buf->len : 0;
            gsize keep = (gsize)n < room ? (gsize)n : room;
            if (keep)
                g_string_append_len(c->buf, chunk, (gssize)keep);
            if (keep < (gsize)n)
                c->truncated = true;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        return false;
    }
}

static gboolean on_out(gint fd, GIOCondition cond, gpointer data)
{
    op_t *op = data;
    capture_t *c = fd == op->out.fd ? &op->out : &op->err;
    if (capture_read(op->ex, c))
        return G_SOURCE_CONTINUE;
    /* EOF: stop watching; the descriptor closes when the run ends. */
    g_source_unref(c->src);
    c->src = NULL;
    return G_SOURCE_REMOVE;
}

/* ---- results ------------------------------------------------------------ */

void herd_exec_result_free(herd_exec_result_t *r)
{
    if (!r)
        return;
    g_free(r->rsc_id);
    g_free(r->agent);
    g_free(r->action);
    g_free(r->exit_reason);
    g_free(r->stdout_text);
    g_free(r->stderr_text);
    g_free(r);
}

herd_exec_result_t *herd_exec_result_copy(const herd_exec_result_t *r)
{
    herd_exec_result_t *c = g_new(herd_exec_result_t, 1);
    *c = *r;
    c->rsc_id = g_strdup(r->rsc_id);
    c->agent = g_strdup(r->agent);
    c->action = g_strdup(r->action);
    c->exit_reason = g_strdup(r->exit_reason);
    c->stdout_text = g_strdup(r->stdout_text);
    c->stderr_text = g_strdup(r->stderr_text);
    return c;
}

/* Take "ocf-exit-reason:" lines out of `text`; the last one is the exit
 * reason (stored in *reason unless one is already there). */
static char *split_exit_reason(const char *text, char **reason)
{
    if (!strstr(text, EXIT_REASON_PREFIX))
        return g_strdup(text);
    GString *rest = g_string_new(NULL);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    char *found = NULL;
    for (int i = 0; lines[i]; i++) {
        const char *p = strstr(lines[i], EXIT_REASON_PREFIX);
        if (p) {
            g_free(found);
            found = g_strstrip(g_strdup(p + strlen(EXIT_REASON_PREFIX)));
            if (strlen(found) > EXIT_REASON_MAX)
                found[EXIT_REASON_MAX] = '\0';
            continue;
        }
        g_string_append(rest, lines[i]);
        if (lines[i + 1])
            g_string_append_c(rest, '\n');
    }
    if (found && *found && !*reason)
        *reason = found;
    else
        g_free(found);
    return g_string_free(rest, FALSE);
}

/* Hand one run's result to the callback, then requeue (recurring) or free
 * the op. */
static void op_complete(op_t *op, herd_op_status_t status, int rc, int raw_rc, int sig,
                        char *reason)
{
    herd_exec_t *ex = op->ex;
    herd_exec_result_t r = {0};
    r.call_id = op->id;
    r.rsc_id = op->rsc_id;
    r.agent = op->agent_name;
    r.action = op->action;
    r.interval_ms = op->interval_ms;
    r.status = status;
    r.rc = rc;
    r.raw_rc = raw_rc;
    r.term_signal = sig;
    r.exit_reason = reason;
    r.stdout_text = g_strdup(op->out.buf ? op->out.buf->str : "");
    r.stderr_text = split_exit_reason(op->err.buf ? op->err.buf->str : "", &r.exit_reason);
    r.output_truncated = op->out.truncated || op->err.truncated;
    r.queued_us = op->queued_us;
    r.started_us = op->started_us ? op->started_us : g_get_monotonic_time();
    r.finished_us = g_get_monotonic_time();
    r.finished_real_us = g_get_real_time();
    r.run_count = ++op->run_count;
    r.verdict = herd_exec_classify(op->action, op->interval_ms, op->expected_rc, status, rc);

    if (op->out.buf)
        g_string_truncate(op->out.buf, 0);
    if (op->err.buf)
        g_string_truncate(op->err.buf, 0);
    op->out.truncated = op->err.truncated = false;

    if (op->cb) {
        op->in_callback = true;
        op->cb(&r, op->user);
        op->in_callback = false;
    }
    g_free(r.stdout_text);
    g_free(r.stderr_text);
    g_free(r.exit_reason);

    if (op->interval_ms > 0 && !op->cancelled && status != HERD_OP_CANCELLED &&
        status != HERD_OP_INVALID && status != HERD_OP_NOT_INSTALLED) {
        op->state = OP_WAITING;
        op->timed_out = false;
        op->started_us = 0;
        op->interval_src = g_timeout_source_new(op->interval_ms);
        g_source_set_callback(op->interval_src, on_interval, op, NULL);
        g_source_attach(op->interval_src, ex->ctx);
        return;
    }
    g_hash_table_remove(ex->ops, GUINT_TO_POINTER(op->id));
}

static void reason_take(char **dst, char *s)
{
    g_free(*dst);
    *dst = s;
}

/* The agent's process is gone (reaped by GLib): collect and finish. */
static void on_child_exit(GPid pid, gint wstatus, gpointer data)
{
    op_t *op = data;
    herd_exec_t *ex = op->ex;
    g_source_unref(op->child_src);
    op->child_src = NULL;
    source_clear(&op->timeout_src);
    source_clear(&op->kill_src);
    /* Whatever is already in the pipes belongs to this run; a descendant
     * holding them open does not delay the result. */
    capture_read(ex, &op->out);
    capture_read(ex, &op->err);
    capture_close(&op->out);
    capture_close(&op->err);
    op->pid = 0;
    ex->running--;
    if (op->rsc_id)
        g_hash_table_remove(ex->busy_rsc, op->rsc_id);

    herd_op_status_t status = HERD_OP_DONE;
    int raw = -1, sig = 0, rc;
    char *reason = NULL;
    if (op->timed_out || op->cancelled) {
        /* The group may outlive its leader: nothing of it may survive. */
        kill(-pid, SIGKILL);
    }
    const char *what = NULL;
    int exec_err = op->exec_err_fd >= 0 ? spawn_exec_error(op->exec_err_fd, &what) : 0;
    op->exec_err_fd = -1;
    if (WIFEXITED(wstatus))
        raw = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        sig = WTERMSIG(wstatus);

    if (exec_err) {
        /* The agent never ran: say so, not as one of its results. */
        bool missing = exec_err == -ENOENT && strcmp(what, "exec") == 0;
        status = missing ? HERD_OP_NOT_INSTALLED : HERD_OP_ERROR;
        rc = missing ? HERD_OCF_ERR_INSTALLED
             : exec_err == -EACCES ? HERD_OCF_ERR_PERM : HERD_OCF_ERR_GENERIC;
        raw = -1;
        reason_take(&reason, g_strdup_printf("could not run %s: %s failed: %s", op->path, what,
                                             g_strerror(-exec_err)));
    } else if (op->cancelled) {
        status = HERD_OP_CANCELLED;
        rc = HERD_OCF_ERR_GENERIC;
    } else if (op->timed_out) {
        status = HERD_OP_TIMEOUT;
        rc = HERD_OCF_ERR_GENERIC;
        reason_take(&reason, g_strdup_printf("%s %s timed out after %ums (process group killed)",
                                             op->agent_name, op->action, op->timeout_ms));
    } else if (sig) {
        status = HERD_OP_ERROR;
        rc = HERD_OCF_ERR_GENERIC;
        reason_take(&reason, g_strdup_printf("agent killed by signal %d (%s)", sig,
                                             g_strsignal(sig)));
    } else {
        rc = herd_exec_map_rc(op->klass, op->action, raw, op->out.buf->str);
    }
    op_complete(op, status, rc, raw, sig, reason);
    /* Fill the freed slot now rather than one loop iteration later. */
    pump_now(ex);
}

static gboolean on_kill_grace(gpointer data)
{
    op_t *op = data;
    herd_warn("%s %s (pid %d) still running %ums after SIGTERM: SIGKILL", op->agent_name,
              op->action, (int)op->pid, op->ex->kill_grace_ms);
    if (op->pid > 0)
        kill(-op->pid, SIGKILL);
    g_source_unref(op->kill_src);
    op->kill_src = NULL;
    return G_SOURCE_REMOVE;
}

/* SIGTERM to the whole group now, SIGKILL after the grace period. */
static void op_terminate(op_t *op)
{
    if (op->pid <= 0 || op->kill_src)
        return;
    kill(-op->pid, SIGTERM);
    op->kill_src = g_timeout_source_new(op->ex->kill_grace_ms);
    g_source_set_callback(op->kill_src, on_kill_grace, op, NULL);
    g_source_attach(op->kill_src, op->ex->ctx);
}

static gboolean on_timeout(gpointer data)
{
    op_t *op = data;
    herd_notice("%s %s (pid %d) timed out after %ums", op->agent_name, op->action,
                (int)op->pid, op->timeout_ms);
    op->timed_out = true;
    g_source_unref(op->timeout_src);
    op->timeout_src = NULL;
    op_terminate(op);
    return G_SOURCE_REMOVE;
}

static GSource *watch_fd(op_t *op, capture_t *c)
{
    GSource *s = g_unix_fd_source_new(c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(s, (GSourceFunc)(void (*)(void))on_out, op, NULL);
    g_source_attach(s, op->ex->ctx);
    return s;
}

/* The parameter naming the target in a fence agent's meta-data. */
static const char *port_param_from_metadata(const char *xml)
{
    g_autoptr(herd_metadata_t) md = xml ? herd_metadata_parse(xml, -1, "stonith", NULL) : NULL;
    if (!md || herd_metadata_param(md, "port"))
        return "port";
    return herd_metadata_param(md, "plug") ? "plug" : "none";
}

/* A fence agent's meta-data has arrived: remember how it names the
 * target, then start the action that waited for it. */
static void on_stonith_metadata(const herd_exec_result_t *r, void *user)
{
    if (r->status == HERD_OP_CANCELLED)
        return; /* the waiting op was cancelled (and may be gone) */
    op_t *op = user;
    herd_exec_t *ex = op->ex;
    const char *param = port_param_from_metadata(r->status == HERD_OP_DONE && r->rc == 0
                                                     ? r->stdout_text
                                                     : NULL);
    g_hash_table_replace(ex->stonith_port, g_strdup(op->agent_name), g_strdup(param));
    op->meta_call = 0;
    op->port_param = g_strdup(param);
    op->state = OP_QUEUED;
    g_queue_push_head(&ex->queue, op);
    pump_schedule(ex);
}

/* Start one run.  Failures found before the agent runs complete the op at
 * once (we are inside the pump, never inside herd_exec_submit). */
static void op_start(op_t *op)
{
    herd_exec_t *ex = op->ex;
    op->started_us = g_get_monotonic_time();
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_agent_t) agent = herd_agent_parse(op->agent_name, &ex->dirs, &err);
    if (!agent) {
        op_complete(op, HERD_OP_INVALID, HERD_OCF_ERR_CONFIGURED, -1, 0, g_strdup(err->message));
        return;
    }
    op->klass = agent->klass;
    g_free(op->path);
    op->path = g_strdup(agent->path);
    struct stat st;
    int e = stat(agent->path, &st) < 0 ? errno : 0;
    if (e || !S_ISREG(st.st_mode)) {
        op_complete(op, HERD_OP_NOT_INSTALLED, HERD_OCF_ERR_INSTALLED, -1, 0,
                    g_strdup_printf("%s: %s", agent->path,
                                    e ? g_strerror(e) : "not a regular file"));
        pump_schedule(ex);
        return;
    }
    if (agent->klass == HERD_AGENT_STONITH && op->target && *op->target && !op->port_param) {
        const char *known = g_hash_table_lookup(ex->stonith_port, op->agent_name);
        if (known) {
            op->port_param = g_strdup(known);
        } else {
            /* port= or plug=: the agent's meta-data says; ask it first. */
            herd_exec_request_t mreq = {.agent = op->agent_name, .action = "meta-data",
                                        .timeout_ms = op->timeout_ms, .expected_rc = -1};
            op->state = OP_META;
            op->meta_call = herd_exec_submit(ex, &mreq, on_stonith_metadata, op);
            return;
        }
    }
    herd_exec_request_t req = {
        .agent = op->agent_name, .action = op->action, .rsc_id = op->rsc_id,
        .params = op->params, .meta = op->meta, .timeout_ms = op->timeout_ms,
        .interval_ms = op->interval_ms, .expected_rc = op->expected_rc,
        .target = op->target, .port_param = op->port_param,
    };
    g_auto(GStrv) argv = herd_exec_build_argv(agent, &req);
    g_auto(GStrv) envp = herd_exec_build_env(agent, &req, op->timeout_ms, ex->ocf_root,
                                             ex->rsc_tmp);
    for (guint e = 0; ex->extra_env && ex->extra_env[e]; e++) {
        const char *eq = strchr(ex->extra_env[e], '=');
        if (!eq)
            continue;
        g_autofree char *name = g_strndup(ex->extra_env[e], (gsize)(eq - ex->extra_env[e]));
        envp = g_environ_setenv(envp, name, eq + 1, TRUE);
    }
    g_autofree char *in = agent->klass == HERD_AGENT_STONITH
                              ? herd_exec_stonith_stdin(&req, op->port_param)
                              : NULL;
    spawn_child_t child;
    const char *what = NULL;
    /* When this is the last agent herd can start now (nothing queued, or
     * the limit reached with it), the cheaper vfork-like start wins: herd
     * has nothing else to start meanwhile.  In a burst, fork, so that the
     * next ones start while this one execs. */
    bool share_vm = ex->queue.length == 0 ||
                    (ex->max_concurrent && ex->running + 1 >= ex->max_concurrent);
    int rc = spawn_agent(argv, envp, ex->cwd, in, share_vm, &child, &what);
    if (rc < 0) {
        op_complete(op, HERD_OP_ERROR, HERD_OCF_ERR_GENERIC, -1, 0,
                    g_strdup_printf("could not run %s: %s failed: %s", agent->path, what,
                                    g_strerror(-rc)));
        pump_schedule(ex);
        return;
    }
    op->state = OP_RUNNING;
    op->pid = child.pid;
    op->out.fd = child.out_fd;
    op->err.fd = child.err_fd;
    op->exec_err_fd = child.exec_err_fd;
    if (!op->out.buf) {
        op->out.buf = g_string_new(NULL);
        op->err.buf = g_string_new(NULL);
    }
    ex->running++;
    if (op->rsc_id)
        g_hash_table_add(ex->busy_rsc, g_strdup(op->rsc_id));
    op->out.src = watch_fd(op, &op->out);
    op->err.src = watch_fd(op, &op->err);
    op->child_src = g_child_watch_source_new(child.pid);
    g_source_set_callback(op->child_src, (GSourceFunc)(void (*)(void))on_child_exit, op, NULL);
    g_source_attach(op->child_src, ex->ctx);
    op->timeout_src = g_timeout_source_new(op->timeout_ms);
    g_source_set_callback(op->timeout_src, on_timeout, op, NULL);
    g_source_attach(op->timeout_src, ex->ctx);
}

/* The first queued op that may start: its resource has nothing running
 * (one action per resource at a time, as agents expect). */
static op_t *next_startable(herd_exec_t *ex)
{
    for (GList *l = ex->queue.head; l; l = l->next) {
        op_t *op = l->data;
        if (!op->rsc_id || !g_hash_table_contains(ex->busy_rsc, op->rsc_id)) {
            g_queue_delete_link(&ex->queue, l);
            return op;
        }
    }
    return NULL;
}

static void pump_now(herd_exec_t *ex)
{
    /* op_start may complete an op at once and run callbacks that change
     * the queue: look it up afresh each time. */
    while (ex->queue.length && (!ex->max_concurrent || ex->running < ex->max_concurrent)) {
        op_t *op = next_startable(ex);
        if (!op)
            break;
        op_start(op);
    }
}

static gboolean pump(gpointer data)
{
    herd_exec_t *ex = data;
    g_source_unref(ex->pump_src);
    ex->pump_src = NULL;
    pump_now(ex);
    return G_SOURCE_REMOVE;
}

static void pump_schedule(herd_exec_t *ex)
{
    if (ex->pump_src || !ex->queue.length)
        return;
    if (ex->max_concurrent && ex->running >= ex->max_concurrent)
        return;
    ex->pump_src = g_idle_source_new();
    g_source_set_priority(ex->pump_src, G_PRIORITY_DEFAULT);
    g_source_set_callback(ex->pump_src, pump, ex, NULL);
    g_source_attach(ex->pump_src, ex->ctx);
}

static void op_enqueue(op_t *op)
{
    op->state = OP_QUEUED;
    op->queued_us = g_get_monotonic_time();
    g_queue_push_tail(&op->ex->queue, op);
    pump_schedule(op->ex);
}

static gboolean on_interval(gpointer data)
{
    op_t *op = data;
    g_source_unref(op->interval_src);
    op->interval_src = NULL;
    op_enqueue(op);
    return G_SOURCE_REMOVE;
}

/* ---- public ------------------------------------------------------------- */

herd_exec_t *herd_exec_new(const herd_exec_config_t *cfg)
{
    herd_exec_config_t dflt = {0};
    if (!cfg)
        cfg = &dflt;
    herd_exec_t *ex = g_new0(herd_exec_t, 1);
    ex->ctx = cfg->context ? g_main_context_ref(cfg->context) : g_main_context_ref(g_main_context_default());
    ex->max_concurrent = cfg->max_concurrent;
    ex->default_timeout_ms = cfg->default_timeout_ms ? cfg->default_timeout_ms : DEFAULT_TIMEOUT_MS;
    ex->kill_grace_ms = cfg->kill_grace_ms ? cfg->kill_grace_ms : DEFAULT_GRACE_MS;
    ex->output_limit = cfg->output_limit ? cfg->output_limit : DEFAULT_OUTPUT_LIMIT;
    ex->ocf_root = g_canonicalize_filename(agent_ocf_root(&cfg->dirs), NULL);
    ex->lsb_dir = g_strdup(agent_lsb_dir(&cfg->dirs));
    ex->stonith_dir = g_strdup(agent_stonith_dir(&cfg->dirs));
    ex->heartbeat_dir = g_strdup(agent_heartbeat_dir(&cfg->dirs));
    ex->dirs = (herd_agent_dirs_t){ex->ocf_root, ex->lsb_dir, ex->stonith_dir, ex->heartbeat_dir};
    ex->rsc_tmp = g_strdup(cfg->rsc_tmp_dir ? cfg->rsc_tmp_dir : HERD_RSC_TMP_DIR);
    ex->cwd = g_strdup(cfg->cwd ? cfg->cwd : "/");
    ex->extra_env = g_strdupv((char **)cfg->extra_env);
    ex->ops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)op_free);
    ex->stonith_port = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ex->busy_rsc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_queue_init(&ex->queue);
    ex->next_id = 1;
    /* An ignored SIGCHLD (inherited) makes the kernel reap agents itself and
     * their exit statuses would be lost. */
    struct sigaction sa;
    if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = 0;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGCHLD, &sa, NULL);
    }
    /* Agents expect HA_RSCTMP to exist; failing to make it is theirs to report. */
    if (g_mkdir_with_parents(ex->rsc_tmp, 0755) < 0)
        herd_debug("cannot create %s: %s", ex->rsc_tmp, g_strerror(errno));
    return ex;
}

/* Release an op's run (killing and reaping a running agent) and memory. */
static void op_free(op_t *op)
{
    if (op->pid > 0) {
        kill(-op->pid, SIGKILL);
        int st;
        while (waitpid(op->pid, &st, 0) < 0 && errno == EINTR)
            ;
        op->ex->running--;
    }
    source_clear(&op->child_src);
    source_clear(&op->timeout_src);
    source_clear(&op->kill_src);
    source_clear(&op->interval_src);
    capture_close(&op->out);
    capture_close(&op->err);
    if (op->exec_err_fd >= 0)
        close(op->exec_err_fd);
    g_free(op->path);
    if (op->out.buf)
        g_string_free(op->out.buf, TRUE);
    if (op->err.buf)
        g_string_free(op->err.buf, TRUE);
    g_free(op->agent_name);
    g_free(op->action);
    g_free(op->rsc_id);
    g_free(op->target);
    g_free(op->port_param);
    g_hash_table_unref(op->params);
    g_hash_table_unref(op->meta);
    g_free(op);
}

void herd_exec_free(herd_exec_t *ex)
{
    if (!ex)
        return;
    g_queue_clear(&ex->queue);
    g_hash_table_destroy(ex->ops);
    g_hash_table_destroy(ex->stonith_port);
    g_hash_table_destroy(ex->busy_rsc);
    source_clear(&ex->pump_src);
    g_main_context_unref(ex->ctx);
    g_free(ex->ocf_root);
    g_free(ex->lsb_dir);
    g_free(ex->stonith_dir);
    g_free(ex->heartbeat_dir);
    g_free(ex->rsc_tmp);
    g_free(ex->cwd);
    g_strfreev(ex->extra_env);
    g_free(ex);
}

guint herd_exec_submit(herd_exec_t *ex, const herd_exec_request_t *req, herd_exec_cb cb,
                       void *user)
{
    op_t *op = g_new0(op_t, 1);
    op->ex = ex;
    op->id = ex->next_id++;
    if (ex->next_id == 0)
        ex->next_id = 1;
    op->agent_name = g_strdup(req->agent ? req->agent : "");
    op->action = g_strdup(req->action ? req->action : "");
    op->rsc_id = g_strdup(req->rsc_id);
    op->target = g_strdup(req->target);
    op->port_param = g_strdup(req->port_param);
    op->params = copy_table(req->params);
    op->meta = copy_table(req->meta);
    op->timeout_ms = req->timeout_ms ? req->timeout_ms : ex->default_timeout_ms;
    op->interval_ms = req->interval_ms;
    op->expected_rc = req->expected_rc;
    op->cb = cb;
    op->user = user;
    op->out.fd = op->err.fd = op->exec_err_fd = -1;
    g_hash_table_insert(ex->ops, GUINT_TO_POINTER(op->id), op);
    op_enqueue(op);
    return op->id;
}

static gint cmp_uint(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a, y = *(const guint *)b;
    return x < y ? -1 : x > y;
}

guint herd_exec_cancel_resource(herd_exec_t *ex, const char *rsc_id)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ex->ops);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        op_t *op = v;
        if (op->rsc_id && strcmp(op->rsc_id, rsc_id) == 0)
            g_array_append_val(ids, op->id);
    }
    /* In call order, so that callbacks come in a defined order. */
    g_array_sort(ids, cmp_uint);
    guint n = 0;
    for (guint i = 0; i < ids->len; i++)
        n += herd_exec_cancel(ex, g_array_index(ids, guint, i));
    return n;
}

bool herd_exec_cancel(herd_exec_t *ex, guint call_id)
{
    op_t *op = g_hash_table_lookup(ex->ops, GUINT_TO_POINTER(call_id));
    if (!op)
        return false;
    if (op->in_callback) {
        /* Inside its own callback: stop it quietly once the callback returns. */
        op->cancelled = true;
        op->interval_ms = 0;
        return true;
    }
    op->cancelled = true;
    switch (op->state) {
    case OP_RUNNING:
        op_terminate(op); /* completes from on_child_exit */
        break;
    case OP_QUEUED:
        g_queue_remove(&ex->queue, op);
        op_complete(op, HERD_OP_CANCELLED, HERD_OCF_ERR_GENERIC, -1, 0, NULL);
        break;
    case OP_WAITING:
        source_clear(&op->interval_src);
        op_complete(op, HERD_OP_CANCELLED, HERD_OCF_ERR_GENERIC, -1, 0, NULL);
        break;
    case OP_META:
        if (op->meta_call)
            herd_exec_cancel(ex, op->meta_call);
        op->meta_call = 0;
        op_complete(op, HERD_OP_CANCELLED, HERD_OCF_ERR_GENERIC, -1, 0, NULL);
        break;
    }
    return true;
}

guint herd_exec_pending(herd_exec_t *ex)
{
    return g_hash_table_size(ex->ops);
}

typedef struct {
    herd_exec_t *ex;
    herd_exec_result_t *result;
} wait_t;

static void wait_cb(const herd_exec_result_t *r, void *user)
{
    wait_t *w = user;
    if (!w->result)
        w->result = herd_exec_result_copy(r);
    /* A recurring request runs once here (the agent still sees its interval). */
    herd_exec_cancel(w->ex, r->call_id);
}

herd_exec_result_t *herd_exec_run_wait(herd_exec_t *ex, const herd_exec_request_t *req)
{
    wait_t w = {ex, NULL};
    herd_exec_submit(ex, req, wait_cb, &w);
    while (!w.result)
        g_main_context_iteration(ex->ctx, TRUE);
    return w.result;
}

herd_exec_result_t *herd_exec_run_sync(const herd_exec_config_t *config,
                                       const herd_exec_request_t *req)
{
    herd_exec_config_t cfg = config ? *config : (herd_exec_config_t){0};
    GMainContext *ctx = g_main_context_new();
    cfg.context = ctx;
    herd_exec_t *ex = herd_exec_new(&cfg);
    herd_exec_result_t *r = herd_exec_run_wait(ex, req);
    herd_exec_free(ex);
    g_main_context_unref(ctx);
    return r;
}
