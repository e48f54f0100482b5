/* ocft_run.c: run a parsed ocft config the way resource-agents' ocft does,
 * with herd in charge of the processes.
 *
 * The shell parts of a config (VARIABLE, SETUP-AGENT, CLEANUP-AGENT, Env,
 * Unenv, Bash, BashAtExit) are bash code by definition, so each case gets
 * one bash ("the case shell") that keeps the variables and exports the
 * case has set.  herd feeds it one step at a time (a sourced file, its exit
 * status reported on fd 3) with a time limit.  The agent itself is never
 * run through that shell: at each AgentRun herd asks the shell for its
 * exported environment, adds the OCF variables and spawns the agent
 * directly, in its own session and process group, with stdin from
 * /dev/null, its output captured (bounded) and HangTimeout enforced by
 * SIGTERM then SIGKILL to the whole group.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "ocft_internal.h"

#define OUTPUT_LIMIT (64 * 1024)      /* bytes of agent output kept */
#define SHOWN_OUTPUT_LINES 40         /* lines of output shown for a failure */
#define POLL_FALLBACK_MS 10           /* child polling when pidfd is missing */
#define PACKAGE_TIMEOUT_MS (600 * 1000)

static volatile sig_atomic_t interrupted;

/* SIGINT/SIGTERM: the first stops the running agent and the remaining
 * cases (BashAtExit and CLEANUP-AGENT still run); a second one also stops
 * shell steps. */
static void on_interrupt(int sig)
{
    if (interrupted < 2)
        interrupted++;
}

static gint64 now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* ---- spawning ----------------------------------------------------------- */

/* What to start: the agent, the case shell or a package tool. */
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    int stdin_fd;  /* -1: /dev/null */
    int stdout_fd; /* also stderr; -1: /dev/null */
    int fd3;       /* becomes fd 3 in the child, or -1 */
} spawn_req_t;

/* Start `r` through the executor's spawner (own session and process group,
 * signals reset, nothing inherited but 0-3).  Returns the pid, or -1 with
 * *exec_errno set when the program could not be started. */
static pid_t spawn(const spawn_req_t *r, int *exec_errno)
{
    *exec_errno = 0;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        *exec_errno = errno;
        return -1;
    }
    int out = r->stdout_fd >= 0 ? r->stdout_fd : devnull;
    int fds[4] = {r->stdin_fd >= 0 ? r->stdin_fd : devnull, out, out, r->fd3};
    pid_t pid = -1;
    const char *what = NULL;
    int rc = spawn_with_fds(r->path, (char **)r->argv, (char **)r->envp, r->cwd ? r->cwd : "/",
                            fds, true, &pid, &what);
    close(devnull);
    if (rc < 0) {
        *exec_errno = -rc;
        return -1;
    }
    return pid;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    return -1;
#endif
}

/* Keep at most OUTPUT_LIMIT bytes of a child's output. */
typedef struct {
    GString *text;
    gsize dropped;
} capture_t;

static bool read_some(int fd, capture_t *cap)
{
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    gsize room = cap->text->len < OUTPUT_LIMIT ? OUTPUT_LIMIT - cap->text->len : 0;
    gsize keep = (gsize)n < room ? (gsize)n : room;
    g_string_append_len(cap->text, buf, (gssize)keep);
    cap->dropped += (gsize)n - keep;
    return true;
}

typedef enum { CHILD_EXITED, CHILD_SIGNALED, CHILD_TIMEOUT, CHILD_INTERRUPTED } child_end_t;

/* Wait up to `ms` for `pid` (with pidfd `pidfd`, or -1) to end, reading
 * `out_fd` meanwhile when it is >= 0.  Returns true if it ended. */
static bool wait_for(pid_t pid, int pidfd, int *out_fd, capture_t *cap, long long ms,
                     int *status, bool stop_on_interrupt)
{
    gint64 deadline = now_ms() + ms;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            return true;
        if (w < 0 && errno == ECHILD)
            return true;
        gint64 left = deadline - now_ms();
        if (left <= 0 || (stop_on_interrupt && interrupted))
            return false;
        struct pollfd fds[2];
        int n = 0;
        if (*out_fd >= 0)
            fds[n++] = (struct pollfd){.fd = *out_fd, .events = POLLIN};
        if (pidfd >= 0)
            fds[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        int timeout = pidfd >= 0 ? (int)MIN(left, 1000) : (int)MIN(left, POLL_FALLBACK_MS);
        int r = poll(fds, (nfds_t)n, timeout);
        if (r > 0 && *out_fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (!read_some(*out_fd, cap)) {
                close(*out_fd);
                *out_fd = -1;
            }
        }
    }
}

/* Wait for `pid` for at most `timeout_ms`; on expiry (or, if
 * `interruptible`, on SIGINT/SIGTERM) its process group gets SIGTERM, then
 * SIGKILL after `grace_ms`.  Reads the child's output from `out_fd`
 * (closed here) into `cap` if non-NULL. */
