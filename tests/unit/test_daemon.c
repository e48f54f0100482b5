/* Unit tests for src/daemon: the CIB store (atomic writes, versions,
 * digest, history, refusals) and the IPC framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/daemon/internal.h"

static char *make_dir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("herd-store-XXXXXX", &err);
    assert_non_null(dir);
    return dir;
}

static void rm_rf(const char *dir)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static G_GNUC_NO_INLINE char *read_all(const char *path, gsize *len)
{
    char *data = NULL;
    gboolean ok = g_file_get_contents(path, &data, len, NULL);
    assert_true(ok);
    return data;
}

static void store_creates_empty_valid_cib(void **state)
{
    g_autofree char *dir = make_dir();
    g_autoptr(GError) err = NULL;
    herd_store_t *s = herd_store_open(dir, 3, &err);
    assert_non_null(s);
    assert_int_equal(herd_store_validate(herd_store_doc(s), NULL), 0);
    herd_store_version_t v = herd_store_version(herd_store_doc(s));
    assert_int_equal(v.epoch, 0);
    assert_int_equal(v.num_updates, 0);
    g_autofree char *path = g_build_filename(dir, "cib.xml", NULL);
    gsize len;
    g_autofree char *data = read_all(path, &len);
    assert_non_null(strstr(data, "<!-- herd-digest sha256:"));
    assert_non_null(strstr(data, herd_store_digest(s)));
    herd_store_free(s);
    rm_rf(dir);
}

static void store_versions_move_and_persist(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    assert_non_null(s);
    /* A configuration change bumps epoch and resets num_updates. */
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(s), 1);
    assert_int_equal(herd_store_attr_set(doc, HERD_STORE_ATTR_CRM_CONFIG, NULL, NULL, NULL, "a", "1",
                                       NULL), 0);
    bool changed = false;
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, &changed, NULL), 0);
    assert_true(changed);
    herd_store_version_t v = herd_store_version(herd_store_doc(s));
    assert_int_equal(v.epoch, 1);
    assert_int_equal(v.num_updates, 0);
    /* A status change bumps num_updates only. */
    doc = xmlCopyDoc(herd_store_doc(s), 1);
    assert_int_equal(herd_store_attr_set(doc, HERD_STORE_ATTR_STATUS, "1", "n1", NULL, "t", "x", NULL), 0);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, &changed, NULL), 0);
    v = herd_store_version(herd_store_doc(s));
    assert_int_equal(v.epoch, 1);
    assert_int_equal(v.num_updates, 1);
    /* No change: nothing written, version unchanged. */
    doc = xmlCopyDoc(herd_store_doc(s), 1);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, &changed, NULL), 0);
    assert_false(changed);
    herd_store_free(s);
    /* Reopen: the same CIB comes back. */
    s = herd_store_open(dir, 3, NULL);
    assert_non_null(s);
    v = herd_store_version(herd_store_doc(s));
    assert_int_equal(v.epoch, 1);
    assert_int_equal(v.num_updates, 1);
    assert_string_equal(herd_store_attr_get(herd_store_doc(s), HERD_STORE_ATTR_CRM_CONFIG, NULL,
                                          NULL, NULL, "a"), "1");
    assert_string_equal(herd_store_attr_get(herd_store_doc(s), HERD_STORE_ATTR_STATUS, "1", "n1",
                                          NULL, "t"), "x");
    herd_store_free(s);
    rm_rf(dir);
}

static void store_refusal_leaves_file_identical(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    g_autofree char *path = g_build_filename(dir, "cib.xml", NULL);
    gsize l1, l2;
    g_autofree char *before = read_all(path, &l1);
    /* No <resources>: invalid. */
    const char *bad = "<cib epoch=\"5\"><configuration><crm_config/><nodes/><constraints/>"
                      "</configuration><status/></cib>";
    xmlDoc *doc = herd_store_parse(bad, strlen(bad), "test", NULL);
    assert_non_null(doc);
    g_autoptr(GError) err = NULL;
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_REPLACE, NULL, &err),
                     HERD_EXIT_CONFIG);
    assert_non_null(strstr(err->message, "resources"));
    g_autofree char *after = read_all(path, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(before, after, l1);
    herd_store_free(s);
    rm_rf(dir);
}

