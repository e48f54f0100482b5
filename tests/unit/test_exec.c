/* Unit tests for src/exec: agent names, argument vectors, environments,
 * stonith stdin, rc mapping, classification, meta-data parsing and
 * validation, and the executor loop itself on small shell agents written
 * to a temporary OCF root (concurrency limit, cancel, recurring, timeout,
 * failed exec). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herd_common.h"
#include "herd_exec.h"

static GHashTable *table(const char *k1, ...)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    va_list ap;
    va_start(ap, k1);
    for (const char *k = k1; k; k = va_arg(ap, const char *))
        g_hash_table_insert(t, g_strdup(k), g_strdup(va_arg(ap, const char *)));
    va_end(ap);
    return t;
}

static bool strv_has(char **v, const char *s)
{
    return g_strv_contains((const char *const *)v, s);
}

/* ---- agents -------------------------------------------------------------- */

static void agent_names_parse(void **state)
{
    herd_agent_dirs_t dirs = {.ocf_root = "/o", .lsb_dir = "/l", .stonith_dir = "/s",
                              .heartbeat_dir = "/h"};
    g_autoptr(herd_agent_t) a = herd_agent_parse("ocf:heartbeat:Dummy", &dirs, NULL);
    assert_non_null(a);
    assert_int_equal(a->klass, HERD_AGENT_OCF);
    assert_string_equal(a->provider, "heartbeat");
    assert_string_equal(a->path, "/o/resource.d/heartbeat/Dummy");
    g_autoptr(herd_agent_t) l = herd_agent_parse("LSB:nginx", &dirs, NULL);
    assert_string_equal(l->path, "/l/nginx");
    assert_string_equal(l->spec, "lsb:nginx");
    g_autoptr(herd_agent_t) s = herd_agent_parse("stonith:fence_x", &dirs, NULL);
    assert_string_equal(s->path, "/s/fence_x");
    g_autoptr(herd_agent_t) h = herd_agent_parse("heartbeat:IPaddr", &dirs, NULL);
    assert_string_equal(h->path, "/h/IPaddr");
    const char *bad[] = {"", "Dummy", "ocf:Dummy", "ocf:a:b:c", "lsb:a:b", "systemd:x",
                         "ocf:..:x", "lsb:../../bin/sh", "ocf:heartbeat:", NULL};
    for (int i = 0; bad[i]; i++) {
        g_autoptr(GError) err = NULL;
        herd_agent_t *x = herd_agent_parse(bad[i], &dirs, &err);
        assert_null(x);
        assert_non_null(err);
        assert_int_equal(err->code, HERD_EXIT_USAGE);
    }
}

/* ---- argv, env, stdin ------------------------------------------------------ */

static void argv_per_class(void **state)
{
    herd_agent_dirs_t dirs = {.ocf_root = "/o", .lsb_dir = "/l", .heartbeat_dir = "/h"};
    g_autoptr(GHashTable) p = table("2", "b", "1", "a", "x", "y", NULL);
    herd_exec_request_t req = {.action = "monitor", .params = p};
    g_autoptr(herd_agent_t) o = herd_agent_parse("ocf:p:t", &dirs, NULL);
    g_auto(GStrv) ov = herd_exec_build_argv(o, &req);
    assert_int_equal(g_strv_length(ov), 2);
    assert_string_equal(ov[1], "monitor");
    g_autoptr(herd_agent_t) l = herd_agent_parse("lsb:t", &dirs, NULL);
    g_auto(GStrv) lv = herd_exec_build_argv(l, &req);
    assert_string_equal(lv[1], "status"); /* LSB has no monitor */
    g_autoptr(herd_agent_t) h = herd_agent_parse("heartbeat:t", &dirs, NULL);
    g_auto(GStrv) hv = herd_exec_build_argv(h, &req);
    assert_int_equal(g_strv_length(hv), 4); /* positional 1, 2 then the action */
    assert_string_equal(hv[1], "a");
    assert_string_equal(hv[2], "b");
    assert_string_equal(hv[3], "status");
    g_autoptr(herd_agent_t) s = herd_agent_parse("stonith:fence_t", &dirs, NULL);
    g_auto(GStrv) sv = herd_exec_build_argv(s, &req);
    assert_int_equal(g_strv_length(sv), 1); /* all on stdin */
}

