/* dispatch.c: one request in, one reply out.  Every write works on a copy
 * of the CIB and goes through herd_store_commit (validation, version,
 * atomic write); on any refusal the CIB stays exactly as it was.  Requests
 * run one at a time on the main loop, so concurrent writers are
 * serialised and none of their updates is lost. */
#include <string.h>

#include "internal.h"

static const char *str_arg(JsonObject *req, const char *name)
{
    if (!json_object_has_member(req, name))
        return NULL;
    JsonNode *n = json_object_get_member(req, name);
    return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

static JsonObject *reply_new(int rc, const char *message)
{
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "rc", rc);
    if (message)
        json_object_set_string_member(r, "message", message);
    return r;
}

static JsonObject *reply_error(GError *err)
{
    return reply_new(err && err->domain == HERD_ERROR ? err->code : HERD_EXIT_ERROR,
                     err ? err->message : "unknown error");
}

static void add_version(JsonObject *r, xmlDoc *doc)
{
    herd_store_version_t v = herd_store_version(doc);
    g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                                         ".%" G_GINT64_FORMAT, v.admin_epoch, v.epoch,
                                         v.num_updates);
    json_object_set_string_member(r, "version", s);
}

/* Commit `doc` (taken) and reply; tells the converge hook on a change.
 * The cluster's members keep their node entries whatever the write did
 * (a replacement with an empty <nodes> does not make a node vanish), as
 * Pacemaker's controller re-adds them. */
static JsonObject *commit(herdd_t *d, xmlDoc *doc, herd_store_commit_mode_t mode,
                          const char *reason)
{
    GPtrArray *members = herd_cluster_nodes(d->cluster);
    if (herd_store_validate(doc, NULL) == 0) {
        for (guint i = 0; i < members->len; i++) {
            herd_cluster_node_t *n = g_ptr_array_index(members, i);
            char id[16];
            g_snprintf(id, sizeof(id), "%u", n->id);
            if (n->online)
                herd_store_ensure_node(doc, id, n->name);
        }
    }
    g_autoptr(GError) err = NULL;
    bool changed = false;
    if (herd_store_commit(d->store, doc, mode, &changed, &err))
        return reply_error(err);
    JsonObject *r = reply_new(0, NULL);
    json_object_set_boolean_member(r, "changed", changed);
    add_version(r, herd_store_doc(d->store));
    if (changed)
        herdd_cib_changed(d, reason);
    return r;
}

static xmlDoc *copy_cib(herdd_t *d)
{
    return xmlCopyDoc(herd_store_doc(d->store), 1);
}

static JsonObject *op_cib_query(herdd_t *d, JsonObject *req)
{
    g_autoptr(GError) err = NULL;
    xmlDoc *doc = herd_store_doc(d->store);
    g_autofree char *xml = herd_store_query(doc, str_arg(req, "xpath"), str_arg(req, "section"),
                                          &err);
    if (!xml)
        return reply_error(err);
    JsonObject *r = reply_new(0, NULL);
    json_object_set_string_member(r, "xml", xml);
    add_version(r, doc);
    json_object_set_string_member(r, "digest", herd_store_digest(d->store));
    return r;
}

static xmlDoc *parse_arg(JsonObject *req, GError **err)
{
    const char *xml = str_arg(req, "xml");
    if (!xml) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "the request has no \"xml\" member");
        return NULL;
    }
    return herd_store_parse(xml, strlen(xml), "the given XML", err);
}

