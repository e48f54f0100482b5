/* cluster_local.c: the single-node backend.  This node is the whole
 * cluster (id 1), always quorate; messages to "all" or to node 1 come
 * back to it from the main loop, never re-entrantly. */
#include "herd_common.h"
#include "internal.h"

typedef struct {
    herd_cluster_t *c;
    GQueue pending; /* GBytes * waiting for delivery */
    guint idle;
} local_t;

static gboolean deliver_pending(gpointer data)
{
    local_t *l = data;
    l->idle = 0;
    GBytes *b;
    while ((b = g_queue_pop_head(&l->pending))) {
        gsize len;
        const void *p = g_bytes_get_data(b, &len);
        herd_cluster_deliver(l->c, 1, p, len);
        g_bytes_unref(b);
    }
    return G_SOURCE_REMOVE;
}

static gboolean announce(gpointer data)
{
    local_t *l = data;
    const herd_cluster_node_t *me = herd_cluster_local_node(l->c);
    GPtrArray *nodes = g_ptr_array_new_with_free_func((GDestroyNotify)herd_cluster_node_free);
    g_ptr_array_add(nodes, herd_cluster_node_new(1, me->name, true));
    herd_cluster_set_membership(l->c, nodes, true);
    return deliver_pending(l);
}

static int local_start(herd_cluster_t *c, GError **err)
{
    local_t *l = g_new0(local_t, 1);
    l->c = c;
    g_queue_init(&l->pending);
    herd_cluster_set_priv(c, l);
    herd_cluster_set_local_id(c, 1);
    /* Membership is reported from the loop, like a real join would be. */
    l->idle = g_idle_add(announce, l);
    return 0;
}

static void local_stop(herd_cluster_t *c)
{
    local_t *l = herd_cluster_priv(c);
    if (!l)
        return;
    if (l->idle)
        g_source_remove(l->idle);
    g_queue_clear_full(&l->pending, (GDestroyNotify)g_bytes_unref);
    g_free(l);
    herd_cluster_set_priv(c, NULL);
}

static int local_send(herd_cluster_t *c, guint32 to, const void *data, gsize len, GError **err)
{
    local_t *l = herd_cluster_priv(c);
    if (to != 0 && to != 1) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOHOST, "no node %u in a single-node cluster", to);
        return HERD_EXIT_NOHOST;
    }
    g_queue_push_tail(&l->pending, g_bytes_new(data, len));
    if (!l->idle)
        l->idle = g_idle_add(deliver_pending, l);
    return 0;
}

const herd_cluster_backend_t herd_cluster_backend_local = {
    .name = "local",
    .start = local_start,
    .stop = local_stop,
    .send = local_send,
};
