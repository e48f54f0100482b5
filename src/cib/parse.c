/* parse.c: CIB XML (libxml2) into the typed model of herd_cib.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "herd_common.h"
#include "herd_cib.h"
#include "internal.h"

typedef struct {
    herd_cib_t *cib;
    const char *src;
    xmlNode *config;           /* <configuration> */
    GHashTable *xml_by_id;     /* id -> xmlNode*, for id-ref */
    GError *err;               /* first error */
    xmlTextReaderPtr stream;   /* streaming: the reader, on <status> */
    bool stream_retry;         /* streaming gave up: load the whole DOM */
} parser_t;

#define NAME_IS(n, s) ((n)->type == XML_ELEMENT_NODE && xmlStrcmp((n)->name, BAD_CAST(s)) == 0)
#define FOR_CHILDREN(parent, c) \
    for (xmlNode *c = (parent) ? (parent)->children : NULL; c; c = c->next) \
        if (c->type == XML_ELEMENT_NODE)

static void fail(parser_t *p, xmlNode *n, int code, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void fail(parser_t *p, xmlNode *n, int code, const char *fmt, ...)
{
    if (p->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    p->err = g_error_new(HERD_ERROR, code, "%s:%ld: %s", p->src, n ? xmlGetLineNo(n) : 0L, msg);
}

/* attribute as a newly allocated g_ string (NULL when absent) */
static char *attr(xmlNode *n, const char *name)
{
    /* fast path (hot on large status sections): a plain text value */
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (xmlStrEqual(a->name, BAD_CAST name)) {
            if (!a->children)
                return g_strdup("");
            if (a->children->type == XML_TEXT_NODE && !a->children->next)
                return g_strdup((const char *) a->children->content);
            break;
        }
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (v == NULL)
        return NULL;
    char *r = g_strdup((const char *) v);
    xmlFree(v);
    return r;
}

/* attribute compared without allocation */
static bool attr_is(xmlNode *n, const char *name, const char *value)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    bool r = v && strcasecmp((const char *) v, value) == 0;
    xmlFree(v);
    return r;
}

static int attr_score(parser_t *p, xmlNode *n, const char *name, int dflt, bool *has)
{
    g_autofree char *v = attr(n, name);
    if (has)
        *has = v != NULL;
    if (v == NULL)
        return dflt;
    int s;
    if (!herd_score_parse(v, &s)) {
        fail(p, n, HERD_EXIT_DATAERR, "%s=\"%s\" of <%s> is not a score (an integer or INFINITY)",
             name, v, (const char *) n->name);
        return dflt;
    }
    return s;
}

static xmlNode *resolve_ref(parser_t *p, xmlNode *n)
{
    g_autofree char *ref = attr(n, "id-ref");
    if (ref == NULL)
        return n;
    xmlNode *t = g_hash_table_lookup(p->xml_by_id, ref);
    if (t == NULL) {
        fail(p, n, HERD_EXIT_CONFIG, "id-ref=\"%s\" names no element with that id", ref);
        return NULL;
    }
    return t;
}

/* ---- ids ---- */

static void collect_ids(parser_t *p, xmlNode *n, bool in_status)
{
    for (xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        bool st = in_status || NAME_IS(c, "status");
        /* references and node ids (their own namespace) define nothing */
        bool ref = NAME_IS(c, "resource_ref") || NAME_IS(c, "obj_ref") || NAME_IS(c, "node") ||
                   NAME_IS(c, "role");
        if (!st && !ref) {
            xmlChar *id = xmlGetProp(c, BAD_CAST "id");
            if (id) {
                if (g_hash_table_contains(p->xml_by_id, id)) {
                    xmlNode *first = g_hash_table_lookup(p->xml_by_id, id);
                    fail(p, c, HERD_EXIT_DATAERR, "duplicate id \"%s\" (first used on line %ld)",
                         (const char *) id, xmlGetLineNo(first));
                    xmlFree(id);
                    return;
                }
                g_hash_table_insert(p->xml_by_id, g_strdup((const char *) id), c);
                xmlFree(id);
            }
        }
        collect_ids(p, c->children, st);
    }
}

/* ---- rules ---- */

static herd_rule_t *parse_rule(parser_t *p, xmlNode *n);

void herd_rule_free(herd_rule_t *r);

static void expr_free(herd_expr_t *e)
{
    if (!e)
        return;
    g_free(e->attribute); g_free(e->operation); g_free(e->value); g_free(e->type);
    g_free(e->value_source); g_free(e->start); g_free(e->end);
    if (e->date_spec) g_hash_table_destroy(e->date_spec);
    if (e->duration) g_hash_table_destroy(e->duration);
    g_free(e->rsc_class); g_free(e->rsc_provider); g_free(e->rsc_type); g_free(e->op_name);
    herd_rule_free(e->rule);
    g_free(e);
}

/* Free a rule and its expressions. */
void herd_rule_free(herd_rule_t *r)
{
    if (!r)
        return;
    g_free(r->id); g_free(r->score_attribute); g_free(r->role);
    if (r->exprs) g_ptr_array_free(r->exprs, TRUE);
    g_free(r);
}

static GHashTable *attrs_table(xmlNode *n)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (xmlAttr *a = n->properties; a; a = a->next) {
        xmlChar *v = xmlNodeGetContent((xmlNode *) a);
        g_hash_table_insert(t, g_strdup((const char *) a->name), g_strdup((const char *) v));
        xmlFree(v);
    }
    return t;
}

static const char *const attr_ops[] = {"lt", "gt", "lte", "gte", "eq", "ne", "defined",
                                       "not_defined", NULL};

static herd_rule_t *parse_rule(parser_t *p, xmlNode *n)
{
    n = resolve_ref(p, n);
    if (n == NULL)
        return NULL;
    herd_rule_t *r = g_new0(herd_rule_t, 1);
    r->id = attr(n, "id");
    r->line = (int) xmlGetLineNo(n);
    r->exprs = g_ptr_array_new_with_free_func((GDestroyNotify) expr_free);
    bool has;
    r->score = attr_score(p, n, "score", 0, &has);
    r->score_attribute = attr(n, "score-attribute");
    r->role = attr(n, "role");
    g_autofree char *bop = attr(n, "boolean-op");
    if (bop == NULL || !strcasecmp(bop, "and"))
        r->op = HERD_RULE_AND;
    else if (!strcasecmp(bop, "or"))
        r->op = HERD_RULE_OR;
    else
        fail(p, n, HERD_EXIT_CONFIG, "rule %s: boolean-op=\"%s\" is neither \"and\" nor \"or\"",
             r->id ? r->id : "", bop);
    FOR_CHILDREN(n, c) {
        herd_expr_t *e = g_new0(herd_expr_t, 1);
        g_ptr_array_add(r->exprs, e);
        if (NAME_IS(c, "expression")) {
            e->kind = HERD_EXPR_ATTR;
            e->attribute = attr(c, "attribute");
            e->operation = attr(c, "operation");
            e->value = attr(c, "value");
            e->type = attr(c, "type");
            e->value_source = attr(c, "value-source");
            bool ok = false;
            for (int i = 0; e->operation && attr_ops[i]; i++)
                ok |= strcmp(e->operation, attr_ops[i]) == 0;
            if (!e->attribute || !ok)
                fail(p, c, HERD_EXIT_CONFIG,
                     "rule expression needs attribute= and operation= one of lt, gt, lte, gte, "
                     "eq, ne, defined, not_defined");
            else if (!e->value && strcmp(e->operation, "defined") && strcmp(e->operation, "not_defined"))
                fail(p, c, HERD_EXIT_CONFIG, "rule expression with operation=\"%s\" needs value=",
                     e->operation);
        } else if (NAME_IS(c, "date_expression")) {
            e->kind = HERD_EXPR_DATE;
            e->operation = attr(c, "operation");
            e->start = attr(c, "start");
            e->end = attr(c, "end");
            if (!e->operation)
                e->operation = g_strdup("in_range");
            FOR_CHILDREN(c, d) {
                if (NAME_IS(d, "date_spec"))
                    e->date_spec = attrs_table(d);
                else if (NAME_IS(d, "duration"))
                    e->duration = attrs_table(d);
            }
            time_t t;
            if ((e->start && !herd_cib_parse_datetime(e->start, &t)) ||
                (e->end && !herd_cib_parse_datetime(e->end, &t)))
                fail(p, c, HERD_EXIT_CONFIG, "date_expression: start/end is not an ISO 8601 date");
            if (strcmp(e->operation, "in_range") && strcmp(e->operation, "gt") &&
                strcmp(e->operation, "lt") && strcmp(e->operation, "date_spec"))
                fail(p, c, HERD_EXIT_CONFIG, "date_expression: operation=\"%s\" is not one of "
                     "in_range, gt, lt, date_spec", e->operation);
        } else if (NAME_IS(c, "rule")) {
            e->kind = HERD_EXPR_RULE;
            e->rule = parse_rule(p, c);
        } else if (NAME_IS(c, "rsc_expression")) {
            e->kind = HERD_EXPR_RSC;
            e->rsc_class = attr(c, "class");
            e->rsc_provider = attr(c, "provider");
            e->rsc_type = attr(c, "type");
        } else if (NAME_IS(c, "op_expression")) {
            e->kind = HERD_EXPR_OP;
            e->op_name = attr(c, "name");
            g_autofree char *iv = attr(c, "interval");
            guint64 ms = 0;
            if (iv)
                herd_cib_parse_interval(iv, &ms);
            e->op_interval_ms = (guint) ms;
        } else {
            fail(p, c, HERD_EXIT_CONFIG, "unknown element <%s> in rule (expected expression, "
                 "date_expression, rule, rsc_expression or op_expression)", (const char *) c->name);
        }
    }
    return r;
}

/* ---- nvsets ---- */

