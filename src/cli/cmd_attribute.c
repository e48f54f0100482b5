/* cmd_attribute.c: node attributes and cluster properties through herdd:
 * `herd attribute get|set|delete|list`, and the compatibility commands
 * agents call: crm_attribute, crm_master, attrd_updater, crm_node. */
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "herd_daemon.h"

/* What one attribute request names. */
typedef struct {
    char *name;
    char *value;
    char *node;
    char *lifetime;
    char *type;
    char *set;
    char *deflt;
    char *promotion; /* resource for a promotion score, "" = from the environment */
    gboolean promote_flag, query, del, quiet;
} attr_args_t;

static void attr_args_clear(attr_args_t *a)
{
    g_free(a->name);
    g_free(a->value);
    g_free(a->node);
    g_free(a->lifetime);
    g_free(a->type);
    g_free(a->set);
    g_free(a->deflt);
    g_free(a->promotion);
}

/* The resource a promotion score is for: RSC, or OCF_RESOURCE_INSTANCE
 * without its clone instance number ("db:1" -> "db"). */
static char *promotion_resource(const char *cmd, const char *given)
{
    const char *rsc = given && *given ? given : g_getenv("OCF_RESOURCE_INSTANCE");
    if (!rsc || !*rsc) {
        fprintf(stderr, "%s: --promotion needs a resource (or OCF_RESOURCE_INSTANCE)\n", cmd);
        return NULL;
    }
    char *r = g_strdup(rsc);
    char *colon = strrchr(r, ':');
    if (colon)
        *colon = '\0';
    return r;
}

/* Scope from -t / -l / -N as crm_attribute decides it. */
static const char *decide_scope(const attr_args_t *a, const char *fallback)
{
    if (a->type) {
        if (strcmp(a->type, "nodes") == 0 && a->lifetime && strcmp(a->lifetime, "reboot") == 0)
            return "status";
        return a->type;
    }
    if (a->lifetime)
        return strcmp(a->lifetime, "reboot") == 0 ? "status" : "nodes";
    if (a->node)
        return "nodes";
    return fallback;
}

/* One request to herdd; `verb` is "attr_get", "attr_set" or "attr_delete". */
static int attr_call(const char *cmd, const char *verb, const char *scope, const char *node,
                     const char *name, const char *value, const char *set, JsonObject **reply)
{
    g_autoptr(JsonObject) req = cli_request(verb);
    json_object_set_string_member(req, "scope", scope);
    json_object_set_string_member(req, "name", name);
    if (node)
        json_object_set_string_member(req, "node", node);
    if (value)
        json_object_set_string_member(req, "value", value);
    if (set)
        json_object_set_string_member(req, "set", set);
    return cli_call(cmd, req, reply, strcmp(verb, "attr_get") == 0);
}

/* crm_attribute-style query: prints "scope=S  name=N value=V" or the value. */
static int do_query(const char *cmd, const attr_args_t *a, const char *scope, const char *name)
{
    g_autoptr(JsonObject) reply = NULL;
    int rc = attr_call(cmd, "attr_get", scope, a->node, name, NULL, a->set, &reply);
    const char *value = NULL;
    if (rc == 0)
        value = json_object_get_string_member(reply, "value");
    else if (rc == HERD_EXIT_NOSUCH && a->deflt)
        value = a->deflt, rc = 0;
    if (rc == HERD_EXIT_NOSUCH) {
        if (!a->quiet)
            printf("scope=%s  name=%s value=(null)\n", scope, name);
        fprintf(stderr, "%s: Error performing operation: No such device or address\n", cmd);
        return rc;
    }
    if (rc)
        return rc;
    if (a->quiet)
        printf("%s\n", value);
    else
        printf("scope=%s  name=%s value=%s\n", scope, name, value);
    return 0;
}

