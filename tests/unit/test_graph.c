/* test_graph.c: transition graph construction on small CIBs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "herd_cib.h"
#include "herd_sched.h"

#define CIB_HEAD(stonith) \
    "<cib validate-with=\"pacemaker-3.0\" have-quorum=\"true\" epoch=\"1\" num_updates=\"1\" " \
    "admin_epoch=\"0\"><configuration><crm_config><cluster_property_set id=\"o\">" \
    "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"" stonith "\"/>" \
    "</cluster_property_set></crm_config>" \
    "<nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/></nodes>"

#define ONLINE(id, name) \
    "<node_state id=\"" id "\" uname=\"" name "\" in_ccm=\"true\" crmd=\"online\" " \
    "join=\"member\" expected=\"member\"/>"

static herd_sched_result_t *run(const char *xml)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_cib_t) cib = herd_cib_load_memory(xml, strlen(xml), "test.xml", &err);
    if (!cib)
        fail_msg("CIB did not load: %s", err->message);
    herd_sched_result_t *res = herd_sched_run(cib, 1000000000);
    assert_non_null(res->graph);
    /* the graph must not point into the CIB (freed here) except cfg */
    for (guint i = 0; i < res->graph->actions->len; i++)
        ((herd_action_t *) res->graph->actions->pdata[i])->cfg = NULL;
    return res;
}

static herd_action_t *find(const herd_sched_result_t *res, const char *key, const char *node)
{
    for (guint i = 0; i < res->graph->actions->len; i++) {
        herd_action_t *a = res->graph->actions->pdata[i];
        if (!strcmp(a->key, key) && ((!node && !a->node) || (node && a->node && !strcmp(node, a->node))))
            return a;
    }
    fail_msg("no action %s on %s", key, node ? node : "(pseudo)");
    return NULL;
}

static bool has_input(const herd_action_t *then, const herd_action_t *first)
{
    for (guint i = 0; i < then->inputs->len; i++)
        if (then->inputs->pdata[i] == first)
            return true;
    return false;
}

/* position in the simulated execution */
static int fired_at(GPtrArray *fired, const herd_action_t *a)
{
    for (guint i = 0; i < fired->len; i++)
        if (fired->pdata[i] == a)
            return (int) i;
    return -1;
}

/* a group g of a, b, c (c monitored) to start on two fresh nodes */
#define GROUP_ABC_CIB \
    CIB_HEAD("false") \
    "<resources><group id=\"g\">" \
    "<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>" \
    "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>" \
    "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">" \
    "<operations><op id=\"c-mon\" name=\"monitor\" interval=\"10s\"/></operations>" \
    "</primitive></group></resources><constraints/></configuration>" \
    "<status>" ONLINE("1", "node1") ONLINE("2", "node2") "</status></cib>"

static void test_group_start_order(void **state)
{
    (void) state;
    g_autoptr(herd_sched_result_t) res = run(GROUP_ABC_CIB);
    herd_action_t *gs = find(res, "g_start_0", NULL);
    herd_action_t *gr = find(res, "g_running_0", NULL);
    assert_int_equal(gs->kind, HERD_ACTION_PSEUDO);
    const char *node = NULL;
    herd_action_t *prev = NULL;
    for (const char *const *m = (const char *const[]){"a", "b", "c", NULL}; *m; m++) {
        g_autofree char *key = g_strdup_printf("%s_start_0", *m);
        herd_action_t *s = NULL;
        for (guint i = 0; i < res->graph->actions->len; i++) {
            herd_action_t *a = res->graph->actions->pdata[i];
            if (!strcmp(a->key, key))
                s = a;
        }
        assert_non_null(s);
        assert_int_equal(s->kind, HERD_ACTION_RSC);
        if (node)
            assert_string_equal(node, s->node);   /* a group stays together */
        node = s->node;
        assert_true(has_input(s, gs));
        assert_true(has_input(gr, s));
        if (prev)
            assert_true(has_input(s, prev));
        /* probed on both nodes before the start */
        g_autofree char *probe = g_strdup_printf("%s_monitor_0", *m);
        assert_true(has_input(s, find(res, probe, "node1")));
        assert_true(has_input(s, find(res, probe, "node2")));
        prev = s;
    }
    herd_action_t *mon = find(res, "c_monitor_10000", node);
    assert_true(has_input(mon, prev));
    assert_int_equal(mon->interval_ms, 10000);
    g_autoptr(GPtrArray) fired = herd_graph_execute(res->graph);
    assert_int_equal(fired->len, res->graph->actions->len);
    assert_true(fired_at(fired, gs) < fired_at(fired, prev));
    assert_true(fired_at(fired, prev) < fired_at(fired, gr));
    g_autofree char *line = herd_graph_action_line(mon);
    g_autofree char *want = g_strdup_printf("  * Resource action: c               monitor=10000 on %s", node);
    assert_string_equal(line, want);
    g_autofree char *pl = herd_graph_action_line(gs);
    assert_string_equal(pl, "  * Pseudo action:   g_start_0");
}

