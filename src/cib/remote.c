/* remote.c: remote and guest nodes in the model.
 *
 * Pacemaker Remote nodes are not listed as cluster members: each
 * ocf:pacemaker:remote primitive creates a node named after the resource,
 * and each primitive with the meta attribute remote-node=NAME (a VM or a
 * container) creates a guest node NAME reached through an implicit
 * connection resource NAME (ocf:pacemaker:remote) that runs where the
 * container runs.  This file adds those nodes and implicit resources after
 * the resources are parsed and before the constraints and the status are
 * read, so that both can refer to them.
 */
#include <string.h>

#include "herd_cib.h"
#include "internal.h"

static bool is_remote_agent(const herd_cib_rsc_t *r)
{
    return r->kind == HERD_RSC_PRIMITIVE && r->klass && !strcmp(r->klass, "ocf") &&
           r->provider && !strcmp(r->provider, "pacemaker") && r->type &&
           !strcmp(r->type, "remote");
}

static void set_if(GHashTable *t, const char *k, const char *v)
{
    if (v)
        g_hash_table_replace(t, g_strdup(k), g_strdup(v));
}

/* The implicit connection resource of a guest node. */
static herd_cib_rsc_t *guest_connection(herd_cib_t *cib, herd_cib_rsc_t *container,
                                        const char *name)
{
    herd_cib_rsc_t *r = herd_cib_implicit_primitive(g_strdup(name), "pacemaker", "remote",
                                                    container->line);
    herd_cib_add_op(r, "monitor", 30000, 30000);   /* Pacemaker's default */
    r->container = container;
    r->remote_node = g_strdup(name);
    g_hash_table_replace(r->meta, g_strdup("container"), g_strdup(container->id));
    g_hash_table_replace(r->meta, g_strdup("internal"), g_strdup("true"));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, cib->rsc_defaults);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!g_hash_table_contains(r->meta, k))
            g_hash_table_insert(r->meta, g_strdup(k), g_strdup(v));
    const char *addr = g_hash_table_lookup(container->meta, "remote-addr");
    set_if(r->params, "addr", addr ? addr : name);
    set_if(r->params, "port", g_hash_table_lookup(container->meta, "remote-port"));
    return r;
}

/* Create the remote and guest nodes and the guests' connection resources;
 * see the header comment.  Never fails: a name already used by a cluster
 * node keeps that node. */
void herd_cib_expand_remote(herd_cib_t *cib)
{
    guint n = cib->all_rscs->len;
    for (guint i = 0; i < n; i++) {
        herd_cib_rsc_t *r = cib->all_rscs->pdata[i];
        if (r->bundle_of)
            continue;   /* a bundle's parts: bundle.c made its nodes */
        if (is_remote_agent(r)) {
            r->remote_node = g_strdup(r->id);
            /* connections migrate unless told otherwise */
            if (!g_hash_table_contains(r->meta, "allow-migrate"))
                g_hash_table_insert(r->meta, g_strdup("allow-migrate"), g_strdup("true"));
            herd_cib_node_t *nd = herd_cib_node(cib, r->id);
            if (!nd)
                nd = herd_cib_add_node(cib, r->id, r->id, HERD_NODE_REMOTE);
            if (nd->kind == HERD_NODE_MEMBER)
                continue;
            nd->kind = HERD_NODE_REMOTE;
            g_free(nd->container_id);
            nd->container_id = g_strdup(r->id);
            continue;
        }
        const char *guest = r->kind == HERD_RSC_PRIMITIVE ? g_hash_table_lookup(r->meta, "remote-node")
                                                          : NULL;
        if (!guest || !*guest || herd_cib_rsc(cib, guest))
            continue;
        herd_cib_node_t *nd = herd_cib_node(cib, guest);
        if (nd && nd->kind == HERD_NODE_MEMBER)
            continue;
        if (!nd)
            nd = herd_cib_add_node(cib, guest, guest, HERD_NODE_GUEST);
        nd->kind = HERD_NODE_GUEST;
        g_free(nd->container_id);
        nd->container_id = g_strdup(r->id);
        r->guest_node = g_strdup(guest);
        herd_cib_rsc_t *c = guest_connection(cib, r, guest);
        c->index = (int) cib->all_rscs->len;
        g_ptr_array_add(cib->all_rscs, c);
        g_ptr_array_add(cib->resources, c);
        g_hash_table_insert(cib->rsc_by_id, c->id, c);
        /* the connection runs with its container, after it */
        herd_colocation_t *co = g_new0(herd_colocation_t, 1);
        co->id = g_strdup_printf("%s-with-%s", c->id, r->id);
        co->rsc = g_strdup(c->id);
        co->with_rsc = g_strdup(r->id);
        co->score = HERD_SCORE_INFINITY;
        co->influence = true;
        co->influence_set = true;
        g_ptr_array_add(cib->colocations, co);
        herd_order_t *o = g_new0(herd_order_t, 1);
        o->id = g_strdup_printf("%s-after-%s", c->id, r->id);
        o->first = g_strdup(r->id);
        o->then = g_strdup(c->id);
        o->kind = HERD_ORDER_MANDATORY;
        o->symmetrical = true;
        g_ptr_array_add(cib->orders, o);
    }
}
