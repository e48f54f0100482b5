/* cib_validate.c: parsing CIB text and the one validation gate that every
 * write passes through.  Structure is checked here; the schema (RelaxNG,
 * owned by src/cib) plugs in through herd_store_set_schema_validator. */
#include <libxml/parser.h>
#include <string.h>

#include "internal.h"

static herd_store_validator_fn schema_validator;

void herd_store_set_schema_validator(herd_store_validator_fn fn)
{
    schema_validator = fn;
}

/* Collect libxml2's messages instead of letting them go to stderr. */
static void collect_error(void *user, xmlErrorPtr e)
{
    GString *s = user;
    if (s->len)
        return; /* the first error is the useful one */
    g_autofree char *msg = g_strstrip(g_strdup(e->message ? e->message : "parse error"));
    g_string_append_printf(s, "line %d: %s", e->line, msg);
}

xmlDoc *herd_store_parse(const char *text, gsize len, const char *what, GError **err)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    xmlParserCtxt *ctx = xmlNewParserCtxt();
    if (!ctx) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_OSERR, "%s: out of memory", what);
        return NULL;
    }
    xmlSetStructuredErrorFunc(msg, collect_error);
    xmlDoc *doc = NULL;
    if (len > (gsize)G_MAXINT)
        g_string_append(msg, "document too large");
    else
        doc = xmlCtxtReadMemory(ctx, text, (int)len, what, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    bool ok = doc && ctx->wellFormed;
    xmlFreeParserCtxt(ctx);
    if (!ok) {
        if (doc)
            xmlFreeDoc(doc);
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s: not well-formed XML: %s", what,
                    msg->len ? msg->str : "empty document");
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s: no root element", what);
        return NULL;
    }
    return doc;
}

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static int fail(GError **err, xmlNode *where, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int fail(GError **err, xmlNode *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *path = where ? (char *)xmlGetNodePath(where) : NULL;
    long line = where ? xmlGetLineNo(where) : -1;
    if (path && line > 0)
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "invalid CIB: %s (at %s, line %ld)", msg,
                    path, line);
    else if (path)
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "invalid CIB: %s (at %s)", msg, path);
    else
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "invalid CIB: %s", msg);
    return HERD_EXIT_CONFIG;
}

static bool is_count(const char *s)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return strlen(s) <= 18;
}

/* Ids must be unique within the configuration (id-ref points at them). */
static int check_ids(xmlNode *n, GHashTable *seen, GError **err)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        g_autofree char *id = (char *)xmlGetProp(c, (const xmlChar *)"id");
        if (id) {
            if (!*id)
                return fail(err, c, "empty id on <%s>", c->name);
            if (g_hash_table_contains(seen, id))
                return fail(err, c, "id '%s' is used more than once", id);
            g_hash_table_add(seen, g_steal_pointer(&id));
        }
        int rc = check_ids(c, seen, err);
        if (rc)
            return rc;
    }
    return 0;
}

int herd_store_validate(xmlDoc *doc, GError **err)
{
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root)
        return fail(err, NULL, "empty document");
    if (strcmp((const char *)root->name, "cib") != 0)
        return fail(err, root, "the root element is <%s>, expected <cib>", root->name);
    static const char *const counts[] = {"admin_epoch", "epoch", "num_updates"};
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        g_autofree char *v = (char *)xmlGetProp(root, (const xmlChar *)counts[i]);
        if (v && !is_count(v))
            return fail(err, root, "%s='%s' is not a non-negative integer", counts[i], v);
    }
    xmlNode *conf = child(root, "configuration");
    if (!conf)
        return fail(err, root, "no <configuration> section");
    static const char *const sections[] = {"crm_config", "nodes", "resources", "constraints"};
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
        if (!child(conf, sections[i]))
            return fail(err, conf, "no <%s> in <configuration>", sections[i]);
    if (!child(root, "status"))
        return fail(err, root, "no <status> section");
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int rc = check_ids(conf, seen, err);
    if (rc)
        return rc;
    if (schema_validator)
        return schema_validator(doc, err);
    return 0;
}

xmlDoc *herd_store_new_empty(void)
{
    static const char empty[] =
        "<cib crm_feature_set=\"3.17.4\" validate-with=\"pacemaker-" HERD_CIB_SCHEMA_VERSION "\" "
        "epoch=\"0\" num_updates=\"0\" admin_epoch=\"0\">"
        "<configuration><crm_config/><nodes/><resources/><constraints/></configuration>"
        "<status/></cib>";
    return herd_store_parse(empty, sizeof(empty) - 1, "empty CIB", NULL);
}