void herd_nvset_free(herd_nvset_t *s)
{
    if (!s)
        return;
    g_free(s->id);
    herd_rule_free(s->rule);
    g_ptr_array_free(s->names, TRUE);
    g_hash_table_destroy(s->values);
    g_free(s);
}

static herd_nvset_t *parse_nvset(parser_t *p, xmlNode *n)
{
    n = resolve_ref(p, n);
    if (n == NULL)
        return NULL;
    herd_nvset_t *s = g_new0(herd_nvset_t, 1);
    s->id = attr(n, "id");
    s->score = attr_score(p, n, "score", 0, NULL);
    s->names = g_ptr_array_new_with_free_func(g_free);
    s->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, "nvpair")) {
            xmlNode *nv = resolve_ref(p, c);
            if (!nv)
                continue;
            char *name = attr(nv, "name");
            char *value = attr(nv, "value");
            if (name == NULL) {
                fail(p, nv, HERD_EXIT_DATAERR, "<nvpair> without name=");
                g_free(value);
                continue;
            }
            if (!value || !g_ascii_strcasecmp(value, "#default")) {
                /* no value, or "#default": as if not set here */
                g_free(name);
                g_free(value);
                continue;
            }
            if (!g_hash_table_contains(s->values, name)) {
                g_ptr_array_add(s->names, g_strdup(name));
                g_hash_table_insert(s->values, name, value ? value : g_strdup(""));
            } else {
                g_free(name);
                g_free(value);
            }
        } else if (NAME_IS(c, "rule")) {
            herd_rule_free(s->rule);
            s->rule = parse_rule(p, c);
        } else {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <%s> (expected nvpair or rule)",
                 (const char *) c->name, (const char *) n->name);
        }
    }
    return s;
}

static gint nvset_cmp(gconstpointer a, gconstpointer b)
{
    const herd_nvset_t *x = *(herd_nvset_t *const *) a, *y = *(herd_nvset_t *const *) b;
    return (y->score > x->score) - (y->score < x->score);
}

/* Merge the unruled (or true-at-load: none) sets of `kind` children of n into
 * table (existing keys win), and keep ruled ones in `ruled` if given. */
static void merge_sets(parser_t *p, xmlNode *n, const char *kind, GHashTable *table, GPtrArray *ruled)
{
    g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func((GDestroyNotify) herd_nvset_free);
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, kind)) {
            herd_nvset_t *s = parse_nvset(p, c);
            if (s)
                g_ptr_array_add(sets, s);
        }
    }
    g_ptr_array_sort(sets, nvset_cmp);
    for (guint i = 0; i < sets->len; i++) {
        herd_nvset_t *s = sets->pdata[i];
        if (s->rule) {
            if (ruled) {
                g_ptr_array_add(ruled, s);
                sets->pdata[i] = NULL;
            } else {
                /* Rules on meta attributes: evaluated with no node. */
                if (!herd_rule_eval(s->rule, NULL, NULL, 0))
                    continue;
            }
            if (ruled)
                continue;
        }
        for (guint k = 0; k < s->names->len; k++) {
            const char *name = s->names->pdata[k];
            if (!g_hash_table_contains(table, name))
                g_hash_table_insert(table, g_strdup(name), g_strdup(g_hash_table_lookup(s->values, name)));
        }
    }
    g_ptr_array_set_free_func(sets, NULL);
    for (guint i = 0; i < sets->len; i++)
        if (sets->pdata[i])
            herd_nvset_free(sets->pdata[i]);
}

static GHashTable *str_table(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static void copy_missing(GHashTable *dst, GHashTable *src)
{
    if (!src)
        return;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, src);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!g_hash_table_contains(dst, k))
            g_hash_table_insert(dst, g_strdup(k), g_strdup(v));
}

/* ---- crm_config ---- */

static const char *opt(herd_cib_t *cib, const char *a, const char *b)
{
    const char *v = g_hash_table_lookup(cib->options.values, a);
    if (!v && b)
        v = g_hash_table_lookup(cib->options.values, b);
    return v;
}

static void parse_crm_config(parser_t *p, xmlNode *n)
{
    herd_cib_t *cib = p->cib;
    FOR_CHILDREN(n, c) {
        if (!NAME_IS(c, "cluster_property_set")) {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <crm_config> (expected "
                 "cluster_property_set)", (const char *) c->name);
            return;
        }
    }
    merge_sets(p, n, "cluster_property_set", cib->options.values, NULL);
    herd_cib_options_t *o = &cib->options;
    o->stonith_enabled = herd_cib_parse_bool(opt(cib, "stonith-enabled", "stonith_enabled"), true);
    o->symmetric_cluster = herd_cib_parse_bool(opt(cib, "symmetric-cluster", "symmetric_cluster"), true);
    o->maintenance_mode = herd_cib_parse_bool(opt(cib, "maintenance-mode", NULL), false);
    o->stop_orphan_resources = herd_cib_parse_bool(opt(cib, "stop-orphan-resources", NULL), true);
    o->stop_orphan_actions = herd_cib_parse_bool(opt(cib, "stop-orphan-actions", NULL), true);
    o->start_failure_is_fatal = herd_cib_parse_bool(opt(cib, "start-failure-is-fatal", NULL), true);
    o->enable_startup_probes = herd_cib_parse_bool(opt(cib, "enable-startup-probes", NULL), true);
    o->stop_all_resources = herd_cib_parse_bool(opt(cib, "stop-all-resources", NULL), false);
    o->concurrent_fencing = herd_cib_parse_bool(opt(cib, "concurrent-fencing", NULL), false);
    o->no_quorum_policy = g_strdup(opt(cib, "no-quorum-policy", "no_quorum_policy") ?: "stop");
    o->placement_strategy = g_strdup(opt(cib, "placement-strategy", NULL) ?: "default");
    o->stonith_action = g_strdup(opt(cib, "stonith-action", NULL) ?: "reboot");
    if (!strcmp(o->stonith_action, "poweroff")) {
        g_free(o->stonith_action);
        o->stonith_action = g_strdup("off");
    }
    o->node_health_strategy = g_strdup(opt(cib, "node-health-strategy", NULL) ?: "none");
    herd_score_parse(opt(cib, "node-health-green", NULL), &o->node_health_green);
    herd_score_parse(opt(cib, "node-health-yellow", NULL), &o->node_health_yellow);
    herd_score_parse(opt(cib, "node-health-red", NULL), &o->node_health_red);
    o->shutdown_lock = herd_cib_parse_bool(opt(cib, "shutdown-lock", NULL), false);
    guint64 ms = 0;
    if (herd_cib_parse_interval(opt(cib, "shutdown-lock-limit", NULL), &ms))
        o->shutdown_lock_limit_ms = ms;
    o->stonith_timeout_ms = 60000;
    if (herd_cib_parse_interval(opt(cib, "stonith-timeout", NULL), &ms))
        o->stonith_timeout_ms = ms;
    if (herd_cib_parse_interval(opt(cib, "priority-fencing-delay", NULL), &ms))
        o->priority_fencing_delay_ms = (int) ms;
}

/* ---- nodes ---- */

static herd_cib_node_t *add_node(herd_cib_t *cib, const char *id, const char *uname,
                                 herd_node_kind_t kind)
{
    herd_cib_node_t *nd = g_new0(herd_cib_node_t, 1);
    nd->id = g_strdup(id ? id : uname);
    nd->uname = g_strdup(uname);
    nd->kind = kind;
    nd->is_dc = cib->dc_uuid && !strcmp(nd->id, cib->dc_uuid);
    nd->index = (int) cib->nodes->len;
    nd->attrs = str_table();
    nd->attr_sets = g_ptr_array_new_with_free_func((GDestroyNotify) herd_nvset_free);
    nd->utilization = str_table();
    g_ptr_array_add(cib->nodes, nd);
    g_hash_table_insert(cib->node_by_name, nd->uname, nd);
    if (!g_hash_table_contains(cib->node_by_id, nd->id))
        g_hash_table_insert(cib->node_by_id, nd->id, nd);
    return nd;
}

/* Add a node to the model (used for remote and guest nodes, remote.c). */
herd_cib_node_t *herd_cib_add_node(herd_cib_t *cib, const char *id, const char *uname,
                                   herd_node_kind_t kind)
{
    return add_node(cib, id, uname, kind);
}

/* A new string table (keys and values owned), for remote.c. */
GHashTable *herd_cib_str_table(void)
{
    return str_table();
}

/* A primitive Pacemaker makes up (a guest's connection, a bundle replica's
 * parts): class ocf, empty attribute tables and no operations yet; `id`
 * is taken over.  The caller links it into the model. */
herd_cib_rsc_t *herd_cib_implicit_primitive(char *id, const char *provider, const char *type,
                                           int line)
{
    herd_cib_rsc_t *r = g_new0(herd_cib_rsc_t, 1);
    r->id = id;
    r->kind = HERD_RSC_PRIMITIVE;
    r->klass = g_strdup("ocf");
    r->provider = g_strdup(provider);
    r->type = g_strdup(type);
    r->line = line;
    r->children = g_ptr_array_new();
    r->meta = str_table();
    r->params = str_table();
    r->param_sets = g_ptr_array_new();
    r->utilization = str_table();
    r->ops = g_ptr_array_new_with_free_func((GDestroyNotify) herd_cib_op_free);
    r->implicit = true;
    return r;
}

static void parse_nodes(parser_t *p, xmlNode *n)
{
    FOR_CHILDREN(n, c) {
        if (!NAME_IS(c, "node")) {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <nodes> (expected node)",
                 (const char *) c->name);
            return;
        }
        g_autofree char *id = attr(c, "id");
        g_autofree char *uname = attr(c, "uname");
        g_autofree char *type = attr(c, "type");
        if (!uname)
            uname = g_strdup(id);
        if (!uname) {
            fail(p, c, HERD_EXIT_DATAERR, "<node> needs id= or uname=");
            return;
        }
        if (g_hash_table_contains(p->cib->node_by_name, uname))
            continue;
        herd_node_kind_t kind = type && !strcmp(type, "remote") ? HERD_NODE_REMOTE : HERD_NODE_MEMBER;
        herd_cib_node_t *nd = add_node(p->cib, id, uname, kind);
        nd->configured = true;
        nd->line = (int) xmlGetLineNo(c);
        merge_sets(p, c, "instance_attributes", nd->attrs, nd->attr_sets);
        merge_sets(p, c, "utilization", nd->utilization, NULL);
    }
}

