/* ocft.h: ocft test-case configs (resource-agents' `ocft` format), parsed
 * and run by herd.
 *
 * A config names one agent (CONFIG: Agent, AgentRoot, InstallPackage,
 * HangTimeout), shell variables (VARIABLE), shell code run once before and
 * after the cases (SETUP-AGENT, CLEANUP-AGENT), macros (CASE-BLOCK, used by
 * Include) and the cases themselves (CASE "name" followed by statements:
 * Env/Var, Unenv/Unvar, Bash, BashAtExit, AgentRun/RunAgent).  Both the
 * keywords of the OCF developer's guide and those of the configs shipped
 * by resource-agents are accepted.
 *
 * The parser keeps what the file says; includes are expanded, so each case
 * holds its statements in the order they run, each with the line it came
 * from.  The runner (ocft_run.c) runs the shell parts in a bash per case
 * and the agent itself directly, with herd's timeouts.
 */
#ifndef HERD_OCFT_H
#define HERD_OCFT_H

#include "herd_common.h"

/* Where resource-agents installs its ocft configs; names given to
 * `herd agent ocft` without a slash are looked up here. */
#define HERD_OCFT_CONFIG_DIR "/usr/share/resource-agents/ocft/configs"

/* Seconds an agent action may take when the config sets no HangTimeout. */
#define HERD_OCFT_DEFAULT_HANG_TIMEOUT 20

/* What a statement inside a CASE does. */
typedef enum {
    HERD_OCFT_ENV,          /* Env / Var: export NAME=value to the agent */
    HERD_OCFT_UNENV,        /* Unenv / Unvar: unset names */
    HERD_OCFT_BASH,         /* Bash: shell code that must succeed */
    HERD_OCFT_BASH_AT_EXIT, /* BashAtExit: shell code run when the case ends */
    HERD_OCFT_AGENT_RUN,    /* AgentRun / RunAgent: run an action */
} herd_ocft_kind_t;

/* One statement of a case.  All strings are owned by the statement. */
typedef struct {
    herd_ocft_kind_t kind;
    char *keyword;       /* as written, without "@host" ("Env", "RunAgent") */
    char *host;          /* the "@host" suffix (remote statement), or NULL */
    char *text;          /* everything after the keyword (shell text) */
    char *action;        /* AgentRun: the action; NULL otherwise */
    int expected;        /* AgentRun: expected exit code, -1 if none given */
    char *expected_name; /* AgentRun: the code as written, or NULL */
    int line;            /* line of the statement in the config */
    int included_at;     /* line of the Include that brought it in, or 0 */
} herd_ocft_stmt_t;

/* One CASE: its description and statements (herd_ocft_stmt_t *, owned). */
typedef struct {
    char *name;
    int line;
    GPtrArray *stmts;
} herd_ocft_case_t;

/* A parsed config.  Free with herd_ocft_config_free(). */
typedef struct {
    char *path;          /* the file as given (or the name of a string) */
    char *name;          /* its base name */
    char *agent;         /* Agent, or the config's base name */
    char *agent_root;    /* AgentRoot (a relative one is taken from the
                          * config's directory), or
                          * $OCF_ROOT/resource.d/heartbeat */
    char *provider;      /* the provider directory's name, or NULL */
    GPtrArray *packages; /* InstallPackage names (char *) */
    int hang_timeout;    /* seconds */
    GPtrArray *variables; /* VARIABLE lines (char *), shell assignments */
    char *setup;         /* SETUP-AGENT code, or NULL */
    int setup_line;
    char *cleanup;       /* CLEANUP-AGENT code, or NULL */
    int cleanup_line;
    GPtrArray *cases;    /* herd_ocft_case_t *, in file order */
} herd_ocft_config_t;

/* Parse the config text `text` (`len` bytes, or -1 if NUL-terminated);
 * `path` names it in messages.  Returns a new config, or NULL with `err`
 * set (HERD_ERROR / HERD_EXIT_CONFIG, message "path:line: what was
 * expected").  Never aborts on bad input. */
