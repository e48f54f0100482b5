/* cmd_simulate.c: `herd simulate`, crm_simulate's job: load a CIB, run the
 * scheduler, print the current status, the transition summary, the
 * simulated execution and the revised status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
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
} sim_opts_t;

/* ---- status display ---------------------------------------------------- */

static const char *agent_str(const herd_cib_rsc_t *r, char *buf, size_t len)
{
    if (r->provider)
        snprintf(buf, len, "%s:%s:%s", r->klass, r->provider, r->type);
    else
        snprintf(buf, len, "%s:%s", r->klass ? r->klass : "", r->type ? r->type : "");
    return buf;
}

typedef struct {
    const herd_cib_t *cib;
    const herd_sched_result_t *res;
    GHashTable *by_name;      /* placement name -> placement */
    bool revised;
} view_t;

static const herd_placement_t *pl_of(view_t *v, const char *name)
{
    return g_hash_table_lookup(v->by_name, name);
}

/* role and nodes of a placement in the chosen view */
static herd_role_t pl_role(view_t *v, const herd_placement_t *p)
{
    return v->revised ? p->next_role : p->current_role;
}

static void pl_nodes(view_t *v, const herd_placement_t *p, GString *out)
{
    if (v->revised) {
        if (p->next)
            g_string_append(out, p->next);
        return;
    }
    for (guint i = 0; i < p->current->len; i++) {
        if (i)
            g_string_append_c(out, ' ');
        g_string_append(out, p->current->pdata[i]);
    }
}

static const char *role_word(herd_role_t r, bool promotable)
{
    if (r == HERD_ROLE_STARTED && promotable)
        return "Unpromoted";
    if (r == HERD_ROLE_UNPROMOTED && !promotable)
        return "Started";
    return herd_role_name(r);
}

static void print_prim_line(view_t *v, FILE *out, const char *indent, const herd_placement_t *p,
                            bool promotable)
{
    char agent[256];
    herd_role_t role = pl_role(v, p);
    g_autoptr(GString) nodes = g_string_new(NULL);
    pl_nodes(v, p, nodes);
    bool stopped = nodes->len == 0;
    bool failed = p->failed && !stopped && (!v->revised || p->blocked);
    bool multi = (!v->revised || p->blocked) && p->current->len > 1;
    if (multi && v->revised) {
        g_string_truncate(nodes, 0);
        v->revised = false;
        pl_nodes(v, p, nodes);
        v->revised = true;
    }
    g_autoptr(GString) flags = g_string_new(NULL);
    if (p->disabled)
        g_string_append(flags, "disabled");
    if (p->blocked)
        g_string_append_printf(flags, "%sblocked", flags->len ? ", " : "");
    if (!p->managed)
        g_string_append_printf(flags, "%sunmanaged", flags->len ? ", " : "");
    fprintf(out, "%s* %s\t(%s):\t ", indent, p->name, agent_str(p->cfg, agent, sizeof agent));
    if (stopped) {
        fprintf(out, "Stopped");
    } else {
        const char *word = role_word(role, promotable);
        if (failed)
            fprintf(out, "FAILED%s%s", role == HERD_ROLE_PROMOTED ? " " : "",
                    role == HERD_ROLE_PROMOTED ? word : "");
        else
            fprintf(out, "%s", word);
        if (multi) {
            if (flags->len)
                fprintf(out, " (%s)", flags->str);
            fprintf(out, " [ %s ]\n", nodes->str);
            return;
        }
        fprintf(out, " %s", nodes->str);
    }
    if (flags->len)
        fprintf(out, " (%s)", flags->str);
    fprintf(out, "\n");
}

static void print_nodes(view_t *v, FILE *out)
{
    fprintf(out, "  * Node List:\n");
    g_autoptr(GString) online = g_string_new(NULL);
    g_autoptr(GString) offline = g_string_new(NULL);
    for (guint i = 0; i < v->res->nodes->len; i++) {
        const herd_node_state_t *n = v->res->nodes->pdata[i];
        const char *name = n->cfg->uname;
        bool unclean = n->unclean || (n->fenced_now && !v->revised);
        if (v->revised && n->fenced_now) {
            g_string_append_printf(offline, " %s", name);
            continue;
        }
        if (unclean) {
            fprintf(out, "    * Node %s: UNCLEAN (%s)\n", name, n->online ? "online" : "offline");
        } else if (n->online && n->standby) {
            fprintf(out, "    * Node %s: standby\n", name);
        } else if (n->online && n->maintenance) {
            fprintf(out, "    * Node %s: maintenance\n", name);
        } else if (n->pending) {
            fprintf(out, "    * Node %s: pending\n", name);
        } else if (n->online) {
            g_string_append_printf(online, " %s", name);
        } else {
            g_string_append_printf(offline, " %s", name);
        }
    }
    if (online->len)
        fprintf(out, "    * Online: [%s ]\n", online->str);
    if (offline->len)
        fprintf(out, "    * OFFLINE: [%s ]\n", offline->str);
    fprintf(out, "\n");
}

