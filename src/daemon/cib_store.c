/* cib_store.c: the durable CIB.  One file, STATE_DIR/cib.xml, replaced
 * atomically on every change (temporary file, fsync, rename, directory
 * fsync), with a SHA-256 digest of its content in a closing comment,
 * earlier versions kept as hard links under STATE_DIR/history/, and a
 * lock so that one daemon at a time owns the directory.  A file that
 * cannot be trusted is never touched: opening the store fails instead.
 *
 * Status edits made by the daemon itself (operation results, fail counts)
 * are staged in the live document and written together by
 * herd_store_flush, once per main-loop pass.  Such a flush appends a
 * record of what changed (the touched lrm_resource elements and the
 * node's transient attributes, not the whole CIB) to STATE_DIR/cib.journal
 * and fdatasyncs it, so its cost does not grow with the CIB (or, through
 * herd_store_flush_nowait, leaves the fdatasync to the syncer thread and
 * reports its completion to the main loop: for records nobody has been
 * told of yet; a synchronous flush covers every earlier record); once the
 * journal outgrows the CIB, or when the daemon is idle, the whole CIB is
 * written again (temporary file, fsync, rename, directory fsync) and the
 * journal emptied.  Opening the store replays the journal's records that
 * are newer than cib.xml; a record cut short by a crash (never
 * acknowledged: its fdatasync had not returned) ends the replay. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DIGEST_MARK "<!-- herd-digest sha256:"
#define DIGEST_END " -->\n"
#define JOURNAL_MAGIC "HERDJ1"
/* The journal is folded into cib.xml once it is larger than this many
 * bytes and larger than the CIB itself (so that rewriting the CIB costs
 * no more than the records written since the last time). */
#define JOURNAL_MIN_FOLD (256 * 1024)

struct herd_store {
    char *dir;
    char *path;
    char *tmp_path;
    char *hist_dir;
    int lock_fd;
    xmlDoc *doc;
    char *digest;
    guint keep;
    guint64 seq; /* number of the newest history file */
    /* The current CIB serialised without its version attributes and time
     * stamp (whole, and its configuration), to tell what a commit changes
     * without serialising the current CIB again each time; NULL until
     * first needed. */
    char *cmp_rest;  /* everything but the configuration (NULL: stale) */
    char *cmp_conf;
    /* staged status edits (herd_store_stage), not yet written */
    bool dirty;
    bool dirty_all;       /* an edit the journal cannot describe */
    GHashTable *dirty_rsc; /* "node_id\trsc_id" */
    GHashTable *dirty_node; /* node_id */
    char *journal_path;
    int journal_fd;        /* -1: none open */
    gsize journal_bytes;
    gsize snapshot_bytes;  /* size of cib.xml as last written */
    herd_store_stats_t stats;
    /* The syncer thread (herd_store_set_syncer): fdatasyncs journal
     * records written by herd_store_flush_nowait off the main loop.
     * Records are numbered (written_seq); synced_seq is the newest one
     * known durable (by the thread, or by a synchronous fdatasync or
     * CIB rewrite, which cover every record before them). */
    GThread *syncer;
    GMutex mu;
    GCond cond;
    guint64 written_seq;  /* main thread only */
    guint64 sync_req;     /* under mu: the thread syncs up to this */
    guint64 synced_seq;   /* under mu */
    int sync_errno;       /* under mu: the thread's last failure, 0 if none */
    bool sync_stop;       /* under mu */
    int wake[2];          /* thread -> main loop: a sync completed */
    guint wake_source;
    herd_store_synced_fn synced_fn;
    void *synced_user;
};

static const char *const version_attrs[] = {"admin_epoch", "epoch", "num_updates",
                                            "cib-last-written"};

static int errno_status(int e)
{
    switch (e) {
    case ENOENT: return HERD_EXIT_NOINPUT;
    case EACCES:
    case EPERM: return HERD_EXIT_NOPERM;
    case ENOSPC:
    case EIO: return HERD_EXIT_IOERR;
    default: return HERD_EXIT_OSERR;
    }
}

static gint64 int_prop(xmlNode *n, const char *name)
{
    g_autofree char *v = (char *)xmlGetProp(n, (const xmlChar *)name);
    return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

static void set_int_prop(xmlNode *n, const char *name, gint64 v)
{
    char buf[32];
    g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, v);
    xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

herd_store_version_t herd_store_version(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    herd_store_version_t v = {0, 0, 0};
    if (root) {
        v.admin_epoch = int_prop(root, "admin_epoch");
        v.epoch = int_prop(root, "epoch");
        v.num_updates = int_prop(root, "num_updates");
    }
    return v;
}

int herd_store_version_cmp(const herd_store_version_t *a, const herd_store_version_t *b)
{
    if (a->admin_epoch != b->admin_epoch)
        return a->admin_epoch < b->admin_epoch ? -1 : 1;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    if (a->num_updates != b->num_updates)
        return a->num_updates < b->num_updates ? -1 : 1;
    return 0;
}

char *herd_store_to_string(xmlDoc *doc, gsize *len)
{
    xmlChar *buf = NULL;
    int n = 0;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &n, "UTF-8", 1);
    char *s = g_strndup((const char *)buf, n);
    xmlFree(buf);
    if (len)
        *len = (gsize)n;
    return s;
}

