/* ocft_internal.h: what ocft.c and ocft_run.c share (not public). */
#ifndef HERD_OCFT_INTERNAL_H
#define HERD_OCFT_INTERNAL_H

#include "ocft.h"

/* A copy of `text` fit for JSON and XML output: valid UTF-8, and control
 * characters other than tab, newline and carriage return written as
 * "\xNN".  NULL stays NULL; the caller frees the result. */
char *ocft_printable(const char *text);

/* Member `key` of the object being built: `value` made printable (as
 * above), or null when NULL. */
void ocft_json_add_str(JsonBuilder *b, const char *key, const char *value);

/* Member `key` of the object being built, an integer. */
void ocft_json_add_int(JsonBuilder *b, const char *key, gint64 value);

#endif
