/* cli.h: shared pieces of the `herd` command (internal to src/cli). */
#ifndef HERD_CLI_H
#define HERD_CLI_H

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "herd_cib.h"
#include "herd_common.h"
#include "herd_sched.h"

/* Options every command takes. */
typedef struct {
    char *output_as;              /* owned; "text" when not given */
    herd_output_format_t format;  /* parsed from output_as */
    int verbose;                  /* count of -V/--verbose */
} cli_common_t;

/* One command ("herd NAME ...") or one verb of a noun ("herd agent VERB"). */
typedef struct {
    const char *name;
    const char *summary;
    /* argv[0] is "herd NAME"; returns an exit status. */
    int (*run)(int argc, char **argv);
} cli_command_t;

/* Parse argv with `entries` plus the common options.  `params` is the
 * synopsis after the command ("FILE..."), `summary` one line.  On success
 * argc/argv keep only the positional arguments (argv[0] stays), and 0 is
 * returned.  On bad options a usage message goes to stderr and
 * HERD_EXIT_USAGE is returned; after --help, HERD_EXIT_OK is returned with
 * *done set so the caller exits at once. */
int cli_parse(int *argc, char ***argv, const char *params, const char *summary,
              const GOptionEntry *entries, cli_common_t *common, bool *done);

/* Free what cli_parse allocated in `common`. */
void cli_common_clear(cli_common_t *common);

/* Print a usage error for command `cmd` and return HERD_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Run the verb named by argv[1] from `verbs` (NULL-terminated by name).
 * `noun` is the command ("agent").  Unknown or missing verbs print the list
 * of verbs and return HERD_EXIT_USAGE. */
int cli_dispatch(const char *noun, const cli_command_t *verbs, int argc, char **argv);

/* The commands, each in its own cmd_*.c file. */
int cmd_error(int argc, char **argv);
int cmd_build_options(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_agent(int argc, char **argv);
/* `herd agent ocft` (cmd_agent_ocft.c), a verb of `herd agent`. */
int cmd_agent_ocft(int argc, char **argv);
int cmd_cib(int argc, char **argv);
int cmd_attribute(int argc, char **argv);
/* Compatibility commands, run when herd is invoked under their names. */
int cmd_crm_attribute(int argc, char **argv);
int cmd_crm_master(int argc, char **argv);
int cmd_attrd_updater(int argc, char **argv);
int cmd_crm_node(int argc, char **argv);

/* Send `req` to herdd (socket: $HERD_SOCKET or the default) and store the
 * owned reply in *reply (NULL when the exchange failed).  Returns the
 * reply's rc; failures are printed as "cmd: message" on stderr, except
 * HERD_EXIT_NOSUCH when `quiet_nosuch`. */
int cli_call(const char *cmd, JsonObject *req, JsonObject **reply, bool quiet_nosuch);

/* `herd status` and `herd resource` (cmd_status.c, cmd_resource.c). */
int cmd_status(int argc, char **argv);
int cmd_resource(int argc, char **argv);

/* The live CIB's XML text (owned) in *out.  Returns 0, or an exit status
 * after printing the error as "cmd: message" (cmd_status.c). */
int cli_live_cib_text(const char *cmd, char **out);

#ifdef HERD_SCHED_H
/* The live CIB from herdd, unpacked into the model (*out, owned); same
 * errors as cli_live_cib_text (cmd_status.c). */
int cli_live_cib(const char *cmd, herd_cib_t **out);

/* The same, also giving its text (owned) in *text when text is not NULL. */
int cli_live_cib_keep(const char *cmd, herd_cib_t **out, char **text);

/* Add the "nodes" member (each node: name, id, online, unclean, standby,
 * maintenance) to the object being built in `b` (cmd_status.c; `herd
 * status` and `herd simulate`). */
void cli_add_nodes_json(JsonBuilder *b, const herd_sched_result_t *res);

/* Add the "resources" member (every primitive instance: id, top-level
 * resource, agent, role, node, failed, managed) to the object being built
 * in `b` (cmd_status.c; `herd status` and `herd resource list`). */
void cli_add_resources_json(JsonBuilder *b, const herd_sched_result_t *res);
#endif

/* A new request object with "op" set (owned). */
JsonObject *cli_request(const char *op);

/* display.c: the cluster status body (node list; resources by group, clone
 * and bundle with roles and flags) as crm_simulate prints it under
 * "Current cluster status:" (revised false) or "Revised Cluster Status:"
 * (revised true).  The caller prints the title.  `herd status` reuses it
 * with revised false. */
void display_cluster_status(FILE *out, const herd_cib_t *cib, const herd_sched_result_t *res,
                            bool revised);

/* The same status as a JSON object ({"nodes": [...], "resources": [...]})
 * for --output-as json|xml.  Returns a new node; free with json_node_unref. */
JsonNode *display_status_json(const herd_cib_t *cib, const herd_sched_result_t *res, bool revised);

/* What crm_simulate prints before "Current cluster status:" (maintenance
 * banner, count of disabled and blocked instances). */
void display_simulate_prelude(FILE *out, const herd_cib_t *cib, const herd_sched_result_t *res);

#endif