/* ---- resources ---- */

static void op_free(herd_cib_op_t *o)
{
    g_free(o->id); g_free(o->name); g_free(o->on_fail);
    if (o->meta) g_hash_table_destroy(o->meta);
    if (o->params) g_hash_table_destroy(o->params);
    g_free(o);
}

void herd_rsc_free(herd_cib_rsc_t *r)
{
    if (!r)
        return;
    g_free(r->id); g_free(r->klass); g_free(r->provider); g_free(r->type); g_free(r->template_id);
    if (r->children) g_ptr_array_free(r->children, TRUE);
    if (r->meta) g_hash_table_destroy(r->meta);
    if (r->params) g_hash_table_destroy(r->params);
    if (r->param_sets) g_ptr_array_free(r->param_sets, TRUE);
    if (r->utilization) g_hash_table_destroy(r->utilization);
    if (r->ops) g_ptr_array_free(r->ops, TRUE);
    g_free(r->container_type); g_free(r->image); g_free(r->ip_range_start);
    g_free(r->remote_node); g_free(r->guest_node);
    if (r->bundle_attrs) g_hash_table_destroy(r->bundle_attrs);
    if (r->bundle_ips) g_ptr_array_free(r->bundle_ips, TRUE);
    if (r->bundle_containers) g_ptr_array_free(r->bundle_containers, TRUE);
    if (r->bundle_conns) g_ptr_array_free(r->bundle_conns, TRUE);
    g_free(r);
}

/* Free a configured op; the free function of every resource's ops array
 * (bundle.c makes ops for its implicit resources). */
void herd_cib_op_free(herd_cib_op_t *o)
{
    op_free(o);
}

static void parse_ops(parser_t *p, xmlNode *ops, herd_cib_rsc_t *r)
{
    ops = resolve_ref(p, ops);
    FOR_CHILDREN(ops, c) {
        if (!NAME_IS(c, "op")) {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <operations> (expected op)",
                 (const char *) c->name);
            return;
        }
        herd_cib_op_t *o = g_new0(herd_cib_op_t, 1);
        o->id = attr(c, "id");
        o->name = attr(c, "name");
        o->meta = attrs_table(c);
        o->params = str_table();
        merge_sets(p, c, "meta_attributes", o->meta, NULL);
        merge_sets(p, c, "instance_attributes", o->params, NULL);
        if (!o->name) {
            fail(p, c, HERD_EXIT_DATAERR, "<op> needs name=");
            op_free(o);
            return;
        }
        const char *iv = g_hash_table_lookup(o->meta, "interval");
        if (iv && !herd_cib_parse_interval(iv, &o->interval_ms)) {
            fail(p, c, HERD_EXIT_DATAERR, "interval=\"%s\" is not a time interval", iv);
            op_free(o);
            return;
        }
        const char *to = g_hash_table_lookup(o->meta, "timeout");
        if (to)
            herd_cib_parse_interval(to, &o->timeout_ms);
        o->role = herd_role_parse(g_hash_table_lookup(o->meta, "role"));
        o->on_fail = g_strdup(g_hash_table_lookup(o->meta, "on-fail"));
        o->enabled = herd_cib_parse_bool(g_hash_table_lookup(o->meta, "enabled"), true);
        g_ptr_array_add(r->ops, o);
    }
}

static herd_cib_rsc_t *parse_rsc(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent);

static herd_cib_rsc_t *new_rsc(parser_t *p, xmlNode *n, herd_rsc_kind_t kind, herd_cib_rsc_t *parent)
{
    herd_cib_rsc_t *r = g_new0(herd_cib_rsc_t, 1);
    r->id = attr(n, "id");
    r->kind = kind;
    r->parent = parent;
    r->line = (int) xmlGetLineNo(n);
    r->children = g_ptr_array_new();
    r->meta = str_table();
    r->params = str_table();
    r->param_sets = g_ptr_array_new_with_free_func((GDestroyNotify) herd_nvset_free);
    r->utilization = str_table();
    r->ops = g_ptr_array_new_with_free_func((GDestroyNotify) op_free);
    if (!r->id)
        fail(p, n, HERD_EXIT_DATAERR, "<%s> needs id=", (const char *) n->name);
    return r;
}

static void register_rsc(parser_t *p, herd_cib_rsc_t *r)
{
    r->index = (int) p->cib->all_rscs->len;
    g_ptr_array_add(p->cib->all_rscs, r);
    if (r->id)
        g_hash_table_insert(p->cib->rsc_by_id, r->id, r);
}

static int meta_int(herd_cib_rsc_t *r, const char *a, const char *b, int dflt)
{
    const char *v = g_hash_table_lookup(r->meta, a);
    if (!v && b)
        v = g_hash_table_lookup(r->meta, b);
    if (!v)
        return dflt;
    int s;
    return herd_score_parse(v, &s) ? s : dflt;
}

static void parse_primitive_body(parser_t *p, xmlNode *n, herd_cib_rsc_t *r)
{
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, "operations"))
            parse_ops(p, c, r);
        else if (NAME_IS(c, "meta_attributes") || NAME_IS(c, "instance_attributes") ||
                 NAME_IS(c, "utilization"))
            ;
        else
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <%s id=\"%s\"> (expected "
                 "operations, meta_attributes, instance_attributes or utilization)",
                 (const char *) c->name, (const char *) n->name, r->id);
    }
    merge_sets(p, n, "meta_attributes", r->meta, NULL);
    merge_sets(p, n, "instance_attributes", r->params, r->param_sets);
    merge_sets(p, n, "utilization", r->utilization, NULL);
}

static herd_cib_rsc_t *parse_primitive(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent)
{
    herd_cib_rsc_t *r = new_rsc(p, n, HERD_RSC_PRIMITIVE, parent);
    r->klass = attr(n, "class");
    r->provider = attr(n, "provider");
    r->type = attr(n, "type");
    r->template_id = attr(n, "template");
    parse_primitive_body(p, n, r);
    if (r->template_id) {
        xmlNode *t = g_hash_table_lookup(p->xml_by_id, r->template_id);
        if (!t || !NAME_IS(t, "template")) {
            fail(p, n, HERD_EXIT_CONFIG, "template=\"%s\" names no <template>", r->template_id);
        } else {
            if (!r->klass) r->klass = attr(t, "class");
            if (!r->provider) r->provider = attr(t, "provider");
            if (!r->type) r->type = attr(t, "type");
            herd_cib_rsc_t *tr = new_rsc(p, t, HERD_RSC_PRIMITIVE, NULL);
            parse_primitive_body(p, t, tr);
            copy_missing(r->meta, tr->meta);
            copy_missing(r->params, tr->params);
            copy_missing(r->utilization, tr->utilization);
            /* ops of the template not overridden by name+interval */
            for (guint i = 0; i < tr->ops->len; i++) {
                herd_cib_op_t *o = tr->ops->pdata[i];
                bool have = false;
                for (guint k = 0; k < r->ops->len; k++) {
                    herd_cib_op_t *q = r->ops->pdata[k];
                    have |= !strcmp(q->name, o->name) && q->interval_ms == o->interval_ms;
                }
                if (!have) {
                    tr->ops->pdata[i] = NULL;
                    g_ptr_array_add(r->ops, o);
                }
            }
            g_ptr_array_set_free_func(tr->ops, NULL);
            for (guint i = 0; i < tr->ops->len; i++)
                if (tr->ops->pdata[i])
                    op_free(tr->ops->pdata[i]);
            g_ptr_array_set_size(tr->ops, 0);
            g_ptr_array_set_free_func(tr->ops, (GDestroyNotify) op_free);
            herd_rsc_free(tr);
        }
    }
    if (!r->klass || !r->type)
        fail(p, n, HERD_EXIT_DATAERR, "primitive \"%s\" needs class= and type=", r->id ? r->id : "");
    else if (!strcmp(r->klass, "ocf") && !r->provider)
        fail(p, n, HERD_EXIT_DATAERR, "ocf primitive \"%s\" needs provider=", r->id ? r->id : "");
    register_rsc(p, r);
    return r;
}

static herd_cib_rsc_t *parse_group(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent)
{
    herd_cib_rsc_t *r = new_rsc(p, n, HERD_RSC_GROUP, parent);
    merge_sets(p, n, "meta_attributes", r->meta, NULL);
    merge_sets(p, n, "instance_attributes", r->params, NULL);
    register_rsc(p, r);
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, "primitive")) {
            herd_cib_rsc_t *ch = parse_primitive(p, c, r);
            g_ptr_array_add(r->children, ch);
        } else if (!NAME_IS(c, "meta_attributes") && !NAME_IS(c, "instance_attributes")) {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in group \"%s\" (expected primitive)",
                 (const char *) c->name, r->id);
        }
    }
    return r;
}

static herd_cib_rsc_t *parse_clone(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent, bool master)
{
    herd_cib_rsc_t *r = new_rsc(p, n, HERD_RSC_CLONE, parent);
    merge_sets(p, n, "meta_attributes", r->meta, NULL);
    merge_sets(p, n, "instance_attributes", r->params, NULL);
    register_rsc(p, r);
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, "primitive")) {
            g_ptr_array_add(r->children, parse_primitive(p, c, r));
        } else if (NAME_IS(c, "group")) {
            g_ptr_array_add(r->children, parse_group(p, c, r));
        } else if (!NAME_IS(c, "meta_attributes") && !NAME_IS(c, "instance_attributes")) {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in clone \"%s\" (expected "
                 "primitive or group)", (const char *) c->name, r->id);
        }
    }
    if (r->children->len != 1)
        fail(p, n, HERD_EXIT_DATAERR, "clone \"%s\" must hold exactly one primitive or group",
             r->id ? r->id : "");
    r->promotable = master || herd_cib_parse_bool(g_hash_table_lookup(r->meta, "promotable"), false);
    return r;
}

