/* herdd.c: the herd daemon.  One GLib main loop: loads the CIB from the
 * state directory, joins the cluster (local backend by default), serves
 * the IPC socket, tells systemd when it is ready, and stops on SIGTERM. */
#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "herd_cib.h"
#include "internal.h"

/* sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify_systemd(const char *state)
{
    const char *path = g_getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if (len >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@'))
        return;
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, alen) < 0)
        herd_warn("cannot notify systemd at %s: %s", path, g_strerror(errno));
    close(fd);
}

static gboolean on_signal(gpointer data)
{
    herdd_t *d = data;
    herd_notice("signal received: shutting down");
    notify_systemd("STOPPING=1");
    /* Stop resources per the `shutdown` semantics (the scheduler with this
     * node shutting down), or in maintenance mode leave them running.  A
     * second signal quits at once. */
    if (!herdd_converge_shutdown(d))
        g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

/* Membership changed: make sure each member has its node entries. */
static void on_membership(herd_cluster_t *c, GPtrArray *nodes, bool quorate, void *user)
{
    herdd_t *d = user;
    herd_info("membership: %u node(s), %s", nodes->len, quorate ? "quorate" : "no quorum");
    xmlDoc *doc = xmlCopyDoc(herd_store_doc(d->store), 1);
    for (guint i = 0; i < nodes->len; i++) {
        herd_cluster_node_t *n = g_ptr_array_index(nodes, i);
        char id[16];
        g_snprintf(id, sizeof(id), "%u", n->id);
        if (n->online)
            herd_store_ensure_node(doc, id, n->name);
    }
    /* What Pacemaker's DC records on the root: quorum, and who decides
     * (with one node, or until an election exists, this node). */
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlSetProp(root, (const xmlChar *)"have-quorum", (const xmlChar *)(quorate ? "1" : "0"));
    char dc[16];
    g_snprintf(dc, sizeof(dc), "%u", herd_cluster_local_node(c)->id);
    xmlSetProp(root, (const xmlChar *)"dc-uuid", (const xmlChar *)dc);
    g_autoptr(GError) err = NULL;
    bool changed = false;
    if (herd_store_commit(d->store, doc, HERD_STORE_COMMIT_AUTO, &changed, &err))
        herd_err("cannot record the membership in the CIB: %s", err->message);
    else if (changed)
        herdd_cib_changed(d, "membership");
    if (!d->ready) {
        /* Ready once serving and joined: the CIB now names this node. */
        d->ready = true;
        herd_notice("joined the cluster as %s: ready", herd_cluster_local_node(c)->name);
        notify_systemd("READY=1\nSTATUS=serving the CIB");
    }
}

/* Transient state dies with the machine: when the boot id differs from
 * the one recorded at the last start, this node rebooted since, so its
 * transient attributes and resource history are stale and dropped (the
 * executor's probes rebuild the history).  A herdd restart without a
 * reboot (crash, kill -9, upgrade) keeps them: resources are still
 * running and their promotion scores still hold. */
static void forget_state_of_previous_boot(herdd_t *d)
{
    g_autofree char *boot = NULL;
    if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
        return;
    g_strstrip(boot);
    g_autofree char *path = g_build_filename(d->state_dir, "boot_id", NULL);
    g_autofree char *last = NULL;
    bool known = g_file_get_contents(path, &last, NULL, NULL);
    if (known && strcmp(g_strstrip(last), boot) == 0)
        return;
    if (known) {
        herd_notice("this machine rebooted since herdd last ran: forgetting transient "
                    "attributes and resource history");
        g_autoptr(GError) err = NULL;
        xmlDoc *doc = xmlCopyDoc(herd_store_doc(d->store), 1);
        herd_store_delete_xpath(doc, "/cib/status/node_state/transient_attributes", NULL);
        herd_store_delete_xpath(doc, "/cib/status/node_state/lrm", NULL);
        bool changed = false;
        if (herd_store_commit(d->store, doc, HERD_STORE_COMMIT_AUTO, &changed, &err))
            herd_err("cannot clear the previous boot's state: %s", err->message);
    }
    g_autofree char *line = g_strdup_printf("%s\n", boot);
    if (!g_file_set_contents(path, line, -1, NULL))
        herd_warn("cannot record the boot id in %s", path);
}