static void store_refuses_older_replacement(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    const char *newer = "<cib admin_epoch=\"0\" epoch=\"7\" num_updates=\"0\"><configuration>"
                        "<crm_config/><nodes/><resources/><constraints/></configuration>"
                        "<status/></cib>";
    xmlDoc *doc = herd_store_parse(newer, strlen(newer), "test", NULL);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_REPLACE, NULL, NULL), 0);
    assert_int_equal(herd_store_version(herd_store_doc(s)).epoch, 7);
    const char *older = "<cib admin_epoch=\"0\" epoch=\"3\"><configuration>"
                        "<crm_config/><nodes/><resources/><constraints/></configuration>"
                        "<status/></cib>";
    doc = herd_store_parse(older, strlen(older), "test", NULL);
    g_autoptr(GError) err = NULL;
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_REPLACE, NULL, &err),
                     HERD_EXIT_OLD);
    assert_int_equal(herd_store_version(herd_store_doc(s)).epoch, 7);
    herd_store_free(s);
    rm_rf(dir);
}

static void store_corrupt_file_is_refused_untouched(void **state)
{
    static const char *const bodies[] = {
        "<cib><configuration>", /* truncated */
        "not xml at all",
        "<cib epoch=\"x\"><configuration><crm_config/><nodes/><resources/><constraints/>"
        "</configuration></cib>", /* bad epoch */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
        g_autofree char *dir = make_dir();
        g_autofree char *path = g_build_filename(dir, "cib.xml", NULL);
        assert_true(g_file_set_contents(path, bodies[i], -1, NULL));
        g_autoptr(GError) err = NULL;
        assert_null(herd_store_open(dir, 3, &err));
        assert_non_null(err);
        assert_non_null(strstr(err->message, path));
        gsize len;
        g_autofree char *after = read_all(path, &len);
        assert_string_equal(after, bodies[i]);
        rm_rf(dir);
    }
}

/* Change epoch="0" to epoch="9" in place. */
static bool flip_epoch(char *data)
{
    char *e = strstr(data, "epoch=\"0\"");
    if (!e)
        return false;
    e[7] = '9';
    return true;
}

static void store_digest_mismatch_is_refused(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    herd_store_free(s);
    g_autofree char *path = g_build_filename(dir, "cib.xml", NULL);
    gsize len;
    g_autofree char *data = read_all(path, &len);
    assert_true(flip_epoch(data)); /* same length, different content */
    assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
    g_autoptr(GError) err = NULL;
    assert_null(herd_store_open(dir, 3, &err));
    assert_int_equal(err->code, HERD_EXIT_DIGEST);
    assert_non_null(strstr(err->message, "digest mismatch"));
    g_autofree char *after = read_all(path, &len);
    assert_string_equal(after, data);
    rm_rf(dir);
}

static void store_keeps_last_n_versions(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    for (int i = 0; i < 6; i++) {
        xmlDoc *doc = xmlCopyDoc(herd_store_doc(s), 1);
        char v[8];
        g_snprintf(v, sizeof(v), "%d", i);
        herd_store_attr_set(doc, HERD_STORE_ATTR_CRM_CONFIG, NULL, NULL, NULL, "n", v, NULL);
        assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, NULL, NULL), 0);
    }
    g_autofree char *hist = g_build_filename(dir, "history", NULL);
    GDir *d = g_dir_open(hist, 0, NULL);
    int n = 0;
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    assert_int_equal(n, 3);
    /* The newest history file is the version before the current one. */
    g_autofree char *last = g_build_filename(hist, "cib-6.xml", NULL);
    gsize len;
    g_autofree char *data = read_all(last, &len);
    assert_non_null(strstr(data, "value=\"4\""));
    herd_store_free(s);
    rm_rf(dir);
}

static void store_lock_is_exclusive(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    g_autoptr(GError) err = NULL;
    assert_null(herd_store_open(dir, 3, &err));
    assert_int_equal(err->code, HERD_EXIT_EXISTS);
    herd_store_free(s);
    rm_rf(dir);
}