static herd_cib_rsc_t *parse_bundle(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent)
{
    herd_cib_rsc_t *r = new_rsc(p, n, HERD_RSC_BUNDLE, parent);
    merge_sets(p, n, "meta_attributes", r->meta, NULL);
    r->bundle_attrs = str_table();
    register_rsc(p, r);
    r->replicas = 1;
    r->replicas_per_host = 1;
    FOR_CHILDREN(n, c) {
        if (NAME_IS(c, "docker") || NAME_IS(c, "podman") || NAME_IS(c, "rkt")) {
            r->container_type = g_strdup((const char *) c->name);
            r->image = attr(c, "image");
            g_autofree char *rep = attr(c, "replicas");
            g_autofree char *pm = attr(c, "promoted-max");
            if (!pm) pm = attr(c, "masters");
            g_autofree char *rph = attr(c, "replicas-per-host");
            if (rep) r->replicas = atoi(rep);
            else if (pm) r->replicas = atoi(pm);
            if (rph) r->replicas_per_host = atoi(rph);
            if (pm) {
                r->promoted_max = atoi(pm);
                r->promotable = r->promoted_max > 0;
            }
            g_autoptr(GHashTable) a = attrs_table(c);
            copy_missing(r->bundle_attrs, a);
        } else if (NAME_IS(c, "network")) {
            r->ip_range_start = attr(c, "ip-range-start");
            r->bundle_has_network_ip = r->ip_range_start != NULL;
            g_autofree char *cp = attr(c, "control-port");
            r->control_port = cp ? atoi(cp) : 3121;
        } else if (NAME_IS(c, "primitive")) {
            g_ptr_array_add(r->children, parse_primitive(p, c, r));
        } else if (NAME_IS(c, "storage") || NAME_IS(c, "meta_attributes")) {
            ;
        } else {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in bundle \"%s\"",
                 (const char *) c->name, r->id);
        }
    }
    if (!r->container_type)
        fail(p, n, HERD_EXIT_DATAERR, "bundle \"%s\" needs docker, podman or rkt", r->id ? r->id : "");
    return r;
}

static herd_cib_rsc_t *parse_rsc(parser_t *p, xmlNode *n, herd_cib_rsc_t *parent)
{
    if (NAME_IS(n, "primitive"))
        return parse_primitive(p, n, parent);
    if (NAME_IS(n, "group"))
        return parse_group(p, n, parent);
    if (NAME_IS(n, "clone"))
        return parse_clone(p, n, parent, false);
    if (NAME_IS(n, "master"))
        return parse_clone(p, n, parent, true);
    if (NAME_IS(n, "bundle"))
        return parse_bundle(p, n, parent);
    return NULL;
}

/* rsc_defaults for one resource: the sets in precedence order, those
 * with a rule only when it holds for r (rsc_expression matches its class,
 * provider and type). */
static void copy_rsc_defaults(herd_cib_t *cib, herd_cib_rsc_t *r, GPtrArray *sets)
{
    bool ruled = false;
    for (guint i = 0; sets && i < sets->len; i++)
        ruled |= ((herd_nvset_t *) sets->pdata[i])->rule != NULL;
    if (!ruled) {
        copy_missing(r->meta, cib->rsc_defaults);
        return;
    }
    for (guint i = 0; i < sets->len; i++) {
        const herd_nvset_t *s = sets->pdata[i];
        if (s->rule && !herd_rule_eval(s->rule, NULL, r, 0))
            continue;
        for (guint k = 0; k < s->names->len; k++) {
            const char *name = s->names->pdata[k];
            if (!g_hash_table_contains(r->meta, name))
                g_hash_table_insert(r->meta, g_strdup(name),
                                    g_strdup(g_hash_table_lookup(s->values, name)));
        }
    }
}

/* Meta inheritance: own > parents > rsc_defaults; then derived fields. */
static void finish_rsc(herd_cib_t *cib, herd_cib_rsc_t *r, GPtrArray *default_sets)
{
    for (herd_cib_rsc_t *a = r->parent; a; a = a->parent)
        copy_missing(r->meta, a->meta);
    copy_rsc_defaults(cib, r, default_sets);
    r->unique = herd_cib_parse_bool(g_hash_table_lookup(r->meta, "globally-unique"), false);
    r->interleave = herd_cib_parse_bool(g_hash_table_lookup(r->meta, "interleave"), false);
    r->ordered = herd_cib_parse_bool(g_hash_table_lookup(r->meta, "ordered"), false);
    r->notify = herd_cib_parse_bool(g_hash_table_lookup(r->meta, "notify"), false);
    if (r->kind == HERD_RSC_CLONE) {
        r->clone_max = meta_int(r, "clone-max", NULL, -1);
        r->clone_node_max = meta_int(r, "clone-node-max", NULL, 1);
        r->promoted_max = meta_int(r, "promoted-max", "master-max", 1);
        r->promoted_node_max = meta_int(r, "promoted-node-max", "master-node-max", 1);
    }
}

static void parse_resources(parser_t *p, xmlNode *n)
{
    FOR_CHILDREN(n, c) {
        herd_cib_rsc_t *r = parse_rsc(p, c, NULL);
        if (r)
            g_ptr_array_add(p->cib->resources, r);
        else if (NAME_IS(c, "template")) {
            ;
        } else
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <resources> (expected "
                 "primitive, group, clone, master, bundle or template)", (const char *) c->name);
        if (p->err)
            return;
    }
}

/* ---- constraints ---- */

static void set_free(herd_rsc_set_t *s)
{
    g_free(s->id); g_ptr_array_free(s->rsc_ids, TRUE); g_free(s->action); g_free(s->ordering);
    g_free(s);
}

static bool rsc_or_tag_exists(parser_t *p, const char *id)
{
    if (g_hash_table_contains(p->cib->rsc_by_id, id) || g_hash_table_contains(p->cib->tags, id))
        return true;
    xmlNode *t = g_hash_table_lookup(p->xml_by_id, id);
    return t && NAME_IS(t, "template");
}

/* Is id a template (not a resource)? */
static bool is_template(parser_t *p, const char *id)
{
    xmlNode *t = g_hash_table_lookup(p->xml_by_id, id);
    return t && NAME_IS(t, "template") && !g_hash_table_contains(p->cib->rsc_by_id, id);
}

/* Add id to out, a tag as its members, a template as the primitives made
 * from it (in configuration order). */
static void add_expanded(parser_t *p, GPtrArray *out, const char *id)
{
    GPtrArray *tag = g_hash_table_lookup(p->cib->tags, id);
    if (tag && !g_hash_table_contains(p->cib->rsc_by_id, id)) {
        for (guint i = 0; i < tag->len; i++)
            add_expanded(p, out, tag->pdata[i]);
    } else if (is_template(p, id)) {
        for (guint i = 0; i < p->cib->all_rscs->len; i++) {
            const herd_cib_rsc_t *r = p->cib->all_rscs->pdata[i];
            if (r->template_id && !strcmp(r->template_id, id))
                g_ptr_array_add(out, g_strdup(r->id));
        }
    } else {
        g_ptr_array_add(out, g_strdup(id));
    }
}

/* Does id (rsc=, first=, ...) name a tag or a template rather than a
 * resource?  Such a constraint becomes one with resource sets. */
static bool names_several(parser_t *p, const char *id)
{
    return id && !g_hash_table_contains(p->cib->rsc_by_id, id) &&
           (g_hash_table_contains(p->cib->tags, id) || is_template(p, id));
}

/* A resource set made from a tag, template or resource id (sequential). */
static herd_rsc_set_t *set_of(parser_t *p, const char *id, const char *action, herd_role_t role)
{
    herd_rsc_set_t *s = g_new0(herd_rsc_set_t, 1);
    s->id = g_strdup(id);
    s->rsc_ids = g_ptr_array_new_with_free_func(g_free);
    s->sequential = true;
    s->require_all = true;
    s->action = g_strdup(action);
    s->role = role;
    add_expanded(p, s->rsc_ids, id);
    return s;
}

static GPtrArray *parse_sets(parser_t *p, xmlNode *n)
{
    GPtrArray *sets = NULL;
    FOR_CHILDREN(n, c) {
        if (!NAME_IS(c, "resource_set")) {
            if (!NAME_IS(c, "rule") && !NAME_IS(c, "lifetime"))
                fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <%s> (expected resource_set)",
                     (const char *) c->name, (const char *) n->name);
            continue;
        }
        xmlNode *sn = resolve_ref(p, c);
        if (!sn)
            continue;
        if (!sets)
            sets = g_ptr_array_new_with_free_func((GDestroyNotify) set_free);
        herd_rsc_set_t *s = g_new0(herd_rsc_set_t, 1);
        s->id = attr(sn, "id");
        s->rsc_ids = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *seq = attr(sn, "sequential");
        s->sequential = herd_cib_parse_bool(seq, true);
        g_autofree char *ra = attr(sn, "require-all");
        s->require_all = herd_cib_parse_bool(ra, true);
        s->action = attr(sn, "action");
        g_autofree char *role = attr(sn, "role");
        s->role = herd_role_parse(role);
        s->score = attr_score(p, sn, "score", 0, &s->has_score);
        s->ordering = attr(sn, "ordering");
        FOR_CHILDREN(sn, rr) {
            if (!NAME_IS(rr, "resource_ref")) {
                fail(p, rr, HERD_EXIT_DATAERR, "unknown element <%s> in <resource_set> (expected "
                     "resource_ref)", (const char *) rr->name);
                continue;
            }
            g_autofree char *id = attr(rr, "id");
            if (!id || !rsc_or_tag_exists(p, id)) {
                fail(p, rr, HERD_EXIT_CONFIG, "resource_ref id=\"%s\" names no resource or tag",
                     id ? id : "");
                continue;
            }
            add_expanded(p, s->rsc_ids, id);
        }
        g_ptr_array_add(sets, s);
    }
    return sets;
}

