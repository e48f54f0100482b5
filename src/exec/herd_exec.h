/* herd_exec.h: the executor, herd's one way of running resource agents.
 *
 * An executor (herd_exec_t) runs actions of OCF, LSB, stonith (fence) and
 * heartbeat (R1) agents on a GLib main context.  The caller submits a
 * request (what to run) with a callback; when the action ends the callback
 * gets a result (rc, operation status, exit reason, timings, output).
 * Recurring actions (interval > 0) call the callback once per run until
 * cancelled.  Every agent runs in its own session and process group, with
 * an environment built from scratch, stdin on /dev/null (stonith: its
 * parameters as key=value lines), cwd "/" and bounded output capture;
 * herd enforces the timeout by signalling the whole process group.
 *
 * Actions start in submission order within a concurrency limit, one at a
 * time per resource.  The executor never waits for an agent (beyond the
 * moment a vfork-like start takes to reach exec): run the main context
 * (g_main_loop_run, or herd_exec_run_wait / herd_exec_run_sync in one-shot
 * tools).  A failed exec is reported as such (status ERROR or
 * NOT_INSTALLED, raw_rc -1), never as an agent's result.
 *
 * Ownership: the executor owns requests once submitted (it copies them);
 * results passed to callbacks belong to the executor and live only for the
 * duration of the callback (copy with herd_exec_result_copy to keep one).
 */
#ifndef HERD_EXEC_H
#define HERD_EXEC_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- agents ------------------------------------------------------------- */

typedef enum {
    HERD_AGENT_OCF,
    HERD_AGENT_LSB,
    HERD_AGENT_STONITH,
    HERD_AGENT_HEARTBEAT,
} herd_agent_class_t;

/* Where agents are looked up.  NULL members take the built-in defaults
 * (OCF root from the build options, /etc/init.d, /usr/sbin,
 * /etc/ha.d/resource.d). */
typedef struct {
    const char *ocf_root;
    const char *lsb_dir;
    const char *stonith_dir;
    const char *heartbeat_dir;
} herd_agent_dirs_t;

/* One agent, named by its standard ("ocf:heartbeat:Dummy", "lsb:foo",
 * "stonith:fence_dummy", "heartbeat:IPaddr").  Owned by whoever got it from
 * herd_agent_parse; free with herd_agent_free. */
typedef struct {
    herd_agent_class_t klass;
    char *provider;   /* OCF only, else NULL */
    char *type;       /* agent name */
    char *path;       /* the executable */
    char *spec;       /* canonical "class[:provider]:type" */
} herd_agent_t;

/* Parse an agent name and resolve its executable under `dirs` (NULL for
 * defaults).  Returns NULL with `err` set (HERD_ERROR, HERD_EXIT_USAGE)
 * for a malformed name or unknown class.  The executable's existence is
 * NOT checked here: running a missing agent gives a NOT_INSTALLED result. */
herd_agent_t *herd_agent_parse(const char *name, const herd_agent_dirs_t *dirs, GError **err);

/* Free an agent (NULL is fine). */
void herd_agent_free(herd_agent_t *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_agent_t, herd_agent_free)

/* The class's name ("ocf", "lsb", ...); static string. */
const char *herd_agent_class_name(herd_agent_class_t klass);

/* Names of installed agents matching `filter` ("ocf", "ocf:heartbeat",
 * "lsb", "stonith", "heartbeat", or NULL for all), as full agent names in
 * sorted order.  Returns a new NULL-terminated vector (g_strfreev). */
char **herd_agent_list(const char *filter, const herd_agent_dirs_t *dirs, GError **err);

/* ---- results and their classification --------------------------------- */

/* OCF exit codes (agents of other classes are mapped onto them). */
enum {
    HERD_OCF_OK = 0,
    HERD_OCF_ERR_GENERIC = 1,
    HERD_OCF_ERR_ARGS = 2,
    HERD_OCF_ERR_UNIMPLEMENTED = 3,
    HERD_OCF_ERR_PERM = 4,
    HERD_OCF_ERR_INSTALLED = 5,
    HERD_OCF_ERR_CONFIGURED = 6,
    HERD_OCF_NOT_RUNNING = 7,
    HERD_OCF_RUNNING_PROMOTED = 8,
    HERD_OCF_FAILED_PROMOTED = 9,
    HERD_OCF_DEGRADED = 190,
    HERD_OCF_DEGRADED_PROMOTED = 191,
};

