/* metadata.c: an agent's meta-data (the ra-api-1 format) parsed with
 * libxml2, and instance parameters checked against it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "internal.h"

static void param_free(gpointer p)
{
    herd_param_meta_t *m = p;
    g_free(m->name);
    g_free(m->type);
    g_free(m->default_value);
    g_strfreev(m->options);
    g_free(m->shortdesc);
    g_free(m->longdesc);
    g_free(m);
}

static void action_free(gpointer p)
{
    herd_action_meta_t *a = p;
    g_free(a->name);
    g_free(a->role);
    g_free(a);
}

void herd_metadata_free(herd_metadata_t *md)
{
    if (!md)
        return;
    g_free(md->name);
    g_free(md->version);
    g_free(md->shortdesc);
    g_free(md->longdesc);
    if (md->params)
        g_ptr_array_unref(md->params);
    if (md->actions)
        g_ptr_array_unref(md->actions);
    g_free(md);
}

static char *prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = g_strdup((const char *)v);
    xmlFree(v);
    return s;
}

static char *text_of(xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = g_strstrip(g_strdup(v ? (const char *)v : ""));
    xmlFree(v);
    return s;
}

static bool is_el(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* OCF booleans in meta-data: 1/0, true/false, yes/no. */
static int parse_bool(const char *s, bool *out)
{
    if (!s) {
        *out = false;
        return 0;
    }
    if (!strcmp(s, "1") || !g_ascii_strcasecmp(s, "true") || !g_ascii_strcasecmp(s, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "0") || !g_ascii_strcasecmp(s, "false") || !g_ascii_strcasecmp(s, "no")) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

static bool md_error(GError **err, const char *origin, xmlNode *n, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static bool md_error(GError **err, const char *origin, xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:%ld: invalid meta-data: %s", origin,
                n ? (long)xmlGetLineNo(n) : 0L, msg);
    return false;
}

static bool parse_param(xmlNode *pn, herd_metadata_t *md, const char *origin, GError **err)
{
    g_autofree char *name = prop(pn, "name");
    if (!name || !*name)
        return md_error(err, origin, pn, "<parameter> without a name");
    herd_param_meta_t *p = g_new0(herd_param_meta_t, 1);
    g_ptr_array_add(md->params, p);
    p->name = g_steal_pointer(&name);
    static const char *flags[] = {"required", "unique", "reloadable", "deprecated"};
    bool *dst[] = {&p->required, &p->unique, &p->reloadable, &p->deprecated};
    for (int i = 0; i < 4; i++) {
        g_autofree char *v = prop(pn, flags[i]);
        if (parse_bool(v, dst[i]) < 0)
            return md_error(err, origin, pn, "parameter '%s': %s=\"%s\" is not a boolean",
                            p->name, flags[i], v);
    }
    /* unique-group (newer OCF) implies uniqueness. */
    g_autofree char *ug = prop(pn, "unique-group");
    if (ug && *ug)
        p->unique = true;
    for (xmlNode *c = pn->children; c; c = c->next) {
        if (is_el(c, "content")) {
            g_free(p->type);
            p->type = prop(c, "type");
            g_free(p->default_value);
            p->default_value = prop(c, "default");
            GPtrArray *opts = g_ptr_array_new();
            for (xmlNode *o = c->children; o; o = o->next)
                if (is_el(o, "option"))
                    g_ptr_array_add(opts, prop(o, "value"));
            if (opts->len) {
                g_ptr_array_add(opts, NULL);
                p->options = (char **)g_ptr_array_free(opts, FALSE);
            } else {
                g_ptr_array_free(opts, TRUE);
            }
        } else if (is_el(c, "shortdesc") && !p->shortdesc) {
            p->shortdesc = text_of(c);
        } else if (is_el(c, "longdesc") && !p->longdesc) {
            p->longdesc = text_of(c);
        }
    }
    if (!p->type)
        p->type = g_strdup("string");
    return true;
}

/* A duration attribute ("20s", "0", "10"); absent is 0. */
static bool parse_ms(xmlNode *an, const char *attr, const char *aname, guint *out,
                     const char *origin, GError **err)
{
    g_autofree char *v = prop(an, attr);
    *out = 0;
    if (!v || !*v)
        return true;
    long long ms;
    if (herd_parse_duration_ms(v, &ms) < 0 || ms < 0 || ms > G_MAXUINT)
        return md_error(err, origin, an, "action '%s': %s=\"%s\" is not a duration", aname,
                        attr, v);
    *out = (guint)ms;
    return true;
}

static bool parse_action(xmlNode *an, herd_metadata_t *md, const char *origin, GError **err)
{
    g_autofree char *name = prop(an, "name");
    if (!name || !*name)
        return md_error(err, origin, an, "<action> without a name");
    herd_action_meta_t *a = g_new0(herd_action_meta_t, 1);
    g_ptr_array_add(md->actions, a);
    a->name = g_steal_pointer(&name);
    a->role = prop(an, "role");
    if (!parse_ms(an, "timeout", a->name, &a->timeout_ms, origin, err) ||
        !parse_ms(an, "interval", a->name, &a->interval_ms, origin, err))
        return false;
    g_autofree char *depth = prop(an, "depth");
    if (depth && *depth) {
        char *end;
        unsigned long d = strtoul(depth, &end, 10);
        if (*end || d > G_MAXUINT)
            return md_error(err, origin, an, "action '%s': depth=\"%s\" is not a number",
                            a->name, depth);
        a->depth = (guint)d;
    }
    return true;
}

herd_metadata_t *herd_metadata_parse(const char *xml, gssize len, const char *origin,
                                     GError **err)
{
    if (!origin)
        origin = "meta-data";
    if (len < 0)
        len = xml ? (gssize)strlen(xml) : 0;
    if (!xml || len == 0 || len > G_MAXINT) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s: invalid meta-data: empty", origin);
        return NULL;
    }
    xmlDoc *doc = xmlReadMemory(xml, (int)len, origin, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        g_autofree char *msg = g_strstrip(g_strdup(xe && xe->message ? xe->message : "parse error"));
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:%d: invalid meta-data: not XML: %s",
                    origin, xe ? xe->line : 0, msg);
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    herd_metadata_t *md = g_new0(herd_metadata_t, 1);
    md->params = g_ptr_array_new_with_free_func(param_free);
    md->actions = g_ptr_array_new_with_free_func(action_free);
    bool ok = true;
    if (!root || !is_el(root, "resource-agent")) {
        ok = md_error(err, origin, root, "root element is <%s>, expected <resource-agent>",
                      root ? (const char *)root->name : "(none)");
        goto out;
    }
    md->name = prop(root, "name");
    md->version = prop(root, "version");
    bool have_actions = false;
    for (xmlNode *c = root->children; c && ok; c = c->next) {
        if (is_el(c, "version") && !md->version) {
            md->version = text_of(c);
        } else if (is_el(c, "shortdesc") && !md->shortdesc) {
            md->shortdesc = text_of(c);
        } else if (is_el(c, "longdesc") && !md->longdesc) {
            md->longdesc = text_of(c);
        } else if (is_el(c, "parameters")) {
            for (xmlNode *p = c->children; p && ok; p = p->next)
                if (is_el(p, "parameter"))
                    ok = parse_param(p, md, origin, err);
        } else if (is_el(c, "actions")) {
            have_actions = true;
            for (xmlNode *a = c->children; a && ok; a = a->next)
                if (is_el(a, "action"))
                    ok = parse_action(a, md, origin, err);
        }
    }
    if (ok && (!md->name || !*md->name))
        ok = md_error(err, origin, root, "<resource-agent> has no name");
    if (ok && !have_actions)
        ok = md_error(err, origin, root, "no <actions> element");
    if (!md->shortdesc) {
        g_autofree char *sd = prop(root, "shortdesc");
        md->shortdesc = g_steal_pointer(&sd);
    }
out:
    xmlFreeDoc(doc);
    if (!ok) {
        herd_metadata_free(md);
        return NULL;
    }
    return md;
}

