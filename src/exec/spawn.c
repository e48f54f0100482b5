/* spawn.c: starting one agent process safely (learned from libuv's
 * process.c, written for herd): a close-on-exec error pipe tells a failed
 * exec apart from the agent's own exit; the child gets a new session and
 * process group, default signal dispositions and an empty signal mask, only
 * descriptors 0-2 (and 3 when asked for), and nothing but async-signal-safe calls (raw system
 * calls, no memory written but its own stack) between clone and exec. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The child runs on a borrowed stack between clone and exec: keep the
 * sanitizers' bookkeeping (which assumes the thread's own stack) out of it. */
#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define CHILD_CODE __attribute__((no_sanitize("address", "undefined")))
#endif
#endif
#ifndef CHILD_CODE
#define CHILD_CODE
#endif

/* What the child reports through the error pipe before _exit(127). */
typedef struct {
    int err;
    int step;
} child_error_t;

enum { STEP_SETSID, STEP_STDIO, STEP_CHDIR, STEP_EXEC };
static const char *step_names[] = {"setsid", "redirecting stdio", "chdir", "exec"};

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

/* In the child: make `fd` the descriptor `target`, inheritable. */
static CHILD_CODE int child_dup(int fd, int target)
{
    if (fd == target)
        return fcntl(fd, F_SETFD, 0);
    return dup2(fd, target) < 0 ? -1 : 0;
}

static CHILD_CODE G_GNUC_NORETURN void child_fail(int errpipe, int step)
{
    child_error_t ce = {errno, step};
    ssize_t n;
    do {
        n = write(errpipe, &ce, sizeof ce);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

/* glibc refuses to touch the signals it reserves for itself (32, 33), yet
 * an ignored disposition on them survives exec: reset them through the
 * kernel directly where we know its sigaction layout. */
static CHILD_CODE void reset_reserved_signal(int sig)
{
#if defined(__x86_64__) && defined(SYS_rt_sigaction)
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } ksa = {SIG_DFL, 0, NULL, 0};
    syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask);
#else
    (void)sig;
#endif
}

/* What the child needs, on the parent's memory (the child shares it until
 * it execs, and writes to none of it).  fds[i] becomes descriptor i; fds[3]
 * is -1 when the child gets no descriptor 3. */
typedef struct {
    const char *path;
    char **argv, **envp;
    const char *cwd;
    int fds[4];
    int errpipe;
    pid_t parent;
} child_args_t;

