/* inject.c: synthetic cluster events applied to a CIB document (see
 * herd_cib_inject.h).  Works on the libxml2 tree of the CIB text, before
 * the model is built, so that everything downstream sees one ordinary
 * CIB. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "herd_cib_inject.h"
#include "herd_common.h"

#define ORIGIN "crm_simulate"
#define FEATURE_SET "3.16.1"
#define NO_UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

/* ---- OPSPEC ------------------------------------------------------------- */

void herd_opspec_clear(herd_opspec_t *spec)
{
    g_clear_pointer(&spec->rsc, g_free);
    g_clear_pointer(&spec->task, g_free);
    g_clear_pointer(&spec->node, g_free);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!g_ascii_isdigit(*s))
            return false;
    return true;
}

/* Parse an OPSPEC; see herd_cib_inject.h. */
bool herd_opspec_parse(const char *spec, herd_opspec_t *out, GError **err)
{
    memset(out, 0, sizeof *out);
    static const char *const form = "expected RESOURCE_TASK_INTERVAL@NODE=RC, "
                                    "as in rsc_monitor_10000@node1=7";
    const char *eq = strrchr(spec, '=');
    const char *at = eq ? g_strrstr_len(spec, eq - spec, "@") : NULL;
    if (!eq || !at) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "invalid operation spec '%s': %s", spec,
                    form);
        return false;
    }
    const char *rc = eq + 1;
    if (!all_digits(rc) || strlen(rc) > 3) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "invalid operation spec '%s': the result '%s' is not an OCF exit code "
                    "(a number 0-255)", spec, rc);
        return false;
    }
    if (eq == at + 1) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "invalid operation spec '%s': no node after '@'",
                    spec);
        return false;
    }
    g_autofree char *key = g_strndup(spec, at - spec);
    char *u2 = strrchr(key, '_');
    if (!u2 || !all_digits(u2 + 1)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "invalid operation spec '%s': '%s' does not end in _INTERVAL (milliseconds); %s",
                    spec, key, form);
        return false;
    }
    *u2 = '\0';
    guint64 interval = g_ascii_strtoull(u2 + 1, NULL, 10);
    /* The task is the last word, except for the two tasks with a '_'. */
    char *task = NULL;
    static const char *const two_word[] = {"migrate_to", "migrate_from", NULL};
    for (int i = 0; two_word[i]; i++) {
        size_t kl = strlen(key), tl = strlen(two_word[i]);
        if (kl > tl + 1 && key[kl - tl - 1] == '_' && !strcmp(key + kl - tl, two_word[i])) {
            task = key + kl - tl;
            break;
        }
    }
    if (!task) {
        char *u1 = strrchr(key, '_');
        task = u1 ? u1 + 1 : NULL;
    }
    if (!task || task == key + 1 || !*task) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "invalid operation spec '%s': no resource and task in '%s'; %s", spec, key,
                    form);
        return false;
    }
    task[-1] = '\0';
    out->rsc = g_strdup(key);
    out->task = g_strdup(task);
    out->interval_ms = interval;
    out->node = g_strndup(at + 1, eq - at - 1);
    out->rc = atoi(rc);
    if (out->rc > 255) {
        herd_opspec_clear(out);
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "invalid operation spec '%s': the result %s is beyond 255", spec, rc);
        return false;
    }
    return true;
}

/* ---- XML helpers -------------------------------------------------------- */

static bool is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *) n->name, name);
}

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

static xmlNode *child_with(xmlNode *parent, const char *name, const char *attr, const char *value)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
        if (!is_el(c, name))
            continue;
        xmlChar *v = xmlGetProp(c, (const xmlChar *) attr);
        bool eq = v && !strcmp((const char *) v, value);
        xmlFree(v);
        if (eq)
            return c;
    }
    return NULL;
}

static xmlNode *ensure_child(xmlNode *parent, const char *name)
{
    xmlNode *c = child(parent, name);
    return c ? c : xmlNewChild(parent, NULL, (const xmlChar *) name, NULL);
}

static void set(xmlNode *n, const char *name, const char *value)
{
    xmlSetProp(n, (const xmlChar *) name, (const xmlChar *) value);
}