static int run_attr(const char *cmd, attr_args_t *a, const char *default_scope)
{
    g_autofree char *name = NULL;
    if (a->promotion || a->promote_flag) {
        g_autofree char *rsc = promotion_resource(cmd, a->promotion);
        if (!rsc)
            return HERD_EXIT_USAGE;
        name = g_strdup_printf("master-%s", rsc);
        if (!a->lifetime && !a->type)
            a->lifetime = g_strdup("reboot");
        if (!a->node && g_getenv("OCF_RESKEY_CRM_meta_on_node"))
            a->node = g_strdup(g_getenv("OCF_RESKEY_CRM_meta_on_node"));
    } else if (a->name) {
        name = g_strdup(a->name);
    } else {
        fprintf(stderr, "%s: an attribute name is needed (-n NAME)\n", cmd);
        return HERD_EXIT_USAGE;
    }
    const char *scope = decide_scope(a, default_scope);
    g_autoptr(JsonObject) reply = NULL;
    if (a->del)
        return attr_call(cmd, "attr_delete", scope, a->node, name, NULL, a->set, &reply);
    if (a->value && !a->query)
        return attr_call(cmd, "attr_set", scope, a->node, name, a->value, a->set, &reply);
    return do_query(cmd, a, scope, name);
}

static gboolean set_promotion(const char *opt, const char *value, gpointer data, GError **err)
{
    attr_args_t *a = data;
    a->promote_flag = TRUE;
    g_free(a->promotion);
    a->promotion = g_strdup(value ? value : "");
    return TRUE;
}

/* Parse compatibility options with GLib, keeping argv[0]. */
static int compat_parse(int *argc, char ***argv, const GOptionEntry *entries, void *data,
                        const char *summary)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, summary);
    GOptionGroup *g = g_option_group_new(NULL, NULL, NULL, data, NULL);
    g_option_group_add_entries(g, entries);
    g_option_context_set_main_group(ctx, g);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        fprintf(stderr, "%s: %s\n", (*argv)[0], err->message);
        return HERD_EXIT_USAGE;
    }
    return 0;
}

/* crm_attribute: cluster properties (the default), node attributes with
 * -N/-l, promotion scores with --promotion. */
int cmd_crm_attribute(int argc, char **argv)
{
    attr_args_t a = {0};
    gboolean verbose = FALSE;
    g_autofree char *id = NULL;
    GOptionEntry entries[] = {
        {"name", 'n', 0, G_OPTION_ARG_STRING, &a.name, "Attribute name", "NAME"},
        {"update", 'v', 0, G_OPTION_ARG_STRING, &a.value, "Set the attribute to VALUE", "VALUE"},
        {"attr-value", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &a.value, NULL, NULL},
        {"query", 'G', 0, G_OPTION_ARG_NONE, &a.query, "Show the attribute's value", NULL},
        {"delete", 'D', 0, G_OPTION_ARG_NONE, &a.del, "Delete the attribute", NULL},
        {"node", 'N', 0, G_OPTION_ARG_STRING, &a.node, "Node (default: this node)", "NODE"},
        {"type", 't', 0, G_OPTION_ARG_STRING, &a.type,
         "crm_config (default), nodes, status, rsc_defaults, op_defaults", "TYPE"},
        {"lifetime", 'l', 0, G_OPTION_ARG_STRING, &a.lifetime,
         "reboot (transient) or forever (permanent)", "LIFETIME"},
        {"set-name", 's', 0, G_OPTION_ARG_STRING, &a.set, "Attribute set id", "SET"},
        {"id", 'i', 0, G_OPTION_ARG_STRING, &id, "nvpair id (accepted, unused)", "ID"},
        {"default", 'd', 0, G_OPTION_ARG_STRING, &a.deflt, "Value shown when unset", "VALUE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print only the value", NULL},
        {"promotion", 'p', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
         (gpointer)set_promotion, "Promotion score of RESOURCE (default OCF_RESOURCE_INSTANCE)",
         "RESOURCE"},
        {"verbose", 'V', 0, G_OPTION_ARG_NONE, &verbose, "Ignored", NULL},
        {NULL}};
    int rc = compat_parse(&argc, &argv, entries, &a,
                          "Query and change cluster properties and node attributes (herd).");
    if (!rc)
        rc = run_attr("crm_attribute", &a, "crm_config");
    attr_args_clear(&a);
    return rc;
}