/* The OCF name of an rc ("OCF_NOT_RUNNING"), or "OCF_UNKNOWN" for a custom
 * code.  Static string. */
const char *herd_ocf_rc_name(int rc);

/* How an action ended, apart from its rc.  Values are Pacemaker's
 * op-status numbers, as recorded in lrm_rsc_op. */
typedef enum {
    HERD_OP_PENDING = -1,
    HERD_OP_DONE = 0,          /* the agent ran and exited; rc is meaningful */
    HERD_OP_CANCELLED = 1,
    HERD_OP_TIMEOUT = 2,       /* killed by herd at the timeout */
    HERD_OP_NOT_SUPPORTED = 3,
    HERD_OP_ERROR = 4,         /* could not run it (exec failed, signal) */
    HERD_OP_ERROR_HARD = 5,
    HERD_OP_ERROR_FATAL = 6,
    HERD_OP_NOT_INSTALLED = 7, /* executable missing */
    HERD_OP_INVALID = 9,       /* the request itself is wrong */
} herd_op_status_t;

/* Name of an op status ("Timed out"); static string. */
const char *herd_op_status_name(herd_op_status_t status);

/* Recovery a failed result calls for (the seeds' soft / hard / fatal). */
typedef enum {
    HERD_FAIL_NONE,   /* no failure: the expected result or a tolerated one */
    HERD_FAIL_SOFT,   /* transient: recover in place */
    HERD_FAIL_HARD,   /* specific to this node: move elsewhere */
    HERD_FAIL_FATAL,  /* cluster-wide (configuration): stop everywhere */
} herd_failure_t;

/* Static name of a failure kind ("none", "soft", "hard", "fatal"). */
const char *herd_failure_name(herd_failure_t f);

/* What a result means for the cluster. */
typedef struct {
    int expected_rc;          /* the rc the action was expected to give */
    bool ok;                  /* rc (after degraded mapping) == expected */
    herd_failure_t failure;   /* recovery needed; NONE when ok or tolerated */
    bool degraded;            /* 190/191: success, but report it */
    bool probe;               /* a one-shot monitor (probe) */
    bool active;              /* the result says the resource runs (0/8/9/190/191) */
    bool promoted;            /* ... in the promoted role (8/9/191) */
    const char *note;         /* static explanation, never NULL */
} herd_verdict_t;

/* The rc an action is expected to return when the caller does not say
 * (0 for everything; a probe has no single expected rc but 7 is normal). */
int herd_exec_default_expected_rc(const char *action, guint interval_ms);

/* Classify one result as the seeds say: expected vs actual rc per action,
 * probes (7 is fine), degraded codes (success, reported), recurring
 * monitors returning 3 (no failure), notify failures (ignored), soft /
 * hard / fatal by rc, and op statuses (timeouts are soft, a missing agent
 * hard).  `expected_rc` < 0 means the default for the action. */
herd_verdict_t herd_exec_classify(const char *action, guint interval_ms, int expected_rc,
                                  herd_op_status_t status, int rc);

/* One finished run of an action.  Times are g_get_monotonic_time()
 * microseconds. */
typedef struct {
    guint call_id;            /* the id herd_exec_submit returned */
    char *rsc_id;             /* resource instance, may be NULL */
    char *agent;              /* canonical agent name */
    char *action;
    guint interval_ms;
    herd_op_status_t status;
    int rc;                   /* OCF-mapped rc (meaningful when DONE) */
    int raw_rc;               /* the exit status as the agent gave it, or -1 */
    int term_signal;          /* signal that ended the agent, or 0 */
    char *exit_reason;        /* from "ocf-exit-reason:" or herd's own reason */
    char *stdout_text;        /* captured, bounded; never NULL */
    char *stderr_text;        /* captured (minus exit-reason lines); never NULL */
    bool output_truncated;    /* more output was produced than kept */
    gint64 queued_us, started_us, finished_us;
    gint64 finished_real_us;  /* g_get_real_time() at the end, for records
                                 (last-rc-change); never for durations */
    guint run_count;          /* 1 for the first run of a recurring action */
    herd_verdict_t verdict;
} herd_exec_result_t;

/* Milliseconds the action waited for a slot / ran (queue-time and
 * exec-time as lrm_rsc_op records them). */