static child_end_t finish_child(pid_t pid, int out_fd, capture_t *cap, long long timeout_ms,
                                long long grace_ms, bool interruptible, int *code)
{
    capture_t scratch = {g_string_new(NULL), 0};
    if (!cap)
        cap = &scratch;
    int pidfd = open_pidfd(pid);
    int status = 0;
    child_end_t end;
    if (wait_for(pid, pidfd, &out_fd, cap, timeout_ms, &status, interruptible)) {
        end = WIFSIGNALED(status) ? CHILD_SIGNALED : CHILD_EXITED;
        *code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    } else {
        end = interruptible && interrupted ? CHILD_INTERRUPTED : CHILD_TIMEOUT;
        kill(-pid, SIGTERM);
        if (!wait_for(pid, pidfd, &out_fd, cap, grace_ms, &status, false)) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        kill(-pid, SIGKILL); /* anything of the group that ignored SIGTERM */
        *code = -1;
    }
    if (out_fd >= 0) {
        /* What is already in the pipe; never wait for EOF (a daemon the
         * agent started may hold the pipe) and never read for long (it may
         * keep writing). */
        gint64 stop = now_ms() + 100;
        while (now_ms() < stop) {
            struct pollfd p = {.fd = out_fd, .events = POLLIN};
            if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)) ||
                !read_some(out_fd, cap))
                break;
        }
        close(out_fd);
    }
    if (pidfd >= 0)
        close(pidfd);
    g_string_free(scratch.text, TRUE);
    return end;
}

/* ---- the runner --------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int in_fd;  /* commands */
    int rc_fd;  /* exit statuses, one per line */
    int log_fd; /* read side of the shell's output file */
    GString *rcbuf;
} shell_t;

typedef struct {
    const herd_ocft_config_t *cfg;
    const herd_ocft_run_options_t *opts;
    char *workdir;
    char *step_path;
    char *env_path;
    char *log_path;
    char *prelude_path;
    char *agent_path;
    GPtrArray *base_env; /* "NAME=value", NULL-terminated */
    FILE *progress;
    int hang_timeout;
} runner_t;

/* Result of one step, the failure details of a case. */
typedef struct {
    bool failed;
    char *message;
    int line;
    int included_at;
    int expected;
    int actual;
    char *output;
    char *exit_reason;
} failure_t;