/* crm_master: promotion scores of the calling agent's resource. */
int cmd_crm_master(int argc, char **argv)
{
    attr_args_t a = {0};
    gboolean verbose = FALSE;
    GOptionEntry entries[] = {
        {"update", 'v', 0, G_OPTION_ARG_STRING, &a.value, "Set the score", "SCORE"},
        {"query", 'G', 0, G_OPTION_ARG_NONE, &a.query, "Show the score", NULL},
        {"delete", 'D', 0, G_OPTION_ARG_NONE, &a.del, "Delete the score", NULL},
        {"node", 'N', 0, G_OPTION_ARG_STRING, &a.node, "Node (default: this node)", "NODE"},
        {"lifetime", 'l', 0, G_OPTION_ARG_STRING, &a.lifetime, "reboot (default) or forever",
         "LIFETIME"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print only the value", NULL},
        {"verbose", 'V', 0, G_OPTION_ARG_NONE, &verbose, "Ignored", NULL},
        {NULL}};
    int rc = compat_parse(&argc, &argv, entries, &a, "Set promotion scores (deprecated).");
    if (!rc) {
        a.promote_flag = TRUE;
        rc = run_attr("crm_master", &a, "status");
    }
    attr_args_clear(&a);
    return rc;
}

/* Node names known to herdd (for -A): owned array of strings. */
static GPtrArray *cluster_node_names(const char *cmd, int *rc)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(JsonObject) req = cli_request("cluster_info");
    g_autoptr(JsonObject) reply = NULL;
    *rc = cli_call(cmd, req, &reply, false);
    if (*rc)
        return names;
    JsonArray *nodes = json_object_get_array_member(reply, "nodes");
    for (guint i = 0; nodes && i < json_array_get_length(nodes); i++)
        g_ptr_array_add(names, g_strdup(json_object_get_string_member(
                                   json_array_get_object_element(nodes, i), "name")));
    return names;
}

