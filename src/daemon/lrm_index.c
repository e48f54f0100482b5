/* lrm_index.c: the store's live document keeps an index of its
 * lrm_resource elements by (node id, resource id), so that recording an
 * operation result costs the same however many resources there are.
 *
 * The index hangs on the document (xmlDoc._private, which libxml2 leaves
 * to applications and xmlCopyDoc does not copy): copies have none and are
 * searched linearly.  It holds borrowed element pointers, so it must hear
 * of every removal: herd_store_delete_xpath and herd_lrm_remove call
 * herd_lrm_index_unlinking before freeing; removing an lrm_resource drops
 * its entry, removing an ancestor (status, node_state, lrm, lrm_resources)
 * marks the whole index stale and the next lookup rebuilds it (one scan).
 * Replacing the document (a commit) detaches the old index with it. */
#include <string.h>

#include "internal.h"

typedef struct {
    GHashTable *map; /* "node_id\trsc_id" (owned) -> xmlNode* (borrowed) */
    bool valid;
} lrm_index_t;

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static const char *id_of(xmlNode *n)
{
    xmlAttr *a = n ? xmlHasProp(n, (const xmlChar *)"id") : NULL;
    return a && a->children && a->children->type == XML_TEXT_NODE && !a->children->next
               ? (const char *)a->children->content
               : NULL;
}

static xmlNode *child_id(xmlNode *parent, const char *name, const char *id)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0 &&
            g_strcmp0(id_of(c), id) == 0)
            return c;
    return NULL;
}

static char *key(const char *node_id, const char *rsc_id)
{
    return g_strconcat(node_id, "\t", rsc_id, NULL);
}

static void rebuild(xmlDoc *doc, lrm_index_t *ix)
{
    g_hash_table_remove_all(ix->map);
    xmlNode *status = child(xmlDocGetRootElement(doc), "status");
    for (xmlNode *ns = status ? status->children : NULL; ns; ns = ns->next) {
        if (ns->type != XML_ELEMENT_NODE || strcmp((const char *)ns->name, "node_state") ||
            !id_of(ns))
            continue;
        xmlNode *lrs = child(child(ns, "lrm"), "lrm_resources");
        for (xmlNode *lr = lrs ? lrs->children : NULL; lr; lr = lr->next) {
            if (lr->type != XML_ELEMENT_NODE || strcmp((const char *)lr->name, "lrm_resource") ||
                !id_of(lr))
                continue;
            char *k = key(id_of(ns), id_of(lr));
            if (g_hash_table_contains(ix->map, k))
                g_free(k); /* the first one wins, as a linear search finds it */
            else
                g_hash_table_insert(ix->map, k, lr);
        }
    }
    ix->valid = true;
}

void herd_lrm_index_attach(xmlDoc *doc)
{
    if (!doc || doc->_private)
        return;
    lrm_index_t *ix = g_new0(lrm_index_t, 1);
    ix->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    doc->_private = ix;
}

void herd_lrm_index_detach(xmlDoc *doc)
{
    lrm_index_t *ix = doc ? doc->_private : NULL;
    if (!ix)
        return;
    g_hash_table_destroy(ix->map);
    g_free(ix);
    doc->_private = NULL;
}

void herd_lrm_index_unlinking(xmlDoc *doc, xmlNode *n)
{
    lrm_index_t *ix = doc ? doc->_private : NULL;
    if (!ix || !ix->valid || n->type != XML_ELEMENT_NODE)
        return;
    const char *name = (const char *)n->name;
    if (!strcmp(name, "lrm_resource")) {
        xmlNode *ns = n->parent && n->parent->parent ? n->parent->parent->parent : NULL;
        const char *nid = ns ? id_of(ns) : NULL;
        const char *rid = id_of(n);
        if (nid && rid) {
            g_autofree char *k = key(nid, rid);
            if (g_hash_table_lookup(ix->map, k) == n) {
                g_hash_table_remove(ix->map, k);
                return;
            }
        }
        ix->valid = false; /* not where the index expects it: rebuild */
    } else if (!strcmp(name, "cib") || !strcmp(name, "status") || !strcmp(name, "node_state") ||
               !strcmp(name, "lrm") || !strcmp(name, "lrm_resources")) {
        ix->valid = false;
    }
}

xmlNode *herd_lrm_find(xmlDoc *doc, const char *node_id, const char *rsc_id, bool create)
{
    if (!doc || !node_id || !rsc_id)
        return NULL;
    lrm_index_t *ix = doc->_private;
    xmlNode *lr = NULL;
    g_autofree char *k = key(node_id, rsc_id);
    if (ix) {
        if (!ix->valid)
            rebuild(doc, ix);
        lr = g_hash_table_lookup(ix->map, k);
        /* an id changed in place (a modify): trust only what still matches */
        if (lr && g_strcmp0(id_of(lr), rsc_id) != 0) {
            rebuild(doc, ix);
            lr = g_hash_table_lookup(ix->map, k);
        }
        if (lr || !create)
            return lr;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *status = child(root, "status");
    xmlNode *ns = child_id(status, "node_state", node_id);
    xmlNode *lrs = child(child(ns, "lrm"), "lrm_resources");
    if (!ix)
        lr = child_id(lrs, "lrm_resource", rsc_id);
    if (lr || !create)
        return lr;
    if (!status)
        status = xmlNewChild(root, NULL, (const xmlChar *)"status", NULL);
    if (!ns) {
        ns = xmlNewChild(status, NULL, (const xmlChar *)"node_state", NULL);
        xmlSetProp(ns, (const xmlChar *)"id", (const xmlChar *)node_id);
    }
    if (!lrs) {
        xmlNode *lrm = child(ns, "lrm");
        if (!lrm) {
            lrm = xmlNewChild(ns, NULL, (const xmlChar *)"lrm", NULL);
            xmlSetProp(lrm, (const xmlChar *)"id", (const xmlChar *)node_id);
        }
        lrs = xmlNewChild(lrm, NULL, (const xmlChar *)"lrm_resources", NULL);
    }
    lr = xmlNewChild(lrs, NULL, (const xmlChar *)"lrm_resource", NULL);
    xmlSetProp(lr, (const xmlChar *)"id", (const xmlChar *)rsc_id);
    if (ix)
        g_hash_table_insert(ix->map, g_steal_pointer(&k), lr);
    return lr;
}

bool herd_lrm_remove(xmlDoc *doc, const char *node_id, const char *rsc_id)
{
    xmlNode *lr = herd_lrm_find(doc, node_id, rsc_id, false);
    if (!lr)
        return false;
    herd_lrm_index_unlinking(doc, lr);
    xmlUnlinkNode(lr);
    xmlFreeNode(lr);
    return true;
}
