/* ocft.c: parse ocft test-case configs.
 *
 * Two passes, as the format is defined: the first drops blank and comment
 * lines, records CASE-BLOCK macros and expands Include (a macro must be
 * defined above its use; "Include@host" moves every included statement to
 * that host); the second walks the sections.  An upper-case word
 * (CONFIG, CASE, ...) ends a CASE-BLOCK.  Arguments are split on blanks,
 * with "double quotes" grouping and '#' starting a comment.
 */
#include <errno.h>
#include <string.h>

#include "ocft_internal.h"

/* One line after the first pass. */
typedef struct {
    char *text;      /* trimmed */
    int line;        /* where the text is written */
    int included_at; /* where it was Included, 0 if not */
} src_line_t;

static void src_line_free(gpointer p)
{
    src_line_t *l = p;
    g_free(l->text);
    g_free(l);
}

static src_line_t *src_line_new(const char *text, int line, int included_at)
{
    src_line_t *l = g_new0(src_line_t, 1);
    l->text = g_strdup(text);
    l->line = line;
    l->included_at = included_at;
    return l;
}

static void stmt_free(gpointer p)
{
    herd_ocft_stmt_t *s = p;
    g_free(s->keyword);
    g_free(s->host);
    g_free(s->text);
    g_free(s->action);
    g_free(s->expected_name);
    g_free(s);
}

static void case_free(gpointer p)
{
    herd_ocft_case_t *c = p;
    g_free(c->name);
    g_ptr_array_unref(c->stmts);
    g_free(c);
}

/* Frees the config and all it owns; NULL is fine. */
void herd_ocft_config_free(herd_ocft_config_t *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->path);
    g_free(cfg->name);
    g_free(cfg->agent);
    g_free(cfg->agent_root);
    g_free(cfg->provider);
    g_ptr_array_unref(cfg->packages);
    g_ptr_array_unref(cfg->variables);
    g_free(cfg->setup);
    g_free(cfg->cleanup);
    g_ptr_array_unref(cfg->cases);
    g_free(cfg);
}

/* ---- return codes ------------------------------------------------------- */

static const struct {
    const char *name;
    int rc;
} ocf_codes[] = {
    {"OCF_SUCCESS", 0},           {"OCF_ERR_GENERIC", 1},      {"OCF_ERR_ARGS", 2},
    {"OCF_ERR_UNIMPLEMENTED", 3}, {"OCF_ERR_PERM", 4},         {"OCF_ERR_INSTALLED", 5},
    {"OCF_ERR_CONFIGURED", 6},    {"OCF_NOT_RUNNING", 7},      {"OCF_RUNNING_MASTER", 8},
    {"OCF_FAILED_MASTER", 9},     {"OCF_RUNNING_PROMOTED", 8}, {"OCF_FAILED_PROMOTED", 9},
    {"OCF_DEGRADED", 190},        {"OCF_DEGRADED_MASTER", 191}, {"OCF_DEGRADED_PROMOTED", 191},
};

/* OCF name or decimal 0-255 to an exit code; -1 when neither. */
int herd_ocft_rc_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(ocf_codes); i++)
        if (strcmp(ocf_codes[i].name, name) == 0)
            return ocf_codes[i].rc;
    guint64 v;
    if (g_ascii_string_to_unsigned(name, 10, 0, 255, &v, NULL))
        return (int)v;
    return -1;
}

/* The ocft spelling of an exit code, static; NULL for non-OCF codes. */
const char *herd_ocft_rc_name(int rc)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ocf_codes); i++)
        if (ocf_codes[i].rc == rc)
            return ocf_codes[i].name; /* first spelling: the one ocft prints */
    return NULL;
}

/* resource-agents' keyword for a statement kind, static. */
const char *herd_ocft_kind_name(herd_ocft_kind_t kind)
{
    switch (kind) {
    case HERD_OCFT_ENV: return "Env";
    case HERD_OCFT_UNENV: return "Unenv";
    case HERD_OCFT_BASH: return "Bash";
    case HERD_OCFT_BASH_AT_EXIT: return "BashAtExit";
    case HERD_OCFT_AGENT_RUN: return "AgentRun";
    }
    return "?";
}

/* ---- lexing ------------------------------------------------------------- */

typedef struct {
    const char *path;
    GError **err;
} parser_t;