/* set only when there is a value */
static void set_if(xmlNode *n, const char *name, const char *value)
{
    if (value)
        set(n, name, value);
}

static void setf(xmlNode *n, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void setf(xmlNode *n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    set(n, name, v);
}

static char *get(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
    char *r = v ? g_strdup((const char *) v) : NULL;
    xmlFree(v);
    return r;
}

/* Depth-first search for an element `name` with id=`id` below `root`. */
static xmlNode *find_by_id(xmlNode *root, const char *name, const char *id)
{
    for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(c, name)) {
            g_autofree char *v = get(c, "id");
            if (v && !strcmp(v, id))
                return c;
        }
        xmlNode *f = find_by_id(c, name, id);
        if (f)
            return f;
    }
    return NULL;
}

/* A CIB document being changed (herd_cib_doc_t in the header). */
struct herd_cib_doc {
    xmlDoc *doc;
    xmlNode *cib, *config, *status;
    char *name;
    const herd_cib_inject_t *inj;
    GPtrArray *log;
    time_t now;
    int updates;             /* changes since the last configuration change
                              * (or the start): num_updates grows by it */
    int epoch_add;           /* configuration changes: each bumps the epoch
                              * and starts num_updates again from 0 */
};
typedef struct herd_cib_doc ctx_t;

static void note(ctx_t *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void note(ctx_t *c, const char *fmt, ...)
{
    if (!c->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(c->log, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* A change to the configuration section. */
static void config_changed(ctx_t *c)
{
    c->epoch_add++;
    c->updates = 0;
}

/* The <node> of the configuration named `uname`, or NULL. */
static xmlNode *config_node(ctx_t *c, const char *uname)
{
    return child_with(child(c->config, "nodes"), "node", "uname", uname);
}

/* A remote or guest node: a primitive with meta remote-node=NAME, or an
 * ocf:pacemaker:remote primitive of that id. */
static bool remote_node_known(xmlNode *root, const char *uname)
{
    for (xmlNode *n = root ? root->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "primitive")) {
            g_autofree char *id = get(n, "id");
            g_autofree char *type = get(n, "type");
            if (id && type && !strcmp(id, uname) && !strcmp(type, "remote"))
                return true;
        }
        if (is_el(n, "nvpair")) {
            g_autofree char *nm = get(n, "name");
            g_autofree char *v = get(n, "value");
            if (nm && v && !strcmp(nm, "remote-node") && !strcmp(v, uname))
                return true;
        }
        if (remote_node_known(n, uname))
            return true;
    }
    return false;
}

/* The node_state of `uname`, created when the node is known (and, when
 * `add` is set, even when it is not: crm_simulate's node-up adds it).
 * NULL with *err (NOSUCH) for a node the CIB does not know. */
static xmlNode *node_state(ctx_t *c, const char *uname, bool add, GError **err)
{
    xmlNode *ns = child_with(c->status, "node_state", "uname", uname);
    if (ns)
        return ns;
    xmlNode *cn = config_node(c, uname);
    g_autofree char *id = cn ? get(cn, "id") : NULL;
    if (!cn && !remote_node_known(c->config, uname)) {
        if (!add) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH,
                        "%s: no node named '%s' in the CIB (neither in <nodes> nor in the status)",
                        c->name, uname);
            return NULL;
        }
        xmlNode *nodes = ensure_child(c->config, "nodes");
        cn = xmlNewChild(nodes, NULL, (const xmlChar *) "node", NULL);
        set(cn, "id", uname);
        set(cn, "uname", uname);
        config_changed(c);
    }
    c->updates++;
    ns = xmlNewChild(c->status, NULL, (const xmlChar *) "node_state", NULL);
    set(ns, "id", id ? id : uname);
    set(ns, "uname", uname);
    return ns;
}

static void node_up(ctx_t *c, xmlNode *ns)
{
    c->updates++;
    set(ns, "in_ccm", "true");
    set(ns, "crmd", "online");
    set(ns, "join", "member");
    set(ns, "expected", "member");
    set(ns, "crm-debug-origin", ORIGIN);
}

/* A node taken down (crm_simulate -d, or fenced): out of the membership,
 * its other attributes kept, its resource history and transient
 * attributes cleared by the controller. */