static void print_group(view_t *v, FILE *out, const herd_cib_rsc_t *g, const char *indent, int inst,
                        bool promotable)
{
    for (guint k = 0; k < g->children->len; k++) {
        const herd_cib_rsc_t *m = g->children->pdata[k];
        g_autofree char *nm = inst >= 0 ? g_strdup_printf("%s:%d", m->id, inst) : g_strdup(m->id);
        const herd_placement_t *p = pl_of(v, nm);
        if (p)
            print_prim_line(v, out, indent, p, promotable);
    }
}

static void print_clone(view_t *v, FILE *out, const herd_cib_rsc_t *c)
{
    const herd_cib_rsc_t *child = c->children->pdata[0];
    fprintf(out, "    * Clone Set: %s [%s]%s%s:\n", c->id, child->id,
            c->promotable ? " (promotable)" : "", c->unique ? " (unique)" : "");
    int max = 0;
    for (;; max++) {
        g_autofree char *nm = g_strdup_printf("%s:%d",
            child->kind == HERD_RSC_GROUP ? ((herd_cib_rsc_t *) child->children->pdata[0])->id : child->id, max);
        if (!pl_of(v, nm))
            break;
    }
    if (c->unique || child->kind == HERD_RSC_GROUP) {
        for (int i = 0; i < max; i++) {
            if (child->kind == HERD_RSC_GROUP) {
                fprintf(out, "      * Resource Group: %s:%d:\n", child->id, i);
                print_group(v, out, child, "        ", i, c->promotable);
            } else {
                g_autofree char *nm = g_strdup_printf("%s:%d", child->id, i);
                print_prim_line(v, out, "      ", pl_of(v, nm), c->promotable);
            }
        }
        return;
    }
    /* anonymous: collapse by role */
    g_autoptr(GString) promoted = g_string_new(NULL);
    g_autoptr(GString) started = g_string_new(NULL);
    GHashTable *on = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < max; i++) {
        g_autofree char *nm = g_strdup_printf("%s:%d", child->id, i);
        const herd_placement_t *p = pl_of(v, nm);
        if (!p)
            continue;
        if (p->failed && !v->revised && p->current->len) {
            print_prim_line(v, out, "      ", p, c->promotable);
            for (guint k = 0; k < p->current->len; k++)
                g_hash_table_add(on, p->current->pdata[k]);
            continue;
        }
        if (v->revised) {
            if (p->next) {
                g_hash_table_add(on, p->next);
                g_string_append_printf(p->next_role == HERD_ROLE_PROMOTED ? promoted : started, " %s",
                                       p->next);
            }
        } else {
            for (guint k = 0; k < p->current->len; k++) {
                g_hash_table_add(on, p->current->pdata[k]);
                g_string_append_printf(p->current_role == HERD_ROLE_PROMOTED ? promoted : started,
                                       " %s", (char *) p->current->pdata[k]);
            }
        }
    }
    if (promoted->len)
        fprintf(out, "      * Promoted: [%s ]\n", promoted->str);
    if (started->len)
        fprintf(out, "      * %s: [%s ]\n", c->promotable ? "Unpromoted" : "Started", started->str);
    g_autoptr(GString) stopped = g_string_new(NULL);
    for (guint i = 0; i < v->res->nodes->len; i++) {
        const herd_node_state_t *n = v->res->nodes->pdata[i];
        if (!g_hash_table_contains(on, n->cfg->uname))
            g_string_append_printf(stopped, " %s", n->cfg->uname);
    }
    if (stopped->len)
        fprintf(out, "      * Stopped: [%s ]\n", stopped->str);
    g_hash_table_destroy(on);
}