/* Serialise one element (for comparisons). */
static char *node_to_string(xmlNode *n)
{
    if (!n)
        return g_strdup("");
    xmlBuffer *b = xmlBufferCreate();
    xmlNodeDump(b, n->doc, n, 0, 0);
    char *s = g_strdup((const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    return s;
}

static xmlNode *child(xmlNode *parent, const char *name);

/* Serialise `doc` for comparisons, with the version attributes and the
 * time stamp left out: its configuration into *conf and everything else
 * (the other root attributes and sections) into *rest, each when asked.
 * Each element is serialised once. */
static void neutral_strings(xmlDoc *doc, char **conf, char **rest)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (conf)
        *conf = node_to_string(child(root, "configuration"));
    if (!rest)
        return;
    GString *r = g_string_new(NULL);
    for (xmlAttr *a = root->properties; a; a = a->next) {
        bool version = false;
        for (size_t i = 0; i < G_N_ELEMENTS(version_attrs); i++)
            if (!strcmp((const char *)a->name, version_attrs[i]))
                version = true;
        if (version)
            continue;
        xmlChar *v = xmlNodeListGetString(doc, a->children, 1);
        g_string_append_printf(r, "%s=\"%s\" ", (const char *)a->name, v ? (char *)v : "");
        xmlFree(v);
    }
    xmlBuffer *b = xmlBufferCreate();
    for (xmlNode *c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "configuration"))
            continue;
        xmlNodeDump(b, doc, c, 0, 0);
    }
    g_string_append(r, (const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    *rest = g_string_free(r, FALSE);
}

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static int fsync_dir(const char *dir, GError **err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot sync directory %s: %s", dir,
                    g_strerror(e));
        return errno_status(e);
    }
    close(fd);
    return 0;
}

static char *history_path(herd_store_t *s, guint64 seq)
{
    return g_strdup_printf("%s/cib-%" G_GUINT64_FORMAT ".xml", s->hist_dir, seq);
}

static int write_all(int fd, const char *data, gsize len)
{
    gsize done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (gsize)w;
    }
    return 0;
}

/* Write `body` then `tail` to the CIB file durably and atomically
 * (temporary file, fsync, rename, directory fsync), keeping the old file
 * in history when `keep_old` (configuration changes: status-only versions
 * would soon push every configuration out of history). */
static int write_atomic(herd_store_t *s, const char *body, gsize blen, const char *tail,
                        gsize tlen, bool keep_old, GError **err)
{
    int fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot create %s: %s", s->tmp_path,
                    g_strerror(e));
        return errno_status(e);
    }
    if (write_all(fd, body, blen) < 0 || write_all(fd, tail, tlen) < 0 || fsync(fd) < 0)
        goto io_error;
    if (close(fd) < 0) {
        fd = -1;
        goto io_error;
    }
    fd = -1;
    bool linked = false;
    if (keep_old && s->keep > 0 && access(s->path, F_OK) == 0) {
        g_autofree char *h = history_path(s, s->seq + 1);
        unlink(h);
        if (link(s->path, h) == 0) {
            s->seq++;
            linked = true;
        } else {
            herd_warn("cannot keep the previous CIB as %s: %s", h, g_strerror(errno));
        }
    }
    if (rename(s->tmp_path, s->path) < 0)
        goto io_error;
    int rc = fsync_dir(s->dir, err);
    if (rc)
        return rc;
    if (linked) {
        if (s->seq > s->keep) {
            g_autofree char *old = history_path(s, s->seq - s->keep);
            unlink(old);
        }
        fsync_dir(s->hist_dir, NULL);
    }
    s->snapshot_bytes = blen + tlen;
    s->stats.snapshots++;
    s->stats.bytes_written += blen + tlen;
    return 0;

io_error: {
        int e = errno ? errno : EIO;
        if (fd >= 0)
            close(fd);
        unlink(s->tmp_path);
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot write %s: %s", s->path,
                    g_strerror(e));
        return errno_status(e);
    }
}

/* Write `doc` as the CIB file (its bytes, then the digest comment), with
 * no copy of the serialised text.  On success *digest is the new digest
 * (owned). */