static void node_offline(ctx_t *c, xmlNode *ns, const char *origin)
{
    set(ns, "in_ccm", "false");
    set(ns, "crmd", "offline");
    set(ns, "join", "down");
    set(ns, "expected", "down");
    set(ns, "crm-debug-origin", origin);
    c->updates++;
    static const char *const cleared[] = {"lrm", "transient_attributes"};
    for (size_t i = 0; i < G_N_ELEMENTS(cleared); i++) {
        xmlNode *k = child(ns, cleared[i]);
        if (!k)
            continue;
        xmlUnlinkNode(k);
        xmlFreeNode(k);
        c->updates++;
    }
}

static bool do_nodes(ctx_t *c, GError **err)
{
    const herd_cib_inject_t *inj = c->inj;
    for (guint i = 0; inj->node_up && i < inj->node_up->len; i++) {
        const char *n = inj->node_up->pdata[i];
        note(c, "Bringing node %s online", n);
        xmlNode *ns = node_state(c, n, true, err);
        if (!ns)
            return false;
        node_up(c, ns);
    }
    for (guint i = 0; inj->node_down && i < inj->node_down->len; i++) {
        const char *n = inj->node_down->pdata[i];
        note(c, "Taking node %s offline", n);
        xmlNode *ns = node_state(c, n, false, err);
        if (!ns)
            return false;
        node_offline(c, ns, ORIGIN);
    }
    for (guint i = 0; inj->node_fail && i < inj->node_fail->len; i++) {
        const char *n = inj->node_fail->pdata[i];
        note(c, "Failing node %s", n);
        xmlNode *ns = node_state(c, n, false, err);
        if (!ns)
            return false;
        g_autofree char *ccm = get(ns, "in_ccm");
        if (!ccm)
            node_up(c, ns);   /* a fresh entry starts as a member */
        else
            c->updates++;
        set(ns, "in_ccm", "false");
        set(ns, "crm-debug-origin", ORIGIN);
    }
    return true;
}

static void ticket(ctx_t *c, GPtrArray *ids, const char *what, const char *attr,
                   const char *value)
{
    for (guint i = 0; ids && i < ids->len; i++) {
        const char *t = ids->pdata[i];
        note(c, "%s ticket %s%s", what, t, !strcmp(attr, "standby") && !strcmp(value, "true")
                                               ? " standby" : "");
        c->updates++;
        xmlNode *tickets = ensure_child(c->status, "tickets");
        xmlNode *ts = child_with(tickets, "ticket_state", "id", t);
        if (!ts) {
            ts = xmlNewChild(tickets, NULL, (const xmlChar *) "ticket_state", NULL);
            set(ts, "id", t);
        }
        set(ts, attr, value);
    }
}

static void do_options(ctx_t *c)
{
    const herd_cib_inject_t *inj = c->inj;
    if (inj->quorum) {
        note(c, "Setting quorum: %s", inj->quorum);
        set(c->cib, "have-quorum", inj->quorum);
        c->updates++;
    }
    if (inj->watchdog) {
        note(c, "Setting watchdog: %s", inj->watchdog);
        config_changed(c);
        xmlNode *crm = ensure_child(c->config, "crm_config");
        xmlNode *set_el = child_with(crm, "cluster_property_set", "id", "cib-bootstrap-options");
        if (!set_el) {
            set_el = xmlNewChild(crm, NULL, (const xmlChar *) "cluster_property_set", NULL);
            set(set_el, "id", "cib-bootstrap-options");
        }
        xmlNode *nv = child_with(set_el, "nvpair", "name", "have-watchdog");
        if (!nv) {
            nv = xmlNewChild(set_el, NULL, (const xmlChar *) "nvpair", NULL);
            set(nv, "id", "cib-bootstrap-options-have-watchdog");
            set(nv, "name", "have-watchdog");
        }
        set(nv, "value", inj->watchdog);
    }
}

/* ---- operation injection ---------------------------------------------- */

/* Set a transient attribute of a node_state (creating the containers,
 * named after the node's id; an attribute's id is its set's id and its
 * name, '#' made '.'). */
