/* ipc_frame.c: the framing of herdd's protocol (see herd_daemon.h), shared
 * by the daemon and its clients. */
#include <string.h>

#include "herd_common.h"
#include "herd_daemon.h"

char *herd_ipc_default_socket(void)
{
    const char *env = g_getenv(HERD_IPC_SOCKET_ENV);
    if (env && *env)
        return g_strdup(env);
    return g_strdup("/run/herd/herdd.sock");
}

GByteArray *herd_ipc_frame(guint16 type, const void *payload, gsize len, GError **err)
{
    if (len > HERD_IPC_MAX_PAYLOAD) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL,
                    "message of %" G_GSIZE_FORMAT " bytes is larger than the maximum (%u)", len,
                    HERD_IPC_MAX_PAYLOAD);
        return NULL;
    }
    guint8 h[HERD_IPC_HEADER_SIZE];
    memcpy(h, HERD_IPC_MAGIC, 4);
    h[4] = HERD_IPC_VERSION >> 8;
    h[5] = HERD_IPC_VERSION & 0xff;
    h[6] = (guint8)(type >> 8);
    h[7] = (guint8)(type & 0xff);
    guint32 l = (guint32)len;
    h[8] = (guint8)(l >> 24);
    h[9] = (guint8)(l >> 16);
    h[10] = (guint8)(l >> 8);
    h[11] = (guint8)l;
    GByteArray *out = g_byte_array_sized_new((guint)(HERD_IPC_HEADER_SIZE + len));
    g_byte_array_append(out, h, sizeof(h));
    if (len)
        g_byte_array_append(out, payload, (guint)len);
    return out;
}

int herd_ipc_frame_parse(const guint8 *buf, gsize len, guint16 *type, gsize *payload_off,
                         gsize *payload_len, GError **err)
{
    /* Judge the magic as soon as its first bytes arrive. */
    gsize m = len < 4 ? len : 4;
    if (memcmp(buf, HERD_IPC_MAGIC, m) != 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "not a herd message (bad magic)");
        return -1;
    }
    if (len < HERD_IPC_HEADER_SIZE)
        return 0;
    guint16 version = (guint16)(buf[4] << 8 | buf[5]);
    guint16 t = (guint16)(buf[6] << 8 | buf[7]);
    guint32 l = (guint32)buf[8] << 24 | (guint32)buf[9] << 16 | (guint32)buf[10] << 8 | buf[11];
    if (version != HERD_IPC_VERSION) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL,
                    "protocol version %u is not supported (this side speaks %u)", version,
                    HERD_IPC_VERSION);
        return -1;
    }
    if (t != HERD_IPC_JSON) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "unknown payload type %u", t);
        return -1;
    }
    if (l > HERD_IPC_MAX_PAYLOAD) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL,
                    "message of %u bytes is larger than the maximum (%u)", l,
                    HERD_IPC_MAX_PAYLOAD);
        return -1;
    }
    if (len - HERD_IPC_HEADER_SIZE < l)
        return 0;
    *type = t;
    *payload_off = HERD_IPC_HEADER_SIZE;
    *payload_len = l;
    return 1;
}

JsonObject *herd_ipc_parse_json(const char *data, gsize len, GError **err)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) perr = NULL;
    if (len > G_MAXSSIZE || !json_parser_load_from_data(p, data, (gssize)len, &perr)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "malformed JSON payload: %s",
                    perr ? perr->message : "too large");
        return NULL;
    }
    JsonNode *root = json_parser_get_root(p);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_PROTOCOL, "the payload is not a JSON object");
        return NULL;
    }
    return json_object_ref(json_node_get_object(root));
}

char *herd_ipc_json_to_string(JsonObject *obj, gsize *len)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(node, obj);
    g_autoptr(JsonGenerator) g = json_generator_new();
    json_generator_set_root(g, node);
    return json_generator_to_data(g, len);
}