const herd_action_meta_t *herd_metadata_action(const herd_metadata_t *md, const char *name)
{
    for (guint i = 0; md && i < md->actions->len; i++) {
        const herd_action_meta_t *a = md->actions->pdata[i];
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

const herd_param_meta_t *herd_metadata_param(const herd_metadata_t *md, const char *name)
{
    for (guint i = 0; md && i < md->params->len; i++) {
        const herd_param_meta_t *p = md->params->pdata[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **herd_metadata_validate(const herd_metadata_t *md, GHashTable *params)
{
    GPtrArray *probs = g_ptr_array_new();
    for (guint i = 0; i < md->params->len; i++) {
        const herd_param_meta_t *p = md->params->pdata[i];
        const char *v = params ? g_hash_table_lookup(params, p->name) : NULL;
        if (!v) {
            if (p->required)
                g_ptr_array_add(probs, g_strdup_printf("required parameter '%s' is missing",
                                                       p->name));
            continue;
        }
        if (!g_ascii_strcasecmp(p->type, "integer")) {
            char *end;
            errno = 0;
            (void)strtoll(v, &end, 10);
            if (!*v || *end || errno)
                g_ptr_array_add(probs, g_strdup_printf("parameter '%s': '%s' is not an integer",
                                                       p->name, v));
        } else if (!g_ascii_strcasecmp(p->type, "boolean")) {
            static const char *bools[] = {"1", "0", "true", "false", "yes", "no", "on", "off",
                                          "y", "n", NULL};
            bool found = false;
            for (int b = 0; bools[b]; b++)
                found |= !g_ascii_strcasecmp(v, bools[b]);
            if (!found)
                g_ptr_array_add(probs, g_strdup_printf("parameter '%s': '%s' is not a boolean",
                                                       p->name, v));
        } else if (p->options && !g_strv_contains((const char *const *)p->options, v)) {
            g_autofree char *opts = g_strjoinv(", ", p->options);
            g_ptr_array_add(probs, g_strdup_printf("parameter '%s': '%s' is not one of: %s",
                                                   p->name, v, opts));
        }
    }
    if (params) {
        g_autoptr(GPtrArray) keys = g_ptr_array_new();
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, params);
        while (g_hash_table_iter_next(&it, &k, NULL))
            g_ptr_array_add(keys, k);
        g_ptr_array_sort(keys, cmp_str);
        for (guint i = 0; i < keys->len; i++)
            if (!herd_metadata_param(md, keys->pdata[i]))
                g_ptr_array_add(probs, g_strdup_printf("unknown parameter '%s'",
                                                       (char *)keys->pdata[i]));
    }
    g_ptr_array_add(probs, NULL);
    return (char **)g_ptr_array_free(probs, FALSE);
}

/* The value of "# Key: value" in an LSB header block, or NULL. */
static char *lsb_field(char **lines, const char *key)
{
    bool in = false;
    size_t klen = strlen(key);
    for (int i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (strstr(l, "### BEGIN INIT INFO"))
            in = true;
        else if (strstr(l, "### END INIT INFO"))
            break;
        else if (in && l[0] == '#') {
            const char *p = l + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            if (g_ascii_strncasecmp(p, key, klen) == 0 && p[klen] == ':')
                return g_strstrip(g_strdup(p + klen + 1));
        }
    }
    return NULL;
}

char *herd_metadata_synthesize(const herd_agent_t *agent)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    if (g_file_get_contents(agent->path, &text, NULL, NULL))
        lines = g_strsplit(text, "\n", -1);
    else
        lines = g_new0(char *, 1);
    g_autofree char *sd = lsb_field(lines, "Short-Description");
    g_autofree char *ld = lsb_field(lines, "Description");
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"resource-agent");
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, (const xmlChar *)"name", (const xmlChar *)agent->type);
    xmlNewTextChild(root, NULL, (const xmlChar *)"version", (const xmlChar *)"1.0");
    g_autofree char *dflt = g_strdup_printf("%s %s", herd_agent_class_name(agent->klass),
                                            agent->type);
    xmlNewTextChild(root, NULL, (const xmlChar *)"longdesc", (const xmlChar *)(ld ? ld : dflt));
    xmlNewTextChild(root, NULL, (const xmlChar *)"shortdesc", (const xmlChar *)(sd ? sd : dflt));
    xmlNewChild(root, NULL, (const xmlChar *)"parameters", NULL);
    xmlNode *acts = xmlNewChild(root, NULL, (const xmlChar *)"actions", NULL);
    static const char *names[] = {"start", "stop", "status", "restart", "meta-data", NULL};
    for (int i = 0; names[i]; i++) {
        xmlNode *a = xmlNewChild(acts, NULL, (const xmlChar *)"action", NULL);
        xmlNewProp(a, (const xmlChar *)"name", (const xmlChar *)names[i]);
        xmlNewProp(a, (const xmlChar *)"timeout", (const xmlChar *)(i < 4 ? "15s" : "5s"));
        if (i == 2)
            xmlNewProp(a, (const xmlChar *)"interval", (const xmlChar *)"15s");
    }
    xmlChar *buf = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    char *out = g_strndup((const char *)buf, len);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return out;
}