static void ops_modify_merges_by_id(void **state)
{
    xmlDoc *doc = herd_store_new_empty();
    const char *f1 = "<resources><primitive id=\"d\" class=\"ocf\" type=\"Dummy\"/></resources>";
    xmlDoc *frag = herd_store_parse(f1, strlen(f1), "t", NULL);
    assert_int_equal(herd_store_modify(doc, xmlDocGetRootElement(frag), NULL), 0);
    xmlFreeDoc(frag);
    const char *f2 = "<primitive id=\"d\" provider=\"heartbeat\"/>";
    frag = herd_store_parse(f2, strlen(f2), "t", NULL);
    assert_int_equal(herd_store_modify(doc, xmlDocGetRootElement(frag), NULL), 0);
    xmlFreeDoc(frag);
    g_autofree char *q = herd_store_query(doc, "//primitive", NULL, NULL);
    assert_non_null(strstr(q, "provider=\"heartbeat\""));
    assert_non_null(strstr(q, "type=\"Dummy\""));
    const char *f3 = "<primitive id=\"nope\"/>";
    frag = herd_store_parse(f3, strlen(f3), "t", NULL);
    g_autoptr(GError) err = NULL;
    assert_int_equal(herd_store_modify(doc, xmlDocGetRootElement(frag), &err), HERD_EXIT_NOSUCH);
    xmlFreeDoc(frag);
    xmlFreeDoc(doc);
}

static void ops_attributes_where_pacemaker_keeps_them(void **state)
{
    xmlDoc *doc = herd_store_new_empty();
    herd_store_attr_set(doc, HERD_STORE_ATTR_NODES, "1", "n1", NULL, "site", "a", NULL);
    herd_store_attr_set(doc, HERD_STORE_ATTR_STATUS, "1", "n1", NULL, "master-db", "10", NULL);
    g_autofree char *q1 = herd_store_query(
        doc, "/cib/configuration/nodes/node[@id='1']/instance_attributes/nvpair[@name='site']",
        NULL, NULL);
    assert_non_null(q1);
    g_autofree char *q2 = herd_store_query(doc,
                                         "/cib/status/node_state[@id='1']/transient_attributes/"
                                         "instance_attributes/nvpair[@name='master-db']",
                                         NULL, NULL);
    assert_non_null(q2);
    assert_true(herd_store_attr_delete(doc, HERD_STORE_ATTR_STATUS, "1", "n1", NULL, "master-db"));
    assert_null(herd_store_attr_get(doc, HERD_STORE_ATTR_STATUS, "1", "n1", NULL, "master-db"));
    assert_false(herd_store_attr_delete(doc, HERD_STORE_ATTR_STATUS, "1", "n1", NULL, "master-db"));
    assert_int_equal(herd_store_validate(doc, NULL), 0);
    xmlFreeDoc(doc);
}

static void ops_record_op_as_pacemaker(void **state)
{
    xmlDoc *doc = herd_store_new_empty();
    herd_op_result_t r = {.node_id = "1", .node_name = "n1", .rsc_id = "d", .rsc_class = "ocf",
                          .rsc_provider = "heartbeat", .rsc_type = "Dummy",
                          .operation = "monitor", .interval_ms = 10000, .call_id = 4,
                          .rc_code = 7, .transition_key = "3:1:0:abc"};
    herd_store_record_op(doc, &r);
    g_autofree char *q = herd_store_query(doc, "//lrm_rsc_op[@id='d_monitor_10000']", NULL, NULL);
    assert_non_null(q);
    assert_non_null(strstr(q, "rc-code=\"7\""));
    assert_non_null(strstr(q, "transition-magic=\"0:7;3:1:0:abc\""));
    g_autofree char *f = herd_store_query(doc, "//lrm_rsc_op[@id='d_last_failure_0']", NULL, NULL);
    assert_non_null(f);
    xmlFreeDoc(doc);
}

static void frame_round_trip(void **state)
{
    const char *json = "{\"op\":\"ping\"}";
    g_autoptr(GByteArray) f = herd_ipc_frame(HERD_IPC_JSON, json, strlen(json), NULL);
    assert_int_equal(f->len, HERD_IPC_HEADER_SIZE + strlen(json));
    guint16 type;
    gsize off, len;
    /* Every prefix is "need more"; the whole is one frame. */
    for (guint i = 1; i < f->len; i++)
        assert_int_equal(herd_ipc_frame_parse(f->data, i, &type, &off, &len, NULL), 0);
    assert_int_equal(herd_ipc_frame_parse(f->data, f->len, &type, &off, &len, NULL), 1);
    assert_int_equal(type, HERD_IPC_JSON);
    assert_int_equal(len, strlen(json));
    g_autoptr(JsonObject) o = herd_ipc_parse_json((const char *)f->data + off, len, NULL);
    assert_string_equal(json_object_get_string_member(o, "op"), "ping");
}

