/* Unit tests for src/exec/ocft.c: the ocft config parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "ocft.h"

static herd_ocft_config_t *parse_ok(const char *text)
{
    g_autoptr(GError) err = NULL;
    herd_ocft_config_t *cfg = herd_ocft_parse_string("t/Dummy", text, -1, &err);
    if (!cfg)
        fail_msg("unexpected parse error: %s", err->message);
    return cfg;
}

/* Parse `text`, expect an error whose message starts with "t/x:LINE:" and
 * contains `needle`. */
static void parse_bad(const char *text, int line, const char *needle)
{
    g_autoptr(GError) err = NULL;
    herd_ocft_config_t *cfg = herd_ocft_parse_string("t/x", text, -1, &err);
    if (cfg) {
        herd_ocft_config_free(cfg);
        fail_msg("config parsed but should not have: %s", text);
    }
    assert_non_null(err);
    assert_int_equal(err->code, HERD_EXIT_CONFIG);
    g_autofree char *prefix = g_strdup_printf("t/x:%d: ", line);
    if (!g_str_has_prefix(err->message, prefix) || !strstr(err->message, needle))
        fail_msg("error '%s' lacks '%s' or '%s'", err->message, prefix, needle);
}

static const herd_ocft_stmt_t *stmt(const herd_ocft_config_t *cfg, guint c, guint s)
{
    const herd_ocft_case_t *k = cfg->cases->pdata[c];
    assert_true(s < k->stmts->len);
    return k->stmts->pdata[s];
}

static void resource_agents_keywords(void **state)
{
    g_autoptr(herd_ocft_config_t) cfg = parse_ok(
        "# comment\n"
        "CONFIG\n"
        "\tAgent IPaddr2\n"
        "\tAgentRoot /usr/lib/ocf/resource.d/heartbeat\n"
        "\tInstallPackage iproute2 procps\n"
        "        HangTimeout 7\n"
        "VARIABLE\n"
        "\tOCFT_ip=192.168.144.2\n"
        "SETUP-AGENT\n"
        "\tip addr add 192.168.144.1/24 dev eth0\n"
        "\techo done\n"
        "CLEANUP-AGENT\n"
        "\tip addr del 192.168.144.1/24 dev eth0\n"
        "CASE-BLOCK args\n"
        "\tEnv OCF_RESKEY_ip=$OCFT_ip\n"
        "CASE-BLOCK prepare\n"
        "\tInclude args\n"
        "\tAgentRun stop\n"
        "\n"
        "CASE \"monitor with not running\"\n"
        "\tInclude prepare\n"
        "\tUnenv OCF_RESKEY_nic\n"
        "\tBash true # a comment\n"
        "\tBashAtExit rm -f /tmp/x\n"
        "\tAgentRun monitor OCF_NOT_RUNNING # comment\n");
    assert_string_equal(cfg->agent, "IPaddr2");
    assert_string_equal(cfg->agent_root, "/usr/lib/ocf/resource.d/heartbeat");
    assert_string_equal(cfg->provider, "heartbeat");
    assert_int_equal(cfg->hang_timeout, 7);
    assert_int_equal(cfg->packages->len, 2);
    assert_string_equal(cfg->packages->pdata[1], "procps");
    assert_int_equal(cfg->variables->len, 1);
    assert_string_equal(cfg->setup, "ip addr add 192.168.144.1/24 dev eth0\necho done");
    assert_int_equal(cfg->setup_line, 10);
    assert_int_equal(cfg->cleanup_line, 13);
    assert_int_equal(cfg->cases->len, 1);
    const herd_ocft_case_t *c = cfg->cases->pdata[0];
    assert_string_equal(c->name, "monitor with not running");
    assert_int_equal(c->line, 20);
    assert_int_equal(c->stmts->len, 6);
    /* Included statements keep their own line and the Include's line. */
    assert_int_equal(stmt(cfg, 0, 0)->kind, HERD_OCFT_ENV);
    assert_string_equal(stmt(cfg, 0, 0)->text, "OCF_RESKEY_ip=$OCFT_ip");
    assert_int_equal(stmt(cfg, 0, 0)->line, 15);
    assert_int_equal(stmt(cfg, 0, 0)->included_at, 21);
    assert_int_equal(stmt(cfg, 0, 1)->kind, HERD_OCFT_AGENT_RUN);
    assert_string_equal(stmt(cfg, 0, 1)->action, "stop");
    assert_int_equal(stmt(cfg, 0, 1)->expected, -1);
    assert_int_equal(stmt(cfg, 0, 2)->kind, HERD_OCFT_UNENV);
    assert_int_equal(stmt(cfg, 0, 2)->line, 22);
    assert_int_equal(stmt(cfg, 0, 2)->included_at, 0);
    assert_int_equal(stmt(cfg, 0, 3)->kind, HERD_OCFT_BASH);
    assert_string_equal(stmt(cfg, 0, 3)->text, "true # a comment");
    assert_int_equal(stmt(cfg, 0, 4)->kind, HERD_OCFT_BASH_AT_EXIT);
    assert_int_equal(stmt(cfg, 0, 5)->expected, 7);
    assert_string_equal(stmt(cfg, 0, 5)->expected_name, "OCF_NOT_RUNNING");
}

