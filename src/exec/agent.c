/* agent.c: agent names, where agents live, and listing installed agents. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_LSB_DIR "/etc/init.d"
#define DEFAULT_STONITH_DIR "/usr/sbin"
#define DEFAULT_HEARTBEAT_DIR "/etc/ha.d/resource.d"

const char *agent_ocf_root(const herd_agent_dirs_t *d)
{
    return d && d->ocf_root ? d->ocf_root : HERD_OCF_ROOT_DIR;
}
const char *agent_lsb_dir(const herd_agent_dirs_t *d)
{
    return d && d->lsb_dir ? d->lsb_dir : DEFAULT_LSB_DIR;
}
const char *agent_stonith_dir(const herd_agent_dirs_t *d)
{
    return d && d->stonith_dir ? d->stonith_dir : DEFAULT_STONITH_DIR;
}
const char *agent_heartbeat_dir(const herd_agent_dirs_t *d)
{
    return d && d->heartbeat_dir ? d->heartbeat_dir : DEFAULT_HEARTBEAT_DIR;
}

bool action_is_monitor(const char *action)
{
    return action && (strcmp(action, "monitor") == 0 || strcmp(action, "status") == 0);
}

const char *herd_agent_class_name(herd_agent_class_t klass)
{
    switch (klass) {
    case HERD_AGENT_OCF: return "ocf";
    case HERD_AGENT_LSB: return "lsb";
    case HERD_AGENT_STONITH: return "stonith";
    case HERD_AGENT_HEARTBEAT: return "heartbeat";
    }
    return "unknown";
}

static int class_from_name(const char *s, herd_agent_class_t *k)
{
    for (int i = HERD_AGENT_OCF; i <= HERD_AGENT_HEARTBEAT; i++) {
        if (g_ascii_strcasecmp(s, herd_agent_class_name(i)) == 0) {
            *k = i;
            return 0;
        }
    }
    return -1;
}

/* A name part must be non-empty and must not escape its directory. */
static bool safe_part(const char *s)
{
    return s && *s && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

herd_agent_t *herd_agent_parse(const char *name, const herd_agent_dirs_t *dirs, GError **err)
{
    if (!name || !*name) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE, "empty agent name");
        return NULL;
    }
    g_auto(GStrv) parts = g_strsplit(name, ":", 3);
    guint n = g_strv_length(parts);
    herd_agent_class_t klass;
    if (n < 2 || class_from_name(parts[0], &klass) < 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    "'%s' is not an agent name: expected ocf:PROVIDER:TYPE, lsb:NAME, "
                    "stonith:NAME or heartbeat:NAME", name);
        return NULL;
    }
    if ((klass == HERD_AGENT_OCF && n != 3) || (klass != HERD_AGENT_OCF && n != 2)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                    klass == HERD_AGENT_OCF ? "'%s': ocf agents are named ocf:PROVIDER:TYPE"
                                            : "'%s': this class takes CLASS:NAME", name);
        return NULL;
    }
    for (guint i = 1; i < n; i++) {
        if (!safe_part(parts[i])) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                        "'%s': agent name parts must be non-empty and contain no '/'", name);
            return NULL;
        }
    }
    herd_agent_t *a = g_new0(herd_agent_t, 1);
    a->klass = klass;
    switch (klass) {
    case HERD_AGENT_OCF:
        a->provider = g_strdup(parts[1]);
        a->type = g_strdup(parts[2]);
        a->path = g_build_filename(agent_ocf_root(dirs), "resource.d", a->provider, a->type, NULL);
        a->spec = g_strdup_printf("ocf:%s:%s", a->provider, a->type);
        break;
    case HERD_AGENT_LSB:
        a->type = g_strdup(parts[1]);
        a->path = g_build_filename(agent_lsb_dir(dirs), a->type, NULL);
        break;
    case HERD_AGENT_STONITH:
        a->type = g_strdup(parts[1]);
        a->path = g_build_filename(agent_stonith_dir(dirs), a->type, NULL);
        break;
    case HERD_AGENT_HEARTBEAT:
        a->type = g_strdup(parts[1]);
        a->path = g_build_filename(agent_heartbeat_dir(dirs), a->type, NULL);
        break;
    }
    if (!a->spec)
        a->spec = g_strdup_printf("%s:%s", herd_agent_class_name(klass), a->type);
    /* Agents run with cwd "/": a relative directory means the caller's. */
    if (!g_path_is_absolute(a->path)) {
        char *abs = g_canonicalize_filename(a->path, NULL);
        g_free(a->path);
        a->path = abs;
    }
    return a;
}

