/* log.c: one logging module for commands (stderr) and daemons (syslog or
 * a file).  Levels follow syslog's numbering so they map one to one. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "herd_common.h"

static struct {
    char ident[64];
    herd_log_target_t target;
    int max_level;
    FILE *file;
} logger = {"herd", HERD_LOG_TO_STDERR, HERD_LOG_NOTICE, NULL};

static const char *level_name(herd_log_level_t level)
{
    switch (level) {
    case HERD_LOG_ERR: return "error";
    case HERD_LOG_WARNING: return "warning";
    case HERD_LOG_NOTICE: return "notice";
    case HERD_LOG_INFO: return "info";
    case HERD_LOG_DEBUG: return "debug";
    }
    return "log";
}

int herd_log_init(const char *ident, herd_log_target_t target,
                  herd_log_level_t max_level, const char *path)
{
    g_strlcpy(logger.ident, ident ? ident : "herd", sizeof(logger.ident));
    logger.max_level = max_level;
    if (logger.file) {
        fclose(logger.file);
        logger.file = NULL;
    }
    logger.target = target;
    if (target == HERD_LOG_TO_SYSLOG) {
        openlog(logger.ident, LOG_PID, LOG_DAEMON);
    } else if (target == HERD_LOG_TO_FILE) {
        logger.file = fopen(path, "ae");
        if (!logger.file) {
            int e = errno;
            logger.target = HERD_LOG_TO_STDERR;
            return -e;
        }
        setvbuf(logger.file, NULL, _IOLBF, 0);
    }
    return 0;
}

void herd_log_more_verbose(int steps)
{
    logger.max_level += steps;
    if (logger.max_level > HERD_LOG_DEBUG)
        logger.max_level = HERD_LOG_DEBUG;
}

bool herd_log_enabled(herd_log_level_t level)
{
    return (int)level <= logger.max_level;
}

void herd_log(herd_log_level_t level, const char *fmt, ...)
{
    if (!herd_log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    switch (logger.target) {
    case HERD_LOG_TO_SYSLOG:
        syslog((int)level, "%s", msg);
        break;
    case HERD_LOG_TO_FILE: {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_autofree char *stamp = g_date_time_format(now, "%F %T");
        fprintf(logger.file, "%s %s[%d] %s: %s\n", stamp, logger.ident, (int)getpid(),
                level_name(level), msg);
        break;
    }
    case HERD_LOG_TO_STDERR:
        fprintf(stderr, "%s: %s: %s\n", logger.ident, level_name(level), msg);
        break;
    }
}