static void failure_clear(failure_t *f)
{
    g_free(f->message);
    g_free(f->output);
    g_free(f->exit_reason);
    memset(f, 0, sizeof(*f));
    f->expected = f->actual = -1;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(failure_t, failure_clear)

static void progress(runner_t *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void progress(runner_t *r, const char *fmt, ...)
{
    if (!r->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->progress, fmt, ap);
    va_end(ap);
    fflush(r->progress);
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* End the case shell: EOF on its input, or (force) SIGTERM/SIGKILL to its
 * process group. */
static void shell_close(runner_t *r, shell_t *sh, bool force)
{
    if (sh->pid <= 0)
        return;
    if (sh->in_fd >= 0)
        close(sh->in_fd); /* EOF: bash exits */
    int code;
    if (force)
        kill(-sh->pid, SIGTERM);
    finish_child(sh->pid, -1, NULL, force ? r->opts->grace_ms : 5000, r->opts->grace_ms, false,
                 &code);
    if (force)
        kill(-sh->pid, SIGKILL);
    if (sh->rc_fd >= 0)
        close(sh->rc_fd);
    if (sh->log_fd >= 0)
        close(sh->log_fd);
    if (sh->rcbuf)
        g_string_free(sh->rcbuf, TRUE);
    memset(sh, 0, sizeof(*sh));
    sh->pid = -1;
    sh->in_fd = sh->rc_fd = sh->log_fd = -1;
}

/* Everything the shell wrote since `from`, at most the last lines. */
static char *log_since(shell_t *sh, off_t from)
{
    struct stat st;
    if (sh->log_fd < 0 || fstat(sh->log_fd, &st) < 0 || st.st_size <= from)
        return g_strdup("");
    off_t start = st.st_size - from > OUTPUT_LIMIT ? st.st_size - OUTPUT_LIMIT : from;
    gsize len = (gsize)(st.st_size - start);
    char *buf = g_malloc(len + 1);
    ssize_t n = pread(sh->log_fd, buf, len, start);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static off_t log_size(shell_t *sh)
{
    struct stat st;
    return sh->log_fd >= 0 && fstat(sh->log_fd, &st) == 0 ? st.st_size : 0;
}

/* Run shell `code` in the case shell.  Returns its exit status, or -1 if
 * the shell died, -2 on timeout (the shell is then killed).  `output`
 * receives what the code printed, if non-NULL. */
static int shell_step(runner_t *r, shell_t *sh, const char *code, char **output)
{
    if (output)
        *output = NULL;
    if (sh->pid <= 0)
        return -1;
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(r->step_path, code, -1, &err))
        return -1;
    off_t before = log_size(sh);
    static const char cmd[] = ". \"$__HERD_STEP\" </dev/null 3>&-\nprintf '%d\\n' \"$?\" >&3\n";
    if (!write_all(sh->in_fd, cmd, sizeof(cmd) - 1)) {
        if (output)
            *output = log_since(sh, before);
        shell_close(r, sh, false);
        return -1;
    }
    gint64 deadline = now_ms() + r->opts->shell_timeout_ms;
    for (;;) {
        char *nl = strchr(sh->rcbuf->str, '\n');
        if (nl) {
            int rc = atoi(sh->rcbuf->str);
            g_string_erase(sh->rcbuf, 0, nl - sh->rcbuf->str + 1);
            if (output)
                *output = log_since(sh, before);
            return rc;
        }
        gint64 left = deadline - now_ms();
        if (left <= 0 || interrupted > 1) {
            if (output)
                *output = log_since(sh, before);
            shell_close(r, sh, true);
            return -2;
        }
        struct pollfd p = {.fd = sh->rc_fd, .events = POLLIN};
        int n = poll(&p, 1, (int)MIN(left, 1000));
        if (n > 0) {
            char buf[256];
            ssize_t got = read(sh->rc_fd, buf, sizeof(buf));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) { /* the shell exited (the code ran `exit`?) */
                if (output)
                    *output = log_since(sh, before);
                shell_close(r, sh, false);
                return -1;
            }
            g_string_append_len(sh->rcbuf, buf, got);
        }
    }
}

/* Start a case shell: bash with the base environment, its output to the
 * run's log, the helper functions and VARIABLE lines loaded. */
static bool shell_open(runner_t *r, shell_t *sh, GString *why)
{
    memset(sh, 0, sizeof(*sh));
    sh->pid = -1;
    sh->in_fd = sh->rc_fd = sh->log_fd = -1;
    int in[2], rc[2];
    if (pipe2(in, O_CLOEXEC) < 0) {
        g_string_append_printf(why, "cannot start a shell: %s", g_strerror(errno));
        return false;
    }
    if (pipe2(rc, O_CLOEXEC) < 0) {
        g_string_append_printf(why, "cannot start a shell: %s", g_strerror(errno));
        close(in[0]);
        close(in[1]);
        return false;
    }
    int logw = open(r->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    sh->log_fd = open(r->log_path, O_RDONLY | O_CLOEXEC);
    char *argv[] = {(char *)HERD_BASH_PATH, (char *)"--noprofile", (char *)"--norc", NULL};
    spawn_req_t req = {.path = HERD_BASH_PATH, .argv = argv,
                       .envp = (char *const *)r->base_env->pdata, .cwd = r->workdir,
                       .stdin_fd = in[0], .stdout_fd = logw, .fd3 = rc[1]};
    int e = 0;
    sh->pid = logw >= 0 ? spawn(&req, &e) : -1;
    if (logw < 0)
        e = errno;
    close(in[0]);
    close(rc[1]);
    if (logw >= 0)
        close(logw);
    sh->in_fd = in[1];
    sh->rc_fd = rc[0];
    sh->rcbuf = g_string_new(NULL);
    if (sh->pid < 0) {
        g_string_append_printf(why, "cannot start %s: %s", HERD_BASH_PATH, g_strerror(e));
        close(sh->in_fd);
        close(sh->rc_fd);
        if (sh->log_fd >= 0)
            close(sh->log_fd);
        g_string_free(sh->rcbuf, TRUE);
        memset(sh, 0, sizeof(*sh));
        sh->pid = -1;
        return false;
    }
    g_autofree char *qs = g_shell_quote(r->step_path);
    g_autofree char *qe = g_shell_quote(r->env_path);
    g_autofree char *qp = g_shell_quote(r->prelude_path);
    g_autofree char *init = g_strdup_printf("__HERD_STEP=%s; __HERD_ENV=%s\n", qs, qe);
    write_all(sh->in_fd, init, strlen(init));
    g_autofree char *src = g_strdup_printf(". %s", qp);
    g_autofree char *out = NULL;
    int st = shell_step(r, sh, src, &out);
    if (st != 0) { /* the prelude ends with `true`: a VARIABLE line broke it */
        g_strchomp(out ? out : (out = g_strdup("")));
        g_string_append_printf(why, "the VARIABLE section (line %d) did not load: %s",
                               r->cfg->variables_line, *out ? out : "the shell died");
        shell_close(r, sh, false);
        return false;
    }
    return true;
}

/* The environment the case shell exports now, without bash's own
 * variables; owned "NAME=value" strings. */
static GPtrArray *shell_env(runner_t *r, shell_t *sh)
{
    if (shell_step(r, sh, "command -p env -0 >\"$__HERD_ENV\"", NULL) != 0)
        return NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(r->env_path, &data, &len, NULL))
        return NULL;
    GPtrArray *env = g_ptr_array_new_with_free_func(g_free);
    for (gsize pos = 0; pos < len;) {
        const char *item = data + pos;
        gsize n = strnlen(item, len - pos);
        pos += n + 1;
        if (!strchr(item, '=') || g_str_has_prefix(item, "_=") ||
            g_str_has_prefix(item, "PWD=") || g_str_has_prefix(item, "OLDPWD=") ||
            g_str_has_prefix(item, "SHLVL="))
            continue;
        g_ptr_array_add(env, g_strndup(item, n));
    }
    return env;
}

static void env_set_default(GPtrArray *env, const char *name, const char *value, bool force)
{
    g_autofree char *prefix = g_strdup_printf("%s=", name);
    for (guint i = 0; i < env->len; i++) {
        if (g_str_has_prefix(env->pdata[i], prefix)) {
            if (!force)
                return;
            g_free(env->pdata[i]);
            env->pdata[i] = g_strconcat(prefix, value, NULL);
            return;
        }
    }
    g_ptr_array_add(env, g_strconcat(prefix, value, NULL));
}

typedef struct {
    child_end_t end;
    int rc;         /* exit code, or signal when SIGNALED */
    int exec_errno; /* non-zero: the agent could not be started */
    char *output;
    char *exit_reason;
} agent_result_t;

static void agent_result_clear(agent_result_t *a)
{
    g_free(a->output);
    g_free(a->exit_reason);
    memset(a, 0, sizeof(*a));
}

/* Spawn the agent with `action` and the case shell's environment. */
static bool run_agent(runner_t *r, shell_t *sh, const char *action, agent_result_t *res)
{
    memset(res, 0, sizeof(*res));
    g_autoptr(GPtrArray) env = shell_env(r, sh);
    if (!env)
        return false;
    g_autofree char *timeout = g_strdup_printf("%d", r->hang_timeout * 1000);
    env_set_default(env, "OCF_RESOURCE_TYPE", r->cfg->agent, true);
    env_set_default(env, "OCF_RESKEY_CRM_meta_timeout", timeout, false);
    g_ptr_array_add(env, NULL);
    char *argv[] = {r->agent_path, (char *)action, NULL};
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        res->exec_errno = errno;
        return true;
    }
    spawn_req_t req = {.path = r->agent_path, .argv = argv, .envp = (char *const *)env->pdata,
                       .cwd = "/", .stdin_fd = -1, .stdout_fd = out[1], .fd3 = -1};
    pid_t pid = spawn(&req, &res->exec_errno);
    close(out[1]);
    if (pid < 0) {
        close(out[0]);
        return true;
    }
    capture_t cap = {g_string_new(NULL), 0};
    res->end = finish_child(pid, out[0], &cap, (long long)r->hang_timeout * 1000,
                            r->opts->grace_ms, true, &res->rc);
    if (cap.dropped)
        g_string_append_printf(cap.text, "\n[herd: %zu more bytes of output dropped]\n",
                               cap.dropped);
    /* The last ocf-exit-reason: line is the agent's own explanation. */
    g_auto(GStrv) lines = g_strsplit(cap.text->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *m = strstr(*l, "ocf-exit-reason:");
        if (m) {
            g_free(res->exit_reason);
            res->exit_reason = g_strdup(m + strlen("ocf-exit-reason:"));
        }
    }
    res->output = g_string_free(cap.text, FALSE);
    return true;
}

static char *rc_text(int rc)
{
    const char *name = herd_ocft_rc_name(rc);
    return name ? g_strdup_printf("%s (%d)", name, rc) : g_strdup_printf("%d", rc);
}

/* Describe how an agent run went wrong apart from its exit code; NULL if
 * it exited normally. */
static char *agent_trouble(runner_t *r, const char *action, const agent_result_t *a)
{
    if (a->exec_errno)
        return g_strdup_printf("cannot run %s: %s", r->agent_path, g_strerror(a->exec_errno));
    switch (a->end) {
    case CHILD_TIMEOUT:
        return g_strdup_printf("'%s %s' hung: killed (with its process group) after the "
                               "%d s HangTimeout",
                               r->cfg->agent, action, r->hang_timeout);
    case CHILD_INTERRUPTED:
        return g_strdup_printf("'%s %s' interrupted", r->cfg->agent, action);
    case CHILD_SIGNALED:
        return g_strdup_printf("'%s %s' was killed by signal %d (%s)", r->cfg->agent, action,
                               a->rc, g_strsignal(a->rc));
    case CHILD_EXITED:
        break;
    }
    return NULL;
}

static void fail_with(failure_t *f, const herd_ocft_stmt_t *s, char *message)
{
    f->failed = true;
    f->message = message;
    f->line = s ? s->line : 0;
    f->included_at = s ? s->included_at : 0;
}

static void verbose_step(runner_t *r, const herd_ocft_stmt_t *s, const char *what)
{
    if (r->opts->verbose > 0)
        progress(r, "    line %d: %s %s%s\n", s->line, s->keyword, s->text, what ? what : "");
}

/* One agent run for an AgentRun statement; fills `f` if the case fails. */
static void do_agent_run(runner_t *r, shell_t *sh, const herd_ocft_stmt_t *s, failure_t *f)
{
    agent_result_t a = {0};
    const char *action = s->action;
    bool start = strcmp(action, "start") == 0, stop = strcmp(action, "stop") == 0;
    if (s->expected < 0 && (start || stop)) {
        /* Bring the resource to the state: monitor first, as ocft does. */
        if (!run_agent(r, sh, "monitor", &a)) {
            fail_with(f, s, g_strdup("the case shell died before the agent could run"));
            return;
        }
        char *trouble = agent_trouble(r, "monitor", &a);
        if (trouble) {
            fail_with(f, s, trouble);
            goto out;
        }
        bool running = a.rc == 0 || a.rc == 8;
        if ((start && running) || (stop && a.rc == 7)) {
            verbose_step(r, s, " (already so)");
            goto out;
        }
        if (!running && a.rc != 7) {
            g_autofree char *got = rc_text(a.rc);
            fail_with(f, s, g_strdup_printf("AgentRun %s: the monitor before it returned %s, "
                                            "neither running nor OCF_NOT_RUNNING",
                                            action, got));
            f->actual = a.rc;
            goto out;
        }
        agent_result_clear(&a);
    }
    if (!run_agent(r, sh, action, &a)) {
        fail_with(f, s, g_strdup("the case shell died before the agent could run"));
        return;
    }
    char *trouble = agent_trouble(r, action, &a);
    if (trouble) {
        fail_with(f, s, trouble);
        goto out;
    }
    bool check = s->expected >= 0 || strcmp(action, "monitor") != 0;
    int want = s->expected >= 0 ? s->expected : 0;
    if (r->opts->verbose > 0) {
        g_autofree char *got = rc_text(a.rc);
        g_autofree char *what = g_strdup_printf(" -> %s", got);
        verbose_step(r, s, what);
    }
    if (check && a.rc != want) {
        g_autofree char *exp = rc_text(want);
        g_autofree char *got = rc_text(a.rc);
        fail_with(f, s, g_strdup_printf("AgentRun %s: expected %s, got %s", action, exp, got));
        f->expected = want;
        f->actual = a.rc;
    }
out:
    if (f->failed) {
        f->output = g_steal_pointer(&a.output);
        f->exit_reason = g_steal_pointer(&a.exit_reason);
    }
    agent_result_clear(&a);
}

/* Print the last lines of `output`, indented. */
static void show_output(runner_t *r, const char *output)
{
    if (!r->progress || !output || !*output)
        return;
    g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
    guint n = g_strv_length(lines);
    while (n && !*lines[n - 1])
        n--;
    guint first = n > SHOWN_OUTPUT_LINES ? n - SHOWN_OUTPUT_LINES : 0;
    if (first)
        progress(r, "    | ... (%u lines before)\n", first);
    for (guint i = first; i < n; i++)
        progress(r, "    | %s\n", lines[i]);
}

static void failure_to_json(JsonBuilder *b, const failure_t *f)
{
    ocft_json_add_str(b, "message", f->message);
    if (f->line)
        ocft_json_add_int(b, "failed_line", f->line);
    if (f->included_at)
        ocft_json_add_int(b, "included_at", f->included_at);
    if (f->expected >= 0) {
        ocft_json_add_int(b, "expected", f->expected);
        ocft_json_add_str(b, "expected_name", herd_ocft_rc_name(f->expected));
    }
    if (f->actual >= 0) {
        ocft_json_add_int(b, "actual", f->actual);
        ocft_json_add_str(b, "actual_name", herd_ocft_rc_name(f->actual));
    }
    if (f->exit_reason)
        ocft_json_add_str(b, "exit_reason", f->exit_reason);
    if (f->output)
        ocft_json_add_str(b, "output", f->output);
}

/* Run the BashAtExit steps registered so far, last first.  A dead shell is
 * replaced by a fresh one (with VARIABLE loaded) for them. */
static void run_at_exit(runner_t *r, shell_t *sh, GPtrArray *at_exit)
{
    if (at_exit->len == 0)
        return;
    if (sh->pid <= 0) {
        g_autoptr(GString) why = g_string_new(NULL);
        if (!shell_open(r, sh, why)) {
            progress(r, "    warning: BashAtExit not run: %s\n", why->str);
            return;
        }
    }
    for (guint i = at_exit->len; i > 0; i--) {
        const herd_ocft_stmt_t *s = at_exit->pdata[i - 1];
        g_autofree char *out = NULL;
        int rc = shell_step(r, sh, s->text, &out);
        verbose_step(r, s, " (at exit)");
        if (rc != 0)
            progress(r, "    warning: BashAtExit at line %d returned %d\n", s->line, rc);
    }
}

static const char *case_result(runner_t *r, const herd_ocft_case_t *c, guint index, JsonBuilder *b)
{
    gint64 t0 = now_ms();
    g_auto(failure_t) f = {0};
    f.expected = f.actual = -1;
    const char *result = "pass";
    g_autofree char *skip = NULL;
    for (guint i = 0; i < c->stmts->len && !skip; i++) {
        const herd_ocft_stmt_t *s = c->stmts->pdata[i];
        if (s->host)
            skip = g_strdup_printf("line %d runs on host '%s' (%s@%s): remote statements need "
                                   "ssh, which herd's ocft does not do",
                                   s->line, s->host, s->keyword, s->host);
    }
    if (r->opts->verbose > 0)
        progress(r, "%s: case %u \"%s\" (line %d)\n", r->cfg->name, index, c->name, c->line);
    shell_t sh = {.pid = -1, .in_fd = -1, .rc_fd = -1, .log_fd = -1};
    g_autoptr(GPtrArray) at_exit = g_ptr_array_new();
    if (!skip) {
        g_autoptr(GString) why = g_string_new(NULL);
        if (!shell_open(r, &sh, why))
            fail_with(&f, NULL, g_strdup(why->str));
    }
    for (guint i = 0; !skip && !f.failed && i < c->stmts->len; i++) {
        const herd_ocft_stmt_t *s = c->stmts->pdata[i];
        if (interrupted) {
            fail_with(&f, s, g_strdup("interrupted"));
            break;
        }
        g_autofree char *code = NULL;
        switch (s->kind) {
        case HERD_OCFT_ENV:
            code = g_strdup_printf("export %s", s->text);
            break;
        case HERD_OCFT_UNENV:
            code = g_strdup_printf("unset %s", s->text);
            break;
        case HERD_OCFT_BASH:
            code = g_strdup(s->text);
            break;
        case HERD_OCFT_BASH_AT_EXIT:
            g_ptr_array_add(at_exit, (gpointer)s);
            verbose_step(r, s, " (registered)");
            continue;
        case HERD_OCFT_AGENT_RUN:
            do_agent_run(r, &sh, s, &f);
            continue;
        }
        g_autofree char *out = NULL;
        int rc = shell_step(r, &sh, code, &out);
        if (rc != 0 || r->opts->verbose > 0) {
            g_autofree char *what = g_strdup_printf(" -> %d", rc);
            verbose_step(r, s, what);
        }
        if (rc == -2)
            fail_with(&f, s, g_strdup_printf("'%s' did not finish within %lld s (shell killed)",
                                             code, r->opts->shell_timeout_ms / 1000));
        else if (rc == -1)
            fail_with(&f, s, g_strdup_printf("'%s': the case shell exited", code));
        else if (rc != 0)
            fail_with(&f, s, g_strdup_printf("'%s' failed with exit code %d", code, rc));
        if (f.failed)
            f.output = g_steal_pointer(&out);
    }
    run_at_exit(r, &sh, at_exit);
    shell_close(r, &sh, false);

    if (skip)
        result = "skip";
    else if (f.failed)
        result = "fail";
    json_builder_begin_object(b);
    ocft_json_add_int(b, "index", index);
    ocft_json_add_str(b, "name", c->name);
    ocft_json_add_int(b, "line", c->line);
    ocft_json_add_str(b, "result", result);
    ocft_json_add_int(b, "duration_ms", now_ms() - t0);
    if (skip)
        ocft_json_add_str(b, "message", skip);
    if (f.failed)
        failure_to_json(b, &f);
    json_builder_end_object(b);

    if (skip) {
        progress(r, "%s: case %u \"%s\" (line %d): SKIP: %s\n", r->cfg->name, index, c->name,
                 c->line, skip);
    } else if (!f.failed) {
        progress(r, "%s: case %u \"%s\" (line %d): PASS\n", r->cfg->name, index, c->name,
                 c->line);
    } else {
        g_autofree char *where =
            f.included_at ? g_strdup_printf(" at line %d (included at line %d)", f.line,
                                            f.included_at)
            : f.line      ? g_strdup_printf(" at line %d", f.line)
                          : g_strdup("");
        progress(r, "%s: case %u \"%s\" (line %d): FAIL%s: %s\n", r->cfg->name, index, c->name,
                 c->line, where, f.message);
        if (f.exit_reason)
            progress(r, "    exit reason:%s\n", f.exit_reason);
        show_output(r, f.output);
    }
    return result;
}

/* SETUP-AGENT or CLEANUP-AGENT; returns true if it succeeded. */
static bool run_block(runner_t *r, const char *what, const char *code, int line, JsonBuilder *b)
{
    shell_t sh;
    g_autoptr(GString) why = g_string_new(NULL);
    g_autofree char *out = NULL;
    int rc = -1;
    if (shell_open(r, &sh, why)) {
        rc = shell_step(r, &sh, code, &out);
        shell_close(r, &sh, false);
    }
    bool ok = rc == 0;
    g_autofree char *message =
        why->len   ? g_strdup(why->str)
        : rc == -2 ? g_strdup_printf("did not finish within %lld s (killed)",
                                     r->opts->shell_timeout_ms / 1000)
        : rc == -1 ? g_strdup("the shell exited")
        : rc != 0  ? g_strdup_printf("failed with exit code %d", rc)
                   : NULL;
    json_builder_set_member_name(b, what);
    json_builder_begin_object(b);
    ocft_json_add_int(b, "line", line);
    ocft_json_add_str(b, "result", ok ? "pass" : "fail");
    if (message)
        ocft_json_add_str(b, "message", message);
    if (!ok && out)
        ocft_json_add_str(b, "output", out);
    json_builder_end_object(b);
    if (ok) {
        progress(r, "%s: %s (line %d): ok\n", r->cfg->name, what, line);
    } else {
        progress(r, "%s: %s (line %d): FAIL: %s\n", r->cfg->name, what, line, message);
        show_output(r, out);
    }
    return ok;
}

/* Check (and with --install-packages, install) InstallPackage.  Returns
 * NULL if all are there, else why not. */
static char *check_packages(runner_t *r)
{
    const GPtrArray *pkgs = r->cfg->packages;
    if (pkgs->len == 0)
        return NULL;
    g_autofree char *dpkg = g_find_program_in_path("dpkg-query");
    if (!dpkg) {
        progress(r, "%s: note: no dpkg-query here; InstallPackage not checked\n", r->cfg->name);
        return NULL;
    }
    g_autoptr(GString) missing = g_string_new(NULL);
    for (guint i = 0; i < pkgs->len; i++) {
        char *argv[] = {dpkg, (char *)"-W", (char *)"-f=${Status}", pkgs->pdata[i], NULL};
        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0)
            return g_strdup_printf("pipe: %s", g_strerror(errno));
        int e;
        spawn_req_t req = {.path = dpkg, .argv = argv, .envp = (char *const *)r->base_env->pdata,
                           .cwd = "/", .stdin_fd = -1, .stdout_fd = out[1], .fd3 = -1};
        pid_t pid = spawn(&req, &e);
        close(out[1]);
        capture_t cap = {g_string_new(NULL), 0};
        int code = -1;
        if (pid > 0)
            finish_child(pid, out[0], &cap, 30000, r->opts->grace_ms, false, &code);
        else
            close(out[0]);
        if (!strstr(cap.text->str, "install ok installed"))
            g_string_append_printf(missing, "%s%s", missing->len ? " " : "",
                                   (char *)pkgs->pdata[i]);
        g_string_free(cap.text, TRUE);
    }
    if (!missing->len)
        return NULL;
    if (!r->opts->install_packages)
        return g_strdup_printf("InstallPackage: not installed: %s (install them, or run with "
                               "--install-packages)",
                               missing->str);
    g_autofree char *apt = g_find_program_in_path("apt-get");
    if (!apt)
        return g_strdup_printf("InstallPackage: not installed: %s, and no apt-get",
                               missing->str);
    g_auto(GStrv) names = g_strsplit(missing->str, " ", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, apt);
    g_ptr_array_add(argv, (char *)"install");
    g_ptr_array_add(argv, (char *)"-y");
    g_ptr_array_add(argv, (char *)"-q");
    for (char **n = names; *n; n++)
        g_ptr_array_add(argv, *n);
    g_ptr_array_add(argv, NULL);
    g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; r->base_env->pdata[i]; i++)
        g_ptr_array_add(env, g_strdup(r->base_env->pdata[i]));
    g_ptr_array_add(env, g_strdup("DEBIAN_FRONTEND=noninteractive"));
    g_ptr_array_add(env, NULL);
    int e;
    spawn_req_t req = {.path = apt, .argv = (char *const *)argv->pdata,
                       .envp = (char *const *)env->pdata, .cwd = "/", .stdin_fd = -1,
                       .stdout_fd = -1, .fd3 = -1};
    progress(r, "%s: installing %s\n", r->cfg->name, missing->str);
    pid_t pid = spawn(&req, &e);
    if (pid < 0)
        return g_strdup_printf("cannot run apt-get: %s", g_strerror(e));
    int code = -1;
    child_end_t end =
        finish_child(pid, -1, NULL, PACKAGE_TIMEOUT_MS, r->opts->grace_ms, true, &code);
    if (end != CHILD_EXITED || code != 0)
        return g_strdup_printf("InstallPackage: apt-get install %s failed", missing->str);
    return NULL;
}