static void print_status(view_t *v, FILE *out, const char *title)
{
    fprintf(out, "%s\n", title);
    print_nodes(v, out);
    fprintf(out, "  * Full List of Resources:\n");
    if (v->cib->resources->len == 0)
        fprintf(out, "    * No resources\n");
    for (guint i = 0; i < v->res->rsc_order->len; i++) {
        const herd_cib_rsc_t *r = v->res->rsc_order->pdata[i];
        if (r->kind == HERD_RSC_PRIMITIVE) {
            const herd_placement_t *p = pl_of(v, r->id);
            if (p)
                print_prim_line(v, out, "    ", p, false);
        } else if (r->kind == HERD_RSC_GROUP) {
            fprintf(out, "    * Resource Group: %s:\n", r->id);
            print_group(v, out, r, "      ", -1, false);
        } else if (r->kind == HERD_RSC_CLONE && r->children->len == 1) {
            print_clone(v, out, r);
        } else if (r->kind == HERD_RSC_BUNDLE) {
            fprintf(out, "    * Container bundle set: %s [%s]:\n", r->id, r->image ? r->image : "");
        }
    }
}

/* ---- summary ----------------------------------------------------------- */

static void print_summary(const herd_sched_result_t *res, FILE *out)
{
    fprintf(out, "Transition Summary:\n");
    size_t rw = 0, dw = 0;
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
        case HERD_DECISION_RECOVER:
        case HERD_DECISION_RESTART:
            if (d->from_role && d->kind != HERD_DECISION_RECOVER)
                g_string_append_printf(s, "%s ", herd_role_name(d->from_role));
            else if (d->from_role)
                g_string_append_printf(s, "%s ", herd_role_name(d->from_role));
            if (d->to && d->from && strcmp(d->from, d->to))
                g_string_append_printf(s, "%s -> %s", from, to);
            else
                g_string_append(s, from);
            break;
        case HERD_DECISION_MOVE:
        case HERD_DECISION_MIGRATE:
            if (d->from_role && d->from_role != d->to_role)
                g_string_append_printf(s, "%s %s -> %s %s", herd_role_name(d->from_role), from,
                                       herd_role_name(d->to_role), to);
            else if (d->from_role)
                g_string_append_printf(s, "%s %s -> %s", herd_role_name(d->from_role), from, to);
            else
                g_string_append_printf(s, "%s -> %s", from, to);
            break;
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
            rw = MAX(rw, strlen(d->rsc));
            dw = MAX(dw, s->len);
        }
        g_ptr_array_add(details, g_string_free(s, FALSE));
    }
    static const char *const words[] = {"Fence", "Start", "Stop", "Move", "Recover", "Restart",
                                        "Migrate", "Promote", "Demote", "Re-promote"};
    for (guint i = 0; i < res->decisions->len; i++) {
        const herd_decision_t *d = res->decisions->pdata[i];
        if (d->kind == HERD_DECISION_FENCE) {
            fprintf(out, "  * Fence (%s) %s '%s'\n", d->fence_action, d->rsc,
                    d->fence_reason ? d->fence_reason : "");
            continue;
        }
        fprintf(out, "  * %-10s %-*s ( %*s )", words[d->kind], (int) rw, d->rsc, (int) dw,
                (const char *) details->pdata[i]);
        if (d->reason)
            fprintf(out, "  %s", d->reason);
        if (d->blocked)
            fprintf(out, d->reason ? " (blocked)" : "  blocked");
        fprintf(out, "\n");
    }
    g_ptr_array_free(details, TRUE);
}

/* ---- scores and JSON ----------------------------------------------------- */

static const char *const kind_words[] = {"fence", "start", "stop", "move", "recover", "restart",
                                         "migrate", "promote", "demote", "re-promote"};

static void add_str(JsonBuilder *b, const char *name, const char *v)
{
    if (!v)
        return;
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, v);
}