static int write_doc(herd_store_t *s, xmlDoc *doc, bool keep_old, char **digest, GError **err)
{
    xmlChar *buf = NULL;
    int n = 0;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &n, "UTF-8", 1);
    char *d = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, (gsize)n);
    g_autofree char *tail = g_strconcat(DIGEST_MARK, d, DIGEST_END, NULL);
    int rc = write_atomic(s, (const char *)buf, (gsize)n, tail, strlen(tail), keep_old, err);
    xmlFree(buf);
    if (rc) {
        g_free(d);
        return rc;
    }
    *digest = d;
    return 0;
}

static void stamp_last_written(xmlDoc *doc)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *when = g_date_time_format(now, "%a %b %e %H:%M:%S %Y");
    xmlSetProp(xmlDocGetRootElement(doc), (const xmlChar *)"cib-last-written",
               (const xmlChar *)when);
}

/* Check the digest of file content `data`; on success *body_len is the
 * length of the XML before the digest comment.  No comment: accepted
 * (a file written by hand), with a notice. */
static int check_digest(const char *path, const char *data, gsize len, gsize *body_len,
                        char **digest, GError **err)
{
    *body_len = len;
    const char *mark = g_strrstr_len(data, (gssize)len, DIGEST_MARK);
    if (!mark) {
        herd_notice("%s has no herd digest (written by hand?): checking it as XML only", path);
        *digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
        return 0;
    }
    const char *hex = mark + strlen(DIGEST_MARK);
    const char *end = g_strstr_len(hex, (gssize)(len - (gsize)(hex - data)), DIGEST_END);
    if (!end || end - hex != 64 || end + strlen(DIGEST_END) != data + len) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_DIGEST,
                    "%s: the digest comment at the end of the file is damaged", path);
        return HERD_EXIT_DIGEST;
    }
    gsize blen = (gsize)(mark - data);
    g_autofree char *actual =
        g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, blen);
    if (strncmp(actual, hex, 64) != 0) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_DIGEST,
                    "%s: digest mismatch (the file records %.64s, its content hashes to %s): "
                    "it was changed outside herd or is damaged (to accept a deliberate hand edit, "
                    "delete that closing comment)",
                    path, hex, actual);
        return HERD_EXIT_DIGEST;
    }
    *body_len = blen;
    *digest = g_steal_pointer(&actual);
    return 0;
}

static guint64 newest_history(const char *dir)
{
    guint64 max = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        guint64 n;
        char tail[8];
        if (sscanf(e->d_name, "cib-%" G_GUINT64_FORMAT "%7s", &n, tail) == 2 &&
            strcmp(tail, ".xml") == 0 && n > max)
            max = n;
    }
    closedir(d);
    return max;
}

static int load(herd_store_t *s, GError **err)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) ferr = NULL;
    if (!g_file_get_contents(s->path, &data, &len, &ferr)) {
        int e = ferr->code == G_FILE_ERROR_NOENT ? ENOENT
                : ferr->code == G_FILE_ERROR_ACCES ? EACCES : EIO;
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot read the CIB: %s", ferr->message);
        return errno_status(e);
    }
    gsize body_len = 0;
    g_autofree char *digest = NULL;
    int rc = check_digest(s->path, data, len, &body_len, &digest, err);
    if (rc)
        return rc;
    g_autoptr(GError) perr = NULL;
    xmlDoc *doc = herd_store_parse(data, body_len, s->path, &perr);
    if (!doc) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "cannot load the CIB: %s", perr->message);
        return HERD_EXIT_CONFIG;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (strcmp((const char *)root->name, "cib") == 0 && !child(root, "status"))
        xmlNewChild(root, NULL, (const xmlChar *)"status", NULL); /* hand-written CIB */
    if (herd_store_validate(doc, &perr)) {
        xmlFreeDoc(doc);
        g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "cannot load the CIB from %s: %s",
                    s->path, perr->message);
        return HERD_EXIT_CONFIG;
    }
    s->doc = doc;
    s->digest = g_steal_pointer(&digest);
    s->snapshot_bytes = len;
    return 0;
}

/* ---- the journal of staged status edits ---------------------------------- */

static xmlNode *child_id(xmlNode *parent, const char *name, const char *id)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
            continue;
        xmlAttr *a = xmlHasProp(c, (const xmlChar *)"id");
        if (a && a->children && a->children->content &&
            !strcmp((const char *)a->children->content, id))
            return c;
    }
    return NULL;
}

static void unlink_free(xmlNode *n)
{
    if (n) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
}

static xmlNode *gone(xmlNode *parent, const char *name, const char *id)
{
    xmlNode *n = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
    xmlSetProp(n, (const xmlChar *)"id", (const xmlChar *)id);
    xmlSetProp(n, (const xmlChar *)"herd-gone", (const xmlChar *)"1");
    return n;
}