/* Helper functions the shipped configs call in VARIABLE lines, then the
 * VARIABLE lines themselves. */
static const char prelude_helpers[] =
    "# herd ocft: the case shell's start\n"
    "if [ -r \"$OCF_ROOT/lib/heartbeat/ocf-returncodes\" ]; then\n"
    "  . \"$OCF_ROOT/lib/heartbeat/ocf-returncodes\"\n"
    "else\n"
    "  OCF_SUCCESS=0 OCF_ERR_GENERIC=1 OCF_ERR_ARGS=2 OCF_ERR_UNIMPLEMENTED=3\n"
    "  OCF_ERR_PERM=4 OCF_ERR_INSTALLED=5 OCF_ERR_CONFIGURED=6 OCF_NOT_RUNNING=7\n"
    "  OCF_RUNNING_MASTER=8 OCF_FAILED_MASTER=9\n"
    "fi\n"
    "# The directory holding run-time state: /run where it exists.\n"
    "get_rundir() {\n"
    "  if [ -d /run ]; then echo /run; else echo /var/run; fi\n"
    "}\n"
    "# loopbackeddev make|unmake FILE [SIZE]: a loop device over a sparse\n"
    "# FILE, remembered in $HA_RSCTMP so that making it twice is harmless.\n"
    "loopbackeddev() {\n"
    "  local op=$1 file=$2 size=$3 mark dev\n"
    "  mark=$HA_RSCTMP/loopdev$(printf '%s' \"$file\" | tr / _)\n"
    "  case $op in\n"
    "  start|setup|make)\n"
    "    if [ -f \"$mark\" ]; then cat \"$mark\"; return 0; fi\n"
    "    [ -n \"$size\" ] || { echo \"loopbackeddev: no size for $file\" >&2; return 1; }\n"
    "    mkdir -p \"$(dirname \"$file\")\" \"$HA_RSCTMP\" || return 1\n"
    "    truncate -s \"$size\" \"$file\" || return 1\n"
    "    dev=$(losetup --find --show \"$file\") || return 1\n"
    "    printf '%s\\n' \"$dev\" >\"$mark\"\n"
    "    printf '%s\\n' \"$dev\" ;;\n"
    "  stop|undo|unmake)\n"
    "    if [ -f \"$mark\" ]; then\n"
    "      losetup -d \"$(cat \"$mark\")\"\n"
    "      rm -f \"$file\" \"$mark\"\n"
    "    fi ;;\n"
    "  esac\n"
    "}\n";

