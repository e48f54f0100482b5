/* cib_ops.c: what the daemon does to a CIB document on request: queries,
 * cibadmin-style modify, deletes, node attributes where Pacemaker keeps
 * them, and recording executor results in the status section.  These
 * functions only edit an in-memory document; the caller commits it. */
#include <libxml/xpath.h>
#include <string.h>

#include "internal.h"

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static bool prop_is(xmlNode *n, const char *name, const char *value)
{
    xmlAttr *a = xmlHasProp(n, (const xmlChar *)name);
    if (!a || !value)
        return false;
    if (a->children && !a->children->next && a->children->type == XML_TEXT_NODE)
        return a->children->content && strcmp((const char *)a->children->content, value) == 0;
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name); /* entities: the slow way */
    bool eq = v && strcmp((const char *)v, value) == 0;
    xmlFree(v);
    return eq;
}

/* The child `name` of `parent` whose `attr` is `value` (any when value is NULL). */
static xmlNode *child_with(xmlNode *parent, const char *name, const char *attr, const char *value)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0 &&
            (!value || prop_is(c, attr, value)))
            return c;
    return NULL;
}

static xmlNode *ensure_child(xmlNode *parent, const char *name, const char *id)
{
    xmlNode *c = child_with(parent, name, "id", id);
    if (!c) {
        c = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
        if (id)
            xmlSetProp(c, (const xmlChar *)"id", (const xmlChar *)id);
    }
    return c;
}

static char *dump(xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE) {
        xmlChar *c = xmlNodeGetContent(n);
        char *s = g_strdup_printf("%s\n", c ? (const char *)c : "");
        xmlFree(c);
        return s;
    }
    xmlBuffer *b = xmlBufferCreate();
    xmlNodeDump(b, n->doc, n, 0, 1);
    char *s = g_strdup_printf("%s\n", (const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    return s;
}

static void quiet_error(void *user, xmlErrorPtr e)
{
}

/* Evaluate `xpath`; NULL if it is not a valid expression (no message on
 * the daemon's stderr: the caller reports it to the client). */
static xmlXPathObject *eval_xpath(xmlDoc *doc, const char *xpath)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlSetStructuredErrorFunc(NULL, quiet_error);
    xmlXPathObject *res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlXPathFreeContext(ctx);
    return res;
}

static const char *const sections[] = {"configuration", "nodes", "resources", "constraints",
                                       "crm_config", "rsc_defaults", "op_defaults", "status",
                                       "fencing-topology", "tags", "alerts", "acls", NULL};

char *herd_store_query(xmlDoc *doc, const char *xpath, const char *section, GError **err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (section) {
        bool known = false;
        for (int i = 0; sections[i]; i++)
            known |= strcmp(sections[i], section) == 0;
        if (!known) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                        "unknown section '%s' (expected configuration, nodes, resources, "
                        "constraints, crm_config, rsc_defaults, op_defaults or status)",
                        section);
            return NULL;
        }
        xmlNode *n = child(root, section);
        if (!n)
            n = child(child(root, "configuration"), section);
        if (!n) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH, "the CIB has no <%s> section",
                        section);
            return NULL;
        }
        return dump(n);
    }
    if (!xpath)
        return herd_store_to_string(doc, NULL);
    xmlXPathObject *res = eval_xpath(doc, xpath);
    if (!res) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "invalid XPath expression: %s", xpath);
        return NULL;
    }
    char *out = NULL;
    xmlNodeSet *set = res->type == XPATH_NODESET ? res->nodesetval : NULL;
    int n = set ? set->nodeNr : 0;
    if (n == 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH, "nothing in the CIB matches %s", xpath);
    } else if (n == 1) {
        out = dump(set->nodeTab[0]);
    } else {
        GString *s = g_string_new("<xpath-query>\n");
        for (int i = 0; i < n; i++) {
            g_autofree char *one = dump(set->nodeTab[i]);
            g_string_append(s, one);
        }
        g_string_append(s, "</xpath-query>\n");
        out = g_string_free(s, FALSE);
    }
    xmlXPathFreeObject(res);
    return out;
}

/* First element named `name` (with id `id` when not NULL), depth first. */
static xmlNode *find_element(xmlNode *n, const char *name, const char *id)
{
    for (xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, name) == 0 && (!id || prop_is(c, "id", id)))
            return c;
        xmlNode *f = find_element(c->children, name, id);
        if (f)
            return f;
    }
    return NULL;
}

