/* rule.c: evaluating <rule> against a node and a time. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "herd_cib.h"

static const char *node_value(const herd_cib_node_t *node, const char *name, time_t now)
{
    if (!node)
        return NULL;
    if (!strcmp(name, "#uname"))
        return node->uname;
    if (!strcmp(name, "#id"))
        return node->id;
    if (!strcmp(name, "#is_dc"))
        return node->is_dc ? "true" : "false";
    if (!strcmp(name, "#kind"))
        return node->kind == HERD_NODE_MEMBER ? "cluster"
             : node->kind == HERD_NODE_REMOTE ? "remote" : "container";
    const char *v = g_hash_table_lookup(node->attrs, name);
    if (v || !node->attr_sets)
        return v;
    /* instance_attributes with a rule (in score order): only the rule's
     * dates count, not other node attributes */
    for (guint i = 0; i < node->attr_sets->len; i++) {
        const herd_nvset_t *set = node->attr_sets->pdata[i];
        if (!g_hash_table_contains(set->values, name) || !herd_rule_eval(set->rule, NULL, NULL, now))
            continue;
        return g_hash_table_lookup(set->values, name);
    }
    return NULL;
}

static int cmp_version(const char *a, const char *b)
{
    while (*a || *b) {
        long x = strtol(a, (char **) &a, 10), y = strtol(b, (char **) &b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (*a == '.') a++;
        if (*b == '.') b++;
        if (!*a && !*b) break;
        if ((*a && !g_ascii_isdigit(*a)) || (*b && !g_ascii_isdigit(*b)))
            break;
    }
    return 0;
}

static bool attr_expr(const herd_expr_t *e, const herd_cib_node_t *node, const herd_cib_rsc_t *rsc,
                      time_t now)
{
    const char *have = node_value(node, e->attribute, now);
    const char *want = e->value;
    if (e->value_source && rsc && want) {
        if (!strcmp(e->value_source, "param"))
            want = g_hash_table_lookup(rsc->params, want);
        else if (!strcmp(e->value_source, "meta"))
            want = g_hash_table_lookup(rsc->meta, want);
    }
    const char *op = e->operation;
    if (!strcmp(op, "defined"))
        return have != NULL;
    if (!strcmp(op, "not_defined"))
        return have == NULL;
    if (!have || !want)
        return !strcmp(op, "ne") && !(have == NULL && want == NULL) ? true : false;
    int c;
    const char *type = e->type;
    bool ordering = !strcmp(op, "lt") || !strcmp(op, "gt") || !strcmp(op, "lte") || !strcmp(op, "gte");
    if (!type)
        type = ordering ? "number" : "string";
    if (!strcasecmp(type, "version")) {
        c = cmp_version(have, want);
    } else if (!strcasecmp(type, "integer") || !strcasecmp(type, "number")) {
        char *e1, *e2;
        double x = strtod(have, &e1), y = strtod(want, &e2);
        if (*e1 || *e2)
            c = strcasecmp(have, want);
        else
            c = (x > y) - (x < y);
    } else {
        c = strcasecmp(have, want);
    }
    if (!strcmp(op, "eq")) return c == 0;
    if (!strcmp(op, "ne")) return c != 0;
    if (!strcmp(op, "lt")) return c < 0;
    if (!strcmp(op, "lte")) return c <= 0;
    if (!strcmp(op, "gt")) return c > 0;
    if (!strcmp(op, "gte")) return c >= 0;
    return false;
}

static bool in_spec(const char *spec, long v)
{
    if (!spec)
        return true;
    long lo, hi;
    char *end;
    lo = strtol(spec, &end, 10);
    if (*end == '-')
        hi = strtol(end + 1, NULL, 10);
    else
        hi = lo;
    return v >= lo && v <= hi;
}

static bool date_expr(const herd_expr_t *e, time_t now)
{
    time_t s = 0, en = 0;
    bool has_s = e->start && herd_cib_parse_datetime(e->start, &s);
    bool has_e = e->end && herd_cib_parse_datetime(e->end, &en);
    if (!strcmp(e->operation, "gt"))
        return has_s && now > s;
    if (!strcmp(e->operation, "lt"))
        return has_e && now < en;
    if (!strcmp(e->operation, "in_range")) {
        if (!has_e && has_s && e->duration) {
            time_t d = 0;
            const char *v;
            if ((v = g_hash_table_lookup(e->duration, "years"))) d += atol(v) * 365L * 86400;
            if ((v = g_hash_table_lookup(e->duration, "months"))) d += atol(v) * 30L * 86400;
            if ((v = g_hash_table_lookup(e->duration, "weeks"))) d += atol(v) * 7L * 86400;
            if ((v = g_hash_table_lookup(e->duration, "days"))) d += atol(v) * 86400L;
            if ((v = g_hash_table_lookup(e->duration, "hours"))) d += atol(v) * 3600L;
            if ((v = g_hash_table_lookup(e->duration, "minutes"))) d += atol(v) * 60L;
            if ((v = g_hash_table_lookup(e->duration, "seconds"))) d += atol(v);
            en = s + d;
            has_e = true;
        }
        if (has_s && now < s)
            return false;
        if (has_e && now > en)
            return false;
        return has_s || has_e;
    }
    if (!strcmp(e->operation, "date_spec") && e->date_spec) {
        GDateTime *dt = g_date_time_new_from_unix_utc(now);
        bool ok = in_spec(g_hash_table_lookup(e->date_spec, "hours"), g_date_time_get_hour(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "minutes"), g_date_time_get_minute(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "seconds"), g_date_time_get_second(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "monthdays"), g_date_time_get_day_of_month(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "weekdays"), g_date_time_get_day_of_week(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "yeardays"), g_date_time_get_day_of_year(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "months"), g_date_time_get_month(dt)) &&
                  in_spec(g_hash_table_lookup(e->date_spec, "years"), g_date_time_get_year(dt));
        g_date_time_unref(dt);
        return ok;
    }
    return false;
}

/* Evaluate a rule; see herd_cib.h. */
bool herd_rule_eval(const herd_rule_t *rule, const herd_cib_node_t *node,
                    const herd_cib_rsc_t *rsc, time_t now)
{
    if (!rule)
        return true;
    if (rule->exprs->len == 0)
        return true;
    for (guint i = 0; i < rule->exprs->len; i++) {
        const herd_expr_t *e = rule->exprs->pdata[i];
        bool v = false;
        switch (e->kind) {
        case HERD_EXPR_ATTR: v = attr_expr(e, node, rsc, now); break;
        case HERD_EXPR_DATE: v = date_expr(e, now); break;
        case HERD_EXPR_RULE: v = herd_rule_eval(e->rule, node, rsc, now); break;
        case HERD_EXPR_RSC:
            v = rsc && (!e->rsc_class || (rsc->klass && !strcmp(e->rsc_class, rsc->klass))) &&
                (!e->rsc_provider || (rsc->provider && !strcmp(e->rsc_provider, rsc->provider))) &&
                (!e->rsc_type || (rsc->type && !strcmp(e->rsc_type, rsc->type)));
            break;
        case HERD_EXPR_OP: v = false; break;
        }
        if (rule->op == HERD_RULE_OR && v)
            return true;
        if (rule->op == HERD_RULE_AND && !v)
            return false;
    }
    return rule->op == HERD_RULE_AND;
}
