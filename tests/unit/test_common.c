/* Unit tests for src/common: exit statuses, durations, output formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "herd_common.h"

static void exit_values_are_pacemakers(void **state)
{
    assert_int_equal(HERD_EXIT_OK, 0);
    assert_int_equal(HERD_EXIT_NOT_RUNNING, 7);
    assert_int_equal(HERD_EXIT_FAILED_PROMOTED, 9);
    assert_int_equal(HERD_EXIT_USAGE, 64);
    assert_int_equal(HERD_EXIT_CONFIG, 78);
    assert_int_equal(HERD_EXIT_FATAL, 100);
    assert_int_equal(HERD_EXIT_UNSATISFIED, 113);
    assert_int_equal(HERD_EXIT_TIMEOUT, 124);
    assert_int_equal(HERD_EXIT_DEGRADED_PROMOTED, 191);
    assert_int_equal(HERD_EXIT_NONE, 193);
    assert_int_equal(HERD_EXIT_MAX, 255);
}

static void exit_names_round_trip(void **state)
{
    assert_string_equal(herd_exit_name(6), "NOT_CONFIGURED");
    assert_string_equal(herd_exit_description(7), "Not running");
    assert_int_equal(herd_exit_from_name("not_running"), 7);
    assert_int_equal(herd_exit_from_name("CRM_EX_CANTCREAT"), HERD_EXIT_CANTCREATE);
    assert_int_equal(herd_exit_from_name("no-such-name"), -1);
    assert_null(herd_exit_name(300));
    assert_null(herd_exit_description(42));
}

static void durations_parse(void **state)
{
    long long ms = -1;
    assert_int_equal(herd_parse_duration_ms("30", &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(herd_parse_duration_ms("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(herd_parse_duration_ms("2min", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(herd_parse_duration_ms("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(herd_parse_duration_ms("PT1M30S", &ms), 0);
    assert_int_equal(ms, 90000);
    assert_int_equal(herd_parse_duration_ms("soon", &ms), -EINVAL);
    assert_int_equal(herd_parse_duration_ms("10 parsecs", &ms), -EINVAL);
    assert_int_equal(herd_parse_duration_ms("", &ms), -EINVAL);
    /* Found by the fuzzer: huge values used to overflow long long. */
    assert_int_equal(herd_parse_duration_ms("5555555555555555555555555550", &ms), -ERANGE);
    assert_int_equal(herd_parse_duration_ms("P99999999999999999Y", &ms), -ERANGE);
}

static void output_format_names(void **state)
{
    herd_output_format_t f;
    assert_int_equal(herd_output_parse_format("json", &f, NULL), 0);
    assert_int_equal(f, HERD_OUTPUT_JSON);
    assert_int_equal(herd_output_parse_format("xml", &f, NULL), 0);
    assert_int_equal(f, HERD_OUTPUT_XML);
    g_autoptr(GError) err = NULL;
    assert_int_equal(herd_output_parse_format("yaml", &f, &err), HERD_EXIT_USAGE);
    assert_non_null(err);
    assert_non_null(strstr(err->message, "yaml"));
}

/* Render `data` in `format` into a string. */
static char *render(herd_output_format_t format, JsonNode *data)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(herd_output_emit(fp, format, "test", data, 0, NULL, NULL), 0);
    fclose(fp);
    return buf;
}

static void output_escapes_through_libraries(void **state)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "items");
    json_builder_begin_array(b);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, "a<b>&\"c\"");
    json_builder_end_object(b);
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) data = json_builder_get_root(b);

    g_autofree char *xml = render(HERD_OUTPUT_XML, data);
    assert_non_null(strstr(xml, "<items>"));
    assert_non_null(strstr(xml, "<item name=\"a&lt;b&gt;&amp;&quot;c&quot;\"/>"));
    assert_non_null(strstr(xml, "<status code=\"0\" message=\"OK\"/>"));

    g_autofree char *json = render(HERD_OUTPUT_JSON, data);
    g_autoptr(JsonParser) p = json_parser_new();
    assert_true(json_parser_load_from_data(p, json, -1, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(p));
    JsonArray *items = json_object_get_array_member(json_object_get_object_member(root, "test"),
                                                    "items");
    assert_string_equal(json_object_get_string_member(json_array_get_object_element(items, 0),
                                                      "name"),
                        "a<b>&\"c\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_values_are_pacemakers),
        cmocka_unit_test(exit_names_round_trip),
        cmocka_unit_test(durations_parse),
        cmocka_unit_test(output_format_names),
        cmocka_unit_test(output_escapes_through_libraries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