static void transient_attr(xmlNode *ns, const char *name, const char *value, bool increment)
{
    g_autofree char *nid = get(ns, "id");
    xmlNode *ta = child(ns, "transient_attributes");
    if (!ta) {
        ta = xmlNewChild(ns, NULL, (const xmlChar *) "transient_attributes", NULL);
        set(ta, "id", nid);
    }
    xmlNode *ia = child(ta, "instance_attributes");
    if (!ia) {
        ia = xmlNewChild(ta, NULL, (const xmlChar *) "instance_attributes", NULL);
        set(ia, "id", nid);
    }
    xmlNode *nv = child_with(ia, "nvpair", "name", name);
    if (!nv) {
        nv = xmlNewChild(ia, NULL, (const xmlChar *) "nvpair", NULL);
        g_autofree char *set_id = get(ia, "id");
        g_autofree char *id = g_strdup_printf("%s-%s", set_id ? set_id : nid, name);
        g_strdelimit(id, "#", '.');
        set(nv, "id", id);
        set(nv, "name", name);
    }
    if (increment) {
        g_autofree char *old = get(nv, "value");
        long v = old ? strtol(old, NULL, 10) : 0;
        if (old && (!strcmp(old, "INFINITY") || !strcmp(old, "+INFINITY")))
            return;
        setf(nv, "value", "%ld", v + 1);
    } else {
        set(nv, "value", value);
    }
}

/* A failure's fail count (value++) and last-failure time on a node, as
 * crm_simulate injects them; nothing for a success or a probe's 7. */
static void inject_failcount(ctx_t *c, xmlNode *ns, const char *rsc, const char *task,
                             guint64 interval_ms, int rc)
{
    if (rc == 0 || (rc == 7 && interval_ms == 0))
        return;
    g_autofree char *fc = g_strdup_printf("fail-count-%s#%s_%" G_GUINT64_FORMAT, rsc, task,
                                          interval_ms);
    g_autofree char *lf = g_strdup_printf("last-failure-%s#%s_%" G_GUINT64_FORMAT, rsc, task,
                                          interval_ms);
    g_autofree char *nid = get(ns, "id");
    g_autofree char *now = g_strdup_printf("%lld", (long long) c->now);
    note(c, "Injecting attribute %s=value++ into /node_state '%s'", fc, nid);
    transient_attr(ns, fc, NULL, true);
    note(c, "Injecting attribute %s=%s into /node_state '%s'", lf, now, nid);
    transient_attr(ns, lf, now, false);
}

/* The primitive a resource name refers to ("rsc" or an instance "rsc:N"),
 * with class/provider/type resolved through a template. */
static xmlNode *find_primitive(ctx_t *c, const char *rsc)
{
    xmlNode *resources = child(c->config, "resources");
    xmlNode *p = find_by_id(resources, "primitive", rsc);
    if (!p) {
        const char *colon = strrchr(rsc, ':');
        if (colon && all_digits(colon + 1)) {
            g_autofree char *base = g_strndup(rsc, colon - rsc);
            p = find_by_id(resources, "primitive", base);
        }
    }
    return p;
}

static void copy_agent(ctx_t *c, xmlNode *prim, xmlNode *lrm_rsc)
{
    xmlNode *src = prim;
    g_autofree char *tmpl = get(prim, "template");
    if (tmpl) {
        xmlNode *t = find_by_id(child(c->config, "resources"), "template", tmpl);
        if (t)
            src = t;
    }
    static const char *const attrs[] = {"class", "provider", "type"};
    for (int i = 0; i < 3; i++) {
        g_autofree char *v = get(prim, attrs[i]);
        if (!v)
            v = get(src, attrs[i]);
        if (v)
            set(lrm_rsc, attrs[i], v);
    }
}

/* Add or replace an lrm_rsc_op of id `id` in `lr`. */
static xmlNode *op_entry(xmlNode *lr, const char *id)
{
    xmlNode *op = child_with(lr, "lrm_rsc_op", "id", id);
    if (!op) {
        op = xmlNewChild(lr, NULL, (const xmlChar *) "lrm_rsc_op", NULL);
        set(op, "id", id);
    }
    return op;
}