static void ocf_environment_is_complete_and_clean(void **state)
{
    g_setenv("HERD_UNIT_LEAK", "1", TRUE);
    herd_agent_dirs_t dirs = {.ocf_root = "/o"};
    g_autoptr(herd_agent_t) a = herd_agent_parse("ocf:heartbeat:IPaddr2", &dirs, NULL);
    g_autoptr(GHashTable) p = table("ip", "10.0.0.1", "cidr_netmask", "24", NULL);
    g_autoptr(GHashTable) m = table("target-role", "Started", "clone-max", "2",
                                    "notify_start_uname", "n1 n2", "timeout", "999",
                                    "interval", "1", NULL);
    herd_exec_request_t req = {.action = "monitor", .rsc_id = "ip:1", .params = p, .meta = m,
                               .interval_ms = 10000};
    g_auto(GStrv) env = herd_exec_build_env(a, &req, 20000, "/o", "/run/ra");
    const char *want[] = {
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OCF_ROOT=/o", "OCF_RA_VERSION_MAJOR=1",
        "OCF_RA_VERSION_MINOR=1", "OCF_RESOURCE_INSTANCE=ip:1", "OCF_RESOURCE_TYPE=IPaddr2",
        "OCF_RESOURCE_PROVIDER=heartbeat", "OCF_RESKEY_ip=10.0.0.1",
        "OCF_RESKEY_cidr_netmask=24", "OCF_RESKEY_CRM_meta_target_role=Started",
        "OCF_RESKEY_CRM_meta_clone_max=2", "OCF_RESKEY_CRM_meta_notify_start_uname=n1 n2",
        "OCF_RESKEY_CRM_meta_timeout=20000", "OCF_RESKEY_CRM_meta_interval=10000",
        "HA_RSCTMP=/run/ra", NULL};
    for (int i = 0; want[i]; i++) {
        if (!strv_has(env, want[i]))
            fail_msg("missing %s", want[i]);
    }
    assert_int_equal(g_strv_length(env), g_strv_length((char **)want));
    for (int i = 0; env[i]; i++)
        assert_null(strstr(env[i], "HERD_UNIT_LEAK"));
    g_unsetenv("HERD_UNIT_LEAK");
}

static void ocf_instance_defaults_to_type(void **state)
{
    g_autoptr(herd_agent_t) a = herd_agent_parse("ocf:heartbeat:Dummy", NULL, NULL);
    herd_exec_request_t req = {.action = "start"};
    g_auto(GStrv) env = herd_exec_build_env(a, &req, 5000, "/o", "/t");
    assert_true(strv_has(env, "OCF_RESOURCE_INSTANCE=Dummy"));
    assert_true(strv_has(env, "OCF_RESKEY_CRM_meta_interval=0"));
}

static void lsb_environment_is_minimal(void **state)
{
    g_autoptr(herd_agent_t) a = herd_agent_parse("lsb:foo", NULL, NULL);
    g_autoptr(GHashTable) p = table("x", "y", NULL);
    herd_exec_request_t req = {.action = "start", .params = p};
    g_auto(GStrv) env = herd_exec_build_env(a, &req, 5000, "/o", "/t");
    assert_int_equal(g_strv_length(env), 1);
    assert_string_equal(env[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
}

static void stonith_stdin(void **state)
{
    g_autoptr(GHashTable) p = table("ipaddr", "10.1.1.1", "login", "admin", "action", "on",
                                    "evil", "x\naction=off", NULL);
    herd_exec_request_t req = {.action = "reboot", .params = p, .target = "node2"};
    g_autofree char *in = herd_exec_stonith_stdin(&req, NULL);
    assert_string_equal(in, "action=reboot\nnodename=node2\nport=node2\n"
                            "ipaddr=10.1.1.1\nlogin=admin\n");
    g_autofree char *plug = herd_exec_stonith_stdin(&req, "plug");
    assert_non_null(strstr(plug, "\nplug=node2\n"));
    assert_null(strstr(plug, "port="));
    g_autofree char *none = herd_exec_stonith_stdin(&req, "none");
    assert_null(strstr(none, "port="));
    assert_non_null(strstr(none, "nodename=node2\n"));
    herd_exec_request_t md = {.action = "meta-data"};
    g_autofree char *m = herd_exec_stonith_stdin(&md, NULL);
    assert_string_equal(m, "action=metadata\n");
}

static void rc_mapping(void **state)
{
    /* LSB status: 0 running, 3 stopped, 1/2/4 failed */
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "monitor", 0, ""), 0);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "status", 3, ""), 7);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "monitor", 1, ""), 1);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "monitor", 2, ""), 1);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "monitor", 4, ""), 1);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "start", 5, ""), 5);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "start", 150, ""), 1);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "stop", 7, ""), 0); /* idempotent */
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_LSB, "start", 7, ""), 7);
    /* fence agents: status 2 is "off" */
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_STONITH, "status", 2, ""), 7);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_STONITH, "off", 2, ""), 1);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_STONITH, "monitor", 0, ""), 0);
    /* heartbeat: stdout decides */
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_HEARTBEAT, "status", 0, "x is running\n"), 0);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_HEARTBEAT, "status", 0, "OK"), 0);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_HEARTBEAT, "status", 0, "x is stopped"), 7);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_HEARTBEAT, "status", 0, "not running"), 7);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_HEARTBEAT, "status", 1, ""), 7);
    assert_int_equal(herd_exec_map_rc(HERD_AGENT_OCF, "start", 42, ""), 42);
}

