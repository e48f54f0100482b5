/* exec_herd.c: bench/exec.py's herd side: N actions of AGENT ACTION
 * through herd's executor at concurrency C, printing the resident memory
 * (KiB) after each tenth of the actions, then "done OK FAILED".
 * Usage: exec_herd N C AGENT ACTION  (HERD_OCF_ROOT moves the OCF root) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "herd_exec.h"

typedef struct {
    int n, submitted, done, ok;
    herd_exec_t *ex;
    herd_exec_request_t req;
    GMainLoop *loop;
} bench_t;

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void on_result(const herd_exec_result_t *r, void *user)
{
    bench_t *b = user;
    b->done++;
    b->ok += r->status == HERD_OP_DONE && r->rc == 0;
    if (b->n >= 10 && b->done % (b->n / 10) == 0)
        printf("rss %d %ld\n", b->done, rss_kib());
    if (b->submitted < b->n) {
        b->submitted++;
        herd_exec_submit(b->ex, &b->req, on_result, b);
    }
    if (b->done == b->n)
        g_main_loop_quit(b->loop);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: exec_herd N C AGENT ACTION\n");
        return 2;
    }
    bench_t b = {.n = atoi(argv[1])};
    int c = atoi(argv[2]);
    herd_exec_config_t cfg = {.max_concurrent = (guint)c};
    cfg.dirs.ocf_root = g_getenv("HERD_OCF_ROOT");
    cfg.rsc_tmp_dir = g_getenv("HERD_RSC_TMP_DIR");
    b.ex = herd_exec_new(&cfg);
    b.req = (herd_exec_request_t){.agent = argv[3], .action = argv[4], .rsc_id = "bench",
                                  .expected_rc = -1, .timeout_ms = 20000};
    b.loop = g_main_loop_new(NULL, FALSE);
    /* Keep the queue a little deeper than the limit, as a daemon would. */
    for (; b.submitted < b.n && b.submitted < 2 * c; b.submitted++)
        herd_exec_submit(b.ex, &b.req, on_result, &b);
    g_main_loop_run(b.loop);
    printf("done %d %d\n", b.ok, b.n - b.ok);
    herd_exec_free(b.ex);
    g_main_loop_unref(b.loop);
    return b.ok == b.n ? 0 : 1;
}