/* The record of the staged edits: the version, then per touched node its
 * node_state attributes, its transient attributes and the touched
 * lrm_resource elements (or markers for those that are gone). */
static char *journal_payload(herd_store_t *s, gsize *len)
{
    xmlNode *root = xmlDocGetRootElement(s->doc);
    xmlNode *status = child(root, "status");
    xmlDoc *jd = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *j = xmlNewNode(NULL, (const xmlChar *)"journal");
    xmlDocSetRootElement(jd, j);
    for (xmlAttr *a = root->properties; a; a = a->next)
        for (size_t i = 0; i < G_N_ELEMENTS(version_attrs); i++)
            if (!strcmp((const char *)a->name, version_attrs[i])) {
                xmlChar *v = xmlNodeListGetString(s->doc, a->children, 1);
                xmlSetProp(j, a->name, v);
                xmlFree(v);
            }
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, s->dirty_node);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        const char *node_id = k;
        xmlNode *ns = child_id(status, "node_state", node_id);
        if (!ns) {
            gone(j, "node_state", node_id);
            continue;
        }
        xmlNode *rec = xmlDocCopyNode(ns, jd, 2); /* attributes only */
        xmlAddChild(j, rec);
        xmlNode *ta = child(ns, "transient_attributes");
        if (ta)
            xmlAddChild(rec, xmlDocCopyNode(ta, jd, 1));
        else
            gone(rec, "transient_attributes", node_id);
    }
    g_hash_table_iter_init(&it, s->dirty_rsc);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        g_auto(GStrv) parts = g_strsplit(k, "\t", 2);
        xmlNode *rec = child_id(j, "node_state", parts[0]);
        if (!rec || xmlHasProp(rec, (const xmlChar *)"herd-gone"))
            continue;
        xmlNode *lr = herd_lrm_find(s->doc, parts[0], parts[1], false);
        if (lr)
            xmlAddChild(rec, xmlDocCopyNode(lr, jd, 1));
        else
            gone(rec, "lrm_resource", parts[1]);
    }
    xmlBuffer *b = xmlBufferCreate();
    xmlNodeDump(b, jd, j, 0, 0);
    *len = (gsize)xmlBufferLength(b);
    char *out = g_strndup((const char *)xmlBufferContent(b), *len);
    xmlBufferFree(b);
    xmlFreeDoc(jd);
    return out;
}

/* Apply one journal record (its root element) to `doc`. */
static void journal_apply(xmlDoc *doc, xmlNode *j)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlAttr *a = j->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(j->doc, a->children, 1);
        xmlSetProp(root, a->name, v);
        xmlFree(v);
    }
    xmlNode *status = child(root, "status");
    for (xmlNode *rec = j->children; rec; rec = rec->next) {
        if (rec->type != XML_ELEMENT_NODE || strcmp((const char *)rec->name, "node_state"))
            continue;
        g_autofree char *id = (char *)xmlGetProp(rec, (const xmlChar *)"id");
        if (!id)
            continue;
        xmlNode *ns = child_id(status, "node_state", id);
        if (xmlHasProp(rec, (const xmlChar *)"herd-gone")) {
            unlink_free(ns);
            continue;
        }
        if (!ns)
            ns = xmlNewChild(status, NULL, (const xmlChar *)"node_state", NULL);
        while (ns->properties)
            xmlRemoveProp(ns->properties);
        for (xmlAttr *a = rec->properties; a; a = a->next) {
            xmlChar *v = xmlNodeListGetString(rec->doc, a->children, 1);
            xmlSetProp(ns, a->name, v);
            xmlFree(v);
        }
        for (xmlNode *c = rec->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            bool is_gone = xmlHasProp(c, (const xmlChar *)"herd-gone") != NULL;
            if (!strcmp((const char *)c->name, "transient_attributes")) {
                unlink_free(child(ns, "transient_attributes"));
                if (!is_gone)
                    xmlAddChild(ns, xmlDocCopyNode(c, doc, 1));
            } else if (!strcmp((const char *)c->name, "lrm_resource")) {
                g_autofree char *rid = (char *)xmlGetProp(c, (const xmlChar *)"id");
                xmlNode *lrm = child(ns, "lrm");
                if (!lrm) {
                    lrm = xmlNewChild(ns, NULL, (const xmlChar *)"lrm", NULL);
                    xmlSetProp(lrm, (const xmlChar *)"id", (const xmlChar *)id);
                }
                xmlNode *lrs = child(lrm, "lrm_resources");
                if (!lrs)
                    lrs = xmlNewChild(lrm, NULL, (const xmlChar *)"lrm_resources", NULL);
                if (rid)
                    unlink_free(child_id(lrs, "lrm_resource", rid));
                if (!is_gone)
                    xmlAddChild(lrs, xmlDocCopyNode(c, doc, 1));
            }
        }
    }
}

