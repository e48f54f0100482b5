/* herd_daemon.h: talking to herdd over its local socket.
 *
 * The protocol: each message is one frame, a 12-byte header then the
 * payload.  Header (network byte order):
 *   bytes 0-3   magic "HERD"
 *   bytes 4-5   protocol version (HERD_IPC_VERSION)
 *   bytes 6-7   payload type (HERD_IPC_JSON; the only one today)
 *   bytes 8-11  payload length, at most HERD_IPC_MAX_PAYLOAD
 * The payload is one JSON object.  A request has "op" (a string) and its
 * arguments; the reply has "rc" (an exit status), "message" on failure,
 * and the operation's results.  XML travels as JSON strings.  A frame with
 * a bad magic, an unknown version or type, an oversized length or a
 * payload that is not a JSON object closes that connection (after an
 * error reply when one can be framed); the daemon carries on.
 *
 * Only root and members of the group HERD_IPC_GROUP may talk to herdd:
 * the daemon checks the peer's credentials (SO_PEERCRED) and refuses the
 * others with a reply saying why.
 */
#ifndef HERD_DAEMON_H
#define HERD_DAEMON_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <sys/types.h>

#define HERD_IPC_MAGIC "HERD"
#define HERD_IPC_VERSION 1
#define HERD_IPC_JSON 1
#define HERD_IPC_HEADER_SIZE 12
#define HERD_IPC_MAX_PAYLOAD (64u * 1024u * 1024u)
#define HERD_IPC_GROUP "haclient"
/* Environment variable naming the socket (herdd exports it to agents). */
#define HERD_IPC_SOCKET_ENV "HERD_SOCKET"

/* Who is at the other end of a connection. */
typedef struct {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} herd_ipc_peer_t;

/* The default socket path: $HERD_SOCKET when set, else the build's
 * runtime directory.  Owned string. */
char *herd_ipc_default_socket(void);

/* Frame `payload` (`len` bytes) of `type` into a new byte array (owned).
 * Returns NULL (with `err`) if the payload is larger than the maximum. */
GByteArray *herd_ipc_frame(guint16 type, const void *payload, gsize len, GError **err);

/* Look for one whole frame at the start of `buf` (`len` bytes).  Returns
 * 1 with *type, *payload_off (always the header size) and *payload_len set
 * when a whole frame is there; 0 when more bytes are needed; -1 with `err`
 * (HERD_EXIT_PROTOCOL) for a frame that can never be valid (bad magic,
 * version, type, or a length above the maximum), decided as soon as the
 * header is in. */
int herd_ipc_frame_parse(const guint8 *buf, gsize len, guint16 *type, gsize *payload_off,
                         gsize *payload_len, GError **err);

/* Parse a JSON payload that must be an object; owned result, or NULL with
 * `err` (HERD_EXIT_PROTOCOL). */
JsonObject *herd_ipc_parse_json(const char *data, gsize len, GError **err);

/* Serialise a JSON object to a compact string (owned). */
char *herd_ipc_json_to_string(JsonObject *obj, gsize *len);

/* ---- CIB validation: the gate every write passes (cib_validate.c) ---- */

/* A further check run after the built-in structural one; the scheduler's
 * RelaxNG schema plugs in here (herd_store_set_schema_validator).  Returns 0,
 * or non-zero with `err` set (HERD_ERROR, HERD_EXIT_CONFIG). */
typedef int (*herd_store_validator_fn)(xmlDoc *doc, GError **err);

/* Install (or with NULL remove) the schema validator called by
 * herd_store_validate after the structural checks.
 * NOTE for the scheduler engineer: plug the RelaxNG validation for the
 * document's validate-with here (xmlRelaxNGValidateDoc); nothing else in
 * the daemon needs to change. */
void herd_store_set_schema_validator(herd_store_validator_fn fn);

/* Check that `doc` is a CIB herd may store: a <cib> root, version
 * attributes that are non-negative integers, <configuration> with
 * <crm_config>, <nodes>, <resources> and <constraints>, a <status>, and
 * unique ids inside <configuration>; then the schema validator if one is
 * installed.  Returns 0, or HERD_EXIT_CONFIG with `err` saying what and
 * where (element path, line when known). */
int herd_store_validate(xmlDoc *doc, GError **err);

/* Parse XML text into a document with clear errors ("line N: ...").
 * `what` names the source in messages ("cib.xml", "request").  Returns the
 * owned document, or NULL with `err` set (HERD_EXIT_DATAERR). */
xmlDoc *herd_store_parse(const char *text, gsize len, const char *what, GError **err);

/* ---- client ------------------------------------------------------------- */

typedef struct herd_ipc_client herd_ipc_client_t;

/* Connect to herdd at `path` (NULL: herd_ipc_default_socket()).  Returns
 * the owned client, or NULL with `err` (HERD_EXIT_DISCONNECT when herdd is
 * not running there, with the path in the message). */
herd_ipc_client_t *herd_ipc_client_connect(const char *path, GError **err);

/* Close and free a client. */
void herd_ipc_client_free(herd_ipc_client_t *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_ipc_client_t, herd_ipc_client_free)

/* Send request `req` and wait (up to `timeout_ms`, -1 for ever) for the
 * reply.  Returns the owned reply object, or NULL with `err` when the
 * exchange failed (connection closed, timeout, protocol error).  The
 * operation's own status is the reply's "rc" member: see
 * herd_ipc_reply_rc. */
JsonObject *herd_ipc_client_call(herd_ipc_client_t *c, JsonObject *req, int timeout_ms,
                                 GError **err);

/* The "rc" of a reply (HERD_EXIT_PROTOCOL if missing) and its message
 * (borrowed, NULL if none). */
int herd_ipc_reply_rc(JsonObject *reply, const char **message);

/* Connect, call once, disconnect: the usual CLI round trip.  Returns the
 * owned reply or NULL with `err`. */
JsonObject *herd_ipc_request(const char *path, JsonObject *req, GError **err);

#endif
