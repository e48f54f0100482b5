/* internal.h: shared inside src/cib only. */
#ifndef HERD_CIB_INTERNAL_H
#define HERD_CIB_INTERNAL_H

#include "herd_cib.h"

void herd_rule_free(herd_rule_t *r);
void herd_nvset_free(herd_nvset_t *s);
void herd_rsc_free(herd_cib_rsc_t *r);

#endif
