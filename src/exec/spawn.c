/* spawn.c: starting one agent process safely (learned from libuv's
 * process.c, written for herd): a close-on-exec error pipe tells a failed
 * exec apart from the agent's own exit; the child gets a new session and
 * process group, default signal dispositions and an empty signal mask, only
 * descriptors 0-2, and nothing but async-signal-safe calls (raw system
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
 * it execs, and writes to none of it). */
typedef struct {
    char **argv, **envp;
    const char *cwd;
    int in_fd, out_fd, err_fd, errpipe;
    pid_t parent;
} child_args_t;

static CHILD_CODE G_GNUC_NORETURN void child_run(char **argv, char **envp, const char *cwd,
                                                 int in_fd,
                                      int out_fd, int err_fd, int errpipe, pid_t parent)
{
    /* An agent does not outlive the process that runs it: when herdd dies
     * (kill -9), what it had in flight is killed too, and the next herdd
     * reprobes instead of racing an operation nobody waits for.  (A parent
     * gone before this line: give up at once.) */
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (syscall(SYS_getppid) != parent)
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
        child_fail(errpipe, STEP_SETSID);
    /* Move the pipe ends clear of 0-2 before placing them, so that one
     * dup2 cannot clobber another's source. */
    int fds[3] = {in_fd, out_fd, err_fd};
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 3) {
            int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
            if (moved < 0)
                child_fail(errpipe, STEP_STDIO);
            fds[i] = moved;
        }
    }
    for (int i = 0; i < 3; i++)
        if (child_dup(fds[i], i) < 0)
            child_fail(errpipe, STEP_STDIO);
    /* Everything else closes at exec, whoever opened it (kernels before
     * 5.11 lack close_range: mark each descriptor instead). */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        struct rlimit rl;
        rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
        if (max > 65536)
            max = 65536;
        for (int fd = 3; fd < (int)max; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (chdir(cwd) < 0)
        child_fail(errpipe, STEP_CHDIR);
    execve(argv[0], argv, envp);
    child_fail(errpipe, STEP_EXEC);
}

static CHILD_CODE int child_entry(void *data)
{
    child_args_t *a = data;
    child_run(a->argv, a->envp, a->cwd, a->in_fd, a->out_fd, a->err_fd, a->errpipe, a->parent);
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
            child_run(a->argv, a->envp, a->cwd, a->in_fd, a->out_fd, a->err_fd, a->errpipe,
                      a->parent);
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
    child_args_t ca = {argv, envp, cwd, in[0], out[1], err[1], ep[1], getpid()};
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
