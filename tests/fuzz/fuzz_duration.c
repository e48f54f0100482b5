/* Fuzz target: herd_parse_duration_ms on arbitrary text.  It must never
 * crash, read out of bounds, or accept text without storing a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "herd_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    long long ms = -1;
    if (herd_parse_duration_ms(text, &ms) == 0 && ms < 0 && ms != -1)
        abort(); /* a parsed duration is never negative */
    g_free(text);
    return 0;
}
