/* util.c: scores, booleans, intervals, dates and roles of the CIB. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "herd_cib.h"

/* Parse a score; see herd_cib.h. */
bool herd_score_parse(const char *text, int *out)
{
    if (text == NULL || *text == '\0') {
        *out = 0;
        return true;
    }
    const char *t = text;
    if (strcasecmp(t, "INFINITY") == 0 || strcasecmp(t, "+INFINITY") == 0) {
        *out = HERD_SCORE_INFINITY;
        return true;
    }
    if (strcasecmp(t, "-INFINITY") == 0) {
        *out = -HERD_SCORE_INFINITY;
        return true;
    }
    if (strcasecmp(t, "red") == 0 || strcasecmp(t, "yellow") == 0 || strcasecmp(t, "green") == 0) {
        *out = 0;   /* health colours: resolved by the scheduler */
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (end == t || *end != '\0')
        return false;
    if (errno == ERANGE || v > HERD_SCORE_INFINITY)
        v = v < 0 ? -HERD_SCORE_INFINITY : HERD_SCORE_INFINITY;
    if (v < -HERD_SCORE_INFINITY)
        v = -HERD_SCORE_INFINITY;
    *out = (int) v;
    return true;
}

/* Score addition with INFINITY rules; see herd_cib.h. */
int herd_score_add(int a, int b)
{
    if (a <= -HERD_SCORE_INFINITY || b <= -HERD_SCORE_INFINITY)
        return -HERD_SCORE_INFINITY;
    if (a >= HERD_SCORE_INFINITY || b >= HERD_SCORE_INFINITY)
        return HERD_SCORE_INFINITY;
    long long s = (long long) a + b;
    if (s >= HERD_SCORE_INFINITY)
        return HERD_SCORE_INFINITY;
    if (s <= -HERD_SCORE_INFINITY)
        return -HERD_SCORE_INFINITY;
    return (int) s;
}

/* Format a score; see herd_cib.h. */
const char *herd_score_str(int score, char *buf)
{
    if (score >= HERD_SCORE_INFINITY)
        strcpy(buf, "INFINITY");
    else if (score <= -HERD_SCORE_INFINITY)
        strcpy(buf, "-INFINITY");
    else
        snprintf(buf, 16, "%d", score);
    return buf;
}

/* Pacemaker booleans; see herd_cib.h. */
bool herd_cib_parse_bool(const char *text, bool dflt)
{
    if (text == NULL)
        return dflt;
    if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") || !strcasecmp(text, "on") ||
        !strcasecmp(text, "y") || !strcmp(text, "1"))
        return true;
    if (!strcasecmp(text, "false") || !strcasecmp(text, "no") || !strcasecmp(text, "off") ||
        !strcasecmp(text, "n") || !strcmp(text, "0"))
        return false;
    return dflt;
}

/* Intervals in ms; see herd_cib.h. */
bool herd_cib_parse_interval(const char *text, guint64 *out_ms)
{
    if (text == NULL)
        return false;
    while (isspace((unsigned char) *text))
        text++;
    if (*text == 'P') {     /* ISO 8601 duration */
        guint64 total = 0;
        bool in_time = false;
        const char *p = text + 1;
        while (*p) {
            if (*p == 'T') {
                in_time = true;
                p++;
                continue;
            }
            char *end;
            double v = strtod(p, &end);
            if (end == p)
                return false;
            double mult;
            switch (*end) {
            case 'Y': mult = 365.0 * 86400; break;
            case 'M': mult = in_time ? 60 : 30.0 * 86400; break;
            case 'W': mult = 7.0 * 86400; break;
            case 'D': mult = 86400; break;
            case 'H': mult = 3600; break;
            case 'S': mult = 1; break;
            default: return false;
            }
            total += (guint64) (v * mult * 1000);
            p = end + 1;
        }
        *out_ms = total;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || v < 0)
        return false;
    while (isspace((unsigned char) *end))
        end++;
    double mult = 1000;   /* seconds by default */
    if (*end == '\0' || !strcasecmp(end, "s") || !strcasecmp(end, "sec"))
        mult = 1000;
    else if (!strcasecmp(end, "ms") || !strcasecmp(end, "msec"))
        mult = 1;
    else if (!strcasecmp(end, "us") || !strcasecmp(end, "usec"))
        mult = 0.001;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "min"))
        mult = 60000;
    else if (!strcasecmp(end, "h") || !strcasecmp(end, "hr"))
        mult = 3600000;
    else
        return false;
    double ms = v * mult;
    if (!(ms < 1e18))   /* absurd (or NaN): not an interval */
        return false;
    *out_ms = (guint64) ms;
    return true;
}

static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned) (y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long) doe - 719468;
}

/* ISO 8601 date-times; see herd_cib.h. */
bool herd_cib_parse_datetime(const char *text, time_t *out)
{
    if (text == NULL)
        return false;
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0;
    const char *p = text;
    while (isspace((unsigned char) *p))
        p++;
    int n = 0;
    if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3) {
        p += n;
    } else if (sscanf(p, "%4d-%3d%n", &y, &d, &n) == 2) {   /* ordinal */
        p += n;
        long days = days_from_civil(y, 1, 1) + d - 1;
        mo = 0;
        d = (int) days;
    } else {
        return false;
    }
    if (*p == 'T' || *p == ' ')
        p++;
    if (*p && isdigit((unsigned char) *p)) {
        int k = sscanf(p, "%2d:%2d:%2d%n", &h, &mi, &s, &n);
        if (k < 2) {
            k = sscanf(p, "%2d:%2d%n", &h, &mi, &n);
            if (k < 2)
                return false;
        }
        p += n;
    }
    long offset = 0;
    while (isspace((unsigned char) *p))
        p++;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        int sign = *p == '-' ? -1 : 1;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) < 1)
            sscanf(p + 1, "%2d%2d", &oh, &om);
        offset = sign * (oh * 3600L + om * 60L);
    }
    long days = mo == 0 ? d : days_from_civil(y, (unsigned) mo, (unsigned) d);
    *out = (time_t) (days * 86400L + h * 3600L + mi * 60L + s - offset);
    return true;
}

/* Role names; see herd_cib.h. */
herd_role_t herd_role_parse(const char *text)
{
    if (text == NULL)
        return HERD_ROLE_UNKNOWN;
    if (!strcasecmp(text, "Stopped"))
        return HERD_ROLE_STOPPED;
    if (!strcasecmp(text, "Started"))
        return HERD_ROLE_STARTED;
    if (!strcasecmp(text, "Slave") || !strcasecmp(text, "Unpromoted"))
        return HERD_ROLE_UNPROMOTED;
    if (!strcasecmp(text, "Master") || !strcasecmp(text, "Promoted"))
        return HERD_ROLE_PROMOTED;
    return HERD_ROLE_UNKNOWN;
}

/* Role display names; see herd_cib.h. */
const char *herd_role_name(herd_role_t role)
{
    switch (role) {
    case HERD_ROLE_STOPPED: return "Stopped";
    case HERD_ROLE_STARTED: return "Started";
    case HERD_ROLE_UNPROMOTED: return "Unpromoted";
    case HERD_ROLE_PROMOTED: return "Promoted";
    default: return "Unknown";
    }
}