static bool write_prelude(runner_t *r, GError **err)
{
    g_autoptr(GString) s = g_string_new(prelude_helpers);
    for (guint i = 0; i < r->cfg->variables->len; i++)
        g_string_append_printf(s, "declare %s\n", (char *)r->cfg->variables->pdata[i]);
    g_string_append(s, "true\n");
    return g_file_set_contents(r->prelude_path, s->str, -1, err);
}

static bool make_fakebin(runner_t *r, const char *dir, GError **err)
{
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_CANTCREATE, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    const char *truth = g_file_test("/bin/true", G_FILE_TEST_IS_EXECUTABLE) ? "/bin/true"
                                                                            : "/usr/bin/true";
    /* Without a cluster, crm_master and crm_mon (called through
     * $HA_SBIN_DIR) succeed and do nothing, as under ocft; so does
     * crm_attribute, which agents now call for promotion scores. */
    static const char *const names[] = {"crm_master", "crm_mon", "crm_attribute"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *link = g_build_filename(dir, names[i], NULL);
        if (symlink(truth, link) < 0) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_CANTCREATE, "%s: %s", link,
                        g_strerror(errno));
            return false;
        }
    }
    return true;
}

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *name;
        while ((name = g_dir_read_name(d))) {
            g_autofree char *p = g_build_filename(path, name, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                remove_tree(p);
            else
                unlink(p);
        }
        g_dir_close(d);
    }
    rmdir(path);
}

