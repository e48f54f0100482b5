/* ipc.c: the herd command's round trip to herdd. */
#include "cli.h"
#include "herd_daemon.h"

int cli_call(const char *cmd, JsonObject *req, JsonObject **reply, bool quiet_nosuch)
{
    g_autoptr(GError) err = NULL;
    *reply = herd_ipc_request(NULL, req, &err);
    if (!*reply) {
        fprintf(stderr, "%s: %s\n", cmd, err->message);
        return err->domain == HERD_ERROR ? err->code : HERD_EXIT_ERROR;
    }
    const char *msg = NULL;
    int rc = herd_ipc_reply_rc(*reply, &msg);
    if (rc && !(quiet_nosuch && rc == HERD_EXIT_NOSUCH))
        fprintf(stderr, "%s: %s\n", cmd, msg ? msg : herd_exit_description(rc));
    return rc;
}

JsonObject *cli_request(const char *op)
{
    JsonObject *r = json_object_new();
    json_object_set_string_member(r, "op", op);
    return r;
}