static void merge(xmlNode *target, xmlNode *src)
{
    for (xmlAttr *a = src->properties; a; a = a->next) {
        xmlChar *v = xmlNodeGetContent((xmlNode *)a);
        xmlSetProp(target, a->name, v);
        xmlFree(v);
    }
    for (xmlNode *c = src->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        g_autofree char *id = (char *)xmlGetProp(c, (const xmlChar *)"id");
        xmlNode *match = child_with(target, (const char *)c->name, "id", id);
        if (match)
            merge(match, c);
        else
            xmlAddChild(target, xmlDocCopyNode(c, target->doc, 1));
    }
}

int herd_store_modify(xmlDoc *doc, xmlNode *fragment, GError **err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (strcmp((const char *)fragment->name, "cib") == 0) {
        merge(root, fragment);
        return 0;
    }
    g_autofree char *id = (char *)xmlGetProp(fragment, (const xmlChar *)"id");
    xmlNode *target = find_element(root, (const char *)fragment->name, id);
    if (!target) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH,
                    "no <%s%s%s%s> in the CIB to modify", fragment->name, id ? " id=\"" : "",
                    id ? id : "", id ? "\"" : "");
        return HERD_EXIT_NOSUCH;
    }
    merge(target, fragment);
    return 0;
}

int herd_store_delete_xpath(xmlDoc *doc, const char *xpath, GError **err)
{
    xmlXPathObject *res = eval_xpath(doc, xpath);
    if (!res) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "invalid XPath expression: %s", xpath);
        return HERD_EXIT_USAGE;
    }
    xmlNodeSet *set = res->type == XPATH_NODESET ? res->nodesetval : NULL;
    int n = set ? set->nodeNr : 0;
    int deleted = 0;
    for (int i = 0; i < n; i++) {
        xmlNode *node = set->nodeTab[i];
        if (node->type == XML_ELEMENT_NODE && node != xmlDocGetRootElement(doc)) {
            herd_lrm_index_unlinking(doc, node);
            xmlUnlinkNode(node);
            xmlFreeNode(node);
            set->nodeTab[i] = NULL;
            deleted++;
        }
    }
    xmlXPathFreeObject(res);
    if (!deleted) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH, "nothing in the CIB matches %s", xpath);
        return HERD_EXIT_NOSUCH;
    }
    return 0;
}

/* ---- attributes --------------------------------------------------------- */

static const char *const scope_names[] = {"crm_config", "rsc_defaults", "op_defaults", "nodes",
                                          "status", "utilization"};

bool herd_store_scope_is_node(herd_store_scope_t scope)
{
    return scope == HERD_STORE_ATTR_NODES || scope == HERD_STORE_ATTR_STATUS ||
           scope == HERD_STORE_ATTR_UTILIZATION;
}

int herd_store_scope_from_name(const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(scope_names); i++)
        if (strcmp(scope_names[i], name) == 0)
            return (int)i;
    if (strcmp(name, "forever") == 0 || strcmp(name, "permanent") == 0)
        return HERD_STORE_ATTR_NODES;
    if (strcmp(name, "reboot") == 0 || strcmp(name, "transient") == 0)
        return HERD_STORE_ATTR_STATUS;
    return -1;
}

const char *herd_store_scope_name(herd_store_scope_t scope)
{
    return scope_names[scope];
}

/* An XML id made of `parts`, with characters ids cannot hold replaced. */
static char *make_id(const char *a, const char *b)
{
    char *id = g_strdup_printf("%s-%s", a, b);
    for (char *p = id; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            *p = '.';
    return id;
}

/* The element holding the attribute set for `scope` (created if `create`). */
static xmlNode *attr_set_parent(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                                const char *node_name, const char *set_id, bool create,
                                const char **set_tag, char **default_set)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *conf = child(root, "configuration");
    *set_tag = "instance_attributes";
    switch (scope) {
    case HERD_STORE_ATTR_CRM_CONFIG:
        *set_tag = "cluster_property_set";
        *default_set = g_strdup("cib-bootstrap-options");
        return child(conf, "crm_config");
    case HERD_STORE_ATTR_RSC_DEFAULTS:
    case HERD_STORE_ATTR_OP_DEFAULTS: {
        const char *sec = scope == HERD_STORE_ATTR_RSC_DEFAULTS ? "rsc_defaults" : "op_defaults";
        *set_tag = "meta_attributes";
        *default_set = g_strdup(scope == HERD_STORE_ATTR_RSC_DEFAULTS ? "rsc-options" : "op-options");
        xmlNode *s = child(conf, sec);
        if (!s && create) {
            /* keep Pacemaker's section order: after constraints */
            s = xmlNewNode(NULL, (const xmlChar *)sec);
            xmlAddChild(conf, s);
        }
        return s;
    }
    case HERD_STORE_ATTR_NODES:
    case HERD_STORE_ATTR_UTILIZATION: {
        xmlNode *nodes = child(conf, "nodes");
        xmlNode *n = child_with(nodes, "node", "id", node_id);
        if (!n && create) {
            n = xmlNewChild(nodes, NULL, (const xmlChar *)"node", NULL);
            xmlSetProp(n, (const xmlChar *)"id", (const xmlChar *)node_id);
            xmlSetProp(n, (const xmlChar *)"uname", (const xmlChar *)node_name);
        }
        if (scope == HERD_STORE_ATTR_UTILIZATION) {
            *set_tag = "utilization";
            g_autofree char *base = make_id("nodes", node_id);
            *default_set = make_id(base, "utilization");
        } else {
            *default_set = make_id("nodes", node_id);
        }
        return n;
    }
    case HERD_STORE_ATTR_STATUS: {
        xmlNode *status = child(root, "status");
        xmlNode *ns = child_with(status, "node_state", "id", node_id);
        if (!ns && create) {
            ns = xmlNewChild(status, NULL, (const xmlChar *)"node_state", NULL);
            xmlSetProp(ns, (const xmlChar *)"id", (const xmlChar *)node_id);
            xmlSetProp(ns, (const xmlChar *)"uname", (const xmlChar *)node_name);
        }
        xmlNode *ta = child(ns, "transient_attributes");
        if (!ta && ns && create) {
            ta = xmlNewChild(ns, NULL, (const xmlChar *)"transient_attributes", NULL);
            xmlSetProp(ta, (const xmlChar *)"id", (const xmlChar *)node_id);
        }
        *default_set = make_id("status", node_id);
        return ta;
    }
    }
    return NULL;
}