static void seed_keywords(void **state)
{
    g_autoptr(herd_ocft_config_t) cfg = parse_ok(
        "CONFIG\n"
        "  AgentRoot /usr/lib/ocf/resource.d/pacemaker\n"
        "SETUP-AGENT\n"
        "  true\n"
        "CASE-BLOCK base\n"
        "  Var OCF_RESKEY_state=/tmp/s\n"
        "CASE \"seed words\"\n"
        "  Include base\n"
        "  Unvar OCF_RESKEY_fake OCF_RESKEY_op_sleep\n"
        "  RunAgent start 0\n"
        "  RunAgent monitor OCF_SUCCESS\n");
    /* No Agent line: the config's name is the agent's. */
    assert_string_equal(cfg->agent, "Dummy");
    assert_string_equal(cfg->provider, "pacemaker");
    assert_int_equal(cfg->hang_timeout, HERD_OCFT_DEFAULT_HANG_TIMEOUT);
    assert_int_equal(stmt(cfg, 0, 0)->kind, HERD_OCFT_ENV);
    assert_string_equal(stmt(cfg, 0, 0)->keyword, "Var");
    assert_int_equal(stmt(cfg, 0, 1)->kind, HERD_OCFT_UNENV);
    assert_string_equal(stmt(cfg, 0, 1)->text, "OCF_RESKEY_fake OCF_RESKEY_op_sleep");
    assert_int_equal(stmt(cfg, 0, 2)->kind, HERD_OCFT_AGENT_RUN);
    assert_string_equal(stmt(cfg, 0, 2)->keyword, "RunAgent");
    assert_int_equal(stmt(cfg, 0, 2)->expected, 0);
    assert_int_equal(stmt(cfg, 0, 3)->expected, 0);
}

static void include_at_host_and_nesting(void **state)
{
    g_autoptr(herd_ocft_config_t) cfg = parse_ok(
        "CASE-BLOCK a\n"
        "  Env X=1\n"
        "  AgentRun@other stop\n"
        "CASE-BLOCK b\n"
        "  Include a\n"
        "  Bash true\n"
        "CASE-BLOCK a\n"       /* a second block of the same name adds to it */
        "  Unenv Y\n"
        "CASE \"c\"\n"
        "  Include@node2 b\n"
        "  Include a\n");
    assert_int_equal(((herd_ocft_case_t *)cfg->cases->pdata[0])->stmts->len, 6);
    assert_string_equal(stmt(cfg, 0, 0)->host, "node2");
    assert_string_equal(stmt(cfg, 0, 1)->host, "node2"); /* moved from "other" */
    assert_string_equal(stmt(cfg, 0, 2)->host, "node2");
    assert_int_equal(stmt(cfg, 0, 2)->kind, HERD_OCFT_BASH);
    assert_null(stmt(cfg, 0, 3)->host);
    assert_string_equal(stmt(cfg, 0, 4)->host, "other");
    assert_int_equal(stmt(cfg, 0, 5)->kind, HERD_OCFT_UNENV);
    assert_int_equal(stmt(cfg, 0, 5)->line, 8);
    assert_int_equal(stmt(cfg, 0, 5)->included_at, 11);
}