static bool fail(parser_t *p, int line, int included_at, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool fail(parser_t *p, int line, int included_at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (included_at)
        g_set_error(p->err, HERD_ERROR, HERD_EXIT_CONFIG, "%s:%d: %s (included at line %d)",
                    p->path, line, msg, included_at);
    else
        g_set_error(p->err, HERD_ERROR, HERD_EXIT_CONFIG, "%s:%d: %s", p->path, line, msg);
    return false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split "Keyword rest of line" at the first blank; `rest` has its leading
 * blanks removed and is NULL if there is no blank at all. */
static void split_keyword(const char *text, char **keyword, const char **rest)
{
    const char *b = text;
    while (*b && !is_blank(*b))
        b++;
    *keyword = g_strndup(text, b - text);
    if (!*b) {
        *rest = NULL;
        return;
    }
    while (is_blank(*b))
        b++;
    *rest = b;
}

/* A word made only of capitals and '-' starts a section ("CASE-BLOCK"). */
static bool is_section_word(const char *w)
{
    if (!*w)
        return false;
    for (; *w; w++)
        if (!((*w >= 'A' && *w <= 'Z') || *w == '-'))
            return false;
    return true;
}

/* Split arguments: blanks separate words, "..." is one word (possibly
 * empty), '#' outside quotes ends the line.  Returns NULL if a quote is not
 * closed.  The caller owns the array. */
static GPtrArray *split_args(const char *s)
{
    size_t quotes = 0;
    for (const char *c = s; *c; c++)
        quotes += *c == '"';
    if (quotes % 2)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *c = s;
    while (*c) {
        if (is_blank(*c)) {
            c++;
            continue;
        }
        if (*c == '"') {
            const char *end = strchr(c + 1, '"');
            g_ptr_array_add(out, g_strndup(c + 1, end - c - 1));
            c = end + 1;
            continue;
        }
        const char *start = c;
        while (*c && !is_blank(*c) && *c != '"' && *c != '#')
            c++;
        if (c > start)
            g_ptr_array_add(out, g_strndup(start, c - start));
        if (*c == '#')
            break;
    }
    return out;
}

/* ---- first pass: comments, CASE-BLOCK, Include -------------------------- */

/* Replace the keyword of `text` ("Env@a x") by keyword@host ("Env@host x"). */
static char *move_to_host(const char *text, const char *host)
{
    g_autofree char *kw = NULL;
    const char *rest;
    split_keyword(text, &kw, &rest);
    char *at = strchr(kw, '@');
    if (at)
        *at = '\0';
    return rest ? g_strdup_printf("%s@%s %s", kw, host, rest) : g_strdup_printf("%s@%s", kw, host);
}

static GPtrArray *first_pass(parser_t *p, const char *text, gsize len)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(src_line_free);
    g_autoptr(GHashTable) macros =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    GPtrArray *macro = NULL; /* the CASE-BLOCK being defined, borrowed */
    int lineno = 0;
    gsize pos = 0;
    while (pos < len) {
        gsize end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        if (memchr(text + pos, '\0', end - pos)) {
            fail(p, lineno, 0, "the line holds a NUL byte; a config is text");
            return NULL;
        }
        g_autofree char *raw = g_strndup(text + pos, end - pos);
        pos = end + 1;
        if (!g_utf8_validate(raw, -1, NULL)) {
            char *valid = g_utf8_make_valid(raw, -1);
            g_free(raw);
            raw = valid;
        }
        char *line = raw;
        while (is_blank(*line))
            line++;
        size_t n = strlen(line);
        while (n && (is_blank(line[n - 1]) || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!*line || *line == '#')
            continue;

        g_autofree char *kw = NULL;
        const char *rest;
        split_keyword(line, &kw, &rest);
        if (strcmp(kw, "CASE-BLOCK") == 0) {
            g_autoptr(GPtrArray) args = rest ? split_args(rest) : NULL;
            if (rest && !args) {
                fail(p, lineno, 0, "CASE-BLOCK: missing closing '\"'");
                return NULL;
            }
            if (!args || args->len == 0 || !*(char *)args->pdata[0]) {
                fail(p, lineno, 0, "CASE-BLOCK needs a macro name: CASE-BLOCK NAME");
                return NULL;
            }
            const char *name = args->pdata[0];
            macro = g_hash_table_lookup(macros, name);
            if (!macro) { /* a second CASE-BLOCK of the same name adds to it */
                macro = g_ptr_array_new_with_free_func(src_line_free);
                g_hash_table_insert(macros, g_strdup(name), macro);
            }
            continue;
        }
        if (strcmp(kw, "Include") == 0 || g_str_has_prefix(kw, "Include@")) {
            const char *host = kw[7] == '@' && kw[8] ? kw + 8 : NULL;
            g_autoptr(GPtrArray) args = rest ? split_args(rest) : NULL;
            if (rest && !args) {
                fail(p, lineno, 0, "Include: missing closing '\"'");
                return NULL;
            }
            if (!args || args->len == 0 || !*(char *)args->pdata[0]) {
                fail(p, lineno, 0, "Include needs the name of a CASE-BLOCK: Include NAME");
                return NULL;
            }
            if (args->len > 1) {
                fail(p, lineno, 0, "Include takes one CASE-BLOCK name, not also '%s'",
                     (char *)args->pdata[1]);
                return NULL;
            }
            GPtrArray *def = g_hash_table_lookup(macros, args->pdata[0]);
            if (!def) {
                fail(p, lineno, 0, "Include: no CASE-BLOCK named '%s' is defined above",
                     (char *)args->pdata[0]);
                return NULL;
            }
            GPtrArray *dest = macro ? macro : out;
            guint count = def->len; /* a macro may include itself as it stands */
            for (guint i = 0; i < count; i++) {
                src_line_t *l = def->pdata[i];
                g_autofree char *t = host ? move_to_host(l->text, host) : g_strdup(l->text);
                g_ptr_array_add(dest, src_line_new(t, l->line, lineno));
            }
            continue;
        }
        if (is_section_word(kw))
            macro = NULL;
        g_ptr_array_add(macro ? macro : out, src_line_new(line, lineno, 0));
    }
    return g_steal_pointer(&out);
}

/* ---- second pass: sections and statements ------------------------------- */

typedef enum { S_NONE, S_CONFIG, S_VARIABLE, S_SETUP, S_CLEANUP, S_CASE } section_t;

static const struct {
    const char *keyword;
    herd_ocft_kind_t kind;
} stmt_keywords[] = {
    {"Env", HERD_OCFT_ENV},   {"Var", HERD_OCFT_ENV},
    {"Unenv", HERD_OCFT_UNENV}, {"Unvar", HERD_OCFT_UNENV},
    {"Bash", HERD_OCFT_BASH}, {"BashAtExit", HERD_OCFT_BASH_AT_EXIT},
    {"AgentRun", HERD_OCFT_AGENT_RUN}, {"RunAgent", HERD_OCFT_AGENT_RUN},
};

static const char *const stmt_usage[] = {
    [HERD_OCFT_ENV] = "NAME=value",
    [HERD_OCFT_UNENV] = "NAME [NAME...]",
    [HERD_OCFT_BASH] = "shell code",
    [HERD_OCFT_BASH_AT_EXIT] = "shell code",
    [HERD_OCFT_AGENT_RUN] = "ACTION [EXPECTED_RC]",
};

static bool parse_stmt(parser_t *p, herd_ocft_case_t *c, const src_line_t *l, const char *kw,
                       const char *rest)
{
    g_autofree char *base = g_strdup(kw);
    char *at = strchr(base, '@');
    const char *host = NULL;
    if (at) {
        *at = '\0';
        host = at[1] ? at + 1 : NULL;
    }
    int kind = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(stmt_keywords); i++)
        if (strcmp(stmt_keywords[i].keyword, base) == 0)
            kind = (int)stmt_keywords[i].kind;
    if (kind < 0)
        return fail(p, l->line, l->included_at,
                    "unknown statement '%s' in CASE \"%s\" (expected Env, Unenv, AgentRun, "
                    "Bash, BashAtExit or Include; or Var, Unvar, RunAgent)",
                    base, c->name);
    if (!rest || !*rest)
        return fail(p, l->line, l->included_at, "%s needs an argument: %s %s", base, base,
                    stmt_usage[kind]);
    herd_ocft_stmt_t *s = g_new0(herd_ocft_stmt_t, 1);
    s->kind = (herd_ocft_kind_t)kind;
    s->keyword = g_strdup(base);
    s->host = g_strdup(host);
    s->text = g_strdup(rest);
    s->expected = -1;
    s->line = l->line;
    s->included_at = l->included_at;
    g_ptr_array_add(c->stmts, s);
    if (s->kind != HERD_OCFT_AGENT_RUN)
        return true;

    g_autoptr(GPtrArray) args = split_args(rest);
    if (!args)
        return fail(p, l->line, l->included_at, "%s: missing closing '\"'", base);
    if (args->len == 0 || !*(char *)args->pdata[0])
        return fail(p, l->line, l->included_at, "%s needs an action: %s %s", base, base,
                    stmt_usage[kind]);
    s->action = g_strdup(args->pdata[0]);
    if (args->len > 1) {
        const char *want = args->pdata[1];
        s->expected = herd_ocft_rc_from_name(want);
        if (s->expected < 0)
            return fail(p, l->line, l->included_at,
                        "%s %s: '%s' is not an exit code (expected an OCF name such as "
                        "OCF_SUCCESS or OCF_NOT_RUNNING, or a number 0-255)",
                        base, s->action, want);
        s->expected_name = g_strdup(want);
    }
    if (args->len > 2)
        return fail(p, l->line, l->included_at,
                    "%s takes an action and an expected exit code, not also '%s'", base,
                    (char *)args->pdata[2]);
    return true;
}

static bool parse_config_option(parser_t *p, herd_ocft_config_t *cfg, const src_line_t *l,
                                const char *kw, const char *rest)
{
    static const char *const known = "Agent, AgentRoot, InstallPackage or HangTimeout";
    if (strcmp(kw, "Agent") && strcmp(kw, "AgentRoot") && strcmp(kw, "InstallPackage") &&
        strcmp(kw, "HangTimeout"))
        return fail(p, l->line, l->included_at, "unknown CONFIG option '%s' (expected %s)", kw,
                    known);
    g_autoptr(GPtrArray) args = rest ? split_args(rest) : NULL;
    if (rest && !args)
        return fail(p, l->line, l->included_at, "%s: missing closing '\"'", kw);
    if (!args || args->len == 0 || !*(char *)args->pdata[0])
        return fail(p, l->line, l->included_at, "%s needs a value", kw);
    const char *v = args->pdata[0];
    if (strcmp(kw, "Agent") == 0) {
        if (strchr(v, '/'))
            return fail(p, l->line, l->included_at,
                        "Agent '%s' must be a name; put its directory in AgentRoot", v);
        g_free(cfg->agent);
        cfg->agent = g_strdup(v);
    } else if (strcmp(kw, "AgentRoot") == 0) {
        g_free(cfg->agent_root);
        cfg->agent_root = g_strdup(v);
    } else if (strcmp(kw, "InstallPackage") == 0) {
        for (guint i = 0; i < args->len; i++)
            if (*(char *)args->pdata[i])
                g_ptr_array_add(cfg->packages, g_strdup(args->pdata[i]));
    } else {
        guint64 secs;
        if (!g_ascii_string_to_unsigned(v, 10, 1, 86400, &secs, NULL))
            return fail(p, l->line, l->included_at,
                        "HangTimeout needs a number of seconds (1-86400), not '%s'", v);
        cfg->hang_timeout = (int)secs;
    }
    return true;
}

static void append_code(char **code, int *first_line, const src_line_t *l)
{
    if (!*first_line)
        *first_line = l->line;
    char *old = *code;
    *code = old ? g_strconcat(old, "\n", l->text, NULL) : g_strdup(l->text);
    g_free(old);
}

static bool second_pass(parser_t *p, herd_ocft_config_t *cfg, GPtrArray *lines)
{
    section_t section = S_NONE;
    herd_ocft_case_t *current = NULL;
    for (guint i = 0; i < lines->len; i++) {
        const src_line_t *l = lines->pdata[i];
        g_autofree char *kw = NULL;
        const char *rest;
        split_keyword(l->text, &kw, &rest);
        if (strcmp(kw, "CONFIG") == 0) {
            section = S_CONFIG;
            continue;
        }
        if (strcmp(kw, "VARIABLE") == 0) {
            section = S_VARIABLE;
            continue;
        }
        if (strcmp(kw, "SETUP-AGENT") == 0) {
            section = S_SETUP;
            continue;
        }
        if (strcmp(kw, "CLEANUP-AGENT") == 0) {
            section = S_CLEANUP;
            continue;
        }
        if (strcmp(kw, "CASE") == 0) {
            g_autoptr(GPtrArray) args = rest ? split_args(rest) : NULL;
            if (rest && !args)
                return fail(p, l->line, l->included_at, "CASE: missing closing '\"'");
            if (!args || args->len == 0)
                return fail(p, l->line, l->included_at,
                            "CASE needs a description: CASE \"what it checks\"");
            current = g_new0(herd_ocft_case_t, 1);
            current->name = g_strdup(args->pdata[0]);
            current->line = l->line;
            current->stmts = g_ptr_array_new_with_free_func(stmt_free);
            g_ptr_array_add(cfg->cases, current);
            section = S_CASE;
            continue;
        }
        switch (section) {
        case S_NONE:
            return fail(p, l->line, l->included_at,
                        "'%s' outside any section (expected CONFIG, VARIABLE, SETUP-AGENT, "
                        "CLEANUP-AGENT, CASE-BLOCK or CASE first)",
                        kw);
        case S_CONFIG:
            if (!parse_config_option(p, cfg, l, kw, rest))
                return false;
            break;
        case S_VARIABLE:
            if (g_str_has_prefix(l->text, "__OCFT__") || g_str_has_prefix(l->text, "__HERD_"))
                return fail(p, l->line, l->included_at,
                            "VARIABLE: names starting with __OCFT__ or __HERD_ are reserved");
            if (!cfg->variables_line)
                cfg->variables_line = l->line;
            g_ptr_array_add(cfg->variables, g_strdup(l->text));
            break;
        case S_SETUP:
            append_code(&cfg->setup, &cfg->setup_line, l);
            break;
        case S_CLEANUP:
            append_code(&cfg->cleanup, &cfg->cleanup_line, l);
            break;
        case S_CASE:
            if (!parse_stmt(p, current, l, kw, rest))
                return false;
            break;
        }
    }
    return true;
}

/* Both passes over `text`; the caller owns the config, or gets NULL and
 * an error naming path:line. */
herd_ocft_config_t *herd_ocft_parse_string(const char *path, const char *text, gssize len,
                                           GError **err)
{
    parser_t p = {.path = path ? path : "(config)", .err = err};
    if (len < 0)
        len = (gssize)strlen(text);
    g_autoptr(GPtrArray) lines = first_pass(&p, text, (gsize)len);
    if (!lines)
        return NULL;
    g_autoptr(herd_ocft_config_t) cfg = g_new0(herd_ocft_config_t, 1);
    cfg->path = g_strdup(p.path);
    cfg->name = g_path_get_basename(p.path);
    cfg->packages = g_ptr_array_new_with_free_func(g_free);
    cfg->variables = g_ptr_array_new_with_free_func(g_free);
    cfg->cases = g_ptr_array_new_with_free_func(case_free);
    cfg->hang_timeout = HERD_OCFT_DEFAULT_HANG_TIMEOUT;
    if (!second_pass(&p, cfg, lines))
        return NULL;
    if (!cfg->agent)
        cfg->agent = g_strdup(cfg->name);
    if (!cfg->agent_root) {
        cfg->agent_root = g_build_filename(HERD_OCF_RA_INSTALL_DIR, "heartbeat", NULL);
    } else if (!g_path_is_absolute(cfg->agent_root)) {
        /* herd's addition: a relative AgentRoot is beside the config. */
        g_autofree char *dir = g_path_get_dirname(p.path);
        g_autofree char *joined = g_build_filename(dir, cfg->agent_root, NULL);
        g_free(cfg->agent_root);
        cfg->agent_root = g_canonicalize_filename(joined, NULL);
    }
    /* The provider is the directory under resource.d, if it is one. */
    g_autofree char *parent = g_path_get_dirname(cfg->agent_root);
    g_autofree char *pbase = g_path_get_basename(parent);
    if (strcmp(pbase, "resource.d") == 0)
        cfg->provider = g_path_get_basename(cfg->agent_root);
    return g_steal_pointer(&cfg);
}

/* Reads `path` whole and parses it; NOINPUT if it cannot be read. */
herd_ocft_config_t *herd_ocft_parse_file(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, &len, &local)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT, "%s: cannot read: %s", path,
                    local->message);
        return NULL;
    }
    return herd_ocft_parse_string(path, text, (gssize)len, err);
}

