/* herd_common.h: what every herd component shares.
 *
 * Exit statuses (Pacemaker's ExitStatus values), the herd error domain for
 * GError, logging, and the one output formatter behind every command's
 * `--output-as text|xml|json`.  Nothing here allocates behind the caller's
 * back except where a function says it returns an owned value.
 */
#ifndef HERD_COMMON_H
#define HERD_COMMON_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "herd_buildoptions.h"

/* ---- exit statuses ------------------------------------------------------ */

/* Why a command or function finished; values are Pacemaker's ExitStatus. */
typedef enum {
#define HERD_EXIT(name, value, desc) HERD_EXIT_##name = value,
#include "exitstatus.def"
#undef HERD_EXIT
} herd_exit_t;

/* The name ("NOT_RUNNING") of an exit status, or NULL for an unknown code.
 * The string is static. */
const char *herd_exit_name(int code);

/* The one-line description of an exit status, or NULL for an unknown code.
 * The string is static. */
const char *herd_exit_description(int code);

/* Look up an exit status by name, case-insensitive, with or without the
 * "CRM_EX_" / "HERD_EXIT_" prefix.  Returns the code, or -1 if unknown. */
int herd_exit_from_name(const char *name);

/* Calls fn(code, name, description, user) for every exit status in
 * ascending order. */
void herd_exit_foreach(void (*fn)(int code, const char *name, const char *desc,
                                  void *user), void *user);

/* ---- errors ------------------------------------------------------------- */

/* GError domain of herd; an error's code is a herd_exit_t value saying what
 * kind of failure it is (NOINPUT, DATAERR, CONFIG, ...). */
#define HERD_ERROR (herd_error_quark())
GQuark herd_error_quark(void);

/* ---- logging ------------------------------------------------------------ */

typedef enum {
    HERD_LOG_ERR = 3,
    HERD_LOG_WARNING = 4,
    HERD_LOG_NOTICE = 5,
    HERD_LOG_INFO = 6,
    HERD_LOG_DEBUG = 7,
} herd_log_level_t;

typedef enum {
    HERD_LOG_TO_STDERR, /* commands */
    HERD_LOG_TO_SYSLOG, /* daemons under systemd or init */
    HERD_LOG_TO_FILE,   /* daemons told to log to a file */
} herd_log_target_t;

/* Set where log messages go and the most verbose level that is written.
 * `ident` names the program in each line; `path` is used for
 * HERD_LOG_TO_FILE only.  Returns 0, or -errno if the file cannot be
 * opened (logging then stays on stderr). */
int herd_log_init(const char *ident, herd_log_target_t target,
                  herd_log_level_t max_level, const char *path);

/* Raise the verbosity by `steps` levels (each --verbose is one). */
void herd_log_more_verbose(int steps);

/* Whether a message at `level` would be written. */
bool herd_log_enabled(herd_log_level_t level);

/* Write one log message (printf-style) at `level`. */
void herd_log(herd_log_level_t level, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#define herd_err(...) herd_log(HERD_LOG_ERR, __VA_ARGS__)
#define herd_warn(...) herd_log(HERD_LOG_WARNING, __VA_ARGS__)
#define herd_notice(...) herd_log(HERD_LOG_NOTICE, __VA_ARGS__)
#define herd_info(...) herd_log(HERD_LOG_INFO, __VA_ARGS__)
#define herd_debug(...)                                   \
    do {                                                  \
        if (herd_log_enabled(HERD_LOG_DEBUG))             \
            herd_log(HERD_LOG_DEBUG, __VA_ARGS__);        \
    } while (0)

/* ---- output ------------------------------------------------------------- */

typedef enum {
    HERD_OUTPUT_TEXT,
    HERD_OUTPUT_XML,
    HERD_OUTPUT_JSON,
} herd_output_format_t;

/* Parse "text", "xml" or "json".  Returns 0, or HERD_EXIT_USAGE with `err`
 * set for anything else. */
int herd_output_parse_format(const char *name, herd_output_format_t *format,
                             GError **err);

/* Renders a command's result as text; appends to `out`. */
typedef void (*herd_text_fn)(JsonNode *data, GString *out, void *user);

/* Write one command result to `fp` in `format`.
 *
 * `data` is a JSON object built by the command (the caller keeps
 * ownership).  JSON prints it as it is, inside {"request", "status",
 * <request>: data}.  XML maps it onto elements under
 * <herd-result request="...">: scalar members become attributes, object
 * members child elements, and array members a wrapper element whose items
 * are named by the singular of the key ("codes" -> <code>), "item" when
 * the key does not end in 's'; the result ends with
 * <status code= message=/>.  Text calls `text` (no text at all if NULL).
 * Escaping is done by json-glib and libxml2.  Returns 0 or -errno. */
int herd_output_emit(FILE *fp, herd_output_format_t format, const char *request,
                     JsonNode *data, int exit_code, herd_text_fn text, void *user);

/* Write an error (message and exit status) in `format`: text goes to
 * stderr as "herd: message", structured formats to `fp` as a result with
 * the status filled in. */
void herd_output_error(FILE *fp, herd_output_format_t format, const char *request,
                       int exit_code, const char *message);

/* ---- small helpers ------------------------------------------------------ */

/* Parse a duration as Pacemaker writes them: plain seconds ("30"),
 * with a unit ("500ms", "10s", "5min", "1h"), or ISO 8601 ("PT1M").
 * Stores milliseconds in `*ms`.  Returns 0, -EINVAL if not a duration, or
 * -ERANGE if negative or absurdly long (over 10^15 ms). */
int herd_parse_duration_ms(const char *text, long long *ms);

#endif /* HERD_COMMON_H */