/* The history of a resource on a node: the lrm_resource named one of
 * `rsc_alt` or else `rsc`, created (as `rsc`) when there is none. */
static xmlNode *lrm_resource(xmlNode *ns, const herd_cib_op_result_t *r)
{
    xmlNode *lrm = child(ns, "lrm");
    if (!lrm) {
        lrm = xmlNewChild(ns, NULL, (const xmlChar *) "lrm", NULL);
        g_autofree char *nid = get(ns, "id");
        set(lrm, "id", nid);
    }
    xmlNode *lrs = ensure_child(lrm, "lrm_resources");
    xmlNode *lr = NULL;
    for (size_t i = 0; !lr && i < G_N_ELEMENTS(r->rsc_alt); i++)
        if (r->rsc_alt[i])
            lr = child_with(lrs, "lrm_resource", "id", r->rsc_alt[i]);
    if (!lr)
        lr = child_with(lrs, "lrm_resource", "id", r->rsc);
    if (!lr) {
        lr = xmlNewChild(lrs, NULL, (const xmlChar *) "lrm_resource", NULL);
        set(lr, "id", r->rsc);
        set_if(lr, "class", r->klass);
        set_if(lr, "provider", r->provider);
        set_if(lr, "type", r->type);
    }
    return lr;
}

static void fill_op(ctx_t *c, xmlNode *op, const herd_cib_op_result_t *r, const char *key,
                    const char *task, int call_id, int rc, bool failed)
{
    g_autofree char *tkey = g_strdup_printf("%d:-1:%d:" NO_UUID, call_id, r->target_rc);
    set(op, "operation_key", key);
    set(op, "operation", task);
    set(op, "crm-debug-origin", ORIGIN);
    set(op, "crm_feature_set", FEATURE_SET);
    set(op, "transition-key", tkey);
    setf(op, "transition-magic", "0:%d;%s", rc, tkey);
    set(op, "exit-reason", failed && r->exit_reason ? r->exit_reason : "");
    setf(op, "call-id", "%d", call_id);
    setf(op, "rc-code", "%d", rc);
    set(op, "op-status", "0");
    setf(op, "interval", "%" G_GUINT64_FORMAT, r->interval_ms);
    setf(op, "last-rc-change", "%lld", (long long) c->now);
    set(op, "exec-time", "0");
    set(op, "queue-time", "0");
    set_if(op, "migrate_source", r->migrate_source);
    set_if(op, "migrate_target", r->migrate_target);
    set_if(op, "op-digest", r->digest);
}

/* Record one operation result in the history of node_state `ns`, as
 * Pacemaker writes an executor event: the entry is RSC_last_0 (one-off
 * operations), the operation key (recurring ones, migrations),
 * RSC_last_failure_0 (a result other than the expected one; a one-off
 * failure updates RSC_last_0 too) or RSC_TYPE_notify_OP_0. */
static xmlNode *record_op(ctx_t *c, xmlNode *ns, const herd_cib_op_result_t *r)
{
    xmlNode *lr = lrm_resource(ns, r);
    g_autofree char *hist = r->op_rsc ? g_strdup(r->op_rsc) : get(lr, "id");
    int call_id = 0;
    for (xmlNode *o = lr->children; o; o = o->next) {
        if (!is_el(o, "lrm_rsc_op"))
            continue;
        g_autofree char *cid = get(o, "call-id");
        if (cid)
            call_id = MAX(call_id, atoi(cid));
    }
    call_id++;
    c->updates++;
    const char *task = r->task;
    if (!strcmp(task, "reload") || !strcmp(task, "reload-agent"))
        task = "start";   /* a reload done is recorded as a start */
    g_autofree char *key = g_strdup_printf("%s_%s_%" G_GUINT64_FORMAT, hist, task,
                                           r->interval_ms);
    int rc = r->rc;
    g_autofree char *id = NULL, *also = NULL;
    bool failed = false;
    if (!strcmp(task, "notify")) {
        id = g_strdup_printf("%s_%s_notify_%s_0", hist, r->notify_type ? r->notify_type : "post",
                             r->notify_operation ? r->notify_operation : "start");
        rc = 0;   /* notification results are ignored */
    } else if (!strcmp(task, "migrate_to") || !strcmp(task, "migrate_from")) {
        id = g_strdup(key);
    } else if (rc != r->target_rc) {
        failed = true;
        id = g_strdup_printf("%s_last_failure_0", hist);
        if (!r->interval_ms)
            also = g_strdup_printf("%s_last_0", hist);
    } else if (r->interval_ms) {
        id = g_strdup(key);
    } else {
        id = g_strdup_printf("%s_last_0", hist);
    }
    xmlNode *op = NULL;
    if (also && !r->injected)
        fill_op(c, op_entry(lr, also), r, key, task, call_id, rc, failed);
    fill_op(c, op = op_entry(lr, id), r, key, task, call_id, rc, failed);
    if (also && r->injected)
        fill_op(c, op_entry(lr, also), r, key, task, call_id, rc, failed);
    return op;
}