/* ---- classification -------------------------------------------------------- */

static void classify_expected_and_failures(void **state)
{
    herd_verdict_t v = herd_exec_classify("start", 0, -1, HERD_OP_DONE, 0);
    assert_true(v.ok);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    struct { int rc; herd_failure_t f; } table_[] = {
        {1, HERD_FAIL_SOFT}, {2, HERD_FAIL_HARD}, {3, HERD_FAIL_HARD}, {4, HERD_FAIL_HARD},
        {5, HERD_FAIL_HARD}, {6, HERD_FAIL_FATAL}, {7, HERD_FAIL_SOFT}, {8, HERD_FAIL_SOFT},
        {9, HERD_FAIL_SOFT}, {99, HERD_FAIL_SOFT}};
    for (size_t i = 0; i < G_N_ELEMENTS(table_); i++) {
        v = herd_exec_classify("start", 0, -1, HERD_OP_DONE, table_[i].rc);
        assert_false(v.ok);
        assert_int_equal(v.failure, table_[i].f);
    }
    /* unexpected success is a failure too (monitor expected to find it stopped) */
    v = herd_exec_classify("monitor", 10000, 7, HERD_OP_DONE, 0);
    assert_false(v.ok);
    assert_int_equal(v.failure, HERD_FAIL_SOFT);
}

static void classify_probes_degraded_recurring(void **state)
{
    herd_verdict_t v = herd_exec_classify("monitor", 0, -1, HERD_OP_DONE, 7);
    assert_true(v.probe);
    assert_true(v.ok);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    assert_false(v.active);
    v = herd_exec_classify("monitor", 0, 7, HERD_OP_DONE, 0); /* found active: no failure */
    assert_false(v.ok);
    assert_true(v.active);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    v = herd_exec_classify("monitor", 0, -1, HERD_OP_DONE, 8);
    assert_true(v.promoted);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    v = herd_exec_classify("monitor", 0, -1, HERD_OP_DONE, 5);
    assert_int_equal(v.failure, HERD_FAIL_HARD);
    v = herd_exec_classify("monitor", 10000, -1, HERD_OP_DONE, 190);
    assert_true(v.ok);
    assert_true(v.degraded);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    v = herd_exec_classify("monitor", 10000, 8, HERD_OP_DONE, 191);
    assert_true(v.ok);
    assert_true(v.degraded);
    assert_true(v.promoted);
    v = herd_exec_classify("monitor", 10000, -1, HERD_OP_DONE, 3);
    assert_false(v.ok);
    assert_int_equal(v.failure, HERD_FAIL_NONE); /* not implemented: no recovery */
    v = herd_exec_classify("start", 0, -1, HERD_OP_DONE, 3);
    assert_int_equal(v.failure, HERD_FAIL_HARD);
    v = herd_exec_classify("notify", 0, -1, HERD_OP_DONE, 1);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
}

static void classify_op_status(void **state)
{
    assert_int_equal(herd_exec_classify("start", 0, -1, HERD_OP_TIMEOUT, 1).failure,
                     HERD_FAIL_SOFT);
    assert_int_equal(herd_exec_classify("start", 0, -1, HERD_OP_NOT_INSTALLED, 5).failure,
                     HERD_FAIL_HARD);
    assert_int_equal(herd_exec_classify("start", 0, -1, HERD_OP_ERROR, 4).failure,
                     HERD_FAIL_HARD);
    assert_int_equal(herd_exec_classify("start", 0, -1, HERD_OP_INVALID, 6).failure,
                     HERD_FAIL_FATAL);
    herd_verdict_t v = herd_exec_classify("monitor", 5000, -1, HERD_OP_CANCELLED, 1);
    assert_false(v.ok);
    assert_int_equal(v.failure, HERD_FAIL_NONE);
    assert_string_equal(herd_ocf_rc_name(8), "OCF_RUNNING_PROMOTED");
    assert_string_equal(herd_ocf_rc_name(191), "OCF_DEGRADED_PROMOTED");
    assert_string_equal(herd_ocf_rc_name(77), "OCF_UNKNOWN");
}

/* ---- meta-data ------------------------------------------------------------- */