static JsonObject *op_cib_replace(herdd_t *d, JsonObject *req)
{
    g_autoptr(GError) err = NULL;
    xmlDoc *doc = parse_arg(req, &err);
    if (!doc)
        return reply_error(err);
    xmlNode *root = xmlDocGetRootElement(doc);
    if (strcmp((const char *)root->name, "cib") != 0) {
        xmlFreeDoc(doc);
        return reply_new(HERD_EXIT_CONFIG, "a replacement must be a whole CIB (<cib> root)");
    }
    /* Root attributes the file does not give (schema, feature set, quorum,
     * DC) are kept from the current CIB. */
    xmlNode *cur_root = xmlDocGetRootElement(herd_store_doc(d->store));
    static const char *const keep[] = {"validate-with", "crm_feature_set", "have-quorum",
                                       "dc-uuid"};
    for (size_t i = 0; i < G_N_ELEMENTS(keep); i++) {
        xmlChar *v = xmlGetProp(cur_root, (const xmlChar *)keep[i]);
        if (v && !xmlHasProp(root, (const xmlChar *)keep[i]))
            xmlSetProp(root, (const xmlChar *)keep[i], v);
        xmlFree(v);
    }
    /* A configuration-only file keeps the current status section. */
    bool has_status = false;
    for (xmlNode *c = root->children; c; c = c->next)
        has_status |= c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "status") == 0;
    if (!has_status) {
        xmlNode *cur = xmlDocGetRootElement(herd_store_doc(d->store));
        for (xmlNode *c = cur->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "status") == 0)
                xmlAddChild(root, xmlDocCopyNode(c, doc, 1));
    }
    return commit(d, doc, HERD_STORE_COMMIT_REPLACE, "cib replace");
}

static JsonObject *op_cib_modify(herdd_t *d, JsonObject *req)
{
    g_autoptr(GError) err = NULL;
    xmlDoc *frag = parse_arg(req, &err);
    if (!frag)
        return reply_error(err);
    xmlDoc *doc = copy_cib(d);
    int rc = herd_store_modify(doc, xmlDocGetRootElement(frag), &err);
    xmlFreeDoc(frag);
    if (rc) {
        xmlFreeDoc(doc);
        return reply_error(err);
    }
    return commit(d, doc, HERD_STORE_COMMIT_AUTO, "cib modify");
}

static JsonObject *op_cib_delete(herdd_t *d, JsonObject *req)
{
    g_autoptr(GError) err = NULL;
    const char *xpath = str_arg(req, "xpath");
    if (!xpath)
        return reply_new(HERD_EXIT_USAGE, "the request has no \"xpath\" member");
    xmlDoc *doc = copy_cib(d);
    if (herd_store_delete_xpath(doc, xpath, &err)) {
        xmlFreeDoc(doc);
        return reply_error(err);
    }
    return commit(d, doc, HERD_STORE_COMMIT_AUTO, "cib delete");
}

/* Resolve the scope and node of an attribute request. */
static int attr_target(herdd_t *d, JsonObject *req, herd_store_scope_t *scope, char **node_id,
                       const char **node_name, GError **err)
{
    const char *s = str_arg(req, "scope");
    int sc = herd_store_scope_from_name(s ? s : "nodes");
    if (sc < 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "unknown attribute scope '%s'", s);
        return HERD_EXIT_USAGE;
    }
    *scope = (herd_store_scope_t)sc;
    *node_id = NULL;
    *node_name = NULL;
    if (!herd_store_scope_is_node((herd_store_scope_t)sc))
        return 0;
    const herd_cluster_node_t *me = herd_cluster_local_node(d->cluster);
    const char *name = str_arg(req, "node");
    if (!name || !*name)
        name = me->name;
    const char *id = herd_store_node_id(herd_store_doc(d->store), name);
    if (id) {
        *node_id = g_strdup(id);
    } else if (strcmp(name, me->name) == 0) {
        *node_id = g_strdup_printf("%u", me->id ? me->id : 1);
    } else {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOHOST, "node '%s' is not known to the cluster",
                    name);
        return HERD_EXIT_NOHOST;
    }
    *node_name = name;
    return 0;
}