/* Replay the records of cib.journal newer than the loaded CIB.  Returns
 * the number applied, or -1 with `err` (a record that passes its checksum
 * but cannot be read).  A record cut short ends the replay. */
static int journal_replay(herd_store_t *s, GError **err)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(s->journal_path, &data, &len, NULL))
        return 0;
    herd_store_version_t cur = herd_store_version(s->doc);
    int applied = 0, stale = 0;
    gsize off = 0;
    while (off < len) {
        const char *h = data + off;
        const char *nl = memchr(h, '\n', len - off);
        char sum[65];
        unsigned long plen = 0;
        int used = 0;
        if (!nl || sscanf(h, JOURNAL_MAGIC " %lu %64s%n", &plen, sum, &used) != 2 ||
            h + used != nl || strlen(sum) != 64 || plen > len - (gsize)(nl + 1 - data) ||
            plen + 1 > len - (gsize)(nl + 1 - data) || nl[1 + plen] != '\n') {
            herd_warn("%s: ignoring %zu bytes at offset %zu: a record cut short by a crash "
                      "(never acknowledged)", s->journal_path, len - off, off);
            break;
        }
        const char *payload = nl + 1;
        g_autofree char *actual =
            g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)payload, plen);
        if (strcmp(actual, sum) != 0) {
            herd_warn("%s: ignoring %zu bytes at offset %zu: a record whose checksum does "
                      "not match (cut short by a crash, never acknowledged)",
                      s->journal_path, len - off, off);
            break;
        }
        g_autoptr(GError) perr = NULL;
        xmlDoc *jd = herd_store_parse(payload, plen, s->journal_path, &perr);
        if (!jd) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG, "cannot replay %s at offset %zu: %s",
                        s->journal_path, off, perr->message);
            return -1;
        }
        herd_store_version_t v = herd_store_version(jd);
        if (v.admin_epoch == cur.admin_epoch && v.epoch == cur.epoch &&
            v.num_updates > cur.num_updates) {
            journal_apply(s->doc, xmlDocGetRootElement(jd));
            cur = v;
            applied++;
        } else {
            stale++;
        }
        xmlFreeDoc(jd);
        off = (gsize)(nl + 1 - data) + plen + 1;
    }
    if (applied || stale)
        herd_info("%s: %d record(s) replayed, %d older than cib.xml skipped", s->journal_path,
                  applied, stale);
    return applied;
}

/* Empty the journal (the CIB file now holds everything). */
static void journal_reset(herd_store_t *s)
{
    if (s->journal_fd >= 0 && s->journal_bytes > 0 && ftruncate(s->journal_fd, 0) < 0)
        herd_warn("cannot empty %s: %s", s->journal_path, g_strerror(errno));
    s->journal_bytes = 0;
}

static void journal_open(herd_store_t *s)
{
    bool existed = access(s->journal_path, F_OK) == 0;
    s->journal_fd = open(s->journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (s->journal_fd < 0) {
        herd_warn("cannot open %s (%s): every status change rewrites the CIB",
                  s->journal_path, g_strerror(errno));
        return;
    }
    if (ftruncate(s->journal_fd, 0) < 0 || (!existed && fsync_dir(s->dir, NULL))) {
        herd_warn("cannot prepare %s (%s): every status change rewrites the CIB",
                  s->journal_path, g_strerror(errno));
        close(s->journal_fd);
        s->journal_fd = -1;
    }
    s->journal_bytes = 0;
}

static void mark_durable(herd_store_t *s);

/* Append the staged edits as one record and, with `sync`, make it durable. */
static int journal_append(herd_store_t *s, bool sync, GError **err)
{
    gsize plen = 0;
    g_autofree char *payload = journal_payload(s, &plen);
    g_autofree char *sum =
        g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)payload, plen);
    g_autofree char *head = g_strdup_printf(JOURNAL_MAGIC " %zu %s\n", plen, sum);
    gsize hlen = strlen(head);
    if (write_all(s->journal_fd, head, hlen) < 0 || write_all(s->journal_fd, payload, plen) < 0 ||
        write_all(s->journal_fd, "\n", 1) < 0 || (sync && fdatasync(s->journal_fd) < 0)) {
        int e = errno ? errno : EIO;
        /* cut what was written: the next record must follow a whole one */
        if (ftruncate(s->journal_fd, (off_t)s->journal_bytes) < 0)
            herd_warn("cannot cut %s back: %s", s->journal_path, g_strerror(errno));
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot write %s: %s", s->journal_path,
                    g_strerror(e));
        return errno_status(e);
    }
    s->journal_bytes += hlen + plen + 1;
    s->written_seq++;
    if (sync)
        mark_durable(s); /* fdatasync covers the file's every earlier record too */
    s->stats.journal_records++;
    s->stats.bytes_written += hlen + plen + 1;
    return 0;
}