void herd_agent_free(herd_agent_t *a)
{
    if (!a)
        return;
    g_free(a->provider);
    g_free(a->type);
    g_free(a->path);
    g_free(a->spec);
    g_free(a);
}

static bool is_exec_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Add "prefix:entry" for each executable regular file in `dir` accepted by
 * `want` (NULL = all). */
static void scan_dir(GPtrArray *out, const char *dir, const char *prefix,
                     bool (*want)(const char *name))
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *e;
    while ((e = g_dir_read_name(d))) {
        if (e[0] == '.' || (want && !want(e)))
            continue;
        g_autofree char *p = g_build_filename(dir, e, NULL);
        if (is_exec_file(p))
            g_ptr_array_add(out, g_strdup_printf("%s:%s", prefix, e));
    }
}

static bool is_fence_agent(const char *name)
{
    return g_str_has_prefix(name, "fence_") && !g_str_has_suffix(name, ".py");
}

static bool is_init_script(const char *name)
{
    /* Not scripts: README, skeleton, and dpkg leftovers. */
    return strcmp(name, "README") != 0 && strcmp(name, "skeleton") != 0 &&
           !strchr(name, '.') && !g_str_has_suffix(name, "~");
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **herd_agent_list(const char *filter, const herd_agent_dirs_t *dirs, GError **err)
{
    g_autofree char *klass_s = NULL;
    g_autofree char *provider = NULL;
    herd_agent_class_t k = HERD_AGENT_OCF;
    bool all = !filter || !*filter;
    if (!all) {
        const char *colon = strchr(filter, ':');
        klass_s = colon ? g_strndup(filter, colon - filter) : g_strdup(filter);
        provider = colon ? g_strdup(colon + 1) : NULL;
        if (class_from_name(klass_s, &k) < 0 || (provider && k != HERD_AGENT_OCF) ||
            (provider && !safe_part(provider))) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_USAGE,
                        "'%s' is not a class: expected ocf[:PROVIDER], lsb, stonith or heartbeat",
                        filter);
            return NULL;
        }
    }
    GPtrArray *out = g_ptr_array_new();
    if (all || k == HERD_AGENT_OCF) {
        g_autofree char *rd = g_build_filename(agent_ocf_root(dirs), "resource.d", NULL);
        g_autoptr(GDir) d = g_dir_open(rd, 0, NULL);
        const char *prov;
        while (d && (prov = g_dir_read_name(d))) {
            if (provider && strcmp(provider, prov) != 0)
                continue;
            g_autofree char *pd = g_build_filename(rd, prov, NULL);
            g_autofree char *prefix = g_strdup_printf("ocf:%s", prov);
            if (g_file_test(pd, G_FILE_TEST_IS_DIR))
                scan_dir(out, pd, prefix, NULL);
        }
    }
    if (all || k == HERD_AGENT_LSB)
        scan_dir(out, agent_lsb_dir(dirs), "lsb", is_init_script);
    if (all || k == HERD_AGENT_STONITH)
        scan_dir(out, agent_stonith_dir(dirs), "stonith", is_fence_agent);
    if (all || k == HERD_AGENT_HEARTBEAT)
        scan_dir(out, agent_heartbeat_dir(dirs), "heartbeat", NULL);
    g_ptr_array_sort(out, cmp_str);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