/* A path as given, or a name looked up in `dir`; caller frees. */
char *herd_ocft_resolve(const char *arg, const char *dir, GError **err)
{
    if (strchr(arg, '/') || g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
        if (!g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT, "%s: no such config file", arg);
            return NULL;
        }
        return g_strdup(arg);
    }
    const char *name = arg;
    const char *colon = strrchr(arg, ':'); /* ocf:heartbeat:IPaddr2 -> IPaddr2 */
    if (colon)
        name = colon + 1;
    if (!*name) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT, "'%s' names no agent", arg);
        return NULL;
    }
    if (!dir)
        dir = HERD_OCFT_CONFIG_DIR;
    char *path = g_build_filename(dir, name, NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(err, HERD_ERROR, HERD_EXIT_NOINPUT,
                    "no ocft config for '%s' (looked for %s; give a path, or -d DIR)", arg, path);
        g_free(path);
        return NULL;
    }
    return path;
}

/* ---- JSON --------------------------------------------------------------- */

char *ocft_printable(const char *text)
{
    if (!text)
        return NULL;
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const unsigned char *c = (const unsigned char *)valid; *c; c++) {
        if ((*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') || *c == 0x7f)
            g_string_append_printf(out, "\\x%02x", *c);
        else
            g_string_append_c(out, (char)*c);
    }
    return g_string_free(out, FALSE);
}

/* A printable string member, or null (see ocft_internal.h). */
void ocft_json_add_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value) {
        g_autofree char *clean = ocft_printable(value);
        json_builder_add_string_value(b, clean);
    } else {
        json_builder_add_null_value(b);
    }
}