static xmlNode *find_nvpair(xmlNode *parent, const char *set_tag, const char *set_id,
                            const char *name)
{
    for (xmlNode *s = parent ? parent->children : NULL; s; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, set_tag) != 0)
            continue;
        if (set_id && !prop_is(s, "id", set_id))
            continue;
        xmlNode *nv = child_with(s, "nvpair", "name", name);
        if (nv)
            return nv;
    }
    return NULL;
}

int herd_store_attr_set(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                      const char *node_name, const char *set_id, const char *name,
                      const char *value, GError **err)
{
    const char *set_tag;
    g_autofree char *def_set = NULL;
    if (herd_store_scope_is_node(scope) && !node_id) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOHOST, "a node is needed for a node attribute");
        return HERD_EXIT_NOHOST;
    }
    xmlNode *parent = attr_set_parent(doc, scope, node_id, node_name, set_id, true, &set_tag,
                                      &def_set);
    xmlNode *nv = find_nvpair(parent, set_tag, set_id, name);
    if (!nv) {
        const char *sid = set_id ? set_id : def_set;
        xmlNode *set = ensure_child(parent, set_tag, sid);
        nv = xmlNewChild(set, NULL, (const xmlChar *)"nvpair", NULL);
        g_autofree char *id = make_id(sid, name);
        xmlSetProp(nv, (const xmlChar *)"id", (const xmlChar *)id);
        xmlSetProp(nv, (const xmlChar *)"name", (const xmlChar *)name);
    }
    xmlSetProp(nv, (const xmlChar *)"value", (const xmlChar *)value);
    return 0;
}

const char *herd_store_attr_get(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                              const char *node_name, const char *set_id, const char *name)
{
    const char *set_tag;
    g_autofree char *def_set = NULL;
    if (herd_store_scope_is_node(scope) && !node_id)
        return NULL;
    xmlNode *parent = attr_set_parent(doc, scope, node_id, node_name, set_id, false, &set_tag,
                                      &def_set);
    xmlNode *nv = find_nvpair(parent, set_tag, set_id, name);
    if (!nv)
        return NULL;
    xmlAttr *a = xmlHasProp(nv, (const xmlChar *)"value");
    return a && a->children ? (const char *)a->children->content : "";
}

bool herd_store_attr_delete(xmlDoc *doc, herd_store_scope_t scope, const char *node_id,
                          const char *node_name, const char *set_id, const char *name)
{
    const char *set_tag;
    g_autofree char *def_set = NULL;
    if (herd_store_scope_is_node(scope) && !node_id)
        return false;
    xmlNode *parent = attr_set_parent(doc, scope, node_id, node_name, set_id, false, &set_tag,
                                      &def_set);
    bool any = false;
    xmlNode *nv;
    while ((nv = find_nvpair(parent, set_tag, set_id, name))) {
        xmlUnlinkNode(nv);
        xmlFreeNode(nv);
        any = true;
    }
    return any;
}