static void check_rsc_ref(parser_t *p, xmlNode *n, const char *what, const char *id)
{
    if (id && !rsc_or_tag_exists(p, id))
        fail(p, n, HERD_EXIT_CONFIG, "%s=\"%s\" names no resource", what, id);
}

static void location_free(herd_location_t *l)
{
    g_free(l->id); g_free(l->rsc); g_free(l->rsc_pattern); g_free(l->node);
    g_ptr_array_free(l->rules, TRUE);
    if (l->sets) g_ptr_array_free(l->sets, TRUE);
    g_free(l->resource_discovery);
    g_free(l);
}

static void colocation_free(herd_colocation_t *c)
{
    g_free(c->id); g_free(c->rsc); g_free(c->with_rsc); g_free(c->node_attribute);
    if (c->sets) g_ptr_array_free(c->sets, TRUE);
    g_free(c);
}

static void order_free(herd_order_t *o)
{
    g_free(o->id); g_free(o->first); g_free(o->then); g_free(o->first_action); g_free(o->then_action);
    if (o->sets) g_ptr_array_free(o->sets, TRUE);
    g_free(o);
}

static void ticketc_free(herd_ticket_constraint_t *t)
{
    g_free(t->id); g_free(t->rsc); g_free(t->ticket); g_free(t->loss_policy);
    if (t->sets) g_ptr_array_free(t->sets, TRUE);
    g_free(t);
}

static void ticket_free(herd_ticket_t *t)
{
    g_free(t->id);
    if (t->attrs) g_hash_table_destroy(t->attrs);
    g_free(t);
}

static herd_ticket_t *get_ticket(herd_cib_t *cib, const char *id)
{
    herd_ticket_t *t = g_hash_table_lookup(cib->ticket_by_id, id);
    if (!t) {
        t = g_new0(herd_ticket_t, 1);
        t->id = g_strdup(id);
        t->attrs = str_table();
        g_ptr_array_add(cib->tickets, t);
        g_hash_table_insert(cib->ticket_by_id, t->id, t);
    }
    return t;
}

/* A tag-or-resource id that expands to several resources makes one
 * constraint per resource for the simple forms. */
static void parse_constraints(parser_t *p, xmlNode *n)
{
    herd_cib_t *cib = p->cib;
    FOR_CHILDREN(n, c0) {
        xmlNode *c = c0;
        if (p->err)
            return;
        if (NAME_IS(c, "rsc_location")) {
            herd_location_t *l = g_new0(herd_location_t, 1);
            l->id = attr(c, "id");
            l->line = (int) xmlGetLineNo(c);
            l->rsc = attr(c, "rsc");
            l->rsc_pattern = attr(c, "rsc-pattern");
            l->node = attr(c, "node");
            g_autofree char *role = attr(c, "role");
            l->role = herd_role_parse(role);
            l->score = attr_score(p, c, "score", 0, &l->has_score);
            l->rules = g_ptr_array_new_with_free_func((GDestroyNotify) herd_rule_free);
            l->resource_discovery = attr(c, "resource-discovery");
            FOR_CHILDREN(c, rc) {
                if (NAME_IS(rc, "rule")) {
                    herd_rule_t *r = parse_rule(p, rc);
                    if (r)
                        g_ptr_array_add(l->rules, r);
                }
            }
            l->sets = parse_sets(p, c);
            check_rsc_ref(p, c, "rsc", l->rsc);
            g_ptr_array_add(cib->locations, l);
            if (!l->rsc && !l->rsc_pattern && !l->sets)
                fail(p, c, HERD_EXIT_CONFIG, "rsc_location \"%s\" names no resource", l->id);
        } else if (NAME_IS(c, "rsc_colocation")) {
            herd_colocation_t *co = g_new0(herd_colocation_t, 1);
            co->id = attr(c, "id");
            co->line = (int) xmlGetLineNo(c);
            co->rsc = attr(c, "rsc");
            co->with_rsc = attr(c, "with-rsc");
            g_autofree char *r1 = attr(c, "rsc-role");
            g_autofree char *r2 = attr(c, "with-rsc-role");
            co->rsc_role = herd_role_parse(r1);
            co->with_role = herd_role_parse(r2);
            co->node_attribute = attr(c, "node-attribute");
            co->score = attr_score(p, c, "score", 0, NULL);
            g_autofree char *inf = attr(c, "influence");
            co->influence = herd_cib_parse_bool(inf, true);
            co->influence_set = inf && co->influence == herd_cib_parse_bool(inf, false);
            co->sets = parse_sets(p, c);
            check_rsc_ref(p, c, "rsc", co->rsc);
            check_rsc_ref(p, c, "with-rsc", co->with_rsc);
            if (!co->sets && co->rsc && co->with_rsc && !p->err &&
                names_several(p, co->rsc) && names_several(p, co->with_rsc)) {
                /* tags or templates on both sides: Pacemaker applies nothing */
                co->sets = g_ptr_array_new_with_free_func((GDestroyNotify) set_free);
                g_clear_pointer(&co->rsc, g_free);
                g_clear_pointer(&co->with_rsc, g_free);
            } else if (!co->sets && co->rsc && co->with_rsc && !p->err &&
                (names_several(p, co->rsc) || names_several(p, co->with_rsc))) {
                /* a tag or template: as resource sets, the dependent's first */
                co->sets = g_ptr_array_new_with_free_func((GDestroyNotify) set_free);
                g_ptr_array_add(co->sets, set_of(p, co->rsc, NULL, co->rsc_role));
                g_ptr_array_add(co->sets, set_of(p, co->with_rsc, NULL, co->with_role));
                g_clear_pointer(&co->rsc, g_free);
                g_clear_pointer(&co->with_rsc, g_free);
            }
            g_ptr_array_add(cib->colocations, co);
        } else if (NAME_IS(c, "rsc_order")) {
            herd_order_t *o = g_new0(herd_order_t, 1);
            o->id = attr(c, "id");
            o->line = (int) xmlGetLineNo(c);
            o->first = attr(c, "first");
            o->then = attr(c, "then");
            o->first_action = attr(c, "first-action");
            o->then_action = attr(c, "then-action");
            g_autofree char *kind = attr(c, "kind");
            o->score = attr_score(p, c, "score", 0, &o->has_score);
            if (kind)
                o->kind = !strcasecmp(kind, "Optional") ? HERD_ORDER_OPTIONAL
                        : !strcasecmp(kind, "Serialize") ? HERD_ORDER_SERIALIZE : HERD_ORDER_MANDATORY;
            else if (o->has_score && o->score == 0)
                o->kind = HERD_ORDER_OPTIONAL;
            else
                o->kind = HERD_ORDER_MANDATORY;
            g_autofree char *sym = attr(c, "symmetrical");
            o->symmetrical = herd_cib_parse_bool(sym, o->kind != HERD_ORDER_SERIALIZE);
            g_autofree char *ra = attr(c, "require-all");
            o->require_all = herd_cib_parse_bool(ra, true);
            o->sets = parse_sets(p, c);
            check_rsc_ref(p, c, "first", o->first);
            check_rsc_ref(p, c, "then", o->then);
            if (!o->sets && o->first && o->then && !p->err &&
                (names_several(p, o->first) || names_several(p, o->then))) {
                /* a tag or template: as resource sets, first's first */
                o->sets = g_ptr_array_new_with_free_func((GDestroyNotify) set_free);
                g_ptr_array_add(o->sets, set_of(p, o->first, o->first_action, HERD_ROLE_UNKNOWN));
                g_ptr_array_add(o->sets, set_of(p, o->then,
                                                o->then_action ? o->then_action : o->first_action,
                                                HERD_ROLE_UNKNOWN));
                g_clear_pointer(&o->first, g_free);
                g_clear_pointer(&o->then, g_free);
            }
            g_ptr_array_add(cib->orders, o);
        } else if (NAME_IS(c, "rsc_ticket")) {
            herd_ticket_constraint_t *t = g_new0(herd_ticket_constraint_t, 1);
            t->id = attr(c, "id");
            t->line = (int) xmlGetLineNo(c);
            t->rsc = attr(c, "rsc");
            g_autofree char *role = attr(c, "rsc-role");
            t->role = herd_role_parse(role);
            t->ticket = attr(c, "ticket");
            t->loss_policy = attr(c, "loss-policy");
            t->sets = parse_sets(p, c);
            check_rsc_ref(p, c, "rsc", t->rsc);
            if (t->ticket)
                get_ticket(cib, t->ticket);
            g_ptr_array_add(cib->ticket_constraints, t);
        } else {
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <constraints> (expected "
                 "rsc_location, rsc_colocation, rsc_order or rsc_ticket)", (const char *) c->name);
        }
    }
}

static void parse_tags(parser_t *p, xmlNode *n)
{
    FOR_CHILDREN(n, c) {
        if (!NAME_IS(c, "tag"))
            continue;
        g_autofree char *id = attr(c, "id");
        if (!id)
            continue;
        GPtrArray *refs = g_ptr_array_new_with_free_func(g_free);
        FOR_CHILDREN(c, o) {
            char *r = attr(o, "id");
            if (r)
                g_ptr_array_add(refs, r);
        }
        g_hash_table_insert(p->cib->tags, g_steal_pointer(&id), refs);
    }
}

/* ---- status ---- */

