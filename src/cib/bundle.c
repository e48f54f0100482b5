/* bundle.c: a bundle expanded into the resources Pacemaker makes for it.
 *
 * A <bundle> NAME with N replicas runs, for replica i (0 <= i < N):
 *   - NAME-ip-ADDR (ocf:heartbeat:IPaddr2) when the network gives an
 *     ip-range-start, ADDR being that address plus i;
 *   - the container NAME-docker-i, NAME-podman-i or NAME-rkt-i
 *     (ocf:heartbeat:docker, podman or rkt);
 *   - when the bundle holds a primitive, the connection NAME-i
 *     (ocf:pacemaker:remote) to the guest node NAME-i that lives inside the
 *     container.
 * The primitive itself becomes an implicit clone NAME-clone (NAME-master
 * when the bundle is promotable) whose
 * instance i runs on the guest node NAME-i.  This file makes those
 * resources (flagged implicit, with the bundle as parent so that its meta
 * attributes reach them) and the guest nodes, after the resources are
 * parsed and before the constraints and the status are read, so that both
 * can name them.  The bundle keeps its child primitive in `children` (the
 * display shows it); the arrays bundle_ips, bundle_containers and
 * bundle_conns point at the replicas' parts.
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "herd_cib.h"
#include "internal.h"

static herd_cib_rsc_t *part(herd_cib_t *cib, herd_cib_rsc_t *b, char *id, const char *provider,
                            const char *type, int replica)
{
    herd_cib_rsc_t *r = herd_cib_implicit_primitive(id, provider, type, b->line);
    r->parent = b;
    r->bundle_of = b;
    r->replica = replica;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, b->meta);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_hash_table_insert(r->meta, g_strdup(k), g_strdup(v));
    r->index = (int) cib->all_rscs->len;
    g_ptr_array_add(cib->all_rscs, r);
    if (!g_hash_table_contains(cib->rsc_by_id, r->id))
        g_hash_table_insert(cib->rsc_by_id, r->id, r);
    return r;
}

/* Add an op to an implicit resource (here and remote.c's guest
 * connections); r->ops must free with herd_cib_op_free. */
void herd_cib_add_op(herd_cib_rsc_t *r, const char *name, guint64 interval_ms, guint64 timeout_ms)
{
    herd_cib_op_t *o = g_new0(herd_cib_op_t, 1);
    o->id = g_strdup_printf("%s-%s-%" G_GUINT64_FORMAT, r->id, name, interval_ms / 1000);
    o->name = g_strdup(name);
    o->interval_ms = interval_ms;
    o->timeout_ms = timeout_ms;
    o->enabled = true;
    g_ptr_array_add(r->ops, o);
}

static void param(herd_cib_rsc_t *r, const char *k, const char *v)
{
    if (v)
        g_hash_table_replace(r->params, g_strdup(k), g_strdup(v));
}

/* The address of replica i: ip-range-start plus i (IPv4 or IPv6); NULL
 * when the start cannot be read. */
static char *replica_address(const char *start, int i)
{
    struct in_addr a4;
    struct in6_addr a6;
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, start, &a4) == 1) {
        a4.s_addr = htonl(ntohl(a4.s_addr) + (guint32) i);
        return g_strdup(inet_ntop(AF_INET, &a4, buf, sizeof buf));
    }
    if (inet_pton(AF_INET6, start, &a6) == 1) {
        unsigned carry = (unsigned) i;
        for (int k = 15; k >= 0 && carry; k--) {
            unsigned x = a6.s6_addr[k] + carry;
            a6.s6_addr[k] = (unsigned char) (x & 0xff);
            carry = x >> 8;
        }
        return g_strdup(inet_ntop(AF_INET6, &a6, buf, sizeof buf));
    }
    return NULL;
}