static void frame_rejects_bad_headers(void **state)
{
    guint16 type;
    gsize off, len;
    g_autoptr(GError) e1 = NULL;
    assert_int_equal(herd_ipc_frame_parse((const guint8 *)"GET / HTTP/1.0", 14, &type, &off,
                                          &len, &e1), -1);
    assert_int_equal(e1->code, HERD_EXIT_PROTOCOL);
    /* Oversized: refused from the header alone. */
    guint8 h[12] = {'H', 'E', 'R', 'D', 0, 1, 0, 1, 0xff, 0xff, 0xff, 0xff};
    g_autoptr(GError) e2 = NULL;
    assert_int_equal(herd_ipc_frame_parse(h, sizeof(h), &type, &off, &len, &e2), -1);
    assert_non_null(strstr(e2->message, "larger than the maximum"));
    /* Unknown version and type. */
    guint8 v[12] = {'H', 'E', 'R', 'D', 0, 9, 0, 1, 0, 0, 0, 0};
    assert_int_equal(herd_ipc_frame_parse(v, sizeof(v), &type, &off, &len, NULL), -1);
    guint8 t[12] = {'H', 'E', 'R', 'D', 0, 1, 0, 7, 0, 0, 0, 0};
    assert_int_equal(herd_ipc_frame_parse(t, sizeof(t), &type, &off, &len, NULL), -1);
    /* Not a JSON object. */
    g_autoptr(GError) e3 = NULL;
    assert_null(herd_ipc_parse_json("[1,2]", 5, &e3));
    g_autoptr(GError) e4 = NULL;
    assert_null(herd_ipc_parse_json("{nope", 5, &e4));
    /* Nested too deep (the parser recurses); strings do not count. */
    g_autofree char *deep = g_strnfill(5000, '[');
    g_autoptr(GError) e6 = NULL;
    assert_null(herd_ipc_parse_json(deep, strlen(deep), &e6));
    assert_non_null(strstr(e6->message, "nested deeper"));
    const char *shallow = "{\"op\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    g_autoptr(JsonObject) ok = herd_ipc_parse_json(shallow, strlen(shallow), NULL);
    assert_non_null(ok);
    /* Too large to frame. */
    g_autoptr(GError) e5 = NULL;
    assert_null(herd_ipc_frame(HERD_IPC_JSON, "", (gsize)HERD_IPC_MAX_PAYLOAD + 1, &e5));
}

static void validate_catches_structure(void **state)
{
    static const char *const bad[] = {
        "<config/>",
        "<cib><status/></cib>",
        "<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>",
        "<cib><configuration><crm_config/><nodes/><resources><primitive id=\"a\"/>"
        "<primitive id=\"a\"/></resources><constraints/></configuration><status/></cib>",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        xmlDoc *doc = herd_store_parse(bad[i], strlen(bad[i]), "t", NULL);
        assert_non_null(doc);
        g_autoptr(GError) err = NULL;
        assert_int_equal(herd_store_validate(doc, &err), HERD_EXIT_CONFIG);
        xmlFreeDoc(doc);
    }
    g_autoptr(GError) err = NULL;
    assert_null(herd_store_parse("<cib>", 5, "t", &err));
    assert_non_null(strstr(err->message, "line 1"));
}

/* ---- staged status edits and the journal -------------------------------- */

static void stage_result(herd_store_t *s, const char *rsc, int call_id, int rc)
{
    herd_op_result_t r = {
        .node_id = "1", .node_name = "n1", .rsc_id = rsc, .rsc_class = "ocf",
        .rsc_provider = "heartbeat", .rsc_type = "Dummy", .operation = "start",
        .transition_key = "1:1:0:x", .call_id = call_id, .rc_code = rc,
    };
    herd_store_record_op(herd_store_stage(s, "1", rsc), &r);
}

static bool has_rsc(xmlDoc *doc, const char *rsc)
{
    g_autofree char *xp = g_strdup_printf("//lrm_resource[@id='%s']", rsc);
    g_autofree char *x = herd_store_query(doc, xp, NULL, NULL);
    return x != NULL;
}

static gsize file_size(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    struct stat st;
    return stat(p, &st) == 0 ? (gsize)st.st_size : 0;
}