static void lrm_op_free(herd_lrm_op_t *o)
{
    g_free(o->id); g_free(o->operation); g_free(o->transition_key); g_free(o->transition_magic);
    g_free(o->op_digest); g_free(o->op_restart_digest); g_free(o->op_secure_digest);
    g_free(o->op_secure_params); g_free(o->op_force_restart);
    g_free(o->exit_reason); g_free(o->migrate_source); g_free(o->migrate_target); g_free(o->on_node);
    g_free(o);
}

static void history_free(herd_rsc_history_t *h)
{
    g_free(h->rsc_id); g_free(h->node); g_free(h->klass); g_free(h->provider); g_free(h->type);
    g_free(h->container);
    g_ptr_array_free(h->ops, TRUE);
    g_free(h);
}

/* The transition number and TE uuid of an op's transition key
 * ("action:transition:target_rc:uuid", or the part of the transition
 * magic after ';'); false when there is none. */
static bool op_transition(const herd_lrm_op_t *op, int *id, const char **uuid)
{
    const char *k = op->transition_key;
    if (!k && op->transition_magic) {
        k = strchr(op->transition_magic, ';');
        k = k ? k + 1 : NULL;
    }
    const char *c1 = k ? strchr(k, ':') : NULL;
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    if (!c3)
        return false;
    *id = atoi(c1 + 1);
    *uuid = c3 + 1;
    return true;
}

/* History order: by call id; a pending op (call id -1) after the others,
 * except that with one TE uuid a pending op of an earlier transition comes
 * before an op of a later one (a pending start superseded by a stop);
 * transition -1 (a shutdown) always last.  Ties keep document order. */
static gint lrm_op_cmp(gconstpointer a, gconstpointer b)
{
    const herd_lrm_op_t *x = *(herd_lrm_op_t *const *) a, *y = *(herd_lrm_op_t *const *) b;
    if (x->call_id >= 0 && y->call_id >= 0 && x->call_id != y->call_id)
        return x->call_id < y->call_id ? -1 : 1;
    if ((x->call_id < 0) != (y->call_id < 0)) {
        int xi, yi;
        const char *xu, *yu;
        if (op_transition(x, &xi, &xu) && op_transition(y, &yi, &yu) && !strcmp(xu, yu) &&
            xi != yi) {
            if ((xi >= 0 && xi < yi) || yi == -1)
                return -1;
            return 1;
        }
        return x->call_id < 0 ? 1 : -1;
    }
    return x->line - y->line;
}

/* The attributes of <lrm_rsc_op> herd reads, sorted by name for bsearch:
 * the status holds one element per operation, so its attributes are read
 * in one pass (a lookup per attribute name would rescan them each time). */
typedef enum {
    OPA_STR, OPA_CALL_ID, OPA_RC, OPA_OP_STATUS, OPA_INTERVAL, OPA_LAST_RC_CHANGE,
    OPA_LAST_RC_CHANGE_OLD, OPA_LAST_RUN, OPA_LAST_RUN_OLD
} op_attr_kind_t;

typedef struct {
    const char *name;
    op_attr_kind_t kind;
    size_t offset; /* of the char * field, for OPA_STR */
} op_attr_t;

#define OP_STR(n, f) {n, OPA_STR, offsetof(herd_lrm_op_t, f)}
static const op_attr_t op_attrs[] = {
    {"call-id", OPA_CALL_ID, 0},
    OP_STR("exit-reason", exit_reason),
    OP_STR("id", id),
    {"interval", OPA_INTERVAL, 0},
    {"last-rc-change", OPA_LAST_RC_CHANGE, 0},
    {"last-run", OPA_LAST_RUN, 0},
    {"last_rc_change", OPA_LAST_RC_CHANGE_OLD, 0},
    {"last_run", OPA_LAST_RUN_OLD, 0},
    OP_STR("migrate_source", migrate_source),
    OP_STR("migrate_target", migrate_target),
    OP_STR("on_node", on_node),
    OP_STR("op-digest", op_digest),
    OP_STR("op-force-restart", op_force_restart),
    OP_STR("op-restart-digest", op_restart_digest),
    OP_STR("op-secure-digest", op_secure_digest),
    OP_STR("op-secure-params", op_secure_params),
    {"op-status", OPA_OP_STATUS, 0},
    OP_STR("operation", operation),
    {"rc-code", OPA_RC, 0},
    OP_STR("transition-key", transition_key),
    OP_STR("transition-magic", transition_magic),
};
#undef OP_STR

static int op_attr_cmp(const void *key, const void *entry)
{
    return strcmp(key, ((const op_attr_t *) entry)->name);
}

/* One <lrm_rsc_op> as herd's operation record (operation may be NULL when
 * the element lacks it: the caller drops such entries). */
static herd_lrm_op_t *parse_lrm_op(xmlNode *o)
{
    herd_lrm_op_t *op = g_new0(herd_lrm_op_t, 1);
    op->line = (int) xmlGetLineNo(o);
    op->call_id = -1;
    op->target_rc = -1;
    bool have_lrc = false, have_run = false;
    for (xmlAttr *a = o->properties; a; a = a->next) {
        const op_attr_t *d = bsearch(a->name, op_attrs, G_N_ELEMENTS(op_attrs),
                                     sizeof op_attrs[0], op_attr_cmp);
        if (!d)
            continue;
        xmlChar *raw = a->children && a->children->type == XML_TEXT_NODE && !a->children->next
                           ? NULL
                           : xmlNodeGetContent((xmlNode *) a);
        const char *v = raw ? (const char *) raw
                        : a->children ? (const char *) a->children->content : "";
        switch (d->kind) {
        case OPA_STR: {
            char **field = (char **) ((char *) op + d->offset);
            g_free(*field);
            *field = g_strdup(v);
            break;
        }
        case OPA_CALL_ID: op->call_id = atoi(v); break;
        case OPA_RC: op->rc = atoi(v); break;
        case OPA_OP_STATUS: op->op_status = atoi(v); break;
        case OPA_INTERVAL: op->interval_ms = g_ascii_strtoull(v, NULL, 10); break; /* ms */
        case OPA_LAST_RC_CHANGE:
            op->last_rc_change = (time_t) g_ascii_strtoll(v, NULL, 10);
            have_lrc = true;
            break;
        case OPA_LAST_RC_CHANGE_OLD:
            if (!have_lrc)
                op->last_rc_change = (time_t) g_ascii_strtoll(v, NULL, 10);
            break;
        case OPA_LAST_RUN:
            op->last_run = (time_t) g_ascii_strtoll(v, NULL, 10);
            have_run = true;
            break;
        case OPA_LAST_RUN_OLD:
            if (!have_run)
                op->last_run = (time_t) g_ascii_strtoll(v, NULL, 10);
            break;
        }
        xmlFree(raw);
    }
    if (op->transition_key) {
        /* action:transition:target_rc:uuid */
        g_auto(GStrv) parts = g_strsplit(op->transition_key, ":", 4);
        if (g_strv_length(parts) == 4)
            op->target_rc = atoi(parts[2]);
    }
    return op;
}

static void parse_lrm(parser_t *p, xmlNode *lrm, const char *node)
{
    FOR_CHILDREN(lrm, lr) {
        if (!NAME_IS(lr, "lrm_resources"))
            continue;
        FOR_CHILDREN(lr, r) {
            if (!NAME_IS(r, "lrm_resource"))
                continue;
            herd_rsc_history_t *h = g_new0(herd_rsc_history_t, 1);
            h->rsc_id = attr(r, "id");
            h->node = g_strdup(node);
            h->klass = attr(r, "class");
            h->provider = attr(r, "provider");
            h->type = attr(r, "type");
            h->container = attr(r, "container");
            g_autofree char *lock = attr(r, "shutdown-lock");
            h->shutdown_lock = lock ? (time_t) g_ascii_strtoll(lock, NULL, 10) : 0;
            h->ops = g_ptr_array_new_with_free_func((GDestroyNotify) lrm_op_free);
            if (!h->rsc_id) {
                history_free(h);
                fail(p, r, HERD_EXIT_DATAERR, "<lrm_resource> needs id=");
                return;
            }
            FOR_CHILDREN(r, o) {
                if (!NAME_IS(o, "lrm_rsc_op"))
                    continue;
                herd_lrm_op_t *op = parse_lrm_op(o);
                if (!op->operation) {
                    lrm_op_free(op);
                    continue;
                }
                g_ptr_array_add(h->ops, op);
            }
            g_ptr_array_sort(h->ops, lrm_op_cmp);
            g_ptr_array_add(p->cib->histories, h);
        }
    }
}

/* Orphaned remote connections (history of an ocf:pacemaker:remote resource
 * no longer configured) still make their node, a guest when the history
 * names a container.  Called for each <node_state> as the status is read
 * (the status may be streamed), so a node first made from its own
 * node_state is completed here when the connection's history comes later. */
static void orphan_remote_nodes(parser_t *p, xmlNode *ns)
{
    FOR_CHILDREN(ns, lrm) {
        if (!NAME_IS(lrm, "lrm"))
            continue;
        FOR_CHILDREN(lrm, lr) {
            if (!NAME_IS(lr, "lrm_resources"))
                continue;
            FOR_CHILDREN(lr, r) {
                if (!NAME_IS(r, "lrm_resource") || !attr_is(r, "type", "remote") ||
                    !attr_is(r, "provider", "pacemaker"))
                    continue;
                g_autofree char *id = attr(r, "id");
                g_autofree char *container = attr(r, "container");
                if (!id || herd_cib_rsc(p->cib, id))
                    continue;
                herd_cib_node_t *nd = herd_cib_node(p->cib, id);
                if (!nd)
                    nd = add_node(p->cib, id, id, container ? HERD_NODE_GUEST : HERD_NODE_REMOTE);
                else if (nd->container_id)
                    continue;   /* configured, or already completed */
                else if (container)
                    nd->kind = HERD_NODE_GUEST;
                nd->container_id = g_strdup(container ? container : id);
            }
        }
    }
}

/* One child of <status>: a <node_state> (with its attributes and
 * operation history) or <tickets>. */
