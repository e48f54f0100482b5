/* sim_whatif.h: `herd simulate`'s what-if options (crm_simulate's
 * synthetic events, -A -c -s -U -I and --output-as json|xml), kept apart
 * from cmd_simulate.c (internal to src/cli). */
#ifndef HERD_SIM_WHATIF_H
#define HERD_SIM_WHATIF_H

#include <stdio.h>

#include "cli.h"
#include "herd_cib.h"
#include "herd_sched.h"

typedef struct {
    char **node_up, **node_down, **node_fail;
    char **op_inject, **op_fail;
    char **ticket_grant, **ticket_revoke, **ticket_standby, **ticket_activate;
    char *quorum, *watchdog;
    char *save_input;
    gboolean show_attrs, show_failcounts;
    GPtrArray *mods;        /* char*: "Performing Requested Modifications" */
    herd_cib_t *before;     /* the CIB before the events (NULL if none) */
    char *text;             /* the CIB text scheduled (after the events) */
    size_t text_len;
} sim_whatif_t;

/* A simulated execution of the transition (-S, -F, -O). */
typedef struct {
    GArray *steps;          /* herd_exec_step_t, in firing order */
    GPtrArray *notes;       /* per step, a GPtrArray of char*: the changes
                             * it injected ("Injecting attribute ...") */
    char *revised;          /* the CIB afterwards (NULL without a text) */
    size_t revised_len;
} sim_run_t;

/* A new option table: `base` (NULL-terminated) followed by the what-if
 * options storing into `w`.  Free with g_free. */
GOptionEntry *sim_whatif_entries(const GOptionEntry *base, sim_whatif_t *w);

/* Free what the options and sim_whatif_load allocated. */
void sim_whatif_clear(sim_whatif_t *w);

/* Read the CIB (`path`, "-" for stdin), apply the synthetic events, save
 * it with -I, and load the model into *cib; w->before gets the model
 * before the events when there were any.  Returns an exit status
 * (errors are printed, naming `cmd`). */
int sim_whatif_load(sim_whatif_t *w, const char *cmd, const char *path, herd_cib_t **cib);

/* Execute the transition of `res` (scheduled from `cib`, loaded from
 * w->text, at the scheduler's `now`), failing the actions -F names, and
 * record every result in a copy of the text (run->revised).  Returns an exit status (errors are
 * printed, naming `cmd`); clear *run with sim_run_clear in any case. */
int sim_whatif_execute(const sim_whatif_t *w, const char *cmd, const herd_cib_t *cib,
                       const herd_sched_result_t *res, time_t now, sim_run_t *run);
void sim_run_clear(sim_run_t *run);

/* The "Executing Cluster Transition" lines of a run: each action, and
 * after a failed one "Pretending action N failed with rc=R" and what it
 * injected. */
void sim_run_print(const sim_run_t *run, FILE *out);

/* Print "Performing Requested Modifications:" when there were events. */
void sim_whatif_print_mods(const sim_whatif_t *w, FILE *out);

/* -A: node attributes; -c: fail counts ("Migration Summary"), in the
 * status display's layout (after the resource list). */
void sim_whatif_print_attrs(const herd_cib_t *cib, const herd_sched_result_t *res, FILE *out);
void sim_whatif_print_failcounts(const herd_cib_t *cib, const herd_sched_result_t *res,
                                 FILE *out);

/* -s: the placement scores, as crm_simulate prints them (a blank line,
 * then one line per score). */
void sim_whatif_print_scores(const herd_sched_result_t *res, FILE *out);

/* -U: utilization of each node, capacity then remaining. */
void sim_whatif_print_utilization(const herd_cib_t *cib, const herd_sched_result_t *res,
                                  FILE *out);

/* --output-as json|xml: add to the command's result object `o` (which
 * has the decisions and the statuses) the source, the events
 * ("modifications"), scores with -s, node attributes with -A and fail
 * counts with -c (of the status before the events, `before`, if any). */
void sim_whatif_json_add(JsonObject *o, const sim_whatif_t *w, const herd_cib_t *cib,
                         const herd_sched_result_t *before, const herd_sched_result_t *res,
                         bool scores);

#endif
