/* schema.c: validation of a CIB against herd's own RelaxNG schema
 * (data/cib.rng, embedded at build time as herd_cib_rng).  The schema is
 * compiled once per process; each validation has its own context. */
#include <string.h>

#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "herd_common.h"
#include "herd_cib.h"

extern const char herd_cib_rng[];
extern const unsigned herd_cib_rng_len;

static void quiet(void *ctx, const char *msg, ...)
{
}

static gpointer compile(gpointer unused)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(herd_cib_rng, (int) herd_cib_rng_len);
    if (!pc)
        return NULL;
    xmlRelaxNGSetParserErrors(pc, quiet, quiet, NULL);
    xmlRelaxNGPtr rng = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    return rng;
}

static xmlRelaxNGPtr schema(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, compile, NULL);
}

/* libxml2 reports several errors for one fault, the vaguest ("Expecting
 * an element X, got nothing") often first: keep the first precise one
 * (a bad attribute or value, an unexpected element), else the first. */
typedef struct {
    bool set;
    bool precise;
    int line;
    char *message;
    char *detail;      /* the offending attribute's value, when there is one */
    char *element;     /* the parent of the offending element, for context */
} best_error_t;

static void on_error(void *user, const xmlError *e)
{
    best_error_t *fe = user;
    if (!e || fe->precise)
        return;
    bool precise = e->message && (strstr(e->message, "attribute") || strstr(e->message, "Did not expect") ||
                                  strstr(e->message, "Invalid") || strstr(e->message, "Type") ||
                                  strstr(e->message, "value"));
    if (fe->set && !precise)
        return;
    g_clear_pointer(&fe->message, g_free);
    g_clear_pointer(&fe->detail, g_free);
    g_clear_pointer(&fe->element, g_free);
    fe->set = true;
    fe->precise = precise;
    fe->line = e->line;
    fe->message = g_strdup(e->message ? e->message : "does not match");
    g_strchomp(fe->message);
    xmlNode *n = e->node;
    if (n && n->type == XML_ELEMENT_NODE) {
        if (!fe->line)
            fe->line = (int) xmlGetLineNo(n);
        xmlNode *up = n->parent;
        if (up && up->type == XML_ELEMENT_NODE) {
            xmlChar *id = xmlGetProp(up, (const xmlChar *) "id");
            fe->element = id ? g_strdup_printf("<%s id=\"%s\">", (const char *) up->name,
                                               (const char *) id)
                             : g_strdup_printf("<%s>", (const char *) up->name);
            xmlFree(id);
        }
        if (e->str1) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *) e->str1);
            if (v) {
                fe->detail = g_strdup_printf("%s=\"%s\"", e->str1, (const char *) v);
                xmlFree(v);
            }
        }
    }
}

/* The schema names for the document; false when validate-with="none". */
static bool wants_validation(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root)
        return true;
    xmlChar *v = xmlGetProp(root, (const xmlChar *) "validate-with");
    bool none = v && !strcmp((const char *) v, "none");
    xmlFree(v);
    return !none;
}

static bool check(xmlDoc *doc, const char *name, int code, GError **err)
{
    if (!wants_validation(doc))
        return true;
    xmlRelaxNGPtr rng = schema();
    if (!rng) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_SOFTWARE,
                    "%s: herd's built-in CIB schema does not compile", name);
        return false;
    }
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
    if (!vc) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_OSERR, "%s: out of memory", name);
        return false;
    }
    best_error_t fe = {0};
    xmlRelaxNGSetValidStructuredErrors(vc, (xmlStructuredErrorFunc) on_error, &fe);
    int rc = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    bool ok = rc == 0;
    if (!ok)
        g_set_error(err, HERD_ERROR, code, "%s:%d: the CIB does not match the schema: %s%s%s%s%s%s",
                    name, fe.line, fe.set ? fe.message : "invalid document",
                    fe.detail ? " (" : "", fe.detail ? fe.detail : "", fe.detail ? ")" : "",
                    fe.element ? " inside " : "", fe.element ? fe.element : "");
    g_free(fe.message);
    g_free(fe.detail);
    g_free(fe.element);
    return ok;
}

/* Validate `doc` against herd's CIB schema; see herd_cib.h. */
bool herd_cib_schema_validate(struct _xmlDoc *doc, const char *name, GError **err)
{
    return check(doc, name, HERD_EXIT_DATAERR, err);
}

/* The daemon's write gate; see herd_cib.h. */
int herd_cib_schema_validator(struct _xmlDoc *doc, GError **err)
{
    return check(doc, "CIB", HERD_EXIT_CONFIG, err) ? 0 : HERD_EXIT_CONFIG;
}