static void section_words_end_blocks(void **state)
{
    /* An upper-case line inside SETUP-AGENT (a here-document's end) is
     * shell code; CASE ends a CASE-BLOCK. */
    g_autoptr(herd_ocft_config_t) cfg = parse_ok(
        "SETUP-AGENT\n"
        "\tcat >/tmp/f <<EOF\n"
        "\tx\n"
        "EOF\n"
        "CASE-BLOCK m\n"
        "\tEnv A=1\n"
        "CASE \"one\"\n"
        "\tAgentRun start\n"
        "CASE \"two\"\n"
        "\tInclude m\n");
    assert_string_equal(cfg->setup, "cat >/tmp/f <<EOF\nx\nEOF");
    assert_int_equal(cfg->cases->len, 2);
    assert_int_equal(((herd_ocft_case_t *)cfg->cases->pdata[0])->stmts->len, 1);
}

static void quoting_and_comments(void **state)
{
    g_autoptr(herd_ocft_config_t) cfg = parse_ok(
        "CASE \"a # not a comment\" trailing\n"
        "\tAgentRun \"validate-all\" OCF_ERR_CONFIGURED#comment\n"
        "CASE plain words\n"
        "\tAgentRun start\r\n");
    const herd_ocft_case_t *c = cfg->cases->pdata[0];
    assert_string_equal(c->name, "a # not a comment");
    assert_string_equal(stmt(cfg, 0, 0)->action, "validate-all");
    assert_int_equal(stmt(cfg, 0, 0)->expected, 6);
    assert_string_equal(((herd_ocft_case_t *)cfg->cases->pdata[1])->name, "plain");
    assert_string_equal(stmt(cfg, 1, 0)->action, "start");
}

static void malformed_configs(void **state)
{
    parse_bad("CONFIG\n  Agent Dummy\nCASE \"x\"\n  Frobnicate now\n", 4,
              "unknown statement 'Frobnicate'");
    parse_bad("CASE \"x\n", 1, "missing closing '\"'");
    parse_bad("CASE\n", 1, "CASE needs a description");
    parse_bad("CASE \"x\"\n\n  Include nothing\n", 3, "no CASE-BLOCK named 'nothing'");
    parse_bad("CONFIG\n  HangTimeout soon\n", 2, "HangTimeout needs a number");
    parse_bad("CONFIG\n  HangTimeout 0\n", 2, "HangTimeout needs a number");
    parse_bad("CONFIG\n  Colour blue\n", 2, "unknown CONFIG option 'Colour'");
    parse_bad("CONFIG\n  Agent\n", 2, "Agent needs a value");
    parse_bad("Env A=1\n", 1, "outside any section");
    parse_bad("CASE \"x\"\n  AgentRun start OCF_MAYBE\n", 2, "'OCF_MAYBE' is not an exit code");
    parse_bad("CASE \"x\"\n  AgentRun start 256\n", 2, "is not an exit code");
    parse_bad("CASE \"x\"\n  AgentRun start 0 extra\n", 2, "not also 'extra'");
    parse_bad("CASE \"x\"\n  AgentRun # nothing\n", 2, "needs an action");
    parse_bad("CASE \"x\"\n  Env\n", 2, "Env needs an argument");
    parse_bad("CASE \"x\"\n  Bash\n", 2, "Bash needs an argument");
    parse_bad("VARIABLE\n  __OCFT__x=1\n", 2, "reserved");
    parse_bad("CASE-BLOCK\n", 1, "CASE-BLOCK needs a macro name");
    parse_bad("CASE-BLOCK m\n  Bogus x\nCASE \"c\"\n  Include m\n", 2,
              "(included at line 4)");
    parse_bad("CONFIG\n  Agent ../../bin/sh\n", 2, "must be a name");
    static const char nul[] = "CONFIG\n  Agent Du\0mmy\n";
    g_autoptr(GError) err = NULL;
    assert_null(herd_ocft_parse_string("t/x", nul, sizeof(nul) - 1, &err));
    assert_true(g_str_has_prefix(err->message, "t/x:2: "));
}