static JsonNode *result_json(const herd_sched_result_t *res)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "have_quorum");
    json_builder_add_boolean_value(b, res->have_quorum);
    json_builder_set_member_name(b, "nodes");
    json_builder_begin_array(b);
    for (guint i = 0; i < res->nodes->len; i++) {
        const herd_node_state_t *n = res->nodes->pdata[i];
        json_builder_begin_object(b);
        add_str(b, "name", n->cfg->uname);
        json_builder_set_member_name(b, "online");
        json_builder_add_boolean_value(b, n->online);
        json_builder_set_member_name(b, "unclean");
        json_builder_add_boolean_value(b, n->unclean || n->fenced_now);
        json_builder_set_member_name(b, "standby");
        json_builder_add_boolean_value(b, n->standby);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
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
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* ---- command ------------------------------------------------------------ */

int cmd_simulate(int argc, char **argv)
{
    sim_opts_t o = {0};
    sim_whatif_t w = {0};
    const GOptionEntry entries[] = {
        {"xml-file", 'x', 0, G_OPTION_ARG_FILENAME, &o.xml_file, "CIB file to use", "FILE"},
        {"live-check", 'L', 0, G_OPTION_ARG_NONE, &o.run, "(not supported: use -x)", NULL},
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
         "Save the revised CIB (not yet supported)", "FILE"},
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
    g_autoptr(herd_sched_result_t) res_before = NULL;
    g_autofree char *date_line = NULL;
    GHashTable *by_name = NULL, *by_name_before = NULL;
    if (rc || done) {
        ret = rc;
        goto out;
    }
    if (!o.xml_file && !o.from_stdin) {
        ret = cli_usage_error(argv[0], "give a CIB with -x FILE or -p");
        goto out;
    }
    if (o.save_output) {
        fprintf(stderr, "%s: --save-output/-O is not yet supported: it needs the simulated "
                        "execution of the transition graph\n", argv[0]);
        ret = HERD_EXIT_UNIMPLEMENT_FEATURE;
        goto out;
    }
    ret = sim_whatif_load(&w, argv[0], o.from_stdin ? "-" : o.xml_file, &cib);
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
    by_name = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < res->placements->len; i++) {
        herd_placement_t *p = res->placements->pdata[i];
        g_hash_table_insert(by_name, p->name, p);
    }
    /* With synthetic events, the current status is the one before them. */
    view_t v = {cib, res, by_name, false};
    if (w.before) {
        res_before = herd_sched_run(w.before, now);
        by_name_before = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < res_before->placements->len; i++) {
            herd_placement_t *p = res_before->placements->pdata[i];
            g_hash_table_insert(by_name_before, p->name, p);
        }
        v = (view_t){w.before, res_before, by_name_before, false};
    }
    if (cib->execution_date && !o.time) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(now);
        if (dt) {
            g_autofree char *when_s = g_date_time_format(dt, "%Y-%m-%d %H:%M:%SZ");
            date_line = g_strdup_printf("Using the original execution date of: %s\n", when_s);
        }
    }
    if (common.format != HERD_OUTPUT_TEXT) {
        g_autoptr(JsonNode) data = result_json(res);
        sim_whatif_json_add(json_node_get_object(data), &w, cib, res_before, res, o.simulate,
                            o.show_scores);
        ret = herd_output_emit(stdout, common.format, "simulate", data, HERD_EXIT_OK, NULL, NULL);
        goto out;
    }
    if (date_line && !o.quiet)
        fputs(date_line, stdout);
    int disabled = 0, blocked = 0;
    for (guint i = 0; i < v.res->placements->len; i++) {
        const herd_placement_t *p = v.res->placements->pdata[i];
        disabled += p->disabled;
        blocked += p->blocked;
    }
    if (!o.quiet && (disabled || blocked))
        printf("%d of %u resource instances DISABLED and %d BLOCKED from further action due to "
               "failure\n\n", disabled, v.res->placements->len, blocked);
    if (!o.quiet) {
        print_status(&v, stdout, "Current cluster status:");
        if (w.show_attrs)
            sim_whatif_print_attrs(v.cib, v.res, stdout);
        if (w.show_failcounts)
            sim_whatif_print_failcounts(v.cib, v.res, stdout);
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
    if (!o.quiet && (o.run || o.simulate || !o.show_scores)) {
        if (o.show_scores || o.show_utilization)
            fprintf(stdout, "\n");
        print_summary(res, stdout);
    }
    if (o.simulate && !o.quiet) {
        view_t rv = {cib, res, by_name, true};
        fprintf(stdout, "\nExecuting Cluster Transition:\n");
        if (date_line)
            fputs(date_line, stdout);
        fprintf(stdout, "\n");
        print_status(&rv, stdout, "Revised Cluster Status:");
    }
out:
    if (by_name)
        g_hash_table_destroy(by_name);
    if (by_name_before)
        g_hash_table_destroy(by_name_before);
    g_free(o.xml_file); g_free(o.graph_file); g_free(o.dot_file); g_free(o.save_output);
    g_free(o.time);
    sim_whatif_clear(&w);
    cli_common_clear(&common);
    return ret;
}