static const char *GOOD_MD =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
    "<resource-agent name=\"thing\" version=\"0.9\">\n"
    "<version>1.1</version>\n"
    "<longdesc lang=\"en\">Long.</longdesc>\n"
    "<shortdesc lang=\"en\">Short</shortdesc>\n"
    "<parameters>\n"
    " <parameter name=\"ip\" required=\"1\" unique=\"1\">\n"
    "  <longdesc lang=\"en\">The address</longdesc><shortdesc lang=\"en\">IP</shortdesc>\n"
    "  <content type=\"string\"/>\n"
    " </parameter>\n"
    " <parameter name=\"port\" reloadable=\"true\">\n"
    "  <shortdesc lang=\"en\">Port</shortdesc><content type=\"integer\" default=\"80\"/>\n"
    " </parameter>\n"
    " <parameter name=\"debug\"><content type=\"boolean\" default=\"false\"/></parameter>\n"
    " <parameter name=\"mode\"><content type=\"select\" default=\"a\">\n"
    "  <option value=\"a\"/><option value=\"b\"/></content></parameter>\n"
    " <parameter name=\"old\" deprecated=\"1\"/>\n"
    "</parameters>\n"
    "<actions>\n"
    " <action name=\"start\" timeout=\"20s\"/>\n"
    " <action name=\"monitor\" timeout=\"30\" interval=\"10s\" depth=\"0\"/>\n"
    " <action name=\"monitor\" timeout=\"1min\" interval=\"11s\" depth=\"10\" role=\"Promoted\"/>\n"
    " <action name=\"meta-data\" timeout=\"5s\"/>\n"
    "</actions>\n"
    "</resource-agent>\n";

static void metadata_parses(void **state)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_metadata_t) md = herd_metadata_parse(GOOD_MD, -1, "t", &err);
    assert_non_null(md);
    assert_string_equal(md->name, "thing");
    assert_string_equal(md->version, "0.9");
    assert_string_equal(md->shortdesc, "Short");
    assert_int_equal(md->params->len, 5);
    const herd_param_meta_t *ip = herd_metadata_param(md, "ip");
    assert_true(ip->required && ip->unique && !ip->reloadable);
    assert_string_equal(ip->type, "string");
    assert_null(ip->default_value);
    assert_string_equal(ip->shortdesc, "IP");
    const herd_param_meta_t *port = herd_metadata_param(md, "port");
    assert_true(port->reloadable && !port->required);
    assert_string_equal(port->default_value, "80");
    assert_string_equal(port->type, "integer");
    const herd_param_meta_t *mode = herd_metadata_param(md, "mode");
    assert_int_equal(g_strv_length(mode->options), 2);
    assert_true(herd_metadata_param(md, "old")->deprecated);
    assert_string_equal(herd_metadata_param(md, "old")->type, "string");
    assert_int_equal(md->actions->len, 4);
    const herd_action_meta_t *st = herd_metadata_action(md, "start");
    assert_int_equal(st->timeout_ms, 20000);
    const herd_action_meta_t *mon = herd_metadata_action(md, "monitor");
    assert_int_equal(mon->timeout_ms, 30000);
    assert_int_equal(mon->interval_ms, 10000);
    herd_action_meta_t *mon2 = md->actions->pdata[2];
    assert_int_equal(mon2->depth, 10);
    assert_int_equal(mon2->timeout_ms, 60000);
    assert_string_equal(mon2->role, "Promoted");
    assert_null(herd_metadata_action(md, "promote"));
}