static inline guint herd_exec_result_queue_ms(const herd_exec_result_t *r)
{
    return (guint)((r->started_us - r->queued_us) / 1000);
}
static inline guint herd_exec_result_exec_ms(const herd_exec_result_t *r)
{
    return (guint)((r->finished_us - r->started_us) / 1000);
}

/* A deep copy of a result (free with herd_exec_result_free). */
herd_exec_result_t *herd_exec_result_copy(const herd_exec_result_t *r);
void herd_exec_result_free(herd_exec_result_t *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_exec_result_t, herd_exec_result_free)

/* ---- requests ----------------------------------------------------------- */

/* What to run.  The executor copies everything at submit time. */
typedef struct {
    const char *agent;        /* "ocf:heartbeat:Dummy" ... */
    const char *action;       /* "start", "monitor", "meta-data", ... */
    const char *rsc_id;       /* OCF_RESOURCE_INSTANCE; NULL = agent type */
    GHashTable *params;       /* char* -> char*, instance parameters; may be NULL */
    GHashTable *meta;         /* char* -> char*, meta attributes; may be NULL */
    guint timeout_ms;         /* 0 = the executor's default */
    guint interval_ms;        /* > 0: recurring */
    int expected_rc;          /* < 0: the default for the action */
    const char *target;       /* stonith: the node to fence (nodename=, port=) */
    const char *port_param;   /* stonith: "port" or "plug" naming the target,
                                 "none" to send only nodename=; NULL = as the
                                 agent's meta-data says (the executor asks
                                 the agent once and remembers) */
} herd_exec_request_t;

/* Called once per finished run.  `r` lives until the callback returns. */
typedef void (*herd_exec_cb)(const herd_exec_result_t *r, void *user);

/* ---- the executor ------------------------------------------------------- */

typedef struct herd_exec herd_exec_t;

typedef struct {
    GMainContext *context;    /* NULL = the global default context */
    guint max_concurrent;     /* 0 = unlimited */
    guint default_timeout_ms; /* 0 = 20 s */
    guint kill_grace_ms;      /* SIGTERM -> SIGKILL delay; 0 = 2 s */
    gsize output_limit;       /* bytes kept per stream; 0 = 64 KiB */
    herd_agent_dirs_t dirs;   /* strings are copied */
    const char *rsc_tmp_dir;  /* HA_RSCTMP; NULL = build default */
    const char *cwd;          /* agents' working directory; NULL = "/" */
    const char *const *extra_env; /* NULL-terminated "NAME=value" added to every
                                 agent's environment (replacing a variable of
                                 the same name, PATH included); copied */
} herd_exec_config_t;

/* A new executor (config may be NULL for defaults); it creates HA_RSCTMP
 * if missing and restores SIGCHLD to its default if it was ignored.  Free with
 * herd_exec_free (never from inside a callback), which cancels everything
 * still queued or running (their process groups are killed and reaped;
 * callbacks are not called). */
herd_exec_t *herd_exec_new(const herd_exec_config_t *config);
void herd_exec_free(herd_exec_t *ex);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_exec_t, herd_exec_free)

/* Queue an action; returns its call id (> 0).  Actions start in the order
 * submitted, within the concurrency limit, and never two of the same
 * resource (rsc_id) at once: a later one waits for the running one.  The
 * callback runs on the executor's context when each run ends, also for
 * failures found before spawning (bad agent name, missing executable,
 * failed exec: those give a status other than DONE).  `cb` may be NULL. */
guint herd_exec_submit(herd_exec_t *ex, const herd_exec_request_t *req,
                       herd_exec_cb cb, void *user);

/* Cancel an action: dequeue it, or kill a running one's process group,
 * and stop a recurring one from running again.  The callback is called
 * once more with status CANCELLED (not at all if cancelled from inside its
 * own callback).  Returns false when the id is unknown. */
bool herd_exec_cancel(herd_exec_t *ex, guint call_id);

/* Cancel every action of resource `rsc_id` (its recurring monitors before
 * a stop, say), as herd_exec_cancel does each.  Returns how many. */
guint herd_exec_cancel_resource(herd_exec_t *ex, const char *rsc_id);

/* Number of actions queued or running (recurring ones count while they
 * wait for their next run). */
guint herd_exec_pending(herd_exec_t *ex);

/* Submit `req` and iterate the executor's context until that action's
 * first run ends; return the result (caller frees).  A recurring request
 * runs once (the agent still sees the interval).  Only for executors
 * whose context no main loop is running (tools, tests). */
