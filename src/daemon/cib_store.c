/* cib_store.c: the durable CIB.  One file, STATE_DIR/cib.xml, replaced
 * atomically on every change (temporary file, fsync, rename, directory
 * fsync), with a SHA-256 digest of its content in a closing comment,
 * earlier versions kept as hard links under STATE_DIR/history/, and a
 * lock so that one daemon at a time owns the directory.  A file that
 * cannot be trusted is never touched: opening the store fails instead. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DIGEST_MARK "<!-- herd-digest sha256:"
#define DIGEST_END " -->\n"

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
    char *cmp_all;
    char *cmp_conf;
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

/* Serialise `doc` (whole into *all and/or its configuration into *conf)
 * with the version attributes and time stamp left out. */
static void neutral_strings(xmlDoc *doc, char **all, char **conf)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    char *saved[G_N_ELEMENTS(version_attrs)];
    for (size_t i = 0; i < G_N_ELEMENTS(version_attrs); i++) {
        saved[i] = (char *)xmlGetProp(root, (const xmlChar *)version_attrs[i]);
        xmlUnsetProp(root, (const xmlChar *)version_attrs[i]);
    }
    if (all)
        *all = node_to_string(root);
    if (conf)
        *conf = node_to_string(child(root, "configuration"));
    for (size_t i = 0; i < G_N_ELEMENTS(version_attrs); i++) {
        if (saved[i])
            xmlSetProp(root, (const xmlChar *)version_attrs[i], (const xmlChar *)saved[i]);
        xmlFree(saved[i]);
    }
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

/* Write `data` to the CIB file atomically, keeping the old file in history.
 * A status-only change (`durable` false) is still atomic (temporary file,
 * rename) and survives the daemon's death, but is neither fsynced nor kept
 * in history: after a power loss the node reprobes what it runs, while
 * configuration changes are always synced before the reply. */
static int write_atomic(herd_store_t *s, const char *data, gsize len, bool durable,
                        GError **err)
{
    int fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        g_set_error(err, HERD_ERROR, errno_status(e), "cannot create %s: %s", s->tmp_path,
                    g_strerror(e));
        return errno_status(e);
    }
    gsize done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto io_error;
        done += (gsize)w;
    }
    if (durable && fsync(fd) < 0)
        goto io_error;
    if (close(fd) < 0) {
        fd = -1;
        goto io_error;
    }
    fd = -1;
    bool linked = false;
    if (durable && s->keep > 0 && access(s->path, F_OK) == 0) {
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
    int rc = durable ? fsync_dir(s->dir, err) : 0;
    if (rc)
        return rc;
    if (linked) {
        if (s->seq > s->keep) {
            g_autofree char *old = history_path(s, s->seq - s->keep);
            unlink(old);
        }
        fsync_dir(s->hist_dir, NULL);
    }
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

/* The bytes of `doc` as stored, digest comment included; sets s->digest. */
static char *render(xmlDoc *doc, gsize *len, char **digest)
{
    gsize blen = 0;
    g_autofree char *body = herd_store_to_string(doc, &blen);
    *digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)body, blen);
    char *out = g_strdup_printf("%s" DIGEST_MARK "%s" DIGEST_END, body, *digest);
    *len = strlen(out);
    return out;
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
    return 0;
}

herd_store_t *herd_store_open(const char *state_dir, guint keep, GError **err)
{
    g_autoptr(herd_store_t) s = g_new0(herd_store_t, 1);
    s->lock_fd = -1;
    s->keep = keep;
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
        herd_store_version_t v = herd_store_version(s->doc);
        herd_info("loaded %s (version %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                  ".%" G_GINT64_FORMAT ")", s->path, v.admin_epoch, v.epoch, v.num_updates);
        return g_steal_pointer(&s);
    }
    herd_notice("no CIB in %s: starting with an empty one", state_dir);
    xmlDoc *doc = herd_store_new_empty();
    stamp_last_written(doc);
    gsize len;
    g_autofree char *digest = NULL;
    g_autofree char *data = render(doc, &len, &digest);
    if (write_atomic(s, data, len, true, err)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    s->doc = doc;
    s->digest = g_steal_pointer(&digest);
    return g_steal_pointer(&s);
}

void herd_store_free(herd_store_t *s)
{
    if (!s)
        return;
    if (s->doc)
        xmlFreeDoc(s->doc);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    g_free(s->dir);
    g_free(s->path);
    g_free(s->tmp_path);
    g_free(s->hist_dir);
    g_free(s->digest);
    g_free(s->cmp_all);
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
    /* Compare with the versions and the time stamp left out. */
    bool newer = mode == HERD_STORE_COMMIT_REPLACE && has_epoch &&
                 (given.admin_epoch > cur.admin_epoch || given.epoch > cur.epoch);
    g_autofree char *new_all = NULL, *new_conf = NULL;
    neutral_strings(doc, &new_all, NULL);
    if (!s->cmp_all)
        neutral_strings(s->doc, &s->cmp_all, NULL);
    if (strcmp(s->cmp_all, new_all) == 0 && !newer) {
        xmlFreeDoc(doc);
        return 0;
    }
    neutral_strings(doc, NULL, &new_conf);
    if (!s->cmp_conf)
        neutral_strings(s->doc, NULL, &s->cmp_conf);
    herd_store_version_t next = cur;
    bool durable = true;
    if (newer) {
        next.admin_epoch = given.admin_epoch;
        next.epoch = given.epoch;
        next.num_updates = 0;
    } else if (strcmp(s->cmp_conf, new_conf) != 0) {
        next.epoch++;
        next.num_updates = 0;
    } else {
        next.num_updates++;
        durable = false;
    }
    set_int_prop(root, "admin_epoch", next.admin_epoch);
    set_int_prop(root, "epoch", next.epoch);
    set_int_prop(root, "num_updates", next.num_updates);
    stamp_last_written(doc);
    gsize len;
    g_autofree char *digest = NULL;
    g_autofree char *data = render(doc, &len, &digest);
    rc = write_atomic(s, data, len, durable, err);
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    xmlFreeDoc(s->doc);
    s->doc = doc;
    g_free(s->digest);
    s->digest = g_steal_pointer(&digest);
    g_free(s->cmp_all);
    s->cmp_all = g_steal_pointer(&new_all);
    g_free(s->cmp_conf);
    s->cmp_conf = g_steal_pointer(&new_conf);
    *changed = true;
    herd_debug("CIB %" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT " written",
               next.admin_epoch, next.epoch, next.num_updates);
    return 0;
}