/* Everything written so far is durable (a synchronous fdatasync or a
 * whole CIB file): the syncer has nothing older to wait for. */
static void mark_durable(herd_store_t *s)
{
    g_mutex_lock(&s->mu);
    if (s->synced_seq < s->written_seq)
        s->synced_seq = s->written_seq;
    if (s->sync_req < s->written_seq)
        s->sync_req = s->written_seq;
    g_mutex_unlock(&s->mu);
}

static void clear_staged(herd_store_t *s)
{
    s->dirty = false;
    s->dirty_all = false;
    g_hash_table_remove_all(s->dirty_rsc);
    g_hash_table_remove_all(s->dirty_node);
}

xmlDoc *herd_store_stage(herd_store_t *s, const char *node_id, const char *rsc_id)
{
    s->dirty = true;
    g_clear_pointer(&s->cmp_rest, g_free); /* the configuration stays as it was */
    if (!node_id) {
        s->dirty_all = true;
    } else {
        g_hash_table_add(s->dirty_node, g_strdup(node_id));
        if (rsc_id)
            g_hash_table_add(s->dirty_rsc, g_strconcat(node_id, "\t", rsc_id, NULL));
    }
    return s->doc;
}

bool herd_store_pending(herd_store_t *s)
{
    return s->dirty;
}

static int flush(herd_store_t *s, bool fold, bool sync, GError **err)
{
    if (!s->dirty && !(fold && s->journal_bytes > 0)) {
        if (sync && herd_store_unsynced(s)) {
            /* records of herd_store_flush_nowait still in flight: what a
             * caller is about to acknowledge may rest on them */
            if (fdatasync(s->journal_fd) < 0) {
                int e = errno;
                g_set_error(err, HERD_ERROR, errno_status(e), "cannot write %s: %s",
                            s->journal_path, g_strerror(e));
                return errno_status(e);
            }
            mark_durable(s);
        }
        return 0;
    }
    if (s->dirty) {
        herd_store_version_t v = herd_store_version(s->doc);
        set_int_prop(xmlDocGetRootElement(s->doc), "num_updates", v.num_updates + 1);
        stamp_last_written(s->doc);
    }
    bool journal = !fold && !s->dirty_all && s->journal_fd >= 0 &&
                   !(s->journal_bytes > JOURNAL_MIN_FOLD && s->journal_bytes > s->snapshot_bytes);
    int rc;
    if (journal) {
        rc = journal_append(s, sync, err);
    } else {
        char *digest = NULL;
        rc = write_doc(s, s->doc, false, &digest, err);
        if (!rc) {
            g_free(s->digest);
            s->digest = digest;
            journal_reset(s);
            s->written_seq++;
            mark_durable(s);
        }
    }
    if (rc)
        return rc; /* the edits stay staged: the next flush tries again */
    clear_staged(s);
    return 0;
}

int herd_store_flush(herd_store_t *s, bool fold, GError **err)
{
    return flush(s, fold, true, err);
}

static gpointer syncer_main(gpointer data)
{
    herd_store_t *s = data;
    g_mutex_lock(&s->mu);
    for (;;) {
        while (!s->sync_stop && s->sync_req <= s->synced_seq)
            g_cond_wait(&s->cond, &s->mu);
        if (s->sync_stop)
            break;
        guint64 target = s->sync_req;
        int fd = s->journal_fd;
        g_mutex_unlock(&s->mu);
        int e = fdatasync(fd) < 0 ? errno : 0;
        g_mutex_lock(&s->mu);
        if (e)
            s->sync_errno = e;
        else if (s->synced_seq < target)
            s->synced_seq = target;
        if (e)
            s->sync_req = s->synced_seq; /* reported; the main thread rewrites the CIB */
        char b = 1;
        if (write(s->wake[1], &b, 1) < 0) {
            /* the pipe is full: the main loop is already woken */
        }
    }
    g_mutex_unlock(&s->mu);
    return NULL;
}

static gboolean on_synced(gint fd, GIOCondition cond, gpointer data)
{
    (void)cond;
    herd_store_t *s = data;
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    g_mutex_lock(&s->mu);
    guint64 done = s->synced_seq;
    int e = s->sync_errno;
    s->sync_errno = 0;
    g_mutex_unlock(&s->mu);
    if (e) {
        /* which records made it is unknown: the next flush rewrites the
         * whole CIB (it holds them all) */
        herd_warn("cannot sync %s: %s (the CIB file is rewritten instead)", s->journal_path,
                  g_strerror(e));
        herd_store_stage(s, NULL, NULL);
    }
    if (s->synced_fn)
        s->synced_fn(done, e, s->synced_user);
    return G_SOURCE_CONTINUE;
}

