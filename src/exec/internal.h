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
 * stdout/stderr pipes (non-blocking, close-on-exec). */
typedef struct {
    GPid pid;
    int out_fd, err_fd;
} spawn_child_t;

/* Fork and exec `argv[0]` with `envp` in a new session, signals reset,
 * cwd `cwd`, stdin from `stdin_data` (or /dev/null when NULL), every other
 * descriptor closed.  Returns 0, or -errno when the exec (or the set-up
 * before it) failed in the child or the fork failed; `*what` then names
 * the step that failed (static). */
int spawn_agent(char **argv, char **envp, const char *cwd, const char *stdin_data,
                spawn_child_t *child, const char **what);

#endif