static void metadata_errors_are_clear(void **state)
{
    struct { const char *xml; const char *want; } cases[] = {
        {"", "empty"},
        {"<resource-agent name=\"x\">\n<actions>\n</resource-agent>", "t:3: invalid meta-data: not XML"},
        {"<agent name=\"x\"/>", "root element is <agent>"},
        {"<resource-agent><actions/></resource-agent>", "has no name"},
        {"<resource-agent name=\"x\"><parameters/></resource-agent>", "no <actions>"},
        {"<resource-agent name=\"x\">\n<parameters>\n<parameter required=\"1\"/></parameters><actions/></resource-agent>",
         "t:3: invalid meta-data: <parameter> without a name"},
        {"<resource-agent name=\"x\"><parameters><parameter name=\"p\" required=\"maybe\"/></parameters><actions/></resource-agent>",
         "required=\"maybe\" is not a boolean"},
        {"<resource-agent name=\"x\"><actions><action name=\"start\" timeout=\"soon\"/></actions></resource-agent>",
         "action 'start': timeout=\"soon\" is not a duration"},
        {"<resource-agent name=\"x\"><actions><action timeout=\"1s\"/></actions></resource-agent>",
         "<action> without a name"},
        {"<resource-agent name=\"x\"><actions><action name=\"m\" depth=\"deep\"/></actions></resource-agent>",
         "depth=\"deep\" is not a number"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        herd_metadata_t *md = herd_metadata_parse(cases[i].xml, -1, "t", &err);
        assert_null(md);
        assert_non_null(err);
        assert_int_equal(err->code, HERD_EXIT_DATAERR);
        if (!strstr(err->message, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err->message, cases[i].want);
    }
}

static void metadata_validates_parameters(void **state)
{
    g_autoptr(herd_metadata_t) md = herd_metadata_parse(GOOD_MD, -1, "t", NULL);
    g_autoptr(GHashTable) ok = table("ip", "1.2.3.4", "port", "8080", "debug", "yes",
                                     "mode", "b", NULL);
    g_auto(GStrv) none = herd_metadata_validate(md, ok);
    assert_int_equal(g_strv_length(none), 0);
    g_autoptr(GHashTable) bad = table("port", "eighty", "debug", "perhaps", "mode", "c",
                                      "zzz", "1", NULL);
    g_auto(GStrv) probs = herd_metadata_validate(md, bad);
    assert_int_equal(g_strv_length(probs), 5);
    assert_string_equal(probs[0], "required parameter 'ip' is missing");
    assert_string_equal(probs[1], "parameter 'port': 'eighty' is not an integer");
    assert_string_equal(probs[2], "parameter 'debug': 'perhaps' is not a boolean");
    assert_string_equal(probs[3], "parameter 'mode': 'c' is not one of: a, b");
    assert_string_equal(probs[4], "unknown parameter 'zzz'");
}

static void metadata_synthesized_for_lsb(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("herd-exec-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "svc", NULL);
    g_file_set_contents(path, "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: svc\n"
                              "# Short-Description: a <svc> & co\n"
                              "# Description: does things\n### END INIT INFO\n", -1, NULL);
    herd_agent_dirs_t dirs = {.lsb_dir = dir};
    g_autoptr(herd_agent_t) a = herd_agent_parse("lsb:svc", &dirs, NULL);
    g_autofree char *xml = herd_metadata_synthesize(a);
    g_autoptr(herd_metadata_t) md = herd_metadata_parse(xml, -1, "lsb", NULL);
    assert_non_null(md);
    assert_string_equal(md->shortdesc, "a <svc> & co");
    assert_non_null(herd_metadata_action(md, "status"));
    unlink(path);
    rmdir(dir);
}

/* ---- the executor loop, on real processes ----------------------------------- */

typedef struct {
    char *root;     /* OCF root */
    char *rsctmp;
    herd_exec_config_t cfg;
    GMainContext *ctx;
} fixture_t;

static void write_agent(fixture_t *f, const char *name, const char *body, int mode)
{
    g_autofree char *path = g_build_filename(f->root, "resource.d", "t", name, NULL);
    g_autofree char *text = g_strdup_printf("#!/bin/sh\n%s\n", body);
    g_file_set_contents(path, text, -1, NULL);
    chmod(path, mode);
}

static int setup(void **state)
{
    fixture_t *f = g_new0(fixture_t, 1);
    f->root = g_dir_make_tmp("herd-exec-XXXXXX", NULL);
    g_autofree char *rd = g_build_filename(f->root, "resource.d", "t", NULL);
    g_mkdir_with_parents(rd, 0755);
    f->rsctmp = g_build_filename(f->root, "tmp", NULL);
    write_agent(f, "ok", "exit 0", 0755);
    write_agent(f, "sleepy", "sleep 0.2; exit 0", 0755);
    write_agent(f, "hang", "echo $$ > \"$HA_RSCTMP/hang.pid\"; trap '' TERM; "
                           "while :; do sleep 0.1; done", 0755);
    write_agent(f, "rc", "echo out; echo 'ocf-exit-reason:it said why' >&2; echo err >&2; "
                         "exit $OCF_RESKEY_rc", 0755);
    write_agent(f, "noexec", "exit 0", 0644);
    write_agent(f, "badinterp", "exit 0", 0755);
    g_autofree char *bi = g_build_filename(rd, "badinterp", NULL);
    g_file_set_contents(bi, "#!/nonexistent/shell\nexit 0\n", -1, NULL);
    chmod(bi, 0755);
    f->ctx = g_main_context_new();
    f->cfg.context = f->ctx;
    f->cfg.dirs.ocf_root = f->root;
    f->cfg.rsc_tmp_dir = f->rsctmp;
    f->cfg.kill_grace_ms = 200;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->root);
    int rc = system(cmd);
    (void)rc;
    g_main_context_unref(f->ctx);
    g_free(f->root);
    g_free(f->rsctmp);
    g_free(f);
    return 0;
}

typedef struct {
    GPtrArray *results; /* of herd_exec_result_t* */
    herd_exec_t *ex;
    guint cancel_after; /* cancel from inside the callback after this many runs */
} collect_t;

static void collect(const herd_exec_result_t *r, void *user)
{
    collect_t *c = user;
    g_ptr_array_add(c->results, herd_exec_result_copy(r));
    if (c->cancel_after && r->run_count == c->cancel_after)
        herd_exec_cancel(c->ex, r->call_id);
}

static void wait_for(fixture_t *f, collect_t *c, guint n)
{
    while (c->results->len < n)
        g_main_context_iteration(f->ctx, TRUE);
}

/* Iterate until the hang agent has written its pid (a whole line). */
static int wait_pidfile(fixture_t *f, const char *pidf)
{
    for (;;) {
        g_autofree char *text = NULL;
        if (g_file_get_contents(pidf, &text, NULL, NULL) && strchr(text, '\n'))
            return atoi(text);
        g_main_context_iteration(f->ctx, FALSE);
        g_usleep(1000);
    }
}

static void exec_result_fields(void **state)
{
    fixture_t *f = *state;
    g_autoptr(GHashTable) p = table("rc", "6", NULL);
    herd_exec_request_t req = {.agent = "ocf:t:rc", .action = "start", .params = p,
                               .expected_rc = -1};
    g_autoptr(herd_exec_result_t) r = herd_exec_run_sync(&f->cfg, &req);
    assert_int_equal(r->status, HERD_OP_DONE);
    assert_int_equal(r->rc, 6);
    assert_int_equal(r->raw_rc, 6);
    assert_string_equal(r->exit_reason, "it said why");
    assert_string_equal(r->stdout_text, "out\n");
    assert_string_equal(r->stderr_text, "err\n"); /* the reason line taken out */
    assert_int_equal(r->verdict.failure, HERD_FAIL_FATAL);
    assert_true(r->queued_us <= r->started_us && r->started_us <= r->finished_us);
    assert_true(r->finished_real_us > 0);
    assert_int_equal(herd_exec_result_exec_ms(r), (r->finished_us - r->started_us) / 1000);
    assert_string_equal(r->agent, "ocf:t:rc");
}

static void exec_failures_are_not_agent_results(void **state)
{
    fixture_t *f = *state;
    herd_exec_request_t req = {.agent = "ocf:t:noexec", .action = "start", .expected_rc = -1};
    g_autoptr(herd_exec_result_t) r = herd_exec_run_sync(&f->cfg, &req);
    assert_int_equal(r->status, HERD_OP_ERROR);
    assert_int_equal(r->raw_rc, -1);
    assert_non_null(strstr(r->exit_reason, "Permission denied"));
    req.agent = "ocf:t:badinterp"; /* the interpreter is missing: exec says ENOENT */
    g_autoptr(herd_exec_result_t) b = herd_exec_run_sync(&f->cfg, &req);
    if (b->status != HERD_OP_NOT_INSTALLED)
        fail_msg("badinterp: %s: %s", herd_op_status_name(b->status), b->exit_reason);
    assert_non_null(strstr(b->exit_reason, "exec failed"));
    req.agent = "ocf:t:missing";
    g_autoptr(herd_exec_result_t) m = herd_exec_run_sync(&f->cfg, &req);
    assert_int_equal(m->status, HERD_OP_NOT_INSTALLED);
    req.agent = "nonsense";
    g_autoptr(herd_exec_result_t) n = herd_exec_run_sync(&f->cfg, &req);
    assert_int_equal(n->status, HERD_OP_INVALID);
}

static void exec_concurrency_limit(void **state)
{
    fixture_t *f = *state;
    f->cfg.max_concurrent = 2;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg);
    collect_t c = {g_ptr_array_new_with_free_func((GDestroyNotify)herd_exec_result_free), ex, 0};
    herd_exec_request_t req = {.agent = "ocf:t:sleepy", .action = "start", .expected_rc = -1};
    for (int i = 0; i < 6; i++)
        herd_exec_submit(ex, &req, collect, &c);
    assert_int_equal(herd_exec_pending(ex), 6);
    wait_for(f, &c, 6);
    /* At no start time were more than two runs in progress. */
    for (guint i = 0; i < c.results->len; i++) {
        herd_exec_result_t *a = c.results->pdata[i];
        assert_int_equal(a->rc, 0);
        int overlapping = 0;
        for (guint j = 0; j < c.results->len; j++) {
            herd_exec_result_t *b = c.results->pdata[j];
            if (b->started_us <= a->started_us && a->started_us < b->finished_us)
                overlapping++;
        }
        assert_true(overlapping <= 2);
    }
    assert_int_equal(herd_exec_pending(ex), 0);
    g_ptr_array_unref(c.results);
}

static void exec_one_action_per_resource(void **state)
{
    fixture_t *f = *state;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg); /* no limit */
    collect_t c = {g_ptr_array_new_with_free_func((GDestroyNotify)herd_exec_result_free), ex, 0};
    herd_exec_request_t req = {.agent = "ocf:t:sleepy", .action = "start", .rsc_id = "r1",
                               .expected_rc = -1};
    guint ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = herd_exec_submit(ex, &req, collect, &c);
    wait_for(f, &c, 3);
    for (guint i = 0; i < 3; i++) {
        herd_exec_result_t *r = c.results->pdata[i];
        assert_int_equal(r->call_id, ids[i]); /* in submission order */
        if (i > 0) {
            herd_exec_result_t *prev = c.results->pdata[i - 1];
            assert_true(r->started_us >= prev->finished_us); /* never overlapping */
        }
    }
    /* cancel everything of one resource: a recurring monitor and a queued start */
    herd_exec_request_t mon = {.agent = "ocf:t:ok", .action = "monitor", .rsc_id = "r2",
                               .interval_ms = 60000, .expected_rc = -1};
    herd_exec_request_t other = {.agent = "ocf:t:ok", .action = "monitor", .rsc_id = "r3",
                                 .interval_ms = 60000, .expected_rc = -1};
    herd_exec_submit(ex, &mon, collect, &c);
    herd_exec_submit(ex, &other, collect, &c);
    wait_for(f, &c, 5);
    herd_exec_submit(ex, &req, collect, &c);
    assert_int_equal(herd_exec_cancel_resource(ex, "r2"), 1);
    assert_int_equal(herd_exec_cancel_resource(ex, "r1"), 1);
    assert_int_equal(herd_exec_pending(ex), 1); /* r3's monitor */
    assert_int_equal(herd_exec_cancel_resource(ex, "nothing"), 0);
    g_ptr_array_unref(c.results);
}

