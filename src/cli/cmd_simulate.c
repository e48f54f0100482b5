/* cmd_simulate.c: `herd simulate`, crm_simulate's job: load a CIB, run the
 * scheduler, print the current status, the transition summary, the
 * simulated execution and the revised status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herd_cib.h"
#include "herd_sched.h"
#include "cli.h"

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
    fprintf(out, "%s* %s\t(%s):\t %s", indent, p->name, agent_str(p->cfg, agent, sizeof agent),
            stopped ? "Stopped" : role_word(role, promotable));
    if (!stopped)
        fprintf(out, " %s", nodes->str);
    if (!v->revised && p->failed && !stopped)
        fprintf(out, " (FAILED)");
    if (!p->managed)
        fprintf(out, " (unmanaged)");
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

void cli_print_cluster_status(const herd_cib_t *cib, const herd_sched_result_t *res, FILE *out,
                              const char *title)
{
    GHashTable *by_name = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < res->placements->len; i++) {
        herd_placement_t *p = res->placements->pdata[i];
        g_hash_table_insert(by_name, p->name, p);
    }
    view_t v = {cib, res, by_name, false};
    print_status(&v, out, title);
    g_hash_table_destroy(by_name);
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

/* ---- executing the graph ------------------------------------------------ */

static void print_transition(const herd_sched_result_t *res, FILE *out)
{
    g_autoptr(GPtrArray) fired = herd_graph_execute(res->graph);
    for (guint i = 0; i < fired->len; i++) {
        g_autofree char *line = herd_graph_action_line(fired->pdata[i]);
        fprintf(out, "%s\n", line);
    }
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

/* ---- command ------------------------------------------------------------ */

int cmd_simulate(int argc, char **argv)
{
    sim_opts_t o = {0};
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
        {"save-output", 'O', 0, G_OPTION_ARG_FILENAME, &o.save_output, "Save the revised CIB",
         "FILE"},
        {"set-datetime", 't', 0, G_OPTION_ARG_STRING, &o.time, "The \"now\" (ISO 8601)", "TIME"},
        {"quiet", 'Q', 0, G_OPTION_ARG_NONE, &o.quiet, "Only show the summary", NULL},
        {NULL}};
    cli_common_t common;
    bool done;
    int rc = cli_parse(&argc, &argv, "", "Simulate the scheduler on a CIB (crm_simulate).",
                       entries, &common, &done);
    int ret = HERD_EXIT_OK;
    g_autoptr(herd_cib_t) cib = NULL;
    g_autoptr(herd_sched_result_t) res = NULL;
    GHashTable *by_name = NULL;
    g_autoptr(GError) err = NULL;
    if (rc || done) {
        ret = rc;
        goto out;
    }
    if (!o.xml_file && !o.from_stdin && !o.live) {
        ret = cli_usage_error(argv[0], "give a CIB with -x FILE, -p or -L");
        goto out;
    }
    if (o.live) {
        int lrc = cli_live_cib(argv[0], &cib);
        if (lrc) {
            ret = lrc;
            goto out;
        }
    } else
        cib = herd_cib_load_file(o.from_stdin ? "-" : o.xml_file, &err);
    if (!cib) {
        fprintf(stderr, "herd simulate: %s\n", err->message);
        ret = err->code;
        goto out;
    }
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
    view_t v = {cib, res, by_name, false};
    if (!o.quiet) {
        print_status(&v, stdout, "Current cluster status:");
        fprintf(stdout, "\n");
    }
    if (o.run || o.simulate || !o.show_scores) {
        print_summary(res, stdout);
    }
    if (o.simulate) {
        fprintf(stdout, "\nExecuting Cluster Transition:\n");
        print_transition(res, stdout);
        v.revised = true;
        fprintf(stdout, "\n");
        print_status(&v, stdout, "Revised Cluster Status:");
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
    if (by_name)
        g_hash_table_destroy(by_name);
    g_free(o.xml_file); g_free(o.graph_file); g_free(o.dot_file); g_free(o.save_output);
    g_free(o.time);
    cli_common_clear(&common);
    return ret;
}
