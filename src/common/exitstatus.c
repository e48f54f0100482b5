/* exitstatus.c: names and descriptions of herd's exit statuses. */
#include <strings.h>

#include "herd_common.h"

struct exit_entry {
    int code;
    const char *name;
    const char *desc;
};

static const struct exit_entry exit_table[] = {
#define HERD_EXIT(name, value, desc) {value, #name, desc},
#include "exitstatus.def"
#undef HERD_EXIT
};

static const struct exit_entry *find_code(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(exit_table); i++) {
        if (exit_table[i].code == code)
            return &exit_table[i];
    }
    return NULL;
}

const char *herd_exit_name(int code)
{
    const struct exit_entry *e = find_code(code);
    return e ? e->name : NULL;
}

const char *herd_exit_description(int code)
{
    const struct exit_entry *e = find_code(code);
    return e ? e->desc : NULL;
}

int herd_exit_from_name(const char *name)
{
    static const char *prefixes[] = {"CRM_EX_", "HERD_EXIT_"};
    for (size_t p = 0; p < G_N_ELEMENTS(prefixes); p++) {
        size_t n = strlen(prefixes[p]);
        if (strncasecmp(name, prefixes[p], n) == 0) {
            name += n;
            break;
        }
    }
    /* Pacemaker spells it CANTCREAT; accept both. */
    if (strcasecmp(name, "CANTCREAT") == 0)
        return HERD_EXIT_CANTCREATE;
    for (size_t i = 0; i < G_N_ELEMENTS(exit_table); i++) {
        if (strcasecmp(exit_table[i].name, name) == 0)
            return exit_table[i].code;
    }
    return -1;
}

void herd_exit_foreach(void (*fn)(int, const char *, const char *, void *), void *user)
{
    for (size_t i = 0; i < G_N_ELEMENTS(exit_table); i++)
        fn(exit_table[i].code, exit_table[i].name, exit_table[i].desc, user);
}

GQuark herd_error_quark(void)
{
    return g_quark_from_static_string("herd-error-quark");
}