static gint64 file_num_updates(const char *dir)
{
    g_autofree char *p = g_build_filename(dir, "cib.xml", NULL);
    gsize len;
    g_autofree char *data = read_all(p, &len);
    const char *m = strstr(data, "num_updates=\"");
    assert_non_null(m);
    return g_ascii_strtoll(m + strlen("num_updates=\""), NULL, 10);
}

/* Two flushes go to the journal (one record each, cib.xml untouched);
 * reopening replays them, folds them into cib.xml and empties the journal. */
static void store_journal_replays_staged_edits(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    assert_non_null(s);
    stage_result(s, "r1", 1, 0);
    assert_true(herd_store_pending(s));
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    assert_false(herd_store_pending(s));
    stage_result(s, "r2", 2, 0);
    stage_result(s, "r3", 3, 1); /* a failure: last_failure_0 too */
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    herd_store_stats_t st = herd_store_stats(s);
    assert_int_equal(st.journal_records, 2);
    assert_int_equal(st.snapshots, 1); /* the empty CIB at creation */
    assert_true(file_size(dir, "cib.journal") > 0);
    assert_int_equal(file_num_updates(dir), 0);
    assert_int_equal(herd_store_version(herd_store_doc(s)).num_updates, 2);
    herd_store_free(s); /* as kill -9 would: nothing folded */
    s = herd_store_open(dir, 3, NULL);
    assert_non_null(s);
    xmlDoc *doc = herd_store_doc(s);
    assert_true(has_rsc(doc, "r1") && has_rsc(doc, "r2") && has_rsc(doc, "r3"));
    g_autofree char *f = herd_store_query(doc, "//lrm_rsc_op[@id='r3_last_failure_0']", NULL,
                                          NULL);
    assert_non_null(f);
    assert_int_equal(herd_store_version(doc).num_updates, 2);
    assert_int_equal(file_num_updates(dir), 2);
    assert_int_equal(file_size(dir, "cib.journal"), 0);
    herd_store_free(s);
    rm_rf(dir);
}

/* A record cut short (a crash during its write, before its fdatasync
 * returned) ends the replay; the records before it count. */
static void store_journal_torn_record_ignored(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    stage_result(s, "r1", 1, 0);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    gsize first = file_size(dir, "cib.journal");
    stage_result(s, "r2", 2, 0);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    gsize both = file_size(dir, "cib.journal");
    herd_store_free(s);
    g_autofree char *jp = g_build_filename(dir, "cib.journal", NULL);
    /* cut the second record in its middle, and in another run flip a byte */
    for (int variant = 0; variant < 2; variant++) {
        g_autofree char *d2 = make_dir();
        g_autofree char *cmd = g_strdup_printf("cp -a '%s/.' '%s/'", dir, d2);
        assert_int_equal(system(cmd), 0);
        g_autofree char *jp2 = g_build_filename(d2, "cib.journal", NULL);
        if (variant == 0) {
            assert_int_equal(truncate(jp2, (off_t)(first + (both - first) / 2)), 0);
        } else {
            gsize len;
            g_autofree char *data = read_all(jp2, &len);
            data[both - 5] ^= 0x20;
            assert_true(g_file_set_contents(jp2, data, (gssize)len, NULL));
        }
        herd_store_t *s2 = herd_store_open(d2, 3, NULL);
        assert_non_null(s2);
        assert_true(has_rsc(herd_store_doc(s2), "r1"));
        assert_false(has_rsc(herd_store_doc(s2), "r2"));
        assert_int_equal(herd_store_version(herd_store_doc(s2)).num_updates, 1);
        herd_store_free(s2);
        rm_rf(d2);
    }
    (void)jp;
    rm_rf(dir);
}

/* Records no newer than cib.xml (a crash between writing cib.xml and
 * emptying the journal) are skipped, also after a configuration change. */
