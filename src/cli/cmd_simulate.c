/* cmd_simulate.c: `herd simulate`, crm_simulate's job: load a CIB, run the
 * scheduler, print the current status, the transition summary, the
 * simulated execution and the revised status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herd_cib.h"
#include "herd_sched.h"
#include "sim_whatif.h"

typedef struct {
    char *xml_file;
    gboolean from_stdin;
    gboolean run;
    gboolean simulate;
    gboolean show_scores;
    gboolean show_utilization;
    char *graph_file;
    char *dot_file;
    char *save_output;
    char *time;
    gboolean quiet;
    gboolean live;
} sim_opts_t;

/* ---- summary ----------------------------------------------------------- */

static void print_summary(const herd_sched_result_t *res, FILE *out)
{
    fprintf(out, "Transition Summary:\n");
    size_t rw = 5, dw = 5;   /* both columns start 5 wide */
    GPtrArray *details = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        GString *s = g_string_new(NULL);
        const char *from = d->from ? d->from : "";
        const char *to = d->to ? d->to : "";
        switch (d->kind) {
        case HERD_DECISION_START:
            g_string_append(s, to);
            break;
        case HERD_DECISION_STOP:
            if (d->from_role)
                g_string_append_printf(s, "%s ", herd_role_name(d->from_role));
            g_string_append(s, from);
            break;
        case HERD_DECISION_RECOVER:
        case HERD_DECISION_RESTART:
        case HERD_DECISION_RELOAD:
        case HERD_DECISION_MOVE:
        case HERD_DECISION_MIGRATE: {
            /* Pacemaker's layout: roles only for promotable instances (a
             * from_role); a role kept is printed once, after a move's
             * destination or before an in-place node */
            herd_role_t r0 = d->from_role, r1 = d->to_role ? d->to_role : d->from_role;
            bool same_host = !d->to || !d->from || !strcmp(from, to);
            if (same_host && r0 && r0 != r1)
                g_string_append_printf(s, "%s -> %s %s", herd_role_name(r0), herd_role_name(r1),
                                       from);
            else if (same_host && r0)
                g_string_append_printf(s, "%s %s", herd_role_name(r0), from);
            else if (same_host)
                g_string_append(s, from);
            else if (r0 && r0 == r1)
                g_string_append_printf(s, "%s -> %s %s", from, to, herd_role_name(r0));
            else if (r0)
                g_string_append_printf(s, "%s %s -> %s %s", herd_role_name(r0), from,
                                       herd_role_name(r1), to);
            else
                g_string_append_printf(s, "%s -> %s", from, to);
            break;
        }
        case HERD_DECISION_PROMOTE:
        case HERD_DECISION_DEMOTE:
            g_string_append_printf(s, "%s -> %s %s", herd_role_name(d->from_role),
                                   herd_role_name(d->to_role), to);
            break;
        case HERD_DECISION_REPROMOTE:
            g_string_append_printf(s, "%s %s", herd_role_name(d->from_role), from);
            break;
        case HERD_DECISION_FENCE:
            break;
        }
        if (d->kind != HERD_DECISION_FENCE) {
            /* Pacemaker's name column starts 5 wide and, whenever a longer
             * name comes (in summary order), grows to that name plus 2. */
            if (strlen(d->rsc) > rw)
                rw = strlen(d->rsc) + 2;
            dw = MAX(dw, s->len);
        }
        g_ptr_array_add(details, g_string_free(s, FALSE));
    }
    static const char *const words[] = {"Fence", "Start", "Stop", "Move", "Recover", "Restart",
                                        "Migrate", "Promote", "Demote", "Re-promote", "Reload"};
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        if (d->kind == HERD_DECISION_FENCE) {
            if (d->fence_rsc)
                fprintf(out, "  * Fence (%s) %s (resource: %s) '%s'\n", d->fence_action, d->rsc,
                        d->fence_rsc, d->fence_reason ? d->fence_reason : "");
            else
                fprintf(out, "  * Fence (%s) %s '%s'\n", d->fence_action, d->rsc,
                        d->fence_reason ? d->fence_reason : "");
            continue;
        }
        fprintf(out, "  * %-10s %-*s ( %*s )", words[d->kind], (int) rw + 2, d->rsc, (int) dw,
                (const char *) details->pdata[i]);
        if (d->reason)
            fprintf(out, "  %s", d->reason);
        if (d->blocked)
            fprintf(out, d->reason ? " (blocked)" : "  blocked");
        fprintf(out, "\n");
    }
    g_ptr_array_free(details, TRUE);
}

