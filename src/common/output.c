/* output.c: the one formatter behind `--output-as text|xml|json`.
 *
 * Commands build their result as a JSON tree; this file turns that tree
 * into JSON (json-glib), XML (libxml2) or text (the command's own
 * renderer).  Escaping is always the libraries', never ours. */
#include <errno.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "herd_common.h"

int herd_output_parse_format(const char *name, herd_output_format_t *format,
                             GError **err)
{
    if (g_strcmp0(name, "text") == 0)
        *format = HERD_OUTPUT_TEXT;
    else if (g_strcmp0(name, "xml") == 0)
        *format = HERD_OUTPUT_XML;
    else if (g_strcmp0(name, "json") == 0)
        *format = HERD_OUTPUT_JSON;
    else {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "unknown output format '%s' (expected text, xml or json)",
                    name ? name : "");
        return HERD_EXIT_USAGE;
    }
    return 0;
}

/* `text` made representable in XML 1.0: libxml2 escapes markup but passes
 * control characters and invalid UTF-8 through, which no parser accepts.
 * Those bytes become "\xNN" (tab, newline and carriage return stay).
 * Returns a new string. */
static char *xml_safe(const char *text)
{
    GString *out = g_string_sized_new(strlen(text));
    const char *p = text;
    while (*p) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        bool bad = c == (gunichar)-1 || c == (gunichar)-2 ||
                   (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                   c == 0xFFFE || c == 0xFFFF;
        if (bad) {
            g_string_append_printf(out, "\\x%02X", (unsigned char)*p);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        g_string_append_len(out, p, next - p);
        p = next;
    }
    return g_string_free(out, FALSE);
}

/* Text form of a scalar JSON value, for an XML attribute or element. */
static char *scalar_text(JsonNode *node)
{
    if (JSON_NODE_HOLDS_NULL(node))
        return g_strdup("");
    GType t = json_node_get_value_type(node);
    if (t == G_TYPE_BOOLEAN)
        return g_strdup(json_node_get_boolean(node) ? "true" : "false");
    if (t == G_TYPE_INT64)
        return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node));
    if (t == G_TYPE_DOUBLE)
        return g_strdup_printf("%g", json_node_get_double(node));
    return xml_safe(json_node_get_string(node));
}

/* "codes" -> "code"; anything not ending in 's' -> "item". */
static char *singular(const char *key)
{
    size_t n = strlen(key);
    if (n > 1 && key[n - 1] == 's')
        return g_strndup(key, n - 1);
    return g_strdup("item");
}

static void add_object(xmlNodePtr elem, JsonObject *obj);

static void add_value(xmlNodePtr parent, const char *name, JsonNode *node)
{
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT: {
        xmlNodePtr child = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
        add_object(child, json_node_get_object(node));
        break;
    }
    case JSON_NODE_ARRAY: {
        xmlNodePtr wrap = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
        g_autofree char *item = singular(name);
        JsonArray *arr = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(arr); i++) {
            JsonNode *el = json_array_get_element(arr, i);
            if (JSON_NODE_HOLDS_OBJECT(el) || JSON_NODE_HOLDS_ARRAY(el)) {
                add_value(wrap, item, el);
            } else {
                g_autofree char *txt = scalar_text(el);
                xmlNewTextChild(wrap, NULL, BAD_CAST item, BAD_CAST txt);
            }
        }
        break;
    }
    default: {
        g_autofree char *txt = scalar_text(node);
        xmlNewProp(parent, BAD_CAST name, BAD_CAST txt);
        break;
    }
    }
}

static void add_object(xmlNodePtr elem, JsonObject *obj)
{
    /* Attributes first, then children, each in the object's own order. */
    g_autoptr(GList) members = json_object_get_members(obj);
    for (int pass = 0; pass < 2; pass++) {
        for (GList *l = members; l; l = l->next) {
            JsonNode *v = json_object_get_member(obj, l->data);
            bool scalar = JSON_NODE_HOLDS_VALUE(v) || JSON_NODE_HOLDS_NULL(v);
            if ((pass == 0) == scalar)
                add_value(elem, l->data, v);
        }
    }
}

static int emit_xml(FILE *fp, const char *request, JsonNode *data, int exit_code,
                    const char *message)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "herd-result");
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "api-version", BAD_CAST "1.0");
    xmlNewProp(root, BAD_CAST "request", BAD_CAST request);
    if (data && JSON_NODE_HOLDS_OBJECT(data))
        add_object(root, json_node_get_object(data));
    xmlNodePtr status = xmlNewChild(root, NULL, BAD_CAST "status", NULL);
    g_autofree char *code = g_strdup_printf("%d", exit_code);
    xmlNewProp(status, BAD_CAST "code", BAD_CAST code);
    const char *desc = herd_exit_description(exit_code);
    xmlNewProp(status, BAD_CAST "message", BAD_CAST (desc ? desc : "Unknown exit status"));
    if (message) {
        g_autofree char *safe = xml_safe(message);
        xmlNewTextChild(status, NULL, BAD_CAST "error", BAD_CAST safe);
    }
    xmlChar *buf = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    int rc = 0;
    if (fwrite(buf, 1, (size_t)len, fp) != (size_t)len)
        rc = -EIO;
    xmlFree(buf);
    xmlFreeDoc(doc);
    return rc;
}

static int emit_json(FILE *fp, const char *request, JsonNode *data, int exit_code,
                     const char *message)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "request");
    json_builder_add_string_value(b, request);
    json_builder_set_member_name(b, "status");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, exit_code);
    json_builder_set_member_name(b, "message");
    const char *desc = herd_exit_description(exit_code);
    json_builder_add_string_value(b, desc ? desc : "Unknown exit status");
    if (message) {
        json_builder_set_member_name(b, "error");
        json_builder_add_string_value(b, message);
    }
    json_builder_end_object(b);
    if (data) {
        json_builder_set_member_name(b, request);
        json_builder_add_value(b, json_node_copy(data));
    }
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, root);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    if (fprintf(fp, "%s\n", text) < 0)
        return -EIO;
    return 0;
}

int herd_output_emit(FILE *fp, herd_output_format_t format, const char *request,
                     JsonNode *data, int exit_code, herd_text_fn text, void *user)
{
    switch (format) {
    case HERD_OUTPUT_XML:
        return emit_xml(fp, request, data, exit_code, NULL);
    case HERD_OUTPUT_JSON:
        return emit_json(fp, request, data, exit_code, NULL);
    case HERD_OUTPUT_TEXT:
        break;
    }
    if (!text)
        return 0;
    g_autoptr(GString) out = g_string_new(NULL);
    text(data, out, user);
    if (out->len && fwrite(out->str, 1, out->len, fp) != out->len)
        return -EIO;
    return 0;
}

void herd_output_error(FILE *fp, herd_output_format_t format, const char *request,
                       int exit_code, const char *message)
{
    switch (format) {
    case HERD_OUTPUT_XML:
        emit_xml(fp, request, NULL, exit_code, message);
        break;
    case HERD_OUTPUT_JSON:
        emit_json(fp, request, NULL, exit_code, message);
        break;
    case HERD_OUTPUT_TEXT:
        fprintf(stderr, "herd %s: %s\n", request, message);
        break;
    }
}