static void store_journal_stale_records_skipped(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    stage_result(s, "r1", 1, 0);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    g_autofree char *jp = g_build_filename(dir, "cib.journal", NULL);
    gsize jlen;
    g_autofree char *saved = read_all(jp, &jlen);
    /* a configuration change: cib.xml rewritten (r1 with it), journal emptied */
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(s), 1);
    herd_store_delete_xpath(doc, "//lrm_resource[@id='r1']", NULL);
    assert_int_equal(herd_store_attr_set(doc, HERD_STORE_ATTR_CRM_CONFIG, NULL, NULL, NULL, "a",
                                         "1", NULL), 0);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, NULL, NULL), 0);
    assert_int_equal(file_size(dir, "cib.journal"), 0);
    herd_store_free(s);
    assert_true(g_file_set_contents(jp, saved, (gssize)jlen, NULL));
    s = herd_store_open(dir, 3, NULL);
    assert_non_null(s);
    assert_false(has_rsc(herd_store_doc(s), "r1")); /* the old record is not replayed */
    assert_int_equal(herd_store_version(herd_store_doc(s)).epoch, 1);
    herd_store_free(s);
    rm_rf(dir);
}

/* A fold writes cib.xml whole and empties the journal; a commit writes
 * staged edits along; a deleted resource is recorded as gone. */
static void store_fold_commit_and_deletion(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    stage_result(s, "r1", 1, 0);
    stage_result(s, "r2", 2, 0);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    assert_int_equal(herd_store_flush(s, true, NULL), 0); /* nothing staged: fold only */
    assert_int_equal(file_size(dir, "cib.journal"), 0);
    assert_int_equal(file_num_updates(dir), 1);
    /* deletion through the journal */
    herd_store_delete_xpath(herd_store_stage(s, "1", "r1"), "//lrm_resource[@id='r1']", NULL);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    /* staged, then a commit of a configuration change carries it */
    stage_result(s, "r4", 4, 0);
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(s), 1);
    assert_int_equal(herd_store_attr_set(doc, HERD_STORE_ATTR_CRM_CONFIG, NULL, NULL, NULL, "b",
                                         "2", NULL), 0);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, NULL, NULL), 0);
    assert_false(herd_store_pending(s));
    assert_int_equal(file_size(dir, "cib.journal"), 0);
    herd_store_free(s);
    s = herd_store_open(dir, 3, NULL);
    xmlDoc *d = herd_store_doc(s);
    assert_false(has_rsc(d, "r1"));
    assert_true(has_rsc(d, "r2") && has_rsc(d, "r4"));
    /* a deletion replayed from the journal */
    herd_store_delete_xpath(herd_store_stage(s, "1", "r2"), "//lrm_resource[@id='r2']", NULL);
    assert_int_equal(herd_store_flush(s, false, NULL), 0);
    herd_store_free(s);
    s = herd_store_open(dir, 3, NULL);
    assert_false(has_rsc(herd_store_doc(s), "r2"));
    assert_true(has_rsc(herd_store_doc(s), "r4"));
    herd_store_free(s);
    rm_rf(dir);
}

static int history_count(const char *dir)
{
    g_autofree char *hist = g_build_filename(dir, "history", NULL);
    GDir *d = g_dir_open(hist, 0, NULL);
    int n = 0;
    while (d && g_dir_read_name(d))
        n++;
    if (d)
        g_dir_close(d);
    return n;
}

/* Status-only writes (folds of staged results) keep no history: the
 * history is for configurations, which they would soon push out. */
static void store_status_writes_keep_no_history(void **state)
{
    g_autofree char *dir = make_dir();
    herd_store_t *s = herd_store_open(dir, 3, NULL);
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(s), 1);
    herd_store_attr_set(doc, HERD_STORE_ATTR_CRM_CONFIG, NULL, NULL, NULL, "n", "1", NULL);
    assert_int_equal(herd_store_commit(s, doc, HERD_STORE_COMMIT_AUTO, NULL, NULL), 0);
    int before = history_count(dir);
    assert_int_equal(before, 1);
    for (int i = 0; i < 5; i++) {
        stage_result(s, "r1", i + 1, 0);
        assert_int_equal(herd_store_flush(s, true, NULL), 0);
    }
    assert_int_equal(history_count(dir), before);
    assert_int_equal(herd_store_stats(s).journal_records, 0);
    assert_int_equal(file_num_updates(dir), 5);
    herd_store_free(s);
    rm_rf(dir);
}

/* The live document's lrm_resource index follows deletions (of the element
 * itself or of an ancestor) and replacements of the whole CIB; records
 * written without waiting for their sync are replayed like the others. */
