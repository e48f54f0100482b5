/* internal.h: shared inside src/cib only. */
#ifndef HERD_CIB_INTERNAL_H
#define HERD_CIB_INTERNAL_H

#include "herd_cib.h"

void herd_rule_free(herd_rule_t *r);
void herd_nvset_free(herd_nvset_t *s);
void herd_rsc_free(herd_cib_rsc_t *r);

herd_cib_node_t *herd_cib_add_node(herd_cib_t *cib, const char *id, const char *uname,
                                   herd_node_kind_t kind);
GHashTable *herd_cib_str_table(void);
herd_cib_rsc_t *herd_cib_implicit_primitive(char *id, const char *provider, const char *type,
                                           int line);
void herd_cib_expand_remote(herd_cib_t *cib);
void herd_cib_expand_bundles(herd_cib_t *cib);
void herd_cib_op_free(herd_cib_op_t *o);
void herd_cib_add_op(herd_cib_rsc_t *r, const char *name, guint64 interval_ms, guint64 timeout_ms);

#endif
