/* duration.c: parsing the interval and timeout values found in CIBs and on
 * command lines ("10s", "500ms", "PT1M", "30"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "herd_common.h"

/* Longer than any sane interval or timeout (about 31,000 years), and far
 * inside long long: anything beyond is refused rather than overflowed. */
#define MAX_DURATION_MS 1e15

/* Store v (milliseconds) if it is a sane duration. */
static int store_ms(double v, long long *ms)
{
    if (!(v >= 0 && v <= MAX_DURATION_MS))
        return -ERANGE;
    *ms = (long long)v;
    return 0;
}

static int parse_iso8601(const char *s, long long *ms)
{
    /* P[nD]T[nH][nM][nS]; fractional seconds allowed. */
    double total = 0;
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
        case 'Y': total += v * 365 * 86400000.0; break;
        case 'W': total += v * 7 * 86400000.0; break;
        case 'D': total += v * 86400000.0; break;
        case 'H': total += v * 3600000.0; break;
        case 'M': total += v * (in_time ? 60000.0 : 30 * 86400000.0); break;
        case 'S': total += v * 1000.0; break;
        default: return -EINVAL;
        }
        if (!(v >= 0 && total <= MAX_DURATION_MS))
            return -ERANGE;
        s = end + 1;
    }
    return store_ms(total, ms);
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
    return store_ms(v * factor, ms);
}
