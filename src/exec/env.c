/* env.c: what an agent is given: its argument vector, its environment
 * (built from scratch, never inherited), a stonith agent's stdin, and how
 * its exit status maps onto OCF codes. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define AGENT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* The action name as the agent's class spells it. */
static const char *class_action(herd_agent_class_t k, const char *action)
{
    switch (k) {
    case HERD_AGENT_LSB:
    case HERD_AGENT_HEARTBEAT:
        return strcmp(action, "monitor") == 0 ? "status" : action;
    case HERD_AGENT_STONITH:
        return strcmp(action, "meta-data") == 0 ? "metadata" : action;
    case HERD_AGENT_OCF:
        break;
    }
    return action;
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys of `h` sorted (container only; keys belong to h). */
static GPtrArray *sorted_keys(GHashTable *h)
{
    GPtrArray *keys = g_ptr_array_new();
    if (h) {
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, h);
        while (g_hash_table_iter_next(&it, &k, NULL))
            g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, cmp_str);
    return keys;
}

char **herd_exec_build_argv(const herd_agent_t *agent, const herd_exec_request_t *req)
{
    GPtrArray *v = g_ptr_array_new();
    g_ptr_array_add(v, g_strdup(agent->path));
    if (agent->klass == HERD_AGENT_HEARTBEAT) {
        /* Positional parameters are named "1", "2", ... in order. */
        for (int i = 1;; i++) {
            char key[16];
            g_snprintf(key, sizeof key, "%d", i);
            const char *val = req->params ? g_hash_table_lookup(req->params, key) : NULL;
            if (!val)
                break;
            g_ptr_array_add(v, g_strdup(val));
        }
    }
    /* Fence agents read everything, the action included, from stdin. */
    if (agent->klass != HERD_AGENT_STONITH)
        g_ptr_array_add(v, g_strdup(class_action(agent->klass, req->action)));
    g_ptr_array_add(v, NULL);
    return (char **)g_ptr_array_free(v, FALSE);
}

char **herd_exec_build_env(const herd_agent_t *agent, const herd_exec_request_t *req,
                           guint timeout_ms, const char *ocf_root, const char *rsc_tmp)
{
    GPtrArray *v = g_ptr_array_new();
    g_ptr_array_add(v, g_strdup("PATH=" AGENT_PATH));
    if (agent->klass == HERD_AGENT_OCF) {
        g_ptr_array_add(v, g_strdup_printf("OCF_ROOT=%s", ocf_root));
        g_ptr_array_add(v, g_strdup("OCF_RA_VERSION_MAJOR=1"));
        g_ptr_array_add(v, g_strdup("OCF_RA_VERSION_MINOR=1"));
        g_ptr_array_add(v, g_strdup_printf("OCF_RESOURCE_INSTANCE=%s",
                                           req->rsc_id ? req->rsc_id : agent->type));
        g_ptr_array_add(v, g_strdup_printf("OCF_RESOURCE_TYPE=%s", agent->type));
        g_ptr_array_add(v, g_strdup_printf("OCF_RESOURCE_PROVIDER=%s", agent->provider));
        g_autoptr(GPtrArray) pk = sorted_keys(req->params);
        for (guint i = 0; i < pk->len; i++) {
            const char *k = pk->pdata[i];
            g_ptr_array_add(v, g_strdup_printf("OCF_RESKEY_%s=%s", k,
                                               (char *)g_hash_table_lookup(req->params, k)));
        }
        g_autoptr(GPtrArray) mk = sorted_keys(req->meta);
        for (guint i = 0; i < mk->len; i++) {
            const char *k = mk->pdata[i];
            g_autofree char *name = g_strdelimit(g_strdup(k), "-", '_');
            /* herd sets these two itself, from the request. */
            if (strcmp(name, "timeout") == 0 || strcmp(name, "interval") == 0)
                continue;
            g_ptr_array_add(v, g_strdup_printf("OCF_RESKEY_CRM_meta_%s=%s", name,
                                               (char *)g_hash_table_lookup(req->meta, k)));
        }
        g_ptr_array_add(v, g_strdup_printf("OCF_RESKEY_CRM_meta_timeout=%u", timeout_ms));
        g_ptr_array_add(v, g_strdup_printf("OCF_RESKEY_CRM_meta_interval=%u", req->interval_ms));
    }
    if (agent->klass != HERD_AGENT_LSB)
        g_ptr_array_add(v, g_strdup_printf("HA_RSCTMP=%s", rsc_tmp));
    g_ptr_array_add(v, NULL);
    return (char **)g_ptr_array_free(v, FALSE);
}

char *herd_exec_stonith_stdin(const herd_exec_request_t *req, const char *port_param)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "action=%s\n", class_action(HERD_AGENT_STONITH, req->action));
    if (!port_param)
        port_param = "port";
    bool send_port = strcmp(port_param, "none") != 0;
    if (req->target && *req->target) {
        g_string_append_printf(s, "nodename=%s\n", req->target);
        if (send_port)
            g_string_append_printf(s, "%s=%s\n", port_param, req->target);
    }
    g_autoptr(GPtrArray) pk = sorted_keys(req->params);
    for (guint i = 0; i < pk->len; i++) {
        const char *k = pk->pdata[i];
        const char *val = g_hash_table_lookup(req->params, k);
        /* herd decides the action and the target; newlines would forge keys. */
        if (strcmp(k, "action") == 0 || strcmp(k, "nodename") == 0 || strchr(k, '\n') ||
            strchr(k, '=') || strchr(val, '\n'))
            continue;
        if (req->target && *req->target && send_port && strcmp(k, port_param) == 0)
            continue;
        g_string_append_printf(s, "%s=%s\n", k, val);
    }
    return g_string_free(s, FALSE);
}

int herd_exec_map_rc(herd_agent_class_t klass, const char *action, int st,
                     const char *stdout_text)
{
    bool status = action_is_monitor(action);
    switch (klass) {
    case HERD_AGENT_OCF:
        return st;
    case HERD_AGENT_LSB:
        if (status) {
            /* LSB status: 0 running, 3 stopped, 1/2/4 (dead or unknown) failed. */
            if (st == 0)
                return HERD_OCF_OK;
            if (st == 3)
                return HERD_OCF_NOT_RUNNING;
            return HERD_OCF_ERR_GENERIC;
        }
        /* Other LSB actions: 0..7 share the OCF meanings. */
        return st >= 0 && st <= 7 ? st : HERD_OCF_ERR_GENERIC;
    case HERD_AGENT_STONITH:
        if (strcmp(action, "status") == 0)
            return st == 0 ? HERD_OCF_OK : st == 2 ? HERD_OCF_NOT_RUNNING : HERD_OCF_ERR_GENERIC;
        return st == 0 ? HERD_OCF_OK : HERD_OCF_ERR_GENERIC;
    case HERD_AGENT_HEARTBEAT:
        if (status) {
            /* R1 agents say it on stdout; the exit status means nothing. */
            const char *o = stdout_text ? stdout_text : "";
            g_autofree char *low = g_ascii_strdown(o, -1);
            if (strstr(low, "stopped") || strstr(low, "not running"))
                return HERD_OCF_NOT_RUNNING;
            if (strstr(low, "running") || strstr(o, "OK"))
                return HERD_OCF_OK;
            return HERD_OCF_NOT_RUNNING;
        }
        return st == 0 ? HERD_OCF_OK : HERD_OCF_ERR_GENERIC;
    }
    return st;
}