static void exec_recurring_and_cancel(void **state)
{
    fixture_t *f = *state;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg);
    collect_t c = {g_ptr_array_new_with_free_func((GDestroyNotify)herd_exec_result_free), ex, 0};
    herd_exec_request_t req = {.agent = "ocf:t:ok", .action = "monitor", .interval_ms = 20,
                               .expected_rc = -1};
    guint id = herd_exec_submit(ex, &req, collect, &c);
    wait_for(f, &c, 3);
    for (guint i = 0; i < 3; i++) {
        herd_exec_result_t *r = c.results->pdata[i];
        assert_int_equal(r->call_id, id);
        assert_int_equal(r->run_count, i + 1);
        assert_int_equal(r->interval_ms, 20);
        assert_true(r->verdict.ok);
    }
    assert_int_equal(herd_exec_pending(ex), 1);
    assert_true(herd_exec_cancel(ex, id));
    herd_exec_result_t *last = c.results->pdata[c.results->len - 1];
    if (last->status != HERD_OP_CANCELLED) { /* was running: wait for it */
        wait_for(f, &c, c.results->len + 1);
        last = c.results->pdata[c.results->len - 1];
    }
    assert_int_equal(last->status, HERD_OP_CANCELLED);
    assert_int_equal(herd_exec_pending(ex), 0);
    assert_false(herd_exec_cancel(ex, id));
    /* cancelled from inside its own callback: no further call */
    collect_t c2 = {g_ptr_array_new_with_free_func((GDestroyNotify)herd_exec_result_free), ex, 2};
    herd_exec_submit(ex, &req, collect, &c2);
    wait_for(f, &c2, 2);
    assert_int_equal(herd_exec_pending(ex), 0);
    assert_int_equal(c2.results->len, 2);
    g_ptr_array_unref(c.results);
    g_ptr_array_unref(c2.results);
}

