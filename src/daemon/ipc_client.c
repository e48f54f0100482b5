/* ipc_client.c: the blocking client side of herdd's socket, used by the
 * herd command and the compatibility commands. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "herd_common.h"
#include "herd_daemon.h"

struct herd_ipc_client {
    int fd;
    char *path;
};

herd_ipc_client_t *herd_ipc_client_connect(const char *path, GError **err)
{
    g_autofree char *p = path ? g_strdup(path) : herd_ipc_default_socket();
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(p) >= sizeof(addr.sun_path)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "socket path too long: %s", p);
        return NULL;
    }
    strcpy(addr.sun_path, p);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_OSERR, "socket: %s", g_strerror(errno));
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int e = errno;
        close(fd);
        if (e == EACCES || e == EPERM)
            g_set_error(err, HERD_ERROR, HERD_EXIT_INSUFFICIENT_PRIV,
                        "permission denied connecting to herdd at %s (only root and members of "
                        "the '%s' group may)", p, HERD_IPC_GROUP);
        else
            g_set_error(err, HERD_ERROR, HERD_EXIT_DISCONNECT,
                        "cannot connect to herdd at %s: %s (is herdd running?)", p,
                        g_strerror(e));
        return NULL;
    }
    herd_ipc_client_t *c = g_new0(herd_ipc_client_t, 1);
    c->fd = fd;
    c->path = g_steal_pointer(&p);
    return c;
}

void herd_ipc_client_free(herd_ipc_client_t *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    g_free(c->path);
    g_free(c);
}

static gint64 deadline_left(gint64 deadline)
{
    if (deadline < 0)
        return -1;
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    return left < 0 ? 0 : left;
}

static bool wait_fd(int fd, short events, gint64 deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        gint64 left = deadline_left(deadline);
        int r = poll(&p, 1, left > G_MAXINT ? G_MAXINT : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0;
    }
}

JsonObject *herd_ipc_client_call(herd_ipc_client_t *c, JsonObject *req, int timeout_ms,
                                 GError **err)
{
    gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    gsize len = 0;
    g_autofree char *json = herd_ipc_json_to_string(req, &len);
    g_autoptr(GByteArray) frame = herd_ipc_frame(HERD_IPC_JSON, json, len, err);
    if (!frame)
        return NULL;
    gsize done = 0;
    while (done < frame->len) {
        if (!wait_fd(c->fd, POLLOUT, deadline)) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_TIMEOUT, "timed out sending to herdd");
            return NULL;
        }
        ssize_t w = send(c->fd, frame->data + done, frame->len - done, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w < 0)
            break; /* herdd may have replied (a refusal) before closing: read it */
        done += (gsize)w;
    }
    g_autoptr(GByteArray) in = g_byte_array_new();
    guint8 buf[65536];
    for (;;) {
        guint16 type;
        gsize off, plen;
        g_autoptr(GError) perr = NULL;
        int r = in->len ? herd_ipc_frame_parse(in->data, in->len, &type, &off, &plen, &perr) : 0;
        if (r < 0) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "bad reply from herdd: %s",
                        perr->message);
            return NULL;
        }
        if (r == 1) {
            JsonObject *reply = herd_ipc_parse_json((const char *)in->data + off, plen, &perr);
            if (!reply)
                g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "bad reply from herdd: %s",
                            perr->message);
            return reply;
        }
        if (!wait_fd(c->fd, POLLIN, deadline)) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_TIMEOUT, "timed out waiting for herdd");
            return NULL;
        }
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_DISCONNECT,
                        "herdd closed the connection before replying");
            return NULL;
        }
        g_byte_array_append(in, buf, (guint)n);
    }
}

int herd_ipc_reply_rc(JsonObject *reply, const char **message)
{
    if (message)
        *message = json_object_has_member(reply, "message")
                       ? json_object_get_string_member(reply, "message")
                       : NULL;
    if (!json_object_has_member(reply, "rc"))
        return HERD_EXIT_PROTOCOL;
    return (int)json_object_get_int_member(reply, "rc");
}

JsonObject *herd_ipc_request(const char *path, JsonObject *req, GError **err)
{
    g_autoptr(herd_ipc_client_t) c = herd_ipc_client_connect(path, err);
    if (!c)
        return NULL;
    return herd_ipc_client_call(c, req, 120000, err);
}