void herd_store_ensure_node(xmlDoc *doc, const char *node_id, const char *node_name)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *nodes = child(child(root, "configuration"), "nodes");
    xmlNode *n = child_with(nodes, "node", "id", node_id);
    if (!n) {
        n = xmlNewChild(nodes, NULL, (const xmlChar *)"node", NULL);
        xmlSetProp(n, (const xmlChar *)"id", (const xmlChar *)node_id);
    }
    if (!prop_is(n, "uname", node_name))
        xmlSetProp(n, (const xmlChar *)"uname", (const xmlChar *)node_name);
    xmlNode *status = child(root, "status");
    xmlNode *ns = child_with(status, "node_state", "id", node_id);
    if (!ns) {
        ns = xmlNewChild(status, NULL, (const xmlChar *)"node_state", NULL);
        xmlSetProp(ns, (const xmlChar *)"id", (const xmlChar *)node_id);
    }
    static const char *const state[][2] = {{"in_ccm", "true"},     {"crmd", "online"},
                                           {"join", "member"},     {"expected", "member"},
                                           {"crm-debug-origin", "herdd"}};
    xmlSetProp(ns, (const xmlChar *)"uname", (const xmlChar *)node_name);
    for (size_t i = 0; i < G_N_ELEMENTS(state); i++)
        xmlSetProp(ns, (const xmlChar *)state[i][0], (const xmlChar *)state[i][1]);
}

const char *herd_store_node_id(xmlDoc *doc, const char *node_name)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *n = child_with(child(child(root, "configuration"), "nodes"), "node", "uname",
                            node_name);
    if (!n)
        return NULL;
    xmlAttr *a = xmlHasProp(n, (const xmlChar *)"id");
    return a && a->children ? (const char *)a->children->content : NULL;
}

/* ---- executor results --------------------------------------------------- */

static void set_num(xmlNode *n, const char *name, gint64 v)
{
    char buf[32];
    g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, v);
    xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

static void set_str(xmlNode *n, const char *name, const char *v)
{
    if (v)
        xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

static void fill_op(xmlNode *op, const herd_op_result_t *r, const char *op_key)
{
    set_str(op, "operation_key", op_key);
    set_str(op, "operation", r->operation);
    set_str(op, "crm-debug-origin", "herdd");
    set_str(op, "crm_feature_set", "3.17.4");
    set_str(op, "transition-key", r->transition_key);
    g_autofree char *magic = g_strdup_printf("%d:%d;%s", r->op_status, r->rc_code,
                                             r->transition_key ? r->transition_key : "");
    set_str(op, "transition-magic", magic);
    set_str(op, "on_node", r->node_name);
    set_num(op, "call-id", r->call_id);
    set_num(op, "rc-code", r->rc_code);
    set_num(op, "op-status", r->op_status);
    set_num(op, "interval", r->interval_ms);
    set_num(op, "last-rc-change", r->last_rc_change);
    set_num(op, "exec-time", r->exec_time_ms);
    set_num(op, "queue-time", r->queue_time_ms);
    set_str(op, "op-digest", r->op_digest);
}

void herd_store_record_op(xmlDoc *doc, const herd_op_result_t *r)
{
    xmlNode *status = child(xmlDocGetRootElement(doc), "status");
    xmlNode *ns = ensure_child(status, "node_state", r->node_id);
    set_str(ns, "uname", r->node_name);
    /* by the document's index when it has one (the store's live CIB) */
    xmlNode *lr = herd_lrm_find(doc, r->node_id, r->rsc_id, true);
    set_str(lr, "type", r->rsc_type);
    set_str(lr, "class", r->rsc_class);
    set_str(lr, "provider", r->rsc_provider);
    g_autofree char *key = r->op_key ? g_strdup(r->op_key)
                                     : g_strdup_printf("%s_%s_%" G_GINT64_FORMAT, r->rsc_id,
                                                       r->operation, r->interval_ms);
    /* Pacemaker's record ids: RSC_last_0 for the latest non-recurring op,
     * RSC_last_failure_0 for the latest failure, RSC_monitor_N for each
     * recurring monitor.  An expected "not running" probe is no failure. */
    bool probe = r->interval_ms == 0 && g_strcmp0(r->operation, "monitor") == 0;
    bool failed = r->op_status != 0 || (r->rc_code != 0 && !(probe && r->rc_code == 7) &&
                                        !(r->rc_code == 8 && g_strcmp0(r->operation, "monitor") == 0));
    g_autofree char *id = r->interval_ms > 0
                              ? g_strdup_printf("%s_%s_%" G_GINT64_FORMAT, r->rsc_id,
                                                r->operation, r->interval_ms)
                              : g_strdup_printf("%s_last_0", r->rsc_id);
    fill_op(ensure_child(lr, "lrm_rsc_op", id), r, key);
    if (failed) {
        g_autofree char *fid = g_strdup_printf("%s_last_failure_0", r->rsc_id);
        fill_op(ensure_child(lr, "lrm_rsc_op", fid), r, key);
    }
}
