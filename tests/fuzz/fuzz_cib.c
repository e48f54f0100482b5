/* Fuzz target: the CIB parser and the scheduler behind it.  Any byte
 * string must give either a model or an error with a message; a model must
 * survive a scheduler run.  Crashes, leaks and undefined behaviour are the
 * failures libFuzzer reports. */
#include <stdint.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "herd_cib.h"
#include "herd_common.h"
#include "herd_sched.h"

static void quiet_xml(void *ctx, const char *msg, ...)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        xmlSetGenericErrorFunc(NULL, quiet_xml);
        init = true;
    }
    GError *err = NULL;
    herd_cib_t *cib = herd_cib_load_memory((const char *)data, size, "fuzz.xml", &err);
    if (!cib) {
        if (!err || !err->message || !*err->message)
            abort(); /* every refusal must say why */
        g_error_free(err);
        return 0;
    }
    herd_sched_result_t *res = herd_sched_run(cib, 1700000000);
    herd_sched_result_free(res);
    herd_cib_free(cib);
    return 0;
}