static JsonObject *op_attr(herdd_t *d, JsonObject *req, const char *op)
{
    g_autoptr(GError) err = NULL;
    herd_store_scope_t scope;
    g_autofree char *node_id = NULL;
    const char *node_name = NULL;
    if (attr_target(d, req, &scope, &node_id, &node_name, &err))
        return reply_error(err);
    const char *name = str_arg(req, "name");
    const char *set_id = str_arg(req, "set");
    if (!name || !*name)
        return reply_new(HERD_EXIT_USAGE, "an attribute name is needed");
    if (strcmp(op, "attr_get") == 0) {
        const char *v = herd_store_attr_get(herd_store_doc(d->store), scope, node_id,
                                          node_name, set_id, name);
        if (!v) {
            g_autofree char *m = g_strdup_printf("attribute '%s' is not set%s%s", name,
                                                 node_name ? " on node " : "",
                                                 node_name ? node_name : "");
            return reply_new(HERD_EXIT_NOSUCH, m);
        }
        JsonObject *r = reply_new(0, NULL);
        json_object_set_string_member(r, "value", v);
        json_object_set_string_member(r, "scope", herd_store_scope_name(scope));
        json_object_set_string_member(r, "name", name);
        if (node_name)
            json_object_set_string_member(r, "node", node_name);
        return r;
    }
    xmlDoc *doc = copy_cib(d);
    if (strcmp(op, "attr_set") == 0) {
        const char *value = str_arg(req, "value");
        if (!value) {
            xmlFreeDoc(doc);
            return reply_new(HERD_EXIT_USAGE, "a value is needed");
        }
        if (herd_store_attr_set(doc, scope, node_id, node_name, set_id, name, value, &err)) {
            xmlFreeDoc(doc);
            return reply_error(err);
        }
    } else {
        herd_store_attr_delete(doc, scope, node_id, node_name, set_id, name);
    }
    g_autofree char *reason = g_strdup_printf("%s %s %s%s%s", op, herd_store_scope_name(scope),
                                              name, node_name ? " on " : "",
                                              node_name ? node_name : "");
    return commit(d, doc, HERD_STORE_COMMIT_AUTO, reason);
}

static gint64 int_arg(JsonObject *req, const char *name, gint64 dflt)
{
    if (!json_object_has_member(req, name))
        return dflt;
    JsonNode *n = json_object_get_member(req, name);
    return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
               ? json_node_get_int(n)
               : dflt;
}

/* An operation result reported over IPC: for an executor outside the
 * daemon, failure injection and tests.  The in-process executor calls
 * herdd_record_result directly. */
static JsonObject *op_result(herdd_t *d, JsonObject *req)
{
    g_autoptr(GError) err = NULL;
    herd_store_scope_t scope;
    g_autofree char *node_id = NULL;
    const char *node_name = NULL;
    json_object_set_string_member(req, "scope", "status");
    if (attr_target(d, req, &scope, &node_id, &node_name, &err))
        return reply_error(err);
    herd_op_result_t r = {
        .node_id = node_id,
        .node_name = node_name,
        .rsc_id = str_arg(req, "rsc"),
        .rsc_class = str_arg(req, "class"),
        .rsc_provider = str_arg(req, "provider"),
        .rsc_type = str_arg(req, "type"),
        .operation = str_arg(req, "operation"),
        .op_key = str_arg(req, "op_key"),
        .transition_key = str_arg(req, "transition_key"),
        .op_digest = str_arg(req, "op_digest"),
        .interval_ms = int_arg(req, "interval", 0),
        .call_id = (int)int_arg(req, "call_id", 0),
        .rc_code = (int)int_arg(req, "rc", 0),
        .op_status = (int)int_arg(req, "op_status", 0),
        .last_rc_change = int_arg(req, "last_rc_change", (gint64)(g_get_real_time() / 1000000)),
        .exec_time_ms = int_arg(req, "exec_time", 0),
        .queue_time_ms = int_arg(req, "queue_time", 0),
    };
    if (!r.rsc_id || !r.operation || !r.rsc_class || !r.rsc_type)
        return reply_new(HERD_EXIT_USAGE, "an operation result needs rsc, class, type and "
                                          "operation");
    if (herdd_record_result(d, &r, &err))
        return reply_error(err);
    JsonObject *reply = reply_new(0, NULL);
    add_version(reply, herd_store_doc(d->store));
    return reply;
}