/* attrd_updater: transient node attributes. */
int cmd_attrd_updater(int argc, char **argv)
{
    attr_args_t a = {0};
    g_autofree char *both = NULL, *delay = NULL, *update_delay = NULL;
    gboolean all = FALSE, priv = FALSE, refresh = FALSE, verbose = FALSE;
    GOptionEntry entries[] = {
        {"name", 'n', 0, G_OPTION_ARG_STRING, &a.name, "Attribute name", "NAME"},
        {"update", 'U', 0, G_OPTION_ARG_STRING, &a.value, "Set the value", "VALUE"},
        {"update-both", 'B', 0, G_OPTION_ARG_STRING, &both, "Set the value (delay ignored)",
         "VALUE"},
        {"update-delay", 'Y', 0, G_OPTION_ARG_STRING, &update_delay, "Ignored", "DELAY"},
        {"query", 'Q', 0, G_OPTION_ARG_NONE, &a.query, "Show the value", NULL},
        {"delete", 'D', 0, G_OPTION_ARG_NONE, &a.del, "Delete the attribute", NULL},
        {"node", 'N', 0, G_OPTION_ARG_STRING, &a.node, "Node (default: this node)", "NODE"},
        {"all", 'A', 0, G_OPTION_ARG_NONE, &all, "With -Q: every node", NULL},
        {"lifetime", 'l', 0, G_OPTION_ARG_STRING, &a.lifetime, "reboot (default) or forever",
         "LIFETIME"},
        {"set", 's', 0, G_OPTION_ARG_STRING, &a.set, "Attribute set id", "SET"},
        {"delay", 'd', 0, G_OPTION_ARG_STRING, &delay, "Ignored (writes are immediate)",
         "DELAY"},
        {"private", 'p', 0, G_OPTION_ARG_NONE, &priv, "Accepted (stored like the others)",
         NULL},
        {"refresh", 'R', 0, G_OPTION_ARG_NONE, &refresh, "Nothing to do (writes are immediate)",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print only the value", NULL},
        {"verbose", 'V', 0, G_OPTION_ARG_NONE, &verbose, "Ignored", NULL},
        {NULL}};
    int rc = compat_parse(&argc, &argv, entries, &a, "Update transient node attributes (herd).");
    const char *cmd = "attrd_updater";
    g_autoptr(JsonObject) reply = NULL;
    if (rc || refresh)
        goto out;
    if (both && !a.value)
        a.value = g_strdup(both);
    if (!a.name) {
        fprintf(stderr, "%s: an attribute name is needed (-n NAME)\n", cmd);
        rc = HERD_EXIT_USAGE;
        goto out;
    }
    const char *scope = a.lifetime && strcmp(a.lifetime, "forever") == 0 ? "nodes" : "status";
    if (a.del) {
        rc = attr_call(cmd, "attr_delete", scope, a.node, a.name, NULL, a.set, &reply);
    } else if (a.value && !a.query) {
        rc = attr_call(cmd, "attr_set", scope, a.node, a.name, a.value, a.set, &reply);
    } else if (a.query) {
        g_autoptr(GPtrArray) nodes = NULL;
        if (all) {
            nodes = cluster_node_names(cmd, &rc);
            if (rc)
                goto out;
        } else {
            nodes = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(nodes, g_strdup(a.node));
        }
        bool any = false;
        for (guint i = 0; i < nodes->len; i++) {
            g_autoptr(JsonObject) r = NULL;
            int one = attr_call(cmd, "attr_get", scope, g_ptr_array_index(nodes, i), a.name,
                                NULL, a.set, &r);
            if (one == HERD_EXIT_NOSUCH)
                continue;
            if (one) {
                rc = one;
                goto out;
            }
            any = true;
            printf("name=\"%s\" host=\"%s\" value=\"%s\"\n", a.name,
                   json_object_get_string_member(r, "node"),
                   json_object_get_string_member(r, "value"));
        }
        if (!any) {
            fprintf(stderr, "%s: Could not query value of %s: attribute does not exist\n", cmd,
                    a.name);
            rc = HERD_EXIT_NOSUCH;
        }
    } else {
        fprintf(stderr, "%s: give one of -U, -B, -Q, -D or -R\n", cmd);
        rc = HERD_EXIT_USAGE;
    }
out:
    attr_args_clear(&a);
    return rc;
}

/* crm_node: this node's name and id, the members, quorum. */
int cmd_crm_node(int argc, char **argv)
{
    gboolean name = FALSE, id = FALSE, list = FALSE, quorum = FALSE, partition = FALSE,
             verbose = FALSE;
    gint64 name_for_id = -1;
    GOptionEntry entries[] = {
        {"name", 'n', 0, G_OPTION_ARG_NONE, &name, "This node's name", NULL},
        {"cluster-id", 'i', 0, G_OPTION_ARG_NONE, &id, "This node's id", NULL},
        {"list", 'l', 0, G_OPTION_ARG_NONE, &list, "Every member: ID NAME STATE", NULL},
        {"quorum", 'q', 0, G_OPTION_ARG_NONE, &quorum, "1 if this partition has quorum, else 0",
         NULL},
        {"partition", 'p', 0, G_OPTION_ARG_NONE, &partition, "Names of this partition's members",
         NULL},
        {"name-for-id", 'N', 0, G_OPTION_ARG_INT64, &name_for_id, "Name of node ID", "ID"},
        {"verbose", 'V', 0, G_OPTION_ARG_NONE, &verbose, "Ignored", NULL},
        {NULL}};
    int rc = compat_parse(&argc, &argv, entries, NULL, "Show cluster membership (herd).");
    if (rc)
        return rc;
    if (!(name || id || list || quorum || partition || name_for_id >= 0)) {
        fprintf(stderr, "crm_node: give one of -n, -i, -l, -q, -p or -N ID\n");
        return HERD_EXIT_USAGE;
    }
    g_autoptr(JsonObject) req = cli_request("cluster_info");
    g_autoptr(JsonObject) reply = NULL;
    rc = cli_call("crm_node", req, &reply, false);
    if (rc)
        return rc;
    if (name)
        printf("%s\n", json_object_get_string_member(reply, "local_name"));
    if (id)
        printf("%" G_GINT64_FORMAT "\n", json_object_get_int_member(reply, "local_id"));
    if (quorum)
        printf("%d\n", json_object_get_boolean_member(reply, "quorate") ? 1 : 0);
    JsonArray *nodes = json_object_get_array_member(reply, "nodes");
    guint n = nodes ? json_array_get_length(nodes) : 0;
    g_autoptr(GString) part = g_string_new(NULL);
    bool found = false;
    for (guint i = 0; i < n; i++) {
        JsonObject *o = json_array_get_object_element(nodes, i);
        gint64 nid = json_object_get_int_member(o, "id");
        const char *nname = json_object_get_string_member(o, "name");
        bool online = json_object_get_boolean_member(o, "online");
        if (list)
            printf("%" G_GINT64_FORMAT " %s %s\n", nid, nname, online ? "member" : "lost");
        if (online)
            g_string_append_printf(part, "%s%s", part->len ? " " : "", nname);
        if (nid == name_for_id) {
            printf("%s\n", nname);
            found = true;
        }
    }
    if (partition)
        printf("%s\n", part->str);
    if (name_for_id >= 0 && !found) {
        fprintf(stderr, "crm_node: no node with id %" G_GINT64_FORMAT "\n", name_for_id);
        return HERD_EXIT_NOSUCH;
    }
    return 0;
}

/* herd attribute VERB: node attributes (permanent, or transient with
 * -l reboot), cluster properties with -t crm_config, promotion scores with
 * --promotion RSC. */
static int herd_attr(int argc, char **argv, const char *verb)
{
    attr_args_t a = {0};
    GOptionEntry entries[] = {
        {"node", 'N', 0, G_OPTION_ARG_STRING, &a.node, "Node (default: this node)", "NODE"},
        {"lifetime", 'l', 0, G_OPTION_ARG_STRING, &a.lifetime,
         "forever (permanent, the default) or reboot (transient)", "LIFETIME"},
        {"type", 't', 0, G_OPTION_ARG_STRING, &a.type,
         "nodes (default), status, crm_config, rsc_defaults, op_defaults", "TYPE"},
        {"set-name", 's', 0, G_OPTION_ARG_STRING, &a.set, "Attribute set id", "SET"},
        {"default", 'd', 0, G_OPTION_ARG_STRING, &a.deflt, "Value shown when unset", "VALUE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print only the value", NULL},
        {"promotion", 'p', 0, G_OPTION_ARG_STRING, &a.promotion,
         "The promotion score of RESOURCE (master-RESOURCE, transient)", "RESOURCE"},
        {NULL}};
    cli_common_t common;
    bool done;
    const char *params = strcmp(verb, "set") == 0 ? "[NAME] VALUE" : "[NAME]";
    int rc = cli_parse(&argc, &argv, params, "Node attributes through herdd.", entries, &common,
                       &done);
    cli_common_clear(&common);
    if (rc || done)
        goto out;
    int need = (strcmp(verb, "set") == 0 ? 1 : 0) + (a.promotion ? 0 : 1);
    if (argc - 1 != need) {
        rc = cli_usage_error(argv[0], "expected %s%s", a.promotion ? "" : "NAME",
                             strcmp(verb, "set") == 0 ? " VALUE" : "");
        goto out;
    }
    if (!a.promotion)
        a.name = g_strdup(argv[1]);
    if (a.promotion)
        a.promote_flag = TRUE;
    if (strcmp(verb, "set") == 0)
        a.value = g_strdup(argv[argc - 1]);
    else if (strcmp(verb, "delete") == 0)
        a.del = TRUE;
    else
        a.query = TRUE;
    if (!a.type && !a.lifetime)
        a.lifetime = g_strdup(a.promotion ? "reboot" : "forever");
    rc = run_attr(argv[0], &a, "nodes");
out:
    attr_args_clear(&a);
    return rc;
}

static int attr_get(int argc, char **argv)
{
    return herd_attr(argc, argv, "get");
}

static int attr_set(int argc, char **argv)
{
    return herd_attr(argc, argv, "set");
}

static int attr_delete(int argc, char **argv)
{
    return herd_attr(argc, argv, "delete");
}

int cmd_attribute(int argc, char **argv)
{
    static const cli_command_t verbs[] = {
        {"get", "Show an attribute's value", attr_get},
        {"set", "Set an attribute", attr_set},
        {"delete", "Delete an attribute", attr_delete},
        {NULL, NULL, NULL}};
    return cli_dispatch("attribute", verbs, argc, argv);
}