static void on_message(herd_cluster_t *c, const herd_cluster_node_t *from, const void *data,
                       gsize len, void *user)
{
    /* TODO(corosync): CIB replication and DC election messages. */
    herd_debug("message of %" G_GSIZE_FORMAT " bytes from %s", len, from->name);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    g_autofree char *state_dir = NULL;
    g_autofree char *socket_path = NULL;
    g_autofree char *backend = NULL;
    g_autofree char *node_name = NULL;
    g_autofree char *log_file = NULL;
    g_autofree char *rsc_tmp = NULL;
    g_autofree char *ocf_root = NULL;
    gboolean foreground = TRUE, version = FALSE, syslog = FALSE, store_only = FALSE;
    int keep = 20, verbose = 0;
    GOptionEntry entries[] = {
        {"state-dir", 's', 0, G_OPTION_ARG_FILENAME, &state_dir,
         "Directory of the CIB (default " HERD_CIB_DIR ")", "DIR"},
        {"socket", 'S', 0, G_OPTION_ARG_FILENAME, &socket_path,
         "IPC socket path (default $HERD_SOCKET or /run/herd/herdd.sock)", "PATH"},
        {"cluster", 'c', 0, G_OPTION_ARG_STRING, &backend,
         "Cluster backend: local (default) or corosync", "NAME"},
        {"node-name", 'n', 0, G_OPTION_ARG_STRING, &node_name,
         "This node's name (default: the host name)", "NAME"},
        {"keep-versions", 'k', 0, G_OPTION_ARG_INT, &keep,
         "Earlier CIB versions kept under STATE_DIR/history (default 20)", "N"},
        {"rsc-tmp-dir", 0, 0, G_OPTION_ARG_FILENAME, &rsc_tmp,
         "HA_RSCTMP for resource agents (default " HERD_RSC_TMP_DIR ")", "DIR"},
        {"store-only", 0, 0, G_OPTION_ARG_NONE, &store_only,
         "Serve the CIB only: schedule nothing and run no agent (tests)", NULL},
        {"ocf-root", 0, 0, G_OPTION_ARG_FILENAME, &ocf_root,
         "OCF root of the resource agents (default " HERD_OCF_ROOT_DIR ")", "DIR"},
        {"log-file", 'l', 0, G_OPTION_ARG_FILENAME, &log_file, "Log to this file", "FILE"},
        {"syslog", 0, 0, G_OPTION_ARG_NONE, &syslog, "Log to syslog (the journal)", NULL},
        {"foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
         "Stay in the foreground (always the case)", NULL},
        {"verbose", 'V', 0, G_OPTION_ARG_NONE, &verbose, "Log more", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Show the version", NULL},
        {NULL}};
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, "herdd keeps the cluster's resources as the CIB asks.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "herdd: %s\nTry 'herdd --help' for more information.\n", err->message);
        return HERD_EXIT_USAGE;
    }
    if (version) {
        printf("herdd %s\n", HERD_VERSION);
        return HERD_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "herdd: unexpected argument '%s'\n", argv[1]);
        return HERD_EXIT_USAGE;
    }
    if (keep < 0) {
        fprintf(stderr, "herdd: --keep-versions must not be negative\n");
        return HERD_EXIT_USAGE;
    }
    herd_log_target_t target = log_file ? HERD_LOG_TO_FILE
                               : syslog ? HERD_LOG_TO_SYSLOG : HERD_LOG_TO_STDERR;
    if (herd_log_init("herdd", target, verbose ? HERD_LOG_INFO : HERD_LOG_NOTICE, log_file) < 0)
        fprintf(stderr, "herdd: cannot open log file %s: logging to stderr\n", log_file);
    if (g_getenv("HERD_DEBUG"))
        herd_log_more_verbose(2);

    herdd_t d = {0};
    d.state_dir = state_dir ? state_dir : (char *)HERD_CIB_DIR;
    d.socket_path = socket_path ? g_strdup(socket_path) : herd_ipc_default_socket();
    d.loop = g_main_loop_new(NULL, FALSE);
    int rc = HERD_EXIT_OK;

    herd_cluster_callbacks_t cb = {.membership = on_membership, .message = on_message};
    d.cluster = herd_cluster_new(backend, node_name, &cb, &d, &err);
    if (!d.cluster)
        goto fail;
    /* every CIB the store loads or writes must match herd's schema */
    herd_store_set_schema_validator(herd_cib_schema_validator);
    d.store = herd_store_open(d.state_dir, (guint)keep, &err);
    if (!d.store) {
        g_prefix_error(&err, "cannot start: ");
        if (err->code != HERD_EXIT_EXISTS) {
            g_autofree char *hist = g_build_filename(d.state_dir, "history", NULL);
            g_autoptr(GError) more = g_error_new(
                err->domain, err->code,
                "%s\n(the CIB file was left as it is: repair it, or restore an earlier version "
                "from %s, or move it away to start with an empty CIB)", err->message, hist);
            g_clear_error(&err);
            err = g_steal_pointer(&more);
        }
        goto fail;
    }
    forget_state_of_previous_boot(&d);
    if (herd_cluster_start(d.cluster, &err))
        goto fail;
    d.ipc = herd_ipc_server_new(&d, d.socket_path, &err);
    if (!d.ipc)
        goto fail;
    g_setenv(HERD_IPC_SOCKET_ENV, d.socket_path, TRUE); /* for agents and their tools */
    d.rsc_tmp_dir = rsc_tmp;
    d.ocf_root = ocf_root;
    if (rsc_tmp)
        g_mkdir_with_parents(rsc_tmp, 0755);
    if (!store_only) {
        herdd_converge_reset_node(&d);
        herdd_converge_new(&d);
    }
    guint sig_term = g_unix_signal_add(SIGTERM, on_signal, &d);
    guint sig_int = g_unix_signal_add(SIGINT, on_signal, &d);
    signal(SIGPIPE, SIG_IGN);
    herd_store_version_t v = herd_store_version(herd_store_doc(d.store));
    herd_notice("herdd %s serving: CIB %s (%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                ".%" G_GINT64_FORMAT "), socket %s, cluster backend %s", HERD_VERSION,
                herd_store_path(d.store), v.admin_epoch, v.epoch, v.num_updates,
                d.socket_path, herd_cluster_backend_name(d.cluster));
    herdd_cib_changed(&d, "start-up");
    g_main_loop_run(d.loop);
    g_source_remove(sig_term);
    g_source_remove(sig_int);
    herd_notice("herdd stopped");
    goto out;

fail:
    herd_err("%s", err->message);
    if (target != HERD_LOG_TO_STDERR)
        fprintf(stderr, "herdd: %s\n", err->message);
    rc = err->domain == HERD_ERROR ? err->code : HERD_EXIT_ERROR;
out:
    herdd_converge_cancel(&d);
    herdd_converge_free(d.converge);
    if (d.store) {
        /* whatever is staged or journalled ends up in cib.xml */
        g_autoptr(GError) ferr = NULL;
        if (herdd_flush(&d, true, &ferr))
            herd_err("cannot write the CIB: %s", ferr->message);
    }
    herd_ipc_server_free(d.ipc);
    herd_cluster_free(d.cluster);
    herd_store_free(d.store);
    g_main_loop_unref(d.loop);
    g_free(d.socket_path);
    return rc;
}