static JsonObject *op_cluster_info(herdd_t *d)
{
    JsonObject *r = reply_new(0, NULL);
    const herd_cluster_node_t *me = herd_cluster_local_node(d->cluster);
    json_object_set_int_member(r, "local_id", me->id);
    json_object_set_string_member(r, "local_name", me->name);
    json_object_set_boolean_member(r, "quorate", herd_cluster_has_quorum(d->cluster));
    json_object_set_string_member(r, "backend", herd_cluster_backend_name(d->cluster));
    JsonArray *nodes = json_array_new();
    GPtrArray *members = herd_cluster_nodes(d->cluster);
    for (guint i = 0; i < members->len; i++) {
        herd_cluster_node_t *n = g_ptr_array_index(members, i);
        JsonObject *o = json_object_new();
        json_object_set_int_member(o, "id", n->id);
        json_object_set_string_member(o, "name", n->name);
        json_object_set_boolean_member(o, "online", n->online);
        json_array_add_object_element(nodes, o);
    }
    json_object_set_array_member(r, "nodes", nodes);
    return r;
}

static JsonObject *dispatch(herdd_t *d, JsonObject *req, const herd_ipc_peer_t *peer);

JsonObject *herdd_dispatch(herdd_t *d, JsonObject *req, const herd_ipc_peer_t *peer)
{
    /* What a client sees or builds on is on disk: status edits staged in
     * this main-loop pass are written first. */
    g_autoptr(GError) ferr = NULL;
    if (herdd_flush_staged(d, &ferr))
        herd_err("cannot write staged status changes: %s", ferr->message);
    JsonObject *reply = dispatch(d, req, peer);
    /* A request's "id" comes back in its reply, so that clients may
     * pipeline requests and match replies. */
    if (json_object_has_member(req, "id"))
        json_object_set_member(reply, "id", json_node_copy(json_object_get_member(req, "id")));
    const char *op = str_arg(req, "op");
    const char *msg = NULL;
    int rc = herd_ipc_reply_rc(reply, &msg);
    /* Refused writes are decisions worth a line in the log; failed reads
     * (an attribute that is not set) are routine. */
    if (rc && op &&
        (g_str_has_prefix(op, "cib_") || g_str_has_suffix(op, "_set") ||
         strcmp(op, "op_result") == 0) &&
        strcmp(op, "cib_query") != 0)
        herd_warn("%s from pid %d refused: %s", op, (int)peer->pid, msg ? msg : "error");
    return reply;
}

static JsonObject *dispatch(herdd_t *d, JsonObject *req, const herd_ipc_peer_t *peer)
{
    const char *op = str_arg(req, "op");
    if (!op)
        return reply_new(HERD_EXIT_PROTOCOL, "the request has no \"op\"");
    herd_debug("request %s from pid %d", op, (int)peer->pid);
    if (strcmp(op, "ping") == 0) {
        JsonObject *r = reply_new(0, NULL);
        json_object_set_string_member(r, "version", HERD_VERSION);
        json_object_set_int_member(r, "protocol", HERD_IPC_VERSION);
        return r;
    }
    if (strcmp(op, "cib_query") == 0)
        return op_cib_query(d, req);
    if (strcmp(op, "cib_replace") == 0)
        return op_cib_replace(d, req);
    if (strcmp(op, "cib_modify") == 0)
        return op_cib_modify(d, req);
    if (strcmp(op, "cib_delete") == 0)
        return op_cib_delete(d, req);
    if (strcmp(op, "attr_set") == 0 || strcmp(op, "attr_get") == 0 ||
        strcmp(op, "attr_delete") == 0)
        return op_attr(d, req, op);
    if (strcmp(op, "cluster_info") == 0)
        return op_cluster_info(d);
    if (strcmp(op, "op_result") == 0)
        return op_result(d, req);
    if (strcmp(op, "subscribe") == 0) {
        /* ipc_server.c marks the connection: from now on it also receives
         * {"event":"cib_changed","version","reason","digest"} frames. */
        JsonObject *r = reply_new(0, NULL);
        add_version(r, herd_store_doc(d->store));
        return r;
    }
    g_autofree char *m = g_strdup_printf("unknown operation '%s'", op);
    return reply_new(HERD_EXIT_UNIMPLEMENT_FEATURE, m);
}