static void exec_timeout_kills_the_group(void **state)
{
    fixture_t *f = *state;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg);
    herd_exec_request_t req = {.agent = "ocf:t:hang", .action = "start", .timeout_ms = 1000,
                               .expected_rc = -1};
    g_autoptr(herd_exec_result_t) r = herd_exec_run_wait(ex, &req);
    assert_int_equal(r->status, HERD_OP_TIMEOUT);
    assert_int_equal(r->verdict.failure, HERD_FAIL_SOFT);
    g_autofree char *pidf = g_build_filename(f->rsctmp, "hang.pid", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(pidf, &text, NULL, NULL));
    int pid = atoi(text);
    assert_true(pid > 0 && strchr(text, '\n'));
    assert_int_equal(kill(pid, 0), -1); /* it ignored SIGTERM; SIGKILL got it */
    assert_int_equal(errno, ESRCH);
}

static void exec_cancel_running_and_queued(void **state)
{
    fixture_t *f = *state;
    f->cfg.max_concurrent = 1;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg);
    collect_t c = {g_ptr_array_new_with_free_func((GDestroyNotify)herd_exec_result_free), ex, 0};
    herd_exec_request_t hang = {.agent = "ocf:t:hang", .action = "start", .expected_rc = -1};
    herd_exec_request_t ok = {.agent = "ocf:t:ok", .action = "start", .expected_rc = -1};
    guint h = herd_exec_submit(ex, &hang, collect, &c);
    guint q = herd_exec_submit(ex, &ok, collect, &c);
    /* let the hang start */
    g_autofree char *pidf = g_build_filename(f->rsctmp, "hang.pid", NULL);
    unlink(pidf);
    int pid = wait_pidfile(f, pidf);
    assert_true(pid > 0);
    assert_true(herd_exec_cancel(ex, q)); /* queued: at once */
    assert_int_equal(c.results->len, 1);
    assert_int_equal(((herd_exec_result_t *)c.results->pdata[0])->status, HERD_OP_CANCELLED);
    assert_true(herd_exec_cancel(ex, h)); /* running: when the group is dead */
    wait_for(f, &c, 2);
    herd_exec_result_t *r = c.results->pdata[1];
    assert_int_equal(r->call_id, h);
    assert_int_equal(r->status, HERD_OP_CANCELLED);
    assert_int_equal(r->verdict.failure, HERD_FAIL_NONE);
    assert_int_equal(kill(pid, 0), -1);
    g_ptr_array_unref(c.results);
}