static CHILD_CODE G_GNUC_NORETURN void child_run(const child_args_t *a)
{
    /* An agent does not outlive the process that runs it: when herdd dies
     * (kill -9), what it had in flight is killed too, and the next herdd
     * reprobes instead of racing an operation nobody waits for.  (A parent
     * gone before this line: give up at once.) */
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (syscall(SYS_getppid) != a->parent)
        _exit(127);
    /* Signals first: default dispositions, nothing blocked. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if (sigaction(sig, &sa, NULL) < 0)
            reset_reserved_signal(sig);
    }
    sigset_t none;
    sigemptyset(&none);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);

    if (setsid() < 0)
        child_fail(a->errpipe, STEP_SETSID);
    /* Move the sources clear of 0-3 before placing them, so that one dup2
     * cannot clobber another's source (on the child's own stack: the
     * parent's memory stays untouched). */
    int nfds = a->fds[3] >= 0 ? 4 : 3;
    int fds[4];
    for (int i = 0; i < nfds; i++) {
        fds[i] = a->fds[i];
        if (fds[i] < 4) {
            int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 4);
            if (moved < 0)
                child_fail(a->errpipe, STEP_STDIO);
            fds[i] = moved;
        }
    }
    for (int i = 0; i < nfds; i++)
        if (child_dup(fds[i], i) < 0)
            child_fail(a->errpipe, STEP_STDIO);
    /* Everything else closes at exec, whoever opened it (kernels before
     * 5.11 lack close_range: mark each descriptor instead). */
    if (syscall(SYS_close_range, (unsigned)nfds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        struct rlimit rl;
        rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
        if (max > 65536)
            max = 65536;
        for (int fd = nfds; fd < (int)max; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (chdir(a->cwd) < 0)
        child_fail(a->errpipe, STEP_CHDIR);
    execve(a->path, a->argv, a->envp);
    child_fail(a->errpipe, STEP_EXEC);
}

static CHILD_CODE int child_entry(void *data)
{
    child_run(data);
}

#define CHILD_STACK_SIZE (64 * 1024)

/* Start the child.  With `share_vm`, clone(CLONE_VM | CLONE_VFORK), as
 * posix_spawn does, spares copying herd's page tables: the parent sleeps
 * until the child has exec'd (or failed), all signals blocked meanwhile so
 * that no handler of ours runs on the child's side before it resets them.
 * Otherwise a plain fork (signals blocked likewise), after which the parent
 * goes on at once. */
static pid_t start_child(child_args_t *a, bool share_vm)
{
    /* Either way the child starts with every signal blocked, so that none
     * of herd's handlers runs in it before it has reset them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid;
    void *stack = NULL;
    if (share_vm) {
        stack = g_malloc(CHILD_STACK_SIZE);
        pid = clone(child_entry, (char *)stack + CHILD_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
    } else {
        pid = fork();
        if (pid == 0)
            child_run(a);
    }
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    g_free(stack);
    errno = e;
    return pid;
}

int spawn_agent(char **argv, char **envp, const char *cwd, const char *stdin_data,
                bool share_vm, spawn_child_t *child, const char **what)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, ep[2] = {-1, -1};
    int rc = 0;
    *what = "pipe";
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
        rc = -errno;
        goto fail;
    }
    if (stdin_data) {
        if (pipe2(in, O_CLOEXEC) < 0) {
            rc = -errno;
            goto fail;
        }
        /* Written before the fork, so no SIGPIPE is possible: the read end
         * is still ours.  Parameters beyond one pipe buffer are cut. */
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        size_t len = strlen(stdin_data), off = 0;
        while (off < len) {
            ssize_t n = write(in[1], stdin_data + off, len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                herd_warn("agent %s: stdin cut at %zu of %zu bytes", argv[0], off, len);
                break;
            }
            off += (size_t)n;
        }
        close(in[1]);
        in[1] = -1;
    } else {
        *what = "opening /dev/null";
        in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in[0] < 0) {
            rc = -errno;
            goto fail;
        }
    }
    *what = "fork";
    child_args_t ca = {argv[0], argv, envp, cwd, {in[0], out[1], err[1], -1}, ep[1], getpid()};
    pid_t pid = start_child(&ca, share_vm);
    if (pid < 0) {
        rc = -errno;
        goto fail;
    }

    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(ep[1]);
    in[0] = out[1] = err[1] = ep[1] = -1;
    /* Not waiting for the exec here keeps spawning parallel: the error
     * record, if any, is read once the child has exited. */
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    fcntl(ep[0], F_SETFL, O_NONBLOCK);
    child->pid = pid;
    child->out_fd = out[0];
    child->err_fd = err[0];
    child->exec_err_fd = ep[0];
    return 0;

fail:
    close_pair(in);
    close_pair(out);
    close_pair(err);
    close_pair(ep);
    return rc ? rc : -EIO;
}

int spawn_with_fds(const char *path, char **argv, char **envp, const char *cwd,
                   const int fds[4], bool share_vm, pid_t *pid, const char **what)
{
    int ep[2] = {-1, -1};
    *what = "pipe";
    if (pipe2(ep, O_CLOEXEC) < 0)
        return -errno;
    *what = "fork";
    child_args_t ca = {path, argv, envp, cwd, {fds[0], fds[1], fds[2], fds[3]}, ep[1], getpid()};
    *pid = start_child(&ca, share_vm);
    int rc = *pid < 0 ? -errno : 0;
    close(ep[1]);
    if (rc == 0) {
        /* Blocks until the exec closes the pipe, or the failure record. */
        rc = spawn_exec_error(ep[0], what);
        if (rc < 0)
            waitpid(*pid, NULL, 0);
    } else {
        close(ep[0]);
    }
    return rc;
}

int spawn_exec_error(int fd, const char **what)
{
    child_error_t ce;
    ssize_t n;
    do {
        n = read(fd, &ce, sizeof ce);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n != (ssize_t)sizeof ce)
        return 0;
    *what = ce.step >= 0 && ce.step <= STEP_EXEC ? step_names[ce.step] : "exec";
    return ce.err > 0 ? -ce.err : -EIO;
}