static bool inject_parsed_op(ctx_t *c, const char *spec_text, const herd_opspec_t *s,
                             GError **err)
{
    xmlNode *prim = find_primitive(c, s->rsc);
    if (!prim) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOSUCH,
                    "%s: operation spec '%s': no primitive resource '%s' in the configuration",
                    c->name, spec_text, s->rsc);
        return false;
    }
    xmlNode *ns = node_state(c, s->node, false, err);
    if (!ns)
        return false;
    note(c, "Injecting %s into the configuration", spec_text);
    /* the agent from the configuration (a template's, if it has one) */
    xmlNode *agent = xmlNewNode(NULL, (const xmlChar *) "agent");
    copy_agent(c, prim, agent);
    g_autofree char *klass = get(agent, "class");
    g_autofree char *provider = get(agent, "provider");
    g_autofree char *type = get(agent, "type");
    xmlFreeNode(agent);
    herd_cib_op_result_t r = {
        .rsc = s->rsc, .klass = klass, .provider = provider, .type = type, .task = s->task,
        .interval_ms = s->interval_ms, .node = s->node, .target_rc = 0, .rc = s->rc,
        .exit_reason = "Simulated action result", .injected = true};
    xmlNode *op = record_op(c, ns, &r);
    if (s->rc && s->interval_ms) {
        set(op, "uname", s->node);
        set(op, "rsc-id", s->rsc);
    }
    inject_failcount(c, ns, s->rsc, s->task, s->interval_ms, s->rc);
    return true;
}

static bool inject_op(ctx_t *c, const char *spec_text, GError **err)
{
    herd_opspec_t s;
    if (!herd_opspec_parse(spec_text, &s, err))
        return false;
    bool ok = inject_parsed_op(c, spec_text, &s, err);
    herd_opspec_clear(&s);
    return ok;
}

/* ---- recording a simulated transition ---------------------------------- */

/* The node_state of a node an action ran on: by name, else by id (naming
 * it), else a new one. */
static xmlNode *action_node_state(ctx_t *c, const char *uname, const char *uuid)
{
    xmlNode *ns = child_with(c->status, "node_state", "uname", uname);
    if (!ns && uuid) {
        ns = child_with(c->status, "node_state", "id", uuid);
        if (ns)
            set(ns, "uname", uname);
    }
    if (!ns) {
        ns = xmlNewChild(c->status, NULL, (const xmlChar *) "node_state", NULL);
        set(ns, "id", uuid ? uuid : uname);
        set(ns, "uname", uname);
    }
    return ns;
}

/* Record an operation result; see herd_cib_inject.h. */
void herd_cib_doc_record_op(herd_cib_doc_t *d, const herd_cib_op_result_t *r, GPtrArray *log)
{
    d->log = log;
    xmlNode *ns = action_node_state(d, r->node, r->node_uuid);
    record_op(d, ns, r);
    if (r->failcount_rsc)
        inject_failcount(d, ns, r->failcount_rsc, r->task, r->interval_ms, r->rc);
    d->log = NULL;
}

/* Record a node fenced; see herd_cib_inject.h. */
void herd_cib_doc_fence(herd_cib_doc_t *d, const char *uname, const char *uuid)
{
    int before = d->updates;
    node_offline(d, action_node_state(d, uname, uuid), "simulate_fencing_action");
    d->updates = before + 2;   /* crm_simulate's count, whatever was cleared */
}