static int write_text_file(const char *path, const char *text)
{
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, text, -1, &err)) {
        fprintf(stderr, "herd simulate: cannot write %s: %s\n", path, err->message);
        return HERD_EXIT_CANTCREATE;
    }
    return HERD_EXIT_OK;
}

/* ---- scores and JSON ----------------------------------------------------- */

static const char *const kind_words[] = {"fence", "start", "stop", "move", "recover", "restart",
                                         "migrate", "promote", "demote", "re-promote", "reload"};

static void add_str(JsonBuilder *b, const char *name, const char *v)
{
    if (!v)
        return;
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, v);
}

/* "transition": the graph's actions in simulated execution order, each
 * with what it waits for and why it exists */
static void add_transition_json(JsonBuilder *b, const GArray *steps)
{
    static const char *const kinds[] = {"resource", "pseudo", "cluster", "fencing"};
    json_builder_set_member_name(b, "transition");
    json_builder_begin_array(b);
    for (guint i = 0; i < steps->len; i++) {
        const herd_exec_step_t *st = &g_array_index(steps, herd_exec_step_t, i);
        const herd_action_t *a = st->action;
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, a->id);
        add_str(b, "kind", kinds[a->kind]);
        add_str(b, "task", a->task);
        add_str(b, "key", a->key);
        add_str(b, "resource", a->label ? a->label : a->rsc);
        add_str(b, "node", a->node);
        if (a->interval_ms) {
            json_builder_set_member_name(b, "interval_ms");
            json_builder_add_int_value(b, (gint64) a->interval_ms);
        }
        add_str(b, "reason", a->reason);
        if (st->failed) {
            /* -F: made to fail with this result */
            json_builder_set_member_name(b, "failed");
            json_builder_add_boolean_value(b, true);
            json_builder_set_member_name(b, "rc");
            json_builder_add_int_value(b, st->rc);
        }
        json_builder_set_member_name(b, "inputs");
        json_builder_begin_array(b);
        for (guint k = 0; k < a->inputs->len; k++)
            json_builder_add_int_value(b, ((const herd_action_t *) a->inputs->pdata[k])->id);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static JsonNode *result_json(const herd_sched_result_t *res, const GArray *steps)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "have_quorum");
    json_builder_add_boolean_value(b, res->have_quorum);
    cli_add_nodes_json(b, res);
    json_builder_set_member_name(b, "decisions");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        json_builder_begin_object(b);
        add_str(b, "action", kind_words[d->kind]);
        add_str(b, d->kind == HERD_DECISION_FENCE ? "node" : "resource", d->rsc);
        add_str(b, "from", d->from);
        add_str(b, "to", d->to);
        if (d->from_role)
            add_str(b, "from_role", herd_role_name(d->from_role));
        if (d->to_role)
            add_str(b, "to_role", herd_role_name(d->to_role));
        add_str(b, "reason", d->reason);
        add_str(b, "fence_action", d->fence_action);
        add_str(b, "fence_reason", d->fence_reason);
        json_builder_set_member_name(b, "blocked");
        json_builder_add_boolean_value(b, d->blocked);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "resources");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->placements->len; i++) {
        const herd_placement_t *p = res->placements->pdata[i];
        json_builder_begin_object(b);
        add_str(b, "id", p->name);
        json_builder_set_member_name(b, "current");
        json_builder_begin_array(b);
        for (guint k = 0; k < p->current->len; k++)
            json_builder_add_string_value(b, p->current->pdata[k]);
        json_builder_end_array(b);
        add_str(b, "current_role", herd_role_name(p->current_role));
        add_str(b, "next", p->next);
        add_str(b, "next_role", herd_role_name(p->next_role));
        json_builder_set_member_name(b, "failed");
        json_builder_add_boolean_value(b, p->failed);
        json_builder_set_member_name(b, "managed");
        json_builder_add_boolean_value(b, p->managed);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    add_transition_json(b, steps);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* ---- command ------------------------------------------------------------ */

static bool any_failed(const sim_run_t *run)
{
    for (guint i = 0; run->steps && i < run->steps->len; i++)
        if (g_array_index(run->steps, herd_exec_step_t, i).failed)
            return true;
    return false;
}

int cmd_simulate(int argc, char **argv)
{
    sim_opts_t o = {0};
    sim_whatif_t w = {0};
    const GOptionEntry entries[] = {
        {"xml-file", 'x', 0, G_OPTION_ARG_FILENAME, &o.xml_file, "CIB file to use", "FILE"},
        {"live-check", 'L', 0, G_OPTION_ARG_NONE, &o.live,
         "Use the live CIB from herdd (schedule it, execute nothing)", NULL},
        {"xml-pipe", 'p', 0, G_OPTION_ARG_NONE, &o.from_stdin, "Read the CIB from stdin", NULL},
        {"run", 'R', 0, G_OPTION_ARG_NONE, &o.run, "Run the scheduler and show the transition",
         NULL},
        {"simulate", 'S', 0, G_OPTION_ARG_NONE, &o.simulate,
         "Simulate executing the transition and show the revised status", NULL},
        {"show-scores", 's', 0, G_OPTION_ARG_NONE, &o.show_scores, "Show placement scores", NULL},
        {"show-utilization", 'U', 0, G_OPTION_ARG_NONE, &o.show_utilization,
         "Show utilization", NULL},
        {"save-graph", 'G', 0, G_OPTION_ARG_FILENAME, &o.graph_file, "Save the graph as XML",
         "FILE"},
        {"save-dotfile", 'D', 0, G_OPTION_ARG_FILENAME, &o.dot_file, "Save the graph as dot",
         "FILE"},
        {"save-output", 'O', 0, G_OPTION_ARG_FILENAME, &o.save_output,
         "Save the CIB to FILE: after the simulated transition with -S (or -F), else as "
         "scheduled", "FILE"},
        {"set-datetime", 't', 0, G_OPTION_ARG_STRING, &o.time, "The \"now\" (ISO 8601)", "TIME"},
        {"quiet", 'Q', 0, G_OPTION_ARG_NONE, &o.quiet,
         "Display only essential output (scores, utilization)", NULL},
        {NULL}};
    g_autofree GOptionEntry *all_entries = sim_whatif_entries(entries, &w);
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "", "Simulate the scheduler on a CIB (crm_simulate).",
                       all_entries, &common, &done);
    int ret = HERD_EXIT_OK;
    g_autoptr(herd_cib_t) cib = NULL;
    g_autoptr(herd_sched_result_t) res = NULL;
    g_autofree char *date_line = NULL;
    g_autoptr(herd_sched_result_t) res_before = NULL;
    g_autoptr(herd_cib_t) rev_cib = NULL;
    g_autoptr(herd_sched_result_t) rev_res = NULL;
    sim_run_t run = {0};
    bool simulate = o.simulate || w.op_fail;   /* -F implies -S */
    if (rc || done) {
        ret = rc;
        goto out;
    }
    if (!o.xml_file && !o.from_stdin && !o.live) {
        ret = cli_usage_error(argv[0], "give a CIB with -x FILE, -p or -L");
        goto out;
    }
    if (o.live) {
        /* what would herd do now: the live CIB from herdd, as it is */
        if (w.node_up || w.node_down || w.node_fail || w.op_inject || w.ticket_grant ||
            w.ticket_revoke || w.ticket_standby || w.ticket_activate || w.quorum || w.watchdog) {
            ret = cli_usage_error(argv[0], "-L takes the live CIB as it is: synthetic events "
                                           "need a file (-x, or -p from stdin)");
            goto out;
        }
        /* its text is kept for -O and -F */
        ret = cli_live_cib_keep(argv[0], &cib, &w.text);
        w.text_len = w.text ? strlen(w.text) : 0;
    } else {
        ret = sim_whatif_load(&w, argv[0], o.from_stdin ? "-" : o.xml_file, &cib);
    }
    if (ret)
        goto out;
    time_t now = time(NULL);
    const char *when = o.time ? o.time : cib->execution_date;
    if (when) {
        time_t t;
        if (herd_cib_parse_datetime(when, &t))
            now = t;
        else if (g_ascii_isdigit(when[0]))
            now = (time_t) g_ascii_strtoll(when, NULL, 10);
        else if (o.time) {
            ret = cli_usage_error(argv[0], "-t \"%s\" is not an ISO 8601 date", o.time);
            goto out;
        }
    }
    res = herd_sched_run(cib, now);
    if (cib->execution_date && !o.time) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(now);
        if (dt) {
            g_autofree char *when_s = g_date_time_format(dt, "%Y-%m-%d %H:%M:%SZ");
            date_line = g_strdup_printf("Using the original execution date of: %s\n", when_s);
        }
    }
    /* The simulated execution, recorded in a copy of the CIB (-S, -F, -O);
     * a failure (-F) makes the revised status the one of that copy, read
     * again, as crm_simulate shows it. */
    if (simulate || o.save_output) {
        ret = sim_whatif_execute(&w, argv[0], cib, res, now, &run);
        if (ret)
            goto out;
    } else {
        run.steps = herd_graph_execute_steps(res->graph, NULL, NULL);
    }
    if (o.save_output) {
        ret = write_text_file(o.save_output, simulate ? run.revised : w.text);
        if (ret)
            goto out;
    }
    const herd_cib_t *rev_show = cib;
    const herd_sched_result_t *rev_show_res = res;
    bool rev_after = true;
    if (any_failed(&run) && run.revised) {
        g_autoptr(GError) err = NULL;
        rev_cib = herd_cib_load_memory(run.revised, run.revised_len, "revised CIB", &err);
        if (!rev_cib) {
            fprintf(stderr, "%s: the revised CIB does not load: %s\n", argv[0], err->message);
            ret = HERD_EXIT_SOFTWARE;
            goto out;
        }
        rev_res = herd_sched_run(rev_cib, now);
        rev_show = rev_cib;
        rev_show_res = rev_res;
        rev_after = false;
    }
    /* With synthetic events, the current status is the one before them. */
    const herd_cib_t *cur_cib = cib;
    const herd_sched_result_t *cur_res = res;
    if (w.before) {
        res_before = herd_sched_run(w.before, now);
        cur_cib = w.before;
        cur_res = res_before;
    }
    if (common.format != HERD_OUTPUT_TEXT) {
        g_autoptr(JsonNode) data = result_json(res, run.steps);
        /* the status as crm_mon shows it, before and after the transition */
        JsonObject *obj = json_node_get_object(data);
        json_object_set_member(obj, "current-status", display_status_json(cur_cib, cur_res, false));
        if (simulate)
            json_object_set_member(obj, "revised-status",
                                   display_status_json(rev_show, rev_show_res, rev_after));
        sim_whatif_json_add(obj, &w, cib, res_before, res, o.show_scores);
        ret = herd_output_emit(stdout, common.format, "simulate", data, HERD_EXIT_OK, NULL, NULL);
        goto out;
    }
    if (date_line && !o.quiet)
        fputs(date_line, stdout);
    if (!o.quiet) {
        if (cur_cib->validate_with && !strcmp(cur_cib->validate_with, "none"))
            fprintf(stdout, "Schema validation of configuration is disabled (enabling is encouraged "
                            "and prevents common misconfigurations)\n");
        display_simulate_prelude(stdout, cur_cib, cur_res);
        fprintf(stdout, "Current cluster status:\n");
        display_cluster_status(stdout, cur_cib, cur_res, false);
        if (w.show_attrs)
            sim_whatif_print_attrs(cur_cib, cur_res, stdout);
        if (w.show_failcounts)
            sim_whatif_print_failcounts(cur_cib, cur_res, stdout);
        fprintf(stdout, "\n");
        sim_whatif_print_mods(&w, stdout);
    }
    if (o.show_scores)
        sim_whatif_print_scores(res, stdout);
    if (o.show_utilization) {
        if (!o.quiet)
            fprintf(stdout, "\n");
        sim_whatif_print_utilization(cib, res, stdout);
    }
    if (!o.quiet && (o.run || simulate || !o.show_scores)) {
        if (o.show_scores || o.show_utilization)
            fprintf(stdout, "\n");
        print_summary(res, stdout);
    }
    if (simulate && !o.quiet) {
        fprintf(stdout, "\nExecuting Cluster Transition:\n");
        sim_run_print(&run, stdout);
        if (date_line)
            fputs(date_line, stdout);
        fprintf(stdout, "\nRevised Cluster Status:\n");
        display_cluster_status(stdout, rev_show, rev_show_res, rev_after);
    }
    if (o.graph_file) {
        g_autofree char *xml = herd_graph_to_xml(res->graph, cib);
        int wrc = write_text_file(o.graph_file, xml);
        if (wrc)
            ret = wrc;
    }
    if (o.dot_file) {
        g_autofree char *dot = herd_graph_to_dot(res->graph);
        int wrc = write_text_file(o.dot_file, dot);
        if (wrc)
            ret = wrc;
    }
out:
    sim_run_clear(&run);
    g_free(o.xml_file); g_free(o.graph_file); g_free(o.dot_file); g_free(o.save_output);
    g_free(o.time);
    sim_whatif_clear(&w);
    cli_common_clear(&common);
    return ret;
}
