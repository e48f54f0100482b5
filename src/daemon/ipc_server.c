/* ipc_server.c: herdd's listening socket.  Each connection is read
 * without blocking, split into frames (herd_daemon.h), and each request
 * answered in order on the main loop, which is what serialises writers.
 * A peer that is not root or in the haclient group gets one refusal reply
 * and is closed; a malformed or oversized frame closes that connection
 * only. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

struct herd_ipc_server {
    herdd_t *d;
    int fd;
    guint watch;
    char *path;
    GHashTable *conns; /* conn_t * set */
};

typedef struct {
    herd_ipc_server_t *srv;
    int fd;
    guint watch;
    GIOCondition cond;
    GByteArray *in;
    GByteArray *out;
    herd_ipc_peer_t peer;
    bool closing; /* refused or broken: after `out`, shut down writes, drain */
    bool shut;    /* our side is shut down for writing */
    gsize drained;
    guint linger; /* timer closing a refused connection the peer keeps open */
} conn_t;

/* A refused or broken connection is closed once the peer has read our
 * reply and hung up, or after this much input or time, whichever first:
 * closing at once, with its request unread, would make the peer's socket
 * report ECONNRESET instead of the reason. */
#define DRAIN_MAX (1024 * 1024)
#define LINGER_SECONDS 5

static gboolean conn_ready(gint fd, GIOCondition cond, gpointer data);

static void conn_free(conn_t *c)
{
    if (c->watch)
        g_source_remove(c->watch);
    if (c->linger)
        g_source_remove(c->linger);
    close(c->fd);
    g_byte_array_unref(c->in);
    g_byte_array_unref(c->out);
    g_free(c);
}

static void conn_close(conn_t *c)
{
    herd_debug("client pid %d: connection closed", (int)c->peer.pid);
    g_hash_table_remove(c->srv->conns, c); /* frees it */
}

static void conn_watch(conn_t *c)
{
    GIOCondition want = G_IO_IN | (c->out->len ? G_IO_OUT : 0);
    if (c->watch && want == c->cond)
        return;
    if (c->watch)
        g_source_remove(c->watch);
    c->watch = 0;
    c->cond = want;
    if (want)
        c->watch = g_unix_fd_add(c->fd, want, conn_ready, c);
}

static void conn_send(conn_t *c, JsonObject *reply)
{
    gsize len;
    g_autofree char *json = herd_ipc_json_to_string(reply, &len);
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) f = herd_ipc_frame(HERD_IPC_JSON, json, len, &err);
    if (!f) {
        herd_err("reply to pid %d not sent: %s", (int)c->peer.pid, err->message);
        g_autoptr(JsonObject) e = json_object_new();
        json_object_set_int_member(e, "rc", HERD_EXIT_ERROR);
        json_object_set_string_member(e, "message", err->message);
        g_autofree char *ej = herd_ipc_json_to_string(e, &len);
        f = herd_ipc_frame(HERD_IPC_JSON, ej, len, NULL);
    }
    g_byte_array_append(c->out, f->data, f->len);
}

static void conn_send_error(conn_t *c, int rc, const char *msg)
{
    g_autoptr(JsonObject) r = json_object_new();
    json_object_set_int_member(r, "rc", rc);
    json_object_set_string_member(r, "message", msg);
    conn_send(c, r);
}

static gboolean conn_linger_done(gpointer data)
{
    conn_t *c = data;
    c->linger = 0;
    conn_close(c);
    return G_SOURCE_REMOVE;
}