static const char *fail_start_of_a(const herd_action_t *a, int *rc, void *user)
{
    (void) user;
    if (strcmp(a->key, "a_start_0"))
        return NULL;
    *rc = 5;
    return "a";
}

/* -F: a failed start aborts the transition: what depends on it never runs,
 * nor any later real action; what ran before it stays done */
static void test_execute_with_a_failure(void **state)
{
    (void) state;
g_autoptr(herd_sched_result_t) res = run(GROUP_ABC_CIB);
    g_autoptr(GArray) plain = herd_graph_execute_steps(res->graph, NULL, NULL);
    assert_int_equal(plain->len, res->graph->actions->len);
    g_autoptr(GArray) steps = herd_graph_execute_steps(res->graph, fail_start_of_a, NULL);
    int failed_at = -1, b_start = -1, g_running = -1, probes = 0;
    for (guint i = 0; i < steps->len; i++) {
        const herd_exec_step_t *st = &g_array_index(steps, herd_exec_step_t, i);
        if (st->failed) {
            assert_int_equal(failed_at, -1);
            failed_at = (int) i;
            assert_string_equal(st->action->key, "a_start_0");
            assert_int_equal(st->rc, 5);
            assert_string_equal(st->fail_name, "a");
        } else {
            assert_int_equal(st->rc, herd_action_target_rc(st->action));
        }
        if (!strcmp(st->action->key, "b_start_0"))
            b_start = (int) i;
        if (!strcmp(st->action->key, "g_running_0"))
            g_running = (int) i;
        if (!strcmp(st->action->task, "monitor") && !st->action->interval_ms) {
            probes++;
            assert_int_equal(st->rc, 7);
        }
        /* after the failure, only pseudo actions */
        if (failed_at >= 0 && (int) i > failed_at)
            assert_int_equal(st->action->kind, HERD_ACTION_PSEUDO);
    }
    assert_true(failed_at >= 0);
    assert_int_equal(b_start, -1);
    assert_int_equal(g_running, -1);
    assert_int_equal(probes, 6);   /* a, b, c on both nodes, before a's start */
    assert_true(steps->len < plain->len);
}

static void test_clone_wrappers(void **state)
{
    (void) state;
    const char *xml = CIB_HEAD("false")
        "<resources><clone id=\"cl\"><primitive id=\"p\" class=\"ocf\" provider=\"heartbeat\" "
        "type=\"Dummy\"/></clone></resources><constraints/></configuration>"
        "<status>" ONLINE("1", "node1") ONLINE("2", "node2") "</status></cib>";
    g_autoptr(herd_sched_result_t) res = run(xml);
    herd_action_t *cs = find(res, "cl_start_0", NULL);
    herd_action_t *cr = find(res, "cl_running_0", NULL);
    assert_true(has_input(cr, cs));
    int starts = 0;
    for (guint i = 0; i < res->graph->actions->len; i++) {
        herd_action_t *a = res->graph->actions->pdata[i];
        if (a->kind == HERD_ACTION_RSC && !strcmp(a->task, "start")) {
            starts++;
            assert_true(has_input(a, cs));
            assert_true(has_input(cr, a));
            assert_non_null(strchr(a->rsc, ':'));   /* an instance */
        }
        if (a->kind == HERD_ACTION_RSC && !strcmp(a->task, "monitor") && !a->interval_ms)
            assert_true(has_input(cs, a));   /* probes before the clone starts */
    }
    assert_int_equal(starts, 2);
    /* clones list their instances' synapses before their own */
    assert_true(cs->id > find(res, "p:0_start_0", "node1")->id ||
                cs->id > find(res, "p:0_start_0", "node2")->id);
}