static void parse_status_child(parser_t *p, xmlNode *ns)
{
    herd_cib_t *cib = p->cib;
    if (NAME_IS(ns, "node_state"))
        orphan_remote_nodes(p, ns);
    if (NAME_IS(ns, "tickets")) {
        FOR_CHILDREN(ns, t) {
            if (!NAME_IS(t, "ticket_state"))
                continue;
            g_autofree char *id = attr(t, "id");
            if (!id)
                continue;
            herd_ticket_t *tk = get_ticket(cib, id);
            g_autoptr(GHashTable) a = attrs_table(t);
            copy_missing(tk->attrs, a);
            tk->granted = herd_cib_parse_bool(g_hash_table_lookup(tk->attrs, "granted"), false);
            tk->standby = herd_cib_parse_bool(g_hash_table_lookup(tk->attrs, "standby"), false);
        }
        return;
    }
    if (!NAME_IS(ns, "node_state"))
        return;
    g_autofree char *id = attr(ns, "id");
    g_autofree char *uname = attr(ns, "uname");
    herd_cib_node_t *nd = NULL;
    if (uname)
        nd = g_hash_table_lookup(cib->node_by_name, uname);
    if (!nd && id)
        nd = g_hash_table_lookup(cib->node_by_id, id);
    if (!nd && id)
        nd = g_hash_table_lookup(cib->node_by_name, id);
    bool remote = attr_is(ns, "remote_node", "true");
    if (!nd) {
        if (!remote)
            return;     /* state of a node no longer configured */
        nd = add_node(cib, id, uname ? uname : id, HERD_NODE_REMOTE);
    }
    if (nd->has_state)
        return;
    nd->has_state = true;
    nd->line = (int) xmlGetLineNo(ns);
    g_autofree char *in_ccm = attr(ns, "in_ccm");
    /* in_ccm is "true"/"false" or (newer) a timestamp */
    nd->in_ccm = in_ccm && (herd_cib_parse_bool(in_ccm, false) || g_ascii_isdigit(in_ccm[0]));
    nd->crmd = attr(ns, "crmd");
    nd->crmd_online = nd->crmd && (!strcmp(nd->crmd, "online") || g_ascii_isdigit(nd->crmd[0]));
    nd->join = attr(ns, "join");
    nd->expected = attr(ns, "expected");
    nd->join_member = nd->join && !strcmp(nd->join, "member");
    nd->expected_up = nd->expected && !strcmp(nd->expected, "member");
    nd->remote_fenced = attr_is(ns, "node_fenced", "1") || attr_is(ns, "node_fenced", "true");
    FOR_CHILDREN(ns, c) {
        if (NAME_IS(c, "transient_attributes")) {
            FOR_CHILDREN(c, ia) {
                if (!NAME_IS(ia, "instance_attributes"))
                    continue;
                FOR_CHILDREN(ia, nv) {
                    if (!NAME_IS(nv, "nvpair"))
                        continue;
                    char *name = attr(nv, "name");
                    char *value = attr(nv, "value");
                    if (name)
                        g_hash_table_replace(nd->attrs, name, value ? value : g_strdup(""));
                    else
                        g_free(value);
                }
            }
        } else if (NAME_IS(c, "lrm")) {
            parse_lrm(p, c, nd->uname);
        }
    }
}

static void parse_status(parser_t *p, xmlNode *st)
{
    FOR_CHILDREN(st, ns)
        parse_status_child(p, ns);
}

/* ---- top ---- */

/* Streaming: read <status> one child at a time from the reader (each
 * child's subtree exists only while it is unpacked), then the rest of the
 * document.  Anything unusual (an XML error, an element after <status>)
 * sets stream_retry: the caller then loads the whole DOM instead, which
 * gives the same model or the usual error. */
static void stream_status(parser_t *p)
{
    xmlTextReaderPtr rd = p->stream;
    int ret = xmlTextReaderRead(rd);
    while (ret == 1 && !p->err && xmlTextReaderDepth(rd) >= 2) {
        if (xmlTextReaderDepth(rd) == 2 && xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT) {
            xmlNode *n = xmlTextReaderExpand(rd);
            if (!n) {
                ret = -1;
                break;
            }
            parse_status_child(p, n);
            ret = xmlTextReaderNext(rd);
        } else {
            ret = xmlTextReaderRead(rd);
        }
    }
    for (; ret == 1 && !p->err; ret = xmlTextReaderRead(rd))
        if (xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT) {
            p->stream_retry = true;     /* more after <status>: not for streaming */
            return;
        }
    if (ret < 0)
        p->stream_retry = true;
}

static herd_cib_t *cib_new(const char *src)
{
    herd_cib_t *cib = g_new0(herd_cib_t, 1);
    cib->source = g_strdup(src);
    cib->options.values = str_table();
    cib->options.sets = g_ptr_array_new_with_free_func((GDestroyNotify) herd_nvset_free);
    cib->rsc_defaults = str_table();
    cib->op_defaults = str_table();
    cib->nodes = g_ptr_array_new();
    cib->node_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    cib->node_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    cib->resources = g_ptr_array_new();
    cib->all_rscs = g_ptr_array_new();
    cib->rsc_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    cib->templates = g_hash_table_new(g_str_hash, g_str_equal);
    cib->tags = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
    cib->locations = g_ptr_array_new_with_free_func((GDestroyNotify) location_free);
    cib->colocations = g_ptr_array_new_with_free_func((GDestroyNotify) colocation_free);
    cib->orders = g_ptr_array_new_with_free_func((GDestroyNotify) order_free);
    cib->ticket_constraints = g_ptr_array_new_with_free_func((GDestroyNotify) ticketc_free);
    cib->tickets = g_ptr_array_new_with_free_func((GDestroyNotify) ticket_free);
    cib->ticket_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    cib->histories = g_ptr_array_new_with_free_func((GDestroyNotify) history_free);
    return cib;
}

static void node_free(herd_cib_node_t *n)
{
    g_free(n->id); g_free(n->uname);
    g_hash_table_destroy(n->attrs);
    g_ptr_array_free(n->attr_sets, TRUE);
    g_hash_table_destroy(n->utilization);
    g_free(n->container_id); g_free(n->join); g_free(n->expected); g_free(n->crmd);
    g_free(n);
}

/* Free a model; see herd_cib.h. */
void herd_cib_free(herd_cib_t *cib)
{
    if (!cib)
        return;
    g_free(cib->source); g_free(cib->validate_with); g_free(cib->dc_uuid); g_free(cib->execution_date);
    g_free(cib->feature_set);
    herd_cib_options_t *o = &cib->options;
    g_hash_table_destroy(o->values);
    g_ptr_array_free(o->sets, TRUE);
    g_free(o->no_quorum_policy); g_free(o->placement_strategy); g_free(o->stonith_action);
    g_free(o->node_health_strategy);
    g_hash_table_destroy(cib->rsc_defaults);
    g_hash_table_destroy(cib->op_defaults);
    g_ptr_array_set_free_func(cib->nodes, (GDestroyNotify) node_free);
    g_ptr_array_free(cib->nodes, TRUE);
    g_hash_table_destroy(cib->node_by_name);
    g_hash_table_destroy(cib->node_by_id);
    g_ptr_array_free(cib->resources, TRUE);
    g_ptr_array_set_free_func(cib->all_rscs, (GDestroyNotify) herd_rsc_free);
    g_ptr_array_free(cib->all_rscs, TRUE);
    g_hash_table_destroy(cib->rsc_by_id);
    g_hash_table_destroy(cib->templates);
    g_hash_table_destroy(cib->tags);
    g_ptr_array_free(cib->locations, TRUE);
    g_ptr_array_free(cib->colocations, TRUE);
    g_ptr_array_free(cib->orders, TRUE);
    g_ptr_array_free(cib->ticket_constraints, TRUE);
    g_ptr_array_free(cib->tickets, TRUE);
    g_hash_table_destroy(cib->ticket_by_id);
    g_ptr_array_free(cib->histories, TRUE);
    if (cib->ids)
        g_hash_table_destroy(cib->ids);
    g_free(cib);
}

/* Natural order of names; see herd_cib.h. */
int herd_cib_name_cmp(const char *x, const char *y)
{
    while (*x && *y) {
        if (g_ascii_isdigit(*x) && g_ascii_isdigit(*y)) {
            char *ex, *ey;
            long long vx = strtoll(x, &ex, 10), vy = strtoll(y, &ey, 10);
            if (vx != vy)
                return vx < vy ? -1 : 1;
            x = ex;
            y = ey;
            continue;
        }
        int cx = g_ascii_tolower(*x), cy = g_ascii_tolower(*y);
        if (cx != cy)
            return cx < cy ? -1 : 1;
        x++;
        y++;
    }
    return (*x != 0) - (*y != 0);
}

/* Nodes in natural order of their names, as Pacemaker lists them. */
static gint node_cmp(gconstpointer a, gconstpointer b)
{
    return herd_cib_name_cmp((*(herd_cib_node_t *const *) a)->uname,
                             (*(herd_cib_node_t *const *) b)->uname);
}