static bool case_selected(const herd_ocft_run_options_t *o, const herd_ocft_case_t *c, guint i)
{
    if (!o->only_cases || o->only_cases->len == 0)
        return true;
    g_autofree char *num = g_strdup_printf("%u", i);
    for (guint k = 0; k < o->only_cases->len; k++) {
        const char *want = o->only_cases->pdata[k];
        if (strcmp(want, num) == 0 || strcmp(want, c->name) == 0)
            return true;
    }
    return false;
}

/* Setup, cases, cleanup in a private scratch directory removed at the end;
 * the report is the caller's.  See ocft.h for the exit statuses. */
int herd_ocft_run(const herd_ocft_config_t *cfg, const herd_ocft_run_options_t *opts,
                  JsonNode **report, GError **err)
{
    *report = NULL;
    runner_t r = {.cfg = cfg, .opts = opts, .progress = opts->progress};
    r.hang_timeout = opts->hang_timeout > 0 ? opts->hang_timeout : cfg->hang_timeout;
    r.agent_path = g_build_filename(cfg->agent_root, cfg->agent, NULL);
    r.workdir = g_dir_make_tmp("herd-ocft-XXXXXX", NULL);
    if (!r.workdir) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_CANTCREATE, "cannot make a work directory: %s",
                    g_strerror(errno));
        g_free(r.agent_path);
        return HERD_EXIT_CANTCREATE;
    }
    r.step_path = g_build_filename(r.workdir, "step.sh", NULL);
    r.env_path = g_build_filename(r.workdir, "env", NULL);
    r.log_path = g_build_filename(r.workdir, "shell.log", NULL);
    r.prelude_path = g_build_filename(r.workdir, "prelude.sh", NULL);
    g_autofree char *fakebin = g_build_filename(r.workdir, "fakebin", NULL);

    r.base_env = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(r.base_env, g_strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
    g_ptr_array_add(r.base_env, g_strdup("LANG=C"));
    g_ptr_array_add(r.base_env, g_strdup("OCF_ROOT=" HERD_OCF_ROOT_DIR));
    g_ptr_array_add(r.base_env, g_strdup("OCF_RA_VERSION_MAJOR=1"));
    g_ptr_array_add(r.base_env, g_strdup("OCF_RA_VERSION_MINOR=0"));
    g_ptr_array_add(r.base_env, g_strdup("OCF_RESOURCE_INSTANCE=ocft"));
    g_ptr_array_add(r.base_env, g_strdup_printf("OCF_RESOURCE_TYPE=%s", cfg->agent));
    if (cfg->provider)
        g_ptr_array_add(r.base_env, g_strdup_printf("OCF_RESOURCE_PROVIDER=%s", cfg->provider));
    g_ptr_array_add(r.base_env, g_strdup("HA_RSCTMP=" HERD_RSC_TMP_DIR));
    g_ptr_array_add(r.base_env, g_strdup_printf("HA_SBIN_DIR=%s", fakebin));
    g_ptr_array_add(r.base_env, NULL);

    struct sigaction sa = {0}, old_int, old_term, old_pipe, ign = {0};
    sa.sa_handler = on_interrupt; /* no SA_RESTART: waits wake up */
    sigemptyset(&sa.sa_mask);
    ign.sa_handler = SIG_IGN;
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGPIPE, &ign, &old_pipe);

    int rc = HERD_EXIT_OK;
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    ocft_json_add_str(b, "config", cfg->path);
    ocft_json_add_str(b, "agent", cfg->agent);
    ocft_json_add_str(b, "agent_path", r.agent_path);
    ocft_json_add_int(b, "hang_timeout", r.hang_timeout);
    guint passed = 0, failed = 0, skipped = 0;
    g_autofree char *skip_all = NULL;
    GError *local = NULL;
    if (!make_fakebin(&r, fakebin, &local) || !write_prelude(&r, &local)) {
        g_propagate_error(err, local);
        rc = HERD_EXIT_CANTCREATE;
        goto done;
    }
    skip_all = check_packages(&r);
    if (skip_all) {
        progress(&r, "%s: %s\n", cfg->name, skip_all);
        rc = HERD_EXIT_NOT_INSTALLED;
    } else if (cfg->setup && !run_block(&r, "setup", cfg->setup, cfg->setup_line, b)) {
        skip_all = g_strdup("SETUP-AGENT failed");
        rc = HERD_EXIT_ERROR;
    }
    json_builder_set_member_name(b, "cases");
    json_builder_begin_array(b);
    for (guint i = 0; i < cfg->cases->len; i++) {
        const herd_ocft_case_t *c = cfg->cases->pdata[i];
        if (!case_selected(opts, c, i))
            continue;
        if (skip_all || interrupted) {
            json_builder_begin_object(b);
            ocft_json_add_int(b, "index", i);
            ocft_json_add_str(b, "name", c->name);
            ocft_json_add_int(b, "line", c->line);
            ocft_json_add_str(b, "result", "skip");
            ocft_json_add_str(b, "message", skip_all ? skip_all : "interrupted");
            json_builder_end_object(b);
            skipped++;
            continue;
        }
        const char *res = case_result(&r, c, i, b);
        if (strcmp(res, "pass") == 0)
            passed++;
        else if (strcmp(res, "fail") == 0)
            failed++;
        else
            skipped++;
    }
    json_builder_end_array(b);
    /* Cleanup also after a failed setup: it undoes what setup began. */
    if (cfg->cleanup && !(skip_all && !cfg->setup)) {
        if (!run_block(&r, "cleanup", cfg->cleanup, cfg->cleanup_line, b))
            progress(&r, "%s: warning: CLEANUP-AGENT failed\n", cfg->name);
    }
    if (failed)
        rc = HERD_EXIT_ERROR;
    if (interrupted)
        rc = HERD_EXIT_ERROR;
    ocft_json_add_int(b, "passed", passed);
    ocft_json_add_int(b, "failed", failed);
    ocft_json_add_int(b, "skipped", skipped);
    if (skip_all)
        ocft_json_add_str(b, "message", skip_all);
    progress(&r, "%s: %u passed, %u failed, %u skipped\n", cfg->name, passed, failed, skipped);
done:
    ocft_json_add_str(b, "result", rc == HERD_EXIT_OK ? "pass"
                         : rc == HERD_EXIT_NOT_INSTALLED ? "skip"
                                                          : "fail");
    json_builder_end_object(b);
    *report = json_builder_get_root(b);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    remove_tree(r.workdir);
    g_free(r.workdir);
    g_free(r.step_path);
    g_free(r.env_path);
    g_free(r.log_path);
    g_free(r.prelude_path);
    g_free(r.agent_path);
    g_ptr_array_unref(r.base_env);
    return rc;
}