herd_exec_result_t *herd_exec_run_wait(herd_exec_t *ex, const herd_exec_request_t *req);

/* Run one action to completion on a private context and return its result
 * (caller frees).  For command-line tools and tests. */
herd_exec_result_t *herd_exec_run_sync(const herd_exec_config_t *config,
                                       const herd_exec_request_t *req);

/* ---- environment (exposed for tests and tools) -------------------------- */

/* The environment an agent of `agent` gets for `req`, as a NULL-terminated
 * "NAME=value" vector (g_strfreev), built from scratch: PATH, the OCF
 * variables for OCF agents, OCF_RESKEY_<param>, OCF_RESKEY_CRM_meta_<meta>
 * (hyphens as underscores; timeout in ms; interval), HA_RSCTMP. */
char **herd_exec_build_env(const herd_agent_t *agent, const herd_exec_request_t *req,
                           guint timeout_ms, const char *ocf_root, const char *rsc_tmp);

/* The argument vector for running `action` of `agent` (g_strfreev):
 * OCF/LSB/stonith: path action-as-the-class-names-it; heartbeat: path,
 * positional parameters "1", "2", ... then the action. */
char **herd_exec_build_argv(const herd_agent_t *agent, const herd_exec_request_t *req);

/* What a stonith agent reads on stdin for `req` (owned string): action=,
 * the target as nodename= and port= (or plug= when `port_param` says so),
 * then the device parameters, one key=value a line.  `port_param` is the
 * parameter naming the target in the agent's metadata ("port", "plug",
 * "none" for no such parameter, NULL for "port"). */
char *herd_exec_stonith_stdin(const herd_exec_request_t *req, const char *port_param);

/* Map an agent's exit status to an OCF rc for `action` of class `klass`
 * (LSB status: 0 running, 3 stopped, 1/2/4 failed; LSB stop saying 7
 * "not running" succeeded, as LSB wants stop idempotent; stonith status:
 * 2 off; heartbeat status judged from stdout). */
int herd_exec_map_rc(herd_agent_class_t klass, const char *action, int exit_status,
                     const char *stdout_text);

/* ---- metadata ----------------------------------------------------------- */

typedef struct {
    char *name;
    bool required, unique, reloadable, deprecated;
    char *type;        /* "string", "integer", "boolean", "select", ... */
    char *default_value;
    char **options;    /* for type "select"; NULL otherwise */
    char *shortdesc, *longdesc;
} herd_param_meta_t;

typedef struct {
    char *name;
    guint timeout_ms;  /* 0 when not given */
    guint interval_ms;
    guint depth;
    char *role;        /* may be NULL */
} herd_action_meta_t;

/* An agent's parsed meta-data (ra-api-1).  Free with herd_metadata_free. */
typedef struct {
    char *name, *version, *shortdesc, *longdesc;
    GPtrArray *params;   /* of herd_param_meta_t*, document order */
    GPtrArray *actions;  /* of herd_action_meta_t*, document order */
} herd_metadata_t;

/* Parse meta-data XML text (`len` bytes; -1 = NUL-terminated).  `origin`
 * names it in messages.  Returns NULL with `err` (HERD_ERROR,
 * HERD_EXIT_DATAERR) saying what is wrong and where: not XML (line),
 * wrong root element, a parameter or action without a name, a bad
 * boolean or duration. */
herd_metadata_t *herd_metadata_parse(const char *xml, gssize len, const char *origin,
                                     GError **err);
void herd_metadata_free(herd_metadata_t *md);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_metadata_t, herd_metadata_free)

/* The action named `name` (first match), or NULL. */
const herd_action_meta_t *herd_metadata_action(const herd_metadata_t *md, const char *name);
/* The parameter named `name`, or NULL. */
const herd_param_meta_t *herd_metadata_param(const herd_metadata_t *md, const char *name);

/* Check `params` against the metadata: required ones present, no unknown
 * names, integers and booleans well-formed, select values among the
 * options.  Returns a vector of problems (g_strfreev), empty if none. */
char **herd_metadata_validate(const herd_metadata_t *md, GHashTable *params);

/* Meta-data for agents that have no meta-data action (lsb, heartbeat):
 * an ra-api-1 document built from an init script's LSB header (Provides,
 * Short-Description, Description) when there is one, listing the actions
 * the class supports.  Returns an owned XML string. */
char *herd_metadata_synthesize(const herd_agent_t *agent);

#endif /* HERD_EXEC_H */