static void store_lrm_index_follows_edits(void **state)
{
    g_autofree char *dir = make_dir();
    g_autoptr(GError) err = NULL;
    herd_store_t *s = herd_store_open(dir, 3, &err);
    assert_non_null(s);
    for (int i = 0; i < 50; i++) {
        g_autofree char *rsc = g_strdup_printf("r%d", i);
        stage_result(s, rsc, i + 1, 0);
    }
    xmlDoc *doc = herd_store_doc(s);
    xmlNode *r7 = herd_lrm_find(doc, "1", "r7", false);
    assert_non_null(r7);
    assert_ptr_equal(herd_lrm_find(doc, "1", "r7", true), r7);
    assert_null(herd_lrm_find(doc, "2", "r7", false));
    /* the index gives what a scan of a copy (no index) finds */
    xmlDoc *copy = xmlCopyDoc(doc, 1);
    assert_non_null(herd_lrm_find(copy, "1", "r49", false));
    assert_null(herd_lrm_find(copy, "1", "r50", false));
    xmlFreeDoc(copy);
    /* deleting the element drops it from the index */
    herd_store_delete_xpath(herd_store_stage(s, "1", "r7"), "//lrm_resource[@id='r7']", NULL);
    assert_null(herd_lrm_find(doc, "1", "r7", false));
    assert_true(herd_lrm_remove(doc, "1", "r8"));
    assert_false(herd_lrm_remove(doc, "1", "r8"));
    herd_store_stage(s, "1", "r8");
    /* recreated: a new element, indexed */
    stage_result(s, "r7", 100, 0);
    assert_non_null(herd_lrm_find(doc, "1", "r7", false));
    guint64 seq = 0;
    assert_int_equal(herd_store_flush_nowait(s, &seq, &err), 0);
    assert_int_equal(herd_store_flush(s, false, &err), 0); /* covers the one before */
    assert_false(herd_store_unsynced(s));
    /* deleting an ancestor: the index is rebuilt, never stale */
    herd_store_delete_xpath(herd_store_stage(s, NULL, NULL), "//lrm", NULL);
    assert_null(herd_lrm_find(doc, "1", "r9", false));
    stage_result(s, "r9", 101, 0);
    assert_non_null(herd_lrm_find(doc, "1", "r9", false));
    assert_null(herd_lrm_find(doc, "1", "r10", false));
    assert_int_equal(herd_store_flush(s, false, &err), 0);
    /* a replacement brings its own elements */
    xmlDoc *next = xmlCopyDoc(doc, 1);
    herd_store_delete_xpath(next, "//lrm_resource[@id='r9']", NULL);
    assert_int_equal(herd_store_commit(s, next, HERD_STORE_COMMIT_AUTO, NULL, &err), 0);
    doc = herd_store_doc(s);
    assert_null(herd_lrm_find(doc, "1", "r9", false));
    stage_result(s, "r11", 102, 0);
    assert_int_equal(herd_store_flush(s, false, &err), 0);
    herd_store_free(s);
    s = herd_store_open(dir, 3, &err);
    assert_non_null(s);
    assert_non_null(herd_lrm_find(herd_store_doc(s), "1", "r11", false));
    assert_null(herd_lrm_find(herd_store_doc(s), "1", "r9", false));
    herd_store_free(s);
    rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_creates_empty_valid_cib),
        cmocka_unit_test(store_versions_move_and_persist),
        cmocka_unit_test(store_refusal_leaves_file_identical),
        cmocka_unit_test(store_refuses_older_replacement),
        cmocka_unit_test(store_corrupt_file_is_refused_untouched),
        cmocka_unit_test(store_digest_mismatch_is_refused),
        cmocka_unit_test(store_keeps_last_n_versions),
        cmocka_unit_test(store_lock_is_exclusive),
        cmocka_unit_test(store_journal_replays_staged_edits),
        cmocka_unit_test(store_journal_torn_record_ignored),
        cmocka_unit_test(store_journal_stale_records_skipped),
        cmocka_unit_test(store_fold_commit_and_deletion),
        cmocka_unit_test(store_status_writes_keep_no_history),
        cmocka_unit_test(store_lrm_index_follows_edits),
        cmocka_unit_test(ops_modify_merges_by_id),
        cmocka_unit_test(ops_attributes_where_pacemaker_keeps_them),
        cmocka_unit_test(ops_record_op_as_pacemaker),
        cmocka_unit_test(frame_round_trip),
        cmocka_unit_test(frame_rejects_bad_headers),
        cmocka_unit_test(validate_catches_structure),
    };
    herd_log_init("test", HERD_LOG_TO_STDERR, HERD_LOG_WARNING, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
