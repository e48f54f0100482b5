/* Unit tests for src/cib and src/sched: score arithmetic (INFINITY rules),
 * intervals, dates, roles, rules, loading errors, and a small schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "herd_common.h"
#include "herd_cib.h"
#include "herd_sched.h"

#define INF HERD_SCORE_INFINITY

static void score_parse_values(void **state)
{
    int v = 7;
    assert_true(herd_score_parse("INFINITY", &v));
    assert_int_equal(v, INF);
    assert_true(herd_score_parse("+INFINITY", &v));
    assert_int_equal(v, INF);
    assert_true(herd_score_parse("-infinity", &v));
    assert_int_equal(v, -INF);
    assert_true(herd_score_parse("-42", &v));
    assert_int_equal(v, -42);
    assert_true(herd_score_parse("5000000", &v));
    assert_int_equal(v, INF);           /* clamped */
    assert_true(herd_score_parse("-5000000", &v));
    assert_int_equal(v, -INF);
    assert_true(herd_score_parse(NULL, &v));
    assert_int_equal(v, 0);
    assert_false(herd_score_parse("lots", &v));
    assert_false(herd_score_parse("12abc", &v));
}

static void score_add_infinity_rules(void **state)
{
    assert_int_equal(herd_score_add(1, 2), 3);
    assert_int_equal(herd_score_add(INF, -INF), -INF);   /* -INF wins */
    assert_int_equal(herd_score_add(-INF, INF), -INF);
    assert_int_equal(herd_score_add(INF, 5), INF);
    assert_int_equal(herd_score_add(-INF, 5), -INF);
    assert_int_equal(herd_score_add(INF - 1, 10), INF);  /* clamped */
    assert_int_equal(herd_score_add(-INF + 1, -10), -INF);
    char buf[16];
    assert_string_equal(herd_score_str(INF, buf), "INFINITY");
    assert_string_equal(herd_score_str(-INF, buf), "-INFINITY");
    assert_string_equal(herd_score_str(-3, buf), "-3");
}

static void intervals_and_dates(void **state)
{
    guint64 ms = 0;
    assert_true(herd_cib_parse_interval("10s", &ms));
    assert_int_equal(ms, 10000);
    assert_true(herd_cib_parse_interval("2min", &ms));
    assert_int_equal(ms, 120000);
    assert_true(herd_cib_parse_interval("15", &ms));
    assert_int_equal(ms, 15000);
    assert_true(herd_cib_parse_interval("PT1H30M", &ms));
    assert_int_equal(ms, 5400000);
    assert_true(herd_cib_parse_interval("250ms", &ms));
    assert_int_equal(ms, 250);
    assert_false(herd_cib_parse_interval("soon", &ms));
    time_t t = 0;
    assert_true(herd_cib_parse_datetime("1970-01-02 00:00:00Z", &t));
    assert_int_equal(t, 86400);
    assert_true(herd_cib_parse_datetime("2000-03-01T12:00:00", &t));
    assert_int_equal(t, 951912000);
    assert_false(herd_cib_parse_datetime("yesterday", &t));
    assert_true(herd_cib_parse_bool("yes", false));
    assert_false(herd_cib_parse_bool("off", true));
    assert_true(herd_cib_parse_bool("maybe", true));
}

static void roles(void **state)
{
    assert_int_equal(herd_role_parse("Master"), HERD_ROLE_PROMOTED);
    assert_int_equal(herd_role_parse("Unpromoted"), HERD_ROLE_UNPROMOTED);
    assert_int_equal(herd_role_parse("slave"), HERD_ROLE_UNPROMOTED);
    assert_int_equal(herd_role_parse("bogus"), HERD_ROLE_UNKNOWN);
    assert_string_equal(herd_role_name(HERD_ROLE_PROMOTED), "Promoted");
}

static const char *CIB =
    "<cib validate-with=\"pacemaker-3.0\" have-quorum=\"true\">\n"
    " <configuration>\n"
    "  <crm_config><cluster_property_set id=\"o\">"
    "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>\n"
    "  <nodes><node id=\"1\" uname=\"node1\"><instance_attributes id=\"a\">"
    "<nvpair id=\"a1\" name=\"rack\" value=\"7\"/></instance_attributes></node>\n"
    "   <node id=\"2\" uname=\"node2\"/></nodes>\n"
    "  <resources><primitive id=\"r1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></resources>\n"
    "  <constraints><rsc_location id=\"l\" rsc=\"r1\"><rule id=\"ru\" score=\"50\">"
    "<expression id=\"e\" attribute=\"rack\" operation=\"gt\" value=\"5\"/></rule></rsc_location>"
    "</constraints>\n"
    " </configuration>\n"
    " <status>\n"
    "  <node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>\n"
    "  <node_state id=\"2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>\n"
    " </status>\n"
    "</cib>\n";

static void rules_and_schedule(void **state)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_cib_t) cib = herd_cib_load_memory(CIB, strlen(CIB), "mem", &err);
    assert_non_null(cib);
    assert_false(cib->options.stonith_enabled);
    assert_int_equal(cib->nodes->len, 2);
    const herd_location_t *l = cib->locations->pdata[0];
    const herd_rule_t *rule = l->rules->pdata[0];
    assert_true(herd_rule_eval(rule, herd_cib_node(cib, "node1"), NULL, 0));
    assert_false(herd_rule_eval(rule, herd_cib_node(cib, "node2"), NULL, 0));
    g_autoptr(herd_sched_result_t) res = herd_sched_run(cib, 0);
    assert_int_equal(res->decisions->len, 1);
    const herd_decision_t *d = res->decisions->pdata[0];
    assert_int_equal(d->kind, HERD_DECISION_START);
    assert_string_equal(d->rsc, "r1");
    assert_string_equal(d->to, "node1");   /* the rule's 50 points */
}

static void load_errors(void **state)
{
    GError *err = NULL;
    assert_null(herd_cib_load_memory("<cib>", 5, "trunc.xml", &err));
    assert_int_equal(err->code, HERD_EXIT_DATAERR);
    assert_non_null(strstr(err->message, "trunc.xml:"));
    g_clear_error(&err);
    assert_null(herd_cib_load_file("/nonexistent/cib.xml", &err));
    assert_int_equal(err->code, HERD_EXIT_NOINPUT);
    g_clear_error(&err);
    const char *dangling = "<cib><configuration><resources/><constraints>\n"
                           "<rsc_order id=\"o\" first=\"a\" then=\"b\"/></constraints>"
                           "</configuration></cib>";
    assert_null(herd_cib_load_memory(dangling, strlen(dangling), "d.xml", &err));
    assert_int_equal(err->code, HERD_EXIT_CONFIG);
    assert_non_null(strstr(err->message, "d.xml:2:"));
    g_clear_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(score_parse_values),
        cmocka_unit_test(score_add_infinity_rules),
        cmocka_unit_test(intervals_and_dates),
        cmocka_unit_test(roles),
        cmocka_unit_test(rules_and_schedule),
        cmocka_unit_test(load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