void herd_store_set_syncer(herd_store_t *s, herd_store_synced_fn fn, void *user)
{
    if (s->syncer || s->journal_fd < 0)
        return;
    if (!g_unix_open_pipe(s->wake, FD_CLOEXEC, NULL))
        return;
    g_unix_set_fd_nonblocking(s->wake[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(s->wake[1], TRUE, NULL);
    s->synced_fn = fn;
    s->synced_user = user;
    s->wake_source = g_unix_fd_add(s->wake[0], G_IO_IN, on_synced, s);
    s->syncer = g_thread_new("herd-cib-sync", syncer_main, s);
}

int herd_store_flush_nowait(herd_store_t *s, guint64 *seq, GError **err)
{
    *seq = 0;
    if (!s->syncer)
        return flush(s, false, true, err);
    int rc = flush(s, false, false, err);
    if (rc)
        return rc;
    g_mutex_lock(&s->mu);
    if (s->synced_seq < s->written_seq) {
        *seq = s->written_seq;
        s->sync_req = s->written_seq;
        g_cond_signal(&s->cond);
    }
    g_mutex_unlock(&s->mu);
    return 0;
}

bool herd_store_unsynced(herd_store_t *s)
{
    g_mutex_lock(&s->mu);
    bool r = s->synced_seq < s->written_seq;
    g_mutex_unlock(&s->mu);
    return r;
}

herd_store_stats_t herd_store_stats(herd_store_t *s)
{
    return s->stats;
}

herd_store_t *herd_store_open(const char *state_dir, guint keep, GError **err)
{
    g_autoptr(herd_store_t) s = g_new0(herd_store_t, 1);
    s->lock_fd = -1;
    s->journal_fd = -1;
    s->wake[0] = s->wake[1] = -1;
    g_mutex_init(&s->mu);
    g_cond_init(&s->cond);
    s->keep = keep;
    s->dirty_rsc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->dirty_node = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->journal_path = g_build_filename(state_dir, "cib.journal", NULL);
    s->dir = g_strdup(state_dir);
    s->path = g_build_filename(state_dir, "cib.xml", NULL);
    s->tmp_path = g_build_filename(state_dir, ".cib.xml.tmp", NULL);
    s->hist_dir = g_build_filename(state_dir, "history", NULL);
    if (g_mkdir_with_parents(state_dir, 0750) < 0 || g_mkdir_with_parents(s->hist_dir, 0750) < 0) {
        int e = errno;
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot create the state directory %s: %s",
                    state_dir, g_strerror(e));
        return NULL;
    }
    g_autofree char *lock = g_build_filename(state_dir, "herdd.lock", NULL);
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        if (e == EWOULDBLOCK)
            g_set_error(err, HERD_ERROR, HERD_EXIT_EXISTS,
                        "another herdd is already using the state directory %s", state_dir);
        else
            g_set_error(err, HERD_ERROR, errno_status(e), "cannot lock %s: %s", lock,
                        g_strerror(e));
        return NULL;
    }
    unlink(s->tmp_path); /* a write interrupted before its rename: never committed */
    s->seq = newest_history(s->hist_dir);
    if (access(s->path, F_OK) == 0 || errno != ENOENT) {
        if (load(s, err))
            return NULL;
        int applied = journal_replay(s, err);
        if (applied < 0)
            return NULL;
        if (applied > 0) {
            g_autoptr(GError) verr = NULL;
            if (herd_store_validate(s->doc, &verr)) {
                g_set_error(err, HERD_ERROR, HERD_EXIT_CONFIG,
                            "the CIB with %s replayed is not valid: %s", s->journal_path,
                            verr->message);
                return NULL;
            }
            /* fold the replayed records into cib.xml before emptying the journal */
            char *digest = NULL;
            if (write_doc(s, s->doc, false, &digest, err))
                return NULL;
            g_free(s->digest);
            s->digest = digest;
        }
        journal_open(s);
        herd_lrm_index_attach(s->doc);
        herd_store_version_t v = herd_store_version(s->doc);
        herd_info("loaded %s (version %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                  ".%" G_GINT64_FORMAT ")", s->path, v.admin_epoch, v.epoch, v.num_updates);
        return g_steal_pointer(&s);
    }
    herd_notice("no CIB in %s: starting with an empty one", state_dir);
    xmlDoc *doc = herd_store_new_empty();
    stamp_last_written(doc);
    char *digest = NULL;
    if (write_doc(s, doc, true, &digest, err)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    s->doc = doc;
    s->digest = digest;
    herd_lrm_index_attach(s->doc);
    journal_open(s); /* records of an earlier CIB, if any, do not apply to a new one */
    return g_steal_pointer(&s);
}

void herd_store_free(herd_store_t *s)
{
    if (!s)
        return;
    if (s->syncer) {
        g_mutex_lock(&s->mu);
        s->sync_stop = true;
        g_cond_signal(&s->cond);
        g_mutex_unlock(&s->mu);
        g_thread_join(s->syncer);
        g_source_remove(s->wake_source);
    }
    for (int i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
    g_mutex_clear(&s->mu);
    g_cond_clear(&s->cond);
    if (s->doc) {
        herd_lrm_index_detach(s->doc);
        xmlFreeDoc(s->doc);
    }
    if (s->journal_fd >= 0)
        close(s->journal_fd);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    g_hash_table_destroy(s->dirty_rsc);
    g_hash_table_destroy(s->dirty_node);
    g_free(s->journal_path);
    g_free(s->dir);
    g_free(s->path);
    g_free(s->tmp_path);
    g_free(s->hist_dir);
    g_free(s->digest);
    g_free(s->cmp_rest);
    g_free(s->cmp_conf);
    g_free(s);
}

xmlDoc *herd_store_doc(herd_store_t *s)
{
    return s->doc;
}

const char *herd_store_path(herd_store_t *s)
{
    return s->path;
}

const char *herd_store_digest(herd_store_t *s)
{
    return s->digest;
}

int herd_store_commit(herd_store_t *s, xmlDoc *doc, herd_store_commit_mode_t mode,
                          bool *changed, GError **err)
{
    bool dummy;
    if (!changed)
        changed = &dummy;
    *changed = false;
    int rc = herd_store_validate(doc, err);
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    herd_store_version_t cur = herd_store_version(s->doc);
    herd_store_version_t given = herd_store_version(doc);
    bool has_epoch = xmlHasProp(root, (const xmlChar *)"epoch") != NULL;
    if (mode == HERD_STORE_COMMIT_REPLACE && has_epoch &&
        (given.admin_epoch < cur.admin_epoch ||
         (given.admin_epoch == cur.admin_epoch && given.epoch < cur.epoch))) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_OLD,
                    "update was older than the existing configuration (given %" G_GINT64_FORMAT
                    ".%" G_GINT64_FORMAT ", current %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ")",
                    given.admin_epoch, given.epoch, cur.admin_epoch, cur.epoch);
        xmlFreeDoc(doc);
        return HERD_EXIT_OLD;
    }
    /* Compare with the versions and the time stamp left out: the
     * configuration first (a difference there settles it), then the rest. */
    bool newer = mode == HERD_STORE_COMMIT_REPLACE && has_epoch &&
                 (given.admin_epoch > cur.admin_epoch || given.epoch > cur.epoch);
    g_autofree char *new_conf = NULL, *new_rest = NULL;
    neutral_strings(doc, &new_conf, NULL);
    if (!s->cmp_conf)
        neutral_strings(s->doc, &s->cmp_conf, NULL);
    bool conf_changed = strcmp(s->cmp_conf, new_conf) != 0;
    if (!conf_changed) {
        neutral_strings(doc, NULL, &new_rest);
        if (!s->cmp_rest)
            neutral_strings(s->doc, NULL, &s->cmp_rest);
        if (strcmp(s->cmp_rest, new_rest) == 0 && !newer) {
            xmlFreeDoc(doc);
            return 0;
        }
    }
    herd_store_version_t next = cur;
    if (newer) {
        next.admin_epoch = given.admin_epoch;
        next.epoch = given.epoch;
        next.num_updates = 0;
    } else if (conf_changed) {
        next.epoch++;
        next.num_updates = 0;
    } else {
        next.num_updates++;
    }
    set_int_prop(root, "admin_epoch", next.admin_epoch);
    set_int_prop(root, "epoch", next.epoch);
    set_int_prop(root, "num_updates", next.num_updates);
    stamp_last_written(doc);
    char *digest = NULL;
    rc = write_doc(s, doc, next.epoch != cur.epoch || next.admin_epoch != cur.admin_epoch,
                   &digest, err);
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    /* the new file holds everything: staged edits included or superseded */
    journal_reset(s);
    s->written_seq++;
    mark_durable(s);
    clear_staged(s);
    herd_lrm_index_detach(s->doc);
    xmlFreeDoc(s->doc);
    s->doc = doc;
    herd_lrm_index_attach(s->doc);
    g_free(s->digest);
    s->digest = digest;
    g_free(s->cmp_rest);
    s->cmp_rest = g_steal_pointer(&new_rest); /* NULL when not computed */
    g_free(s->cmp_conf);
    s->cmp_conf = g_steal_pointer(&new_conf);
    *changed = true;
    herd_debug("CIB %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT " written",
               next.admin_epoch, next.epoch, next.num_updates);
    return 0;
}