/* Returns false when the connection must be closed now. */
static bool conn_flush(conn_t *c)
{
    while (c->out->len) {
        ssize_t w = send(c->fd, c->out->data, c->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (w < 0)
            return false;
        g_byte_array_remove_range(c->out, 0, (guint)w);
    }
    if (c->closing && !c->shut) {
        shutdown(c->fd, SHUT_WR);
        c->shut = true;
        c->linger = g_timeout_add_seconds(LINGER_SECONDS, conn_linger_done, c);
    }
    return true;
}

static void conn_protocol_error(conn_t *c, const char *msg)
{
    herd_warn("client pid %d (uid %u): %s; closing that connection", (int)c->peer.pid,
              (unsigned)c->peer.uid, msg);
    g_autofree char *m = g_strdup_printf("protocol error: %s", msg);
    conn_send_error(c, HERD_EXIT_PROTOCOL, m);
    c->closing = true;
    g_byte_array_set_size(c->in, 0);
}

static void conn_handle_input(conn_t *c)
{
    while (!c->closing && c->in->len) {
        guint16 type;
        gsize off, len;
        g_autoptr(GError) err = NULL;
        int r = herd_ipc_frame_parse(c->in->data, c->in->len, &type, &off, &len, &err);
        if (r == 0)
            return;
        if (r < 0) {
            conn_protocol_error(c, err->message);
            return;
        }
        g_autoptr(JsonObject) req = herd_ipc_parse_json((const char *)c->in->data + off, len, &err);
        g_byte_array_remove_range(c->in, 0, (guint)(off + len));
        if (!req) {
            conn_protocol_error(c, err->message);
            return;
        }
        g_autoptr(JsonObject) reply = herdd_dispatch(c->srv->d, req, &c->peer);
        conn_send(c, reply);
    }
}

static gboolean conn_ready(gint fd, GIOCondition cond, gpointer data)
{
    conn_t *c = data;
    if (cond & G_IO_IN) {
        guint8 buf[65536];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return G_SOURCE_CONTINUE;
        if (n <= 0) {
            c->watch = 0;
            conn_close(c);
            return G_SOURCE_REMOVE;
        }
        if (c->closing) {
            c->drained += (gsize)n;
            if (c->drained > DRAIN_MAX) {
                c->watch = 0;
                conn_close(c);
                return G_SOURCE_REMOVE;
            }
        } else {
            g_byte_array_append(c->in, buf, (guint)n);
            conn_handle_input(c);
        }
    } else if (cond & (G_IO_HUP | G_IO_ERR)) {
        c->watch = 0;
        conn_close(c);
        return G_SOURCE_REMOVE;
    }
    if (!conn_flush(c)) {
        c->watch = 0;
        conn_close(c);
        return G_SOURCE_REMOVE;
    }
    /* conn_watch may replace this source: tell GLib to drop it then. */
    guint before = c->watch;
    conn_watch(c);
    return c->watch == before ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Root, or a member (primary or supplementary) of the haclient group. */
static bool peer_allowed(const herd_ipc_peer_t *p, char **why)
{
    if (p->uid == 0)
        return true;
    struct group *g = getgrnam(HERD_IPC_GROUP);
    struct passwd *pw = getpwuid(p->uid);
    g_autofree char *user = pw ? g_strdup(pw->pw_name) : g_strdup_printf("uid %u", p->uid);
    if (g) {
        gid_t want = g->gr_gid;
        if (p->gid == want)
            return true;
        if (pw) {
            int n = 64;
            g_autofree gid_t *groups = g_new(gid_t, n);
            if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
                groups = g_renew(gid_t, groups, n);
                getgrouplist(pw->pw_name, pw->pw_gid, groups, &n);
            }
            for (int i = 0; i < n; i++)
                if (groups[i] == want)
                    return true;
        }
    }
    *why = g_strdup_printf("permission denied: user %s (uid %u) may not use herdd; only root "
                           "and members of the '%s' group may",
                           user, (unsigned)p->uid, HERD_IPC_GROUP);
    return false;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
    herd_ipc_server_t *srv = data;
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
        if (errno != EAGAIN && errno != EINTR)
            herd_warn("accept on %s: %s", srv->path, g_strerror(errno));
        return G_SOURCE_CONTINUE;
    }
    conn_t *c = g_new0(conn_t, 1);
    c->srv = srv;
    c->fd = cfd;
    c->in = g_byte_array_new();
    c->out = g_byte_array_new();
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        herd_warn("cannot read a client's credentials: %s", g_strerror(errno));
        conn_free(c);
        return G_SOURCE_CONTINUE;
    }
    c->peer.pid = cred.pid;
    c->peer.uid = cred.uid;
    c->peer.gid = cred.gid;
    g_hash_table_add(srv->conns, c);
    g_autofree char *why = NULL;
    if (!peer_allowed(&c->peer, &why)) {
        herd_warn("refused client pid %d: %s", (int)cred.pid, why);
        conn_send_error(c, HERD_EXIT_INSUFFICIENT_PRIV, why);
        c->closing = true;
        if (!conn_flush(c)) {
            conn_close(c);
            return G_SOURCE_CONTINUE;
        }
    }
    herd_debug("client pid %d uid %u connected", (int)cred.pid, (unsigned)cred.uid);
    conn_watch(c);
    return G_SOURCE_CONTINUE;
}

herd_ipc_server_t *herd_ipc_server_new(herdd_t *d, const char *path, GError **err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "socket path too long: %s", path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    g_autofree char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0755);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_OSERR, "socket: %s", g_strerror(errno));
        return NULL;
    }
    /* A socket left by a killed herdd: the state lock says we own it now. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
        int e = errno;
        close(fd);
        g_set_error(err, HERD_ERROR, HERD_EXIT_CANTCREATE, "cannot listen on %s: %s", path,
                    g_strerror(e));
        return NULL;
    }
    /* Everyone may connect; who may talk is decided by SO_PEERCRED, so
     * that refused users get a reply saying why. */
    chmod(path, 0666);
    herd_ipc_server_t *srv = g_new0(herd_ipc_server_t, 1);
    srv->d = d;
    srv->fd = fd;
    srv->path = g_strdup(path);
    srv->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, (GDestroyNotify)conn_free,
                                       NULL);
    srv->watch = g_unix_fd_add(fd, G_IO_IN, on_accept, srv);
    return srv;
}

void herd_ipc_server_free(herd_ipc_server_t *srv)
{
    if (!srv)
        return;
    g_source_remove(srv->watch);
    g_hash_table_destroy(srv->conns);
    close(srv->fd);
    unlink(srv->path);
    g_free(srv->path);
    g_free(srv);
}