/* An integer member. */
void ocft_json_add_int(JsonBuilder *b, const char *key, gint64 value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, value);
}

/* The parsed config as a JSON object owned by the caller. */
JsonNode *herd_ocft_config_to_json(const herd_ocft_config_t *cfg)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    ocft_json_add_str(b, "path", cfg->path);
    ocft_json_add_str(b, "agent", cfg->agent);
    ocft_json_add_str(b, "agent_root", cfg->agent_root);
    ocft_json_add_int(b, "hang_timeout", cfg->hang_timeout);
    json_builder_set_member_name(b, "packages");
    json_builder_begin_array(b);
    for (guint i = 0; i < cfg->packages->len; i++)
        json_builder_add_string_value(b, cfg->packages->pdata[i]);
    json_builder_end_array(b);
    ocft_json_add_int(b, "variables", cfg->variables->len);
    ocft_json_add_int(b, "setup_line", cfg->setup_line);
    ocft_json_add_int(b, "cleanup_line", cfg->cleanup_line);
    json_builder_set_member_name(b, "cases");
    json_builder_begin_array(b);
    for (guint i = 0; i < cfg->cases->len; i++) {
        const herd_ocft_case_t *c = cfg->cases->pdata[i];
        json_builder_begin_object(b);
        ocft_json_add_int(b, "index", i);
        ocft_json_add_str(b, "name", c->name);
        ocft_json_add_int(b, "line", c->line);
        json_builder_set_member_name(b, "statements");
        json_builder_begin_array(b);
        for (guint j = 0; j < c->stmts->len; j++) {
            const herd_ocft_stmt_t *s = c->stmts->pdata[j];
            json_builder_begin_object(b);
            ocft_json_add_str(b, "keyword", herd_ocft_kind_name(s->kind));
            ocft_json_add_int(b, "line", s->line);
            if (s->included_at)
                ocft_json_add_int(b, "included_at", s->included_at);
            if (s->host)
                ocft_json_add_str(b, "host", s->host);
            if (s->kind == HERD_OCFT_AGENT_RUN) {
                ocft_json_add_str(b, "action", s->action);
                if (s->expected >= 0) {
                    ocft_json_add_int(b, "expected", s->expected);
                    ocft_json_add_str(b, "expected_name", s->expected_name);
                }
            } else {
                ocft_json_add_str(b, "text", s->text);
            }
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}