/* ---- entry point -------------------------------------------------------- */

bool herd_cib_inject_empty(const herd_cib_inject_t *inj)
{
    GPtrArray *lists[] = {inj->node_up, inj->node_down, inj->node_fail, inj->op_inject,
                          inj->ticket_grant, inj->ticket_revoke, inj->ticket_standby,
                          inj->ticket_activate};
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
        if (lists[i] && lists[i]->len)
            return false;
    /* crm_simulate (2.1.5) applies --quorum only along with another
     * event: on its own it changes nothing, and so it does here. */
    return !inj->watchdog;
}

static void quiet_errors(void *ctx, const char *msg, ...)
{
}

/* Parse a CIB document; see herd_cib_inject.h. */
herd_cib_doc_t *herd_cib_doc_parse(const char *buf, size_t len, const char *name, time_t now,
                                   GError **err)
{
    xmlSetGenericErrorFunc(NULL, quiet_errors);
    xmlResetLastError();
    xmlDoc *doc = xmlReadMemory(buf, (int) len, name, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_HUGE |
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        g_autofree char *msg = g_strdup(e && e->message ? e->message : "not well-formed XML");
        g_strchomp(msg);
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:%d: not valid XML: %s", name,
                    e ? e->line : 0, msg);
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!is_el(root, "cib")) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_DATAERR, "%s:%d: expected a <cib> document", name,
                    root ? (int) xmlGetLineNo(root) : 1);
        xmlFreeDoc(doc);
        return NULL;
    }
    ctx_t *c = g_new0(ctx_t, 1);
    c->doc = doc;
    c->name = g_strdup(name);
    c->now = now;
    c->cib = root;
    c->config = ensure_child(c->cib, "configuration");
    c->status = ensure_child(c->cib, "status");
    return c;
}

/* The document as text; see herd_cib_inject.h. */
char *herd_cib_doc_dump(herd_cib_doc_t *d, size_t *out_len)
{
    if (d->epoch_add) {
        g_autofree char *ep = get(d->cib, "epoch");
        setf(d->cib, "epoch", "%lld",
             (long long) (ep ? g_ascii_strtoll(ep, NULL, 10) : 0) + d->epoch_add);
        set(d->cib, "num_updates", "0");
        d->epoch_add = 0;
    }
    if (d->updates) {
        g_autofree char *nu = get(d->cib, "num_updates");
        setf(d->cib, "num_updates", "%lld",
             (long long) (nu ? g_ascii_strtoll(nu, NULL, 10) : 0) + d->updates);
        d->updates = 0;
    }
    xmlChar *mem = NULL;
    int n = 0;
    xmlDocDumpFormatMemory(d->doc, &mem, &n, 1);
    char *result = g_strndup((const char *) mem, (gsize) n);
    xmlFree(mem);
    if (out_len)
        *out_len = (size_t) n;
    return result;
}

/* Free a document; see herd_cib_inject.h. */
void herd_cib_doc_free(herd_cib_doc_t *d)
{
    if (!d)
        return;
    xmlFreeDoc(d->doc);
    g_free(d->name);
    g_free(d);
}

/* Apply the events; see herd_cib_inject.h. */
char *herd_cib_inject(const char *buf, size_t len, const char *name,
                      const herd_cib_inject_t *inj, GPtrArray *log, size_t *out_len,
                      GError **err)
{
    g_autoptr(herd_cib_doc_t) c = herd_cib_doc_parse(buf, len, name, inj->now, err);
    if (!c)
        return NULL;
    c->inj = inj;
    c->log = log;
    do_options(c);
    if (!do_nodes(c, err))
        return NULL;
    ticket(c, inj->ticket_grant, "Granting", "granted", "true");
    ticket(c, inj->ticket_revoke, "Revoking", "granted", "false");
    ticket(c, inj->ticket_standby, "Making", "standby", "true");
    ticket(c, inj->ticket_activate, "Activating", "standby", "false");
    for (guint i = 0; inj->op_inject && i < inj->op_inject->len; i++)
        if (!inject_op(c, inj->op_inject->pdata[i], err))
            return NULL;
    return herd_cib_doc_dump(c, out_len);
}