herd_ocft_config_t *herd_ocft_parse_string(const char *path, const char *text, gssize len,
                                           GError **err);

/* Read and parse the config file `path`.  A file that cannot be read gives
 * HERD_EXIT_NOINPUT; a bad config HERD_EXIT_CONFIG. */
herd_ocft_config_t *herd_ocft_parse_file(const char *path, GError **err);

/* Free a config and everything in it; NULL is allowed. */
void herd_ocft_config_free(herd_ocft_config_t *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_ocft_config_t, herd_ocft_config_free)

/* Turn what the user typed into a config path: anything with a '/' or an
 * existing file is taken as it is; otherwise the name (an agent name such
 * as "IPaddr2", or "ocf:heartbeat:IPaddr2") is looked up in `dir` (NULL
 * for HERD_OCFT_CONFIG_DIR).  Returns a newly allocated path, or NULL with
 * `err` set (HERD_EXIT_NOINPUT). */
char *herd_ocft_resolve(const char *arg, const char *dir, GError **err);

/* The exit code named by `name`: an OCF name ("OCF_SUCCESS",
 * "OCF_ERR_CONFIGURED", ...) or a number 0-255.  Returns -1 if unknown. */
int herd_ocft_rc_from_name(const char *name);

/* The OCF name of exit code `rc` ("OCF_NOT_RUNNING"), or NULL.  Static. */
const char *herd_ocft_rc_name(int rc);

/* The statement kind's keyword in resource-agents' spelling ("AgentRun"). */
const char *herd_ocft_kind_name(herd_ocft_kind_t kind);

/* Describe a parsed config as JSON (agent, settings, cases and their
 * statements).  The caller owns the node. */
JsonNode *herd_ocft_config_to_json(const herd_ocft_config_t *cfg);

/* ---- running ------------------------------------------------------------ */

/* How `herd agent ocft test` runs configs. */
typedef struct {
    long long shell_timeout_ms; /* limit for one Bash/SETUP/CLEANUP step */
    long long grace_ms;         /* SIGTERM to SIGKILL on a timeout */
    int hang_timeout;           /* seconds, overrides HangTimeout if > 0 */
    bool install_packages;      /* apt-get install missing InstallPackage */
    FILE *progress;             /* each case as it ends (text), or NULL */
    int verbose;                /* >0: each statement on `progress` too */
    GPtrArray *only_cases;      /* case numbers or names to run, or NULL */
} herd_ocft_run_options_t;

/* Run SETUP-AGENT, every case and CLEANUP-AGENT of `cfg`, as resource-
 * agents' ocft does: each case in a fresh bash holding VARIABLE and the
 * case's Env settings, the agent spawned by herd itself with that
 * environment plus the OCF one, in its own session, killed (whole process
 * group) after HangTimeout.  The shells start with a clean environment
 * (PATH, LANG=C, OCF_ROOT, OCF_RA_VERSION_*, OCF_RESOURCE_INSTANCE=ocft,
 * OCF_RESOURCE_TYPE/PROVIDER, HA_RSCTMP, HA_SBIN_DIR with do-nothing
 * crm_master and crm_mon) and work in a scratch directory private to this
 * run ($PWD in the config's shell code), removed at the end; agents run
 * with "/" as their working directory.  Statements with "@host" are not
 * run: their case is skipped with the reason.  Stores a JSON report in `*report` (caller
 * owns it): setup, cases with pass/fail/skip, expected and actual codes
 * and the failing line, cleanup, counts.  Returns HERD_EXIT_OK if every
 * case passed (or was skipped for remote statements), HERD_EXIT_ERROR if
 * a case or SETUP-AGENT failed, HERD_EXIT_NOT_INSTALLED if InstallPackage
 * names a missing package (cases skipped), or another exit status (with
 * `err` set) when nothing could be run. */
int herd_ocft_run(const herd_ocft_config_t *cfg, const herd_ocft_run_options_t *opts,
                  JsonNode **report, GError **err);

#endif /* HERD_OCFT_H */
