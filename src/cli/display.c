/* display.c: the cluster status as crm_mon / crm_simulate print it (node
 * list, resources by group, clone and bundle with their roles, failed
 * actions), shared by `herd simulate` and `herd status`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "herd_cib.h"
#include "herd_sched.h"

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

static void print_status(view_t *v, FILE *out)
{
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


/* Print the status body (the lines after the section title) of `cib` as
 * scheduled in `res`: the current state, or with `revised` the state once
 * the transition has run.  Writes to `out`; owns nothing. */
void display_cluster_status(FILE *out, const herd_cib_t *cib, const herd_sched_result_t *res,
                            bool revised)
{
    GHashTable *by_name = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < res->placements->len; i++) {
        herd_placement_t *p = res->placements->pdata[i];
        g_hash_table_insert(by_name, p->name, p);
    }
    view_t v = {cib, res, by_name, revised};
    print_status(&v, out);
    g_hash_table_destroy(by_name);
}
