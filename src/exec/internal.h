/* internal.h: what the executor's files share (not part of the API). */
#ifndef HERD_EXEC_INTERNAL_H
#define HERD_EXEC_INTERNAL_H

#include "herd_common.h"
#include "herd_exec.h"

/* The directories of `dirs` with defaults filled in (static strings or the
 * caller's). */
const char *agent_ocf_root(const herd_agent_dirs_t *dirs);
const char *agent_lsb_dir(const herd_agent_dirs_t *dirs);
const char *agent_stonith_dir(const herd_agent_dirs_t *dirs);
const char *agent_heartbeat_dir(const herd_agent_dirs_t *dirs);

/* True for monitor and its historical alias status. */
bool action_is_monitor(const char *action);

/* A spawned child: pid (also its process group), the read ends of its
 * stdout/stderr pipes and of its exec-error pipe (all non-blocking,
 * close-on-exec). */
typedef struct {
    GPid pid;
    int out_fd, err_fd, exec_err_fd;
} spawn_child_t;

/* Fork and exec `argv[0]` with `envp` in a new session, signals reset,
 * cwd `cwd`, stdin from `stdin_data` (or /dev/null when NULL), every other
 * descriptor closed.  `share_vm` picks a vfork-like clone (cheaper, but
 * herd waits until the child has exec'd: best when nothing else is left to
 * start) over fork (herd goes on at once).  Returns 0 once started, or
 * -errno when the set-up in herd (pipes, fork) failed, with `*what` naming
 * the step (static); a failed exec is told by spawn_exec_error later. */
int spawn_agent(char **argv, char **envp, const char *cwd, const char *stdin_data,
                bool share_vm, spawn_child_t *child, const char **what);

/* Fork and exec `path` (argv, envp) in a new session like spawn_agent, with
 * the caller's descriptors: fds[0..2] become the child's 0-2 and fds[3],
 * unless -1, its descriptor 3.  Waits until the exec has happened (or
 * failed): returns 0 with `*pid` set, or -errno with `*what` naming the
 * failed step (the child is then reaped). */
int spawn_with_fds(const char *path, char **argv, char **envp, const char *cwd,
                   const int fds[4], bool share_vm, pid_t *pid, const char **what);

/* After the child has exited: did its exec fail?  Reads the exec-error
 * pipe (and closes it).  Returns 0 when the exec happened, else -errno of
 * the failed step, named in `*what`. */
int spawn_exec_error(int exec_err_fd, const char **what);

#endif