static void test_fenced_node_stops_are_pseudo(void **state)
{
    (void) state;
    const char *xml = CIB_HEAD("true")
        "<resources><primitive id=\"f\" class=\"stonith\" type=\"fence_dummy\"/>"
        "<primitive id=\"r\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
        "</resources><constraints/></configuration><status>"
        "<node_state id=\"1\" uname=\"node1\" in_ccm=\"false\" crmd=\"offline\" join=\"member\" "
        "expected=\"member\"><lrm id=\"1\"><lrm_resources>"
        "<lrm_resource id=\"r\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
        "<lrm_rsc_op id=\"r_start_0\" operation=\"start\" interval=\"0\" op-status=\"0\" "
        "rc-code=\"0\" call-id=\"1\" transition-key=\"0:0:0:x\" transition-magic=\"0:0;0:0:0:x\"/>"
        "</lrm_resource></lrm_resources></lrm></node_state>"
        ONLINE("2", "node2") "</status></cib>";
    g_autoptr(herd_sched_result_t) res = run(xml);
    herd_action_t *fence = find(res, "stonith-node1-reboot", "node1");
    assert_int_equal(fence->kind, HERD_ACTION_FENCE);
    herd_action_t *stop = find(res, "r_stop_0", NULL);
    assert_int_equal(stop->kind, HERD_ACTION_PSEUDO);
    assert_true(has_input(stop, fence));
    herd_action_t *start = find(res, "r_start_0", "node2");
    assert_true(has_input(start, stop));
    assert_true(has_input(start, fence));   /* requires fencing */
    g_autoptr(GPtrArray) fired = herd_graph_execute(res->graph);
    assert_true(fired_at(fired, fence) < fired_at(fired, stop));
    assert_true(fired_at(fired, stop) < fired_at(fired, start));
    g_autofree char *fl = herd_graph_action_line(fence);
    assert_string_equal(fl, "  * Fencing node1 (reboot)");
}

static void test_graph_xml_and_dot(void **state)
{
    (void) state;
    const char *xml = CIB_HEAD("false")
        "<resources><primitive id=\"r\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
        "</resources><constraints/></configuration>"
        "<status>" ONLINE("1", "node1") ONLINE("2", "node2") "</status></cib>";
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_cib_t) cib = herd_cib_load_memory(xml, strlen(xml), "t.xml", &err);
    assert_non_null(cib);
    g_autoptr(herd_sched_result_t) res = herd_sched_run(cib, 1000000000);
    g_autofree char *gx = herd_graph_to_xml(res->graph, cib);
    assert_non_null(strstr(gx, "<transition_graph"));
    assert_non_null(strstr(gx, "operation_key=\"r_start_0\""));
    assert_non_null(strstr(gx, "<primitive id=\"r\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"));
    assert_non_null(strstr(gx, "<trigger>"));
    g_autofree char *dot = herd_graph_to_dot(res->graph);
    assert_non_null(strstr(dot, "-> \"r_start_0 node"));
}

static void test_deterministic(void **state)
{
    (void) state;
    const char *xml = CIB_HEAD("false")
        "<resources><clone id=\"cl\"><group id=\"g\">"
        "<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
        "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
        "</group></clone></resources><constraints/></configuration>"
        "<status>" ONLINE("1", "node1") ONLINE("2", "node2") "</status></cib>";
    g_autoptr(GError) err = NULL;
    g_autoptr(herd_cib_t) cib = herd_cib_load_memory(xml, strlen(xml), "t.xml", &err);
    assert_non_null(cib);
    g_autoptr(herd_sched_result_t) r1 = herd_sched_run(cib, 1000000000);
    g_autoptr(herd_sched_result_t) r2 = herd_sched_run(cib, 1000000000);
    g_autofree char *x1 = herd_graph_to_xml(r1->graph, cib);
    g_autofree char *x2 = herd_graph_to_xml(r2->graph, cib);
    assert_string_equal(x1, x2);
    /* a clone of a group: instance group pseudo actions inside the clone's */
    herd_action_t *gs = find(r1, "g:0_start_0", NULL);
    assert_true(has_input(gs, find(r1, "cl_start_0", NULL)));
    assert_true(has_input(find(r1, "cl_running_0", NULL), find(r1, "g:0_running_0", NULL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_start_order),
        cmocka_unit_test(test_clone_wrappers),
        cmocka_unit_test(test_execute_with_a_failure),
        cmocka_unit_test(test_fenced_node_stops_are_pseudo),
        cmocka_unit_test(test_graph_xml_and_dot),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
