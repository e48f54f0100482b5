/* duration.c: parsing the interval and timeout values found in CIBs and on
 * command lines ("10s", "500ms", "PT1M", "30"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "herd_common.h"

static int parse_iso8601(const char *s, long long *ms)
{
    /* P[nD]T[nH][nM][nS]; fractional seconds allowed. */
    long long total = 0;
    bool in_time = false;
    s++; /* 'P' */
    if (!*s)
        return -EINVAL;
    while (*s) {
        if (*s == 'T') {
            in_time = true;
            s++;
            continue;
        }
        char *end;
        double v = strtod(s, &end);
        if (end == s)
            return -EINVAL;
        switch (*end) {
        case 'Y': total += (long long)(v * 365 * 86400000.0); break;
        case 'W': total += (long long)(v * 7 * 86400000.0); break;
        case 'D': total += (long long)(v * 86400000.0); break;
        case 'H': total += (long long)(v * 3600000.0); break;
        case 'M': total += (long long)(v * (in_time ? 60000.0 : 30 * 86400000.0)); break;
        case 'S': total += (long long)(v * 1000.0); break;
        default: return -EINVAL;
        }
        s = end + 1;
    }
    *ms = total;
    return 0;
}

int herd_parse_duration_ms(const char *text, long long *ms)
{
    if (!text)
        return -EINVAL;
    while (g_ascii_isspace(*text))
        text++;
    if (*text == 'P')
        return parse_iso8601(text, ms);
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0)
        return -EINVAL;
    while (g_ascii_isspace(*end))
        end++;
    double factor;
    if (*end == '\0' || g_ascii_strcasecmp(end, "s") == 0 ||
        g_ascii_strcasecmp(end, "sec") == 0)
        factor = 1000.0;
    else if (g_ascii_strcasecmp(end, "ms") == 0 || g_ascii_strcasecmp(end, "msec") == 0)
        factor = 1.0;
    else if (g_ascii_strcasecmp(end, "us") == 0 || g_ascii_strcasecmp(end, "usec") == 0)
        factor = 0.001;
    else if (g_ascii_strcasecmp(end, "m") == 0 || g_ascii_strcasecmp(end, "min") == 0)
        factor = 60000.0;
    else if (g_ascii_strcasecmp(end, "h") == 0 || g_ascii_strcasecmp(end, "hr") == 0)
        factor = 3600000.0;
    else
        return -EINVAL;
    *ms = (long long)(v * factor);
    return 0;
}