static void expand(herd_cib_t *cib, herd_cib_rsc_t *b)
{
    herd_cib_rsc_t *child = b->children->len ? b->children->pdata[0] : NULL;
    int n = b->replicas > 0 ? b->replicas : 1;
    b->bundle_ips = g_ptr_array_new();
    b->bundle_containers = g_ptr_array_new();
    b->bundle_conns = g_ptr_array_new();
    const char *ctype = b->container_type ? b->container_type : "docker";
    if (child) {
        /* the implicit clone holding the child */
        /* NAME-master when promotable (Pacemaker's name), else NAME-clone */
        herd_cib_rsc_t *c = part(cib, b, g_strdup_printf("%s-%s", b->id,
                                                         b->promotable ? "master" : "clone"),
                                 NULL, NULL, -1);
        g_clear_pointer(&c->klass, g_free);
        c->kind = HERD_RSC_CLONE;
        c->replica = -1;
        g_ptr_array_add(c->children, child);
        child->parent = c;
        child->bundle_of = b;
        child->replica = -1;
        c->clone_max = n;
        c->clone_node_max = b->replicas_per_host > 0 ? b->replicas_per_host : 1;
        c->unique = b->replicas_per_host > 1;
        c->ordered = true;
        c->notify = child->notify;
        c->interleave = false;
        c->promotable = b->promotable;
        c->promoted_max = b->promoted_max;
        c->promoted_node_max = 1;
        g_hash_table_replace(c->meta, g_strdup("clone-max"), g_strdup_printf("%d", n));
        g_hash_table_replace(c->meta, g_strdup("clone-node-max"),
                             g_strdup_printf("%d", c->clone_node_max));
        g_hash_table_replace(c->meta, g_strdup("globally-unique"),
                             g_strdup(c->unique ? "true" : "false"));
        if (b->promotable) {
            g_hash_table_replace(c->meta, g_strdup("promotable"), g_strdup("true"));
            g_hash_table_replace(c->meta, g_strdup("promoted-max"),
                                 g_strdup_printf("%d", b->promoted_max));
        }
        b->bundle_clone = c;
    }
    const char *nic = g_hash_table_lookup(b->bundle_attrs, "host-interface");
    const char *mask = g_hash_table_lookup(b->bundle_attrs, "host-netmask");
    for (int i = 0; i < n; i++) {
        herd_cib_rsc_t *ip = NULL, *conn = NULL;
        g_autofree char *addr = b->ip_range_start ? replica_address(b->ip_range_start, i) : NULL;
        if (addr) {
            ip = part(cib, b, g_strdup_printf("%s-ip-%s", b->id, addr), "heartbeat", "IPaddr2", i);
            param(ip, "ip", addr);
            param(ip, "nic", nic);
            param(ip, "cidr_netmask", mask ? mask : "32");
            herd_cib_add_op(ip, "monitor", 60000, 20000);
        }
        herd_cib_rsc_t *cont = part(cib, b, g_strdup_printf("%s-%s-%d", b->id, ctype, i),
                                    "heartbeat", ctype, i);
        param(cont, "image", b->image);
        herd_cib_add_op(cont, "monitor", 60000, 20000);
        if (child) {
            g_autofree char *node = g_strdup_printf("%s-%d", b->id, i);
            conn = part(cib, b, g_strdup(node), "pacemaker", "remote", i);
            conn->remote_node = g_strdup(node);
            conn->container = cont;
            cont->guest_node = g_strdup(node);
            g_hash_table_replace(conn->meta, g_strdup("container"), g_strdup(cont->id));
            g_hash_table_replace(conn->meta, g_strdup("internal"), g_strdup("true"));
            param(conn, "addr", node);
            g_autofree char *port = g_strdup_printf("%d", b->control_port ? b->control_port : 3121);
            param(conn, "port", port);
            herd_cib_add_op(conn, "monitor", 30000, 30000);
            herd_cib_node_t *nd = herd_cib_node(cib, node);
            if (!nd)
                nd = herd_cib_add_node(cib, node, node, HERD_NODE_GUEST);
            if (nd->kind != HERD_NODE_MEMBER) {
                nd->kind = HERD_NODE_GUEST;
                g_free(nd->container_id);
                nd->container_id = g_strdup(cont->id);
            }
        }
        g_ptr_array_add(b->bundle_ips, ip);
        g_ptr_array_add(b->bundle_containers, cont);
        g_ptr_array_add(b->bundle_conns, conn);
    }
}

/* Expand every bundle of the model; see the header comment.  Never fails. */
void herd_cib_expand_bundles(herd_cib_t *cib)
{
    guint n = cib->resources->len;
    for (guint i = 0; i < n; i++) {
        herd_cib_rsc_t *r = cib->resources->pdata[i];
        if (r->kind == HERD_RSC_BUNDLE)
            expand(cib, r);
    }
}