static herd_cib_t *build(parser_t *p, xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    herd_cib_t *cib = p->cib;
    if (!root || !NAME_IS(root, "cib")) {
        fail(p, root, HERD_EXIT_DATAERR, "the root element is <%s>, expected <cib>",
             root ? (const char *) root->name : "");
        return NULL;
    }
    /* the schema sees what is in `doc`: all of it, or when streaming the
     * configuration with an empty <status> (its children are checked as
     * they are unpacked) */
    if (!p->err && !herd_cib_schema_validate(doc, p->src, &p->err))
        return NULL;
    cib->validate_with = attr(root, "validate-with");
    g_autofree char *q = attr(root, "have-quorum");
    cib->have_quorum = herd_cib_parse_bool(q, false);
    g_autofree char *qp = attr(root, "no-quorum-panic");
    cib->no_quorum_panic = herd_cib_parse_bool(qp, false);
    cib->dc_uuid = attr(root, "dc-uuid");
    cib->execution_date = attr(root, "execution-date");
    cib->feature_set = attr(root, "crm_feature_set");
    collect_ids(p, root, false);
    xmlNode *config = NULL, *status = NULL;
    FOR_CHILDREN(root, c) {
        if (NAME_IS(c, "configuration"))
            config = c;
        else if (NAME_IS(c, "status"))
            status = c;
        else
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <cib> (expected configuration "
                 "or status)", (const char *) c->name);
    }
    if (!config && !p->err)
        fail(p, root, HERD_EXIT_DATAERR, "<cib> has no <configuration>");
    if (p->err)
        return NULL;
    xmlNode *sec[8] = {0};
    static const char *const names[] = {"crm_config", "nodes", "resources", "constraints",
                                        "rsc_defaults", "op_defaults", "tags", NULL};
    FOR_CHILDREN(config, c) {
        bool known = false;
        for (int i = 0; names[i]; i++)
            if (NAME_IS(c, names[i])) {
                sec[i] = c;
                known = true;
            }
        if (!known && !NAME_IS(c, "acls") && !NAME_IS(c, "fencing-topology") && !NAME_IS(c, "alerts"))
            fail(p, c, HERD_EXIT_DATAERR, "unknown element <%s> in <configuration>",
                 (const char *) c->name);
    }
    if (p->err)
        return NULL;
    parse_crm_config(p, sec[0]);   /* NULL: the defaults */
    if (sec[4]) merge_sets(p, sec[4], "meta_attributes", cib->rsc_defaults, NULL);
    if (sec[5]) merge_sets(p, sec[5], "meta_attributes", cib->op_defaults, NULL);
    if (sec[1]) parse_nodes(p, sec[1]);
    if (sec[6]) parse_tags(p, sec[6]);
    if (sec[2]) parse_resources(p, sec[2]);
    if (p->err)
        return NULL;
    g_autoptr(GPtrArray) default_sets = g_ptr_array_new_with_free_func((GDestroyNotify) herd_nvset_free);
    FOR_CHILDREN(sec[4], c)
        if (NAME_IS(c, "meta_attributes")) {
            herd_nvset_t *s = parse_nvset(p, c);
            if (s)
                g_ptr_array_add(default_sets, s);
        }
    g_ptr_array_sort(default_sets, nvset_cmp);
    for (guint i = 0; i < cib->all_rscs->len; i++)
        finish_rsc(cib, cib->all_rscs->pdata[i], default_sets);
    herd_cib_expand_bundles(cib);
    herd_cib_expand_remote(cib);
    if (sec[3]) parse_constraints(p, sec[3]);
    if (status) parse_status(p, status);
    if (p->stream && !p->err) stream_status(p);
    if (p->err)
        return NULL;
    g_ptr_array_sort(cib->nodes, node_cmp);
    /* the node attributes Pacemaker adds for rules: #cluster-name (the
     * cluster option) and #site-name (the node's site-name, else that) */
    const char *cluster_name = g_hash_table_lookup(cib->options.values, "cluster-name");
    for (guint i = 0; i < cib->nodes->len; i++) {
        herd_cib_node_t *nd = cib->nodes->pdata[i];
        nd->index = (int) i;
        const char *site = g_hash_table_lookup(nd->attrs, "site-name");
        if (cluster_name && !g_hash_table_contains(nd->attrs, "#cluster-name"))
            g_hash_table_insert(nd->attrs, g_strdup("#cluster-name"), g_strdup(cluster_name));
        if ((site || cluster_name) && !g_hash_table_contains(nd->attrs, "#site-name"))
            g_hash_table_insert(nd->attrs, g_strdup("#site-name"),
                                g_strdup(site ? site : cluster_name));
    }
    return cib;
}

static void quiet_errors(void *ctx, const char *msg, ...)
{
}

static herd_cib_t *load(xmlDoc *doc, const char *name, GError **err)
{
    parser_t p = {0};
    p.src = name;
    p.xml_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p.cib = cib_new(name);
    herd_cib_t *r = build(&p, doc);
    g_hash_table_destroy(p.xml_by_id);
    xmlFreeDoc(doc);
    if (!r) {
        herd_cib_free(p.cib);
        if (!p.err)
            p.err = g_error_new(HERD_ERROR, HERD_EXIT_DATAERR, "%s: cannot load the CIB", name);
        g_propagate_error(err, p.err);
        return NULL;
    }
    if (p.err)
        g_error_free(p.err);
    return r;
}

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_HUGE | XML_PARSE_NOERROR | \
                  XML_PARSE_NOWARNING)

/* Load by streaming: the configuration (and anything before <status>) is
 * copied into a small DOM; <status> is unpacked child by child, so the
 * large operation history never exists as one tree.  NULL with *retry set
 * when this cannot be done (errors included): load the DOM instead. */
static herd_cib_t *load_stream(xmlTextReaderPtr rd, const char *name, GError **err, bool *retry)
{
    *retry = true;
    if (!rd)
        return NULL;
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = NULL;
    bool at_status = false;
    int ret = xmlTextReaderRead(rd);
    while (ret == 1) {
        if (xmlTextReaderNodeType(rd) != XML_READER_TYPE_ELEMENT) {
            ret = xmlTextReaderRead(rd);
            continue;
        }
        xmlNode *n = xmlTextReaderCurrentNode(rd);
        if (xmlTextReaderDepth(rd) == 0 && !root) {
            root = xmlDocCopyNode(n, doc, 2);      /* <cib> and its attributes */
            xmlDocSetRootElement(doc, root);
            ret = xmlTextReaderRead(rd);
            continue;
        }
        if (xmlTextReaderDepth(rd) != 1 || !root) {
            ret = -1;
            break;
        }
        if (xmlStrEqual(n->name, BAD_CAST "status")) {
            xmlAddChild(root, xmlDocCopyNode(n, doc, 2));
            at_status = true;
            break;
        }
        xmlNode *sub = xmlTextReaderExpand(rd);
        if (!sub) {
            ret = -1;
            break;
        }
        xmlAddChild(root, xmlDocCopyNode(sub, doc, 1));
        ret = xmlTextReaderNext(rd);
    }
    if (ret < 0 || !root) {
        xmlFreeDoc(doc);
        xmlFreeTextReader(rd);
        return NULL;
    }
    parser_t p = {0};
    p.src = name;
    p.xml_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p.cib = cib_new(name);
    p.stream = at_status ? rd : NULL;
    herd_cib_t *r = build(&p, doc);
    g_hash_table_destroy(p.xml_by_id);
    xmlFreeDoc(doc);
    xmlFreeTextReader(rd);
    if (p.stream_retry || !r) {
        herd_cib_free(p.cib);
        if (p.err)
            g_error_free(p.err);
        return NULL;
    }
    *retry = false;
    if (p.err)
        g_error_free(p.err);
    return r;
}

static void xml_error(const char *name, GError **err)
{
    const xmlError *e = xmlGetLastError();
    g_autofree char *msg = g_strdup(e && e->message ? e->message : "not well-formed XML\n");
    g_strchomp(msg);
    g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:%d: not valid XML: %s", name,
                e ? e->line : 0, msg);
}

/* Load a CIB from memory; see herd_cib.h. */
herd_cib_t *herd_cib_load_memory(const char *buf, size_t len, const char *name, GError **err)
{
    xmlSetGenericErrorFunc(NULL, quiet_errors);
    bool retry = true;
    herd_cib_t *streamed = load_stream(xmlReaderForMemory(buf, (int) len, name, NULL, XML_OPTS),
                                       name, err, &retry);
    if (!retry)
        return streamed;
    xmlResetLastError();
    xmlDoc *doc = xmlReadMemory(buf, (int) len, name, NULL, XML_OPTS);
    if (!doc) {
        xml_error(name, err);
        return NULL;
    }
    return load(doc, name, err);
}

/* Load a CIB file; see herd_cib.h. */
herd_cib_t *herd_cib_load_file(const char *path, GError **err)
{
    if (!strcmp(path, "-")) {
        GString *s = g_string_new(NULL);
        char tmp[65536];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
            g_string_append_len(s, tmp, (gssize) n);
        if (s->len == 0) {
            g_string_free(s, TRUE);
            g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR,
                        "-:1: empty input, expected a <cib> document");
            return NULL;
        }
        herd_cib_t *cib = herd_cib_load_memory(s->str, s->len, "-", err);
        g_string_free(s, TRUE);
        return cib;
    }
    /* libxml2 reads the file itself: no second copy of a large CIB */
    FILE *f = fopen(path, "rb");
    if (!f) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT, "%s: cannot read the CIB: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    int c = fgetc(f);
    fclose(f);
    if (c == EOF) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:1: empty file, expected a <cib> document",
                    path);
        return NULL;
    }
    xmlSetGenericErrorFunc(NULL, quiet_errors);
    bool retry = true;
    herd_cib_t *streamed = load_stream(xmlReaderForFile(path, NULL, XML_OPTS), path, err, &retry);
    if (!retry)
        return streamed;
    xmlResetLastError();
    xmlDoc *doc = xmlReadFile(path, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_HUGE |
                              XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        xml_error(path, err);
        return NULL;
    }
    return load(doc, path, err);
}

/* Look-ups; see herd_cib.h. */
herd_cib_node_t *herd_cib_node(const herd_cib_t *cib, const char *uname)
{
    return uname ? g_hash_table_lookup(cib->node_by_name, uname) : NULL;
}

herd_cib_rsc_t *herd_cib_rsc(const herd_cib_t *cib, const char *id)
{
    return id ? g_hash_table_lookup(cib->rsc_by_id, id) : NULL;
}

const char *herd_cib_rsc_meta(const herd_cib_rsc_t *rsc, const char *name)
{
    return g_hash_table_lookup(rsc->meta, name);
}
