/* cluster.c: the backend table and what every backend shares. */
#include <string.h>
#include <sys/utsname.h>

#include "herd_cluster.h"
#include "herd_common.h"
#include "internal.h"

struct herd_cluster {
    const herd_cluster_backend_t *backend;
    herd_cluster_callbacks_t cb;
    void *user;
    void *priv;
    herd_cluster_node_t *local;
    GPtrArray *nodes;
    bool quorate;
    bool started;
};

static const herd_cluster_backend_t *const backends[] = {
    &herd_cluster_backend_local,
    &herd_cluster_backend_corosync,
};

const char *const *herd_cluster_backend_names(void)
{
    static const char *names[G_N_ELEMENTS(backends) + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++)
        names[i] = backends[i]->name;
    return names;
}

herd_cluster_node_t *herd_cluster_node_new(guint32 id, const char *name, bool online)
{
    herd_cluster_node_t *n = g_new0(herd_cluster_node_t, 1);
    n->id = id;
    n->name = g_strdup(name);
    n->online = online;
    return n;
}

void herd_cluster_node_free(herd_cluster_node_t *n)
{
    if (!n)
        return;
    g_free(n->name);
    g_free(n);
}

herd_cluster_t *herd_cluster_new(const char *backend, const char *node_name,
                                 const herd_cluster_callbacks_t *cb, void *user, GError **err)
{
    const char *want = backend ? backend : "local";
    const herd_cluster_backend_t *be = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++)
        if (strcmp(backends[i]->name, want) == 0)
            be = backends[i];
    if (!be) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG,
                    "unknown cluster backend '%s' (known: local, corosync)", want);
        return NULL;
    }
    herd_cluster_t *c = g_new0(herd_cluster_t, 1);
    c->backend = be;
    if (cb)
        c->cb = *cb;
    c->user = user;
    struct utsname u;
    const char *name = node_name;
    if (!name || !*name)
        name = uname(&u) == 0 ? u.nodename : "localhost";
    c->local = herd_cluster_node_new(0, name, true);
    c->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)herd_cluster_node_free);
    return c;
}

int herd_cluster_start(herd_cluster_t *c, GError **err)
{
    int rc = c->backend->start(c, err);
    c->started = rc == 0;
    return rc;
}

void herd_cluster_free(herd_cluster_t *c)
{
    if (!c)
        return;
    if (c->started)
        c->backend->stop(c);
    g_ptr_array_unref(c->nodes);
    herd_cluster_node_free(c->local);
    g_free(c);
}

int herd_cluster_send(herd_cluster_t *c, guint32 to, const void *data, gsize len, GError **err)
{
    return c->backend->send(c, to, data, len, err);
}

const herd_cluster_node_t *herd_cluster_local_node(herd_cluster_t *c)
{
    return c->local;
}

GPtrArray *herd_cluster_nodes(herd_cluster_t *c)
{
    return c->nodes;
}

bool herd_cluster_has_quorum(herd_cluster_t *c)
{
    return c->quorate;
}

const char *herd_cluster_backend_name(herd_cluster_t *c)
{
    return c->backend->name;
}

void *herd_cluster_priv(herd_cluster_t *c)
{
    return c->priv;
}

void herd_cluster_set_priv(herd_cluster_t *c, void *priv)
{
    c->priv = priv;
}

/* Backends learn this node's id when they join (corosync's nodeid). */
void herd_cluster_set_local_id(herd_cluster_t *c, guint32 id)
{
    c->local->id = id;
}

void herd_cluster_set_membership(herd_cluster_t *c, GPtrArray *nodes, bool quorate)
{
    g_ptr_array_unref(c->nodes);
    c->nodes = nodes;
    c->quorate = quorate;
    if (c->cb.membership)
        c->cb.membership(c, c->nodes, quorate, c->user);
}

void herd_cluster_deliver(herd_cluster_t *c, guint32 from, const void *data, gsize len)
{
    const herd_cluster_node_t *sender = NULL;
    for (guint i = 0; i < c->nodes->len; i++) {
        herd_cluster_node_t *n = g_ptr_array_index(c->nodes, i);
        if (n->id == from)
            sender = n;
    }
    if (!sender) {
        herd_warn("message from unknown node %u ignored", from);
        return;
    }
    if (c->cb.message)
        c->cb.message(c, sender, data, len, c->user);
}