static void exec_free_kills_running(void **state)
{
    fixture_t *f = *state;
    herd_exec_t *ex = herd_exec_new(&f->cfg);
    herd_exec_request_t hang = {.agent = "ocf:t:hang", .action = "start", .expected_rc = -1};
    herd_exec_submit(ex, &hang, NULL, NULL);
    g_autofree char *pidf = g_build_filename(f->rsctmp, "hang.pid", NULL);
    unlink(pidf);
    int pid = wait_pidfile(f, pidf);
    assert_true(pid > 0);
    herd_exec_free(ex);
    assert_int_equal(kill(pid, 0), -1);
}

static void exec_stonith_target_parameter_from_metadata(void **state)
{
    fixture_t *f = *state;
    g_autofree char *sbin = g_build_filename(f->root, "sbin", NULL);
    g_mkdir_with_parents(sbin, 0755);
    g_autofree char *agent = g_build_filename(sbin, "fence_t", NULL);
    g_autofree char *count = g_build_filename(f->root, "metadata-runs", NULL);
    g_autofree char *text = g_strdup_printf(
        "#!/bin/sh\n"
        "in=$(cat)\n"
        "case \"$in\" in *action=metadata*)\n"
        "  echo run >> '%s'\n"
        "  echo '<resource-agent name=\"fence_t\"><parameters><parameter name=\"plug\"/>"
        "</parameters><actions><action name=\"off\"/></actions></resource-agent>'; exit 0;;\n"
        "esac\n"
        "printf '%%s\\n' \"$in\"\n",
        count);
    g_file_set_contents(agent, text, -1, NULL);
    chmod(agent, 0755);
    f->cfg.dirs.stonith_dir = sbin;
    g_autoptr(herd_exec_t) ex = herd_exec_new(&f->cfg);
    g_autoptr(GHashTable) p = table("ipaddr", "10.0.0.9", NULL);
    herd_exec_request_t req = {.agent = "stonith:fence_t", .action = "off", .params = p,
                               .target = "node1", .expected_rc = -1};
    for (int i = 0; i < 2; i++) {
        g_autoptr(herd_exec_result_t) r = herd_exec_run_wait(ex, &req);
        assert_int_equal(r->status, HERD_OP_DONE);
        assert_string_equal(r->stdout_text, "action=off\nnodename=node1\nplug=node1\n"
                                            "ipaddr=10.0.0.9\n");
    }
    g_autofree char *runs = NULL;
    assert_true(g_file_get_contents(count, &runs, NULL, NULL));
    assert_string_equal(runs, "run\n"); /* asked once, remembered */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agent_names_parse),
        cmocka_unit_test(argv_per_class),
        cmocka_unit_test(ocf_environment_is_complete_and_clean),
        cmocka_unit_test(ocf_instance_defaults_to_type),
        cmocka_unit_test(lsb_environment_is_minimal),
        cmocka_unit_test(stonith_stdin),
        cmocka_unit_test(rc_mapping),
        cmocka_unit_test(classify_expected_and_failures),
        cmocka_unit_test(classify_probes_degraded_recurring),
        cmocka_unit_test(classify_op_status),
        cmocka_unit_test(metadata_parses),
        cmocka_unit_test(metadata_errors_are_clear),
        cmocka_unit_test(metadata_validates_parameters),
        cmocka_unit_test(metadata_synthesized_for_lsb),
        cmocka_unit_test_setup_teardown(exec_result_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_failures_are_not_agent_results, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_concurrency_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_one_action_per_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_recurring_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_timeout_kills_the_group, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_cancel_running_and_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_free_kills_running, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_stonith_target_parameter_from_metadata, setup,
                                        teardown),
    };
    herd_log_init("test_exec", HERD_LOG_TO_STDERR, HERD_LOG_ERR, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