static void empty_and_odd_input(void **state)
{
    g_autoptr(herd_ocft_config_t) a = parse_ok("");
    assert_int_equal(a->cases->len, 0);
    g_autoptr(herd_ocft_config_t) b = parse_ok("\n\n# only comments\n   \t\n");
    assert_int_equal(b->cases->len, 0);
    /* invalid UTF-8 is replaced, not fatal */
    g_autoptr(herd_ocft_config_t) c = parse_ok("CASE \"caf\xe9\"\n  AgentRun start\n");
    assert_true(g_utf8_validate(((herd_ocft_case_t *)c->cases->pdata[0])->name, -1, NULL));
    /* a macro including itself expands what it held so far, once */
    g_autoptr(herd_ocft_config_t) d =
        parse_ok("CASE-BLOCK m\n  Env A=1\n  Include m\nCASE \"c\"\n  Include m\n");
    assert_int_equal(((herd_ocft_case_t *)d->cases->pdata[0])->stmts->len, 2);
}

static void return_code_names(void **state)
{
    assert_int_equal(herd_ocft_rc_from_name("OCF_SUCCESS"), 0);
    assert_int_equal(herd_ocft_rc_from_name("OCF_ERR_UNIMPLEMENTED"), 3);
    assert_int_equal(herd_ocft_rc_from_name("OCF_RUNNING_MASTER"), 8);
    assert_int_equal(herd_ocft_rc_from_name("OCF_RUNNING_PROMOTED"), 8);
    assert_int_equal(herd_ocft_rc_from_name("7"), 7);
    assert_int_equal(herd_ocft_rc_from_name("-1"), -1);
    assert_int_equal(herd_ocft_rc_from_name("OCF_success"), -1);
    assert_int_equal(herd_ocft_rc_from_name(""), -1);
    assert_string_equal(herd_ocft_rc_name(6), "OCF_ERR_CONFIGURED");
    assert_null(herd_ocft_rc_name(42));
}

static void missing_file_and_resolve(void **state)
{
    g_autoptr(GError) err = NULL;
    assert_null(herd_ocft_parse_file("/nonexistent/ocft/cfg", &err));
    assert_int_equal(err->code, HERD_EXIT_NOINPUT);
    g_clear_error(&err);
    g_autofree char *dir = g_dir_make_tmp("ocft-unit-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "Dummy", NULL);
    assert_true(g_file_set_contents(file, "CONFIG\n  AgentRoot agents\n", -1, NULL));
    g_autofree char *p1 = herd_ocft_resolve("Dummy", dir, &err);
    assert_string_equal(p1, file);
    g_autofree char *p2 = herd_ocft_resolve("ocf:heartbeat:Dummy", dir, &err);
    assert_string_equal(p2, file);
    assert_null(herd_ocft_resolve("Nope", dir, &err));
    assert_int_equal(err->code, HERD_EXIT_NOINPUT);
    g_clear_error(&err);
    /* a relative AgentRoot is taken from the config's directory */
    g_autoptr(herd_ocft_config_t) cfg = herd_ocft_parse_file(file, &err);
    assert_non_null(cfg);
    g_autofree char *want = g_build_filename(dir, "agents", NULL);
    assert_string_equal(cfg->agent_root, want);
    assert_null(cfg->provider);
    g_autoptr(JsonNode) json = herd_ocft_config_to_json(cfg);
    assert_non_null(json);
    unlink(file);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resource_agents_keywords),
        cmocka_unit_test(seed_keywords),
        cmocka_unit_test(include_at_host_and_nesting),
        cmocka_unit_test(section_words_end_blocks),
        cmocka_unit_test(quoting_and_comments),
        cmocka_unit_test(malformed_configs),
        cmocka_unit_test(empty_and_odd_input),
        cmocka_unit_test(return_code_names),
        cmocka_unit_test(missing_file_and_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
