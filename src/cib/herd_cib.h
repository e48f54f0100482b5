/* herd_cib.h: the CIB (cluster information base) as a typed model.
 *
 * herd_cib_load_file() / herd_cib_load_memory() read a Pacemaker-format CIB
 * (<cib><configuration>...</configuration><status>...</status></cib>),
 * check it, and build a herd_cib_t: cluster options, nodes, the resource
 * tree, constraints, tickets, and the status section unpacked into per
 * resource, per node operation histories.
 *
 * Ownership: a herd_cib_t owns everything reachable from it (strings,
 * arrays, tables); free it with herd_cib_free() (g_autoptr(herd_cib_t)
 * works).  Arrays are GPtrArray in configuration order (the order in the
 * file), which is the order every consumer must iterate in; the GHashTable
 * indexes are for lookups only, never for iteration that reaches output.
 *
 * Errors: a GError in domain HERD_ERROR whose code is an exit status:
 * NOINPUT (file missing or unreadable), DATAERR (not XML, truncated,
 * unknown element, bad value, duplicate id), CONFIG (dangling reference,
 * rule that cannot be parsed).  The message starts with "FILE:LINE: ".
 */
#ifndef HERD_CIB_H
#define HERD_CIB_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <glib.h>

/* ---- scores --------------------------------------------------------- */

/* Scores are integers clamped to [-HERD_SCORE_INFINITY, HERD_SCORE_INFINITY]
 * as Pacemaker's: "INFINITY", "+INFINITY", "-INFINITY", "red" etc. */
#define HERD_SCORE_INFINITY 1000000

/* Parse a score ("100", "-INFINITY", "+inf").  Returns true and sets *out,
 * or false when `text` is not a score (NULL counts as 0). */
bool herd_score_parse(const char *text, int *out);

/* a + b with Pacemaker's rules: -INFINITY wins over +INFINITY, anything
 * beyond +-INFINITY is clamped. */
int herd_score_add(int a, int b);

/* Write a score as Pacemaker prints it ("INFINITY", "-INFINITY", "12")
 * into buf (at least 16 bytes); returns buf. */
const char *herd_score_str(int score, char *buf);

/* ---- rules ---------------------------------------------------------- */

typedef enum {
    HERD_RULE_AND,
    HERD_RULE_OR,
} herd_rule_bool_t;

typedef enum {
    HERD_EXPR_ATTR,      /* <expression attribute= operation= value=> */
    HERD_EXPR_DATE,      /* <date_expression> */
    HERD_EXPR_RULE,      /* nested <rule> */
    HERD_EXPR_RSC,       /* <rsc_expression> */
    HERD_EXPR_OP,        /* <op_expression> */
} herd_expr_kind_t;

typedef struct herd_rule herd_rule_t;

/* One condition inside a rule. */
typedef struct {
    herd_expr_kind_t kind;
    char *attribute;     /* ATTR: node attribute name ("#uname" etc.) */
    char *operation;     /* ATTR: lt gt lte gte eq ne defined not_defined;
                          * DATE: in_range gt lt date_spec */
    char *value;         /* ATTR: compared value (NULL for defined) */
    char *type;          /* ATTR: string, integer/number, version */
    char *value_source;  /* ATTR: literal, param, meta */
    char *start, *end;   /* DATE: ISO 8601 bounds (either may be NULL) */
    GHashTable *date_spec;   /* DATE: date_spec / duration fields */
    GHashTable *duration;
    char *rsc_class, *rsc_provider, *rsc_type; /* RSC */
    char *op_name; guint op_interval_ms;       /* OP */
    herd_rule_t *rule;   /* RULE */
} herd_expr_t;

/* A <rule>: a score (location rules) and a boolean of expressions. */
struct herd_rule {
    char *id;
    int score;               /* location rules: score, or score-attribute */
    char *score_attribute;   /* NULL unless score-attribute= */
    char *role;              /* role= restriction, or NULL */
    herd_rule_bool_t op;
    GPtrArray *exprs;        /* of herd_expr_t* */
    int line;
};

/* An attribute block (instance_attributes, meta_attributes,
 * utilization, cluster_property_set, ...) with its optional rule. */
typedef struct {
    char *id;
    int score;               /* precedence among blocks (higher first) */
    herd_rule_t *rule;       /* NULL: always applies */
    GPtrArray *names;        /* char* in file order */
    GHashTable *values;      /* name -> value (strings owned by the table) */
} herd_nvset_t;

/* ---- cluster options and nodes ------------------------------------- */

typedef struct {
    GPtrArray *sets;         /* herd_nvset_t*: crm_config property sets */
    GHashTable *values;      /* merged (first set in precedence wins) */
    /* Common options, already parsed with Pacemaker's defaults. */
    bool stonith_enabled;          /* default true */
    bool symmetric_cluster;        /* default true */
    bool maintenance_mode;
    bool stop_orphan_resources;    /* default true */
    bool stop_orphan_actions;      /* default true */
    bool start_failure_is_fatal;   /* default true */
    bool enable_startup_probes;    /* default true */
    bool stop_all_resources;
    bool concurrent_fencing;
    char *no_quorum_policy;        /* stop|freeze|ignore|demote|suicide */
    char *placement_strategy;      /* default|utilization|minimal|balanced */
    char *stonith_action;          /* reboot (default) | off | poweroff */
    char *node_health_strategy;    /* none (default) ... */
    int node_health_green, node_health_yellow, node_health_red;
    int shutdown_lock;             /* boolean */
    guint64 shutdown_lock_limit_ms;
    guint64 stonith_timeout_ms;
    int priority_fencing_delay_ms;
} herd_cib_options_t;

typedef enum {
    HERD_NODE_MEMBER,
    HERD_NODE_REMOTE,        /* pacemaker_remote via ocf:pacemaker:remote */
    HERD_NODE_GUEST,         /* remote-node= meta of a primitive */
    HERD_NODE_BUNDLE,        /* a bundle replica's node */
} herd_node_kind_t;

typedef struct herd_cib_node {
    char *id;                /* node id (uuid or number) */
    char *uname;             /* name used everywhere else */
    herd_node_kind_t kind;
    int index;               /* position in herd_cib_t.nodes */
    GHashTable *attrs;       /* permanent instance attributes merged with
                              * transient_attributes of the status */
    GPtrArray *attr_sets;    /* herd_nvset_t* (instance_attributes) */
    GHashTable *utilization; /* name -> value string */
    char *container_id;      /* GUEST: the resource hosting this node;
                              * REMOTE: the connection resource */
    /* State from node_state (and for remote nodes, from the connection). */
    bool has_state;          /* a node_state entry existed */
    bool in_ccm, crmd_online, join_member, expected_up;
    bool online;             /* usable for resources */
    bool unclean;            /* must be fenced before anything else */
    bool standby, maintenance, shutdown, pending;
    bool remote_fenced;      /* remote/guest node recorded as fenced */
    bool configured;         /* a <node> entry exists (not only node_state) */
    bool is_dc;              /* its id is the CIB's dc-uuid (#is_dc) */
    char *join, *expected, *crmd;  /* raw node_state values */
    int line;
} herd_cib_node_t;

/* ---- resources ------------------------------------------------------ */

typedef enum {
    HERD_RSC_PRIMITIVE,
    HERD_RSC_GROUP,
    HERD_RSC_CLONE,          /* also promotable (meta promotable=true or
                              * the legacy <master>) */
    HERD_RSC_BUNDLE,
} herd_rsc_kind_t;

typedef enum {
    HERD_ROLE_UNKNOWN = 0,
    HERD_ROLE_STOPPED,
    HERD_ROLE_STARTED,
    HERD_ROLE_UNPROMOTED,
    HERD_ROLE_PROMOTED,
} herd_role_t;

/* Parse a role name (Stopped, Started, Slave/Unpromoted, Master/Promoted);
 * HERD_ROLE_UNKNOWN for anything else. */
herd_role_t herd_role_parse(const char *text);
/* Pacemaker's name for a role ("Promoted"). Static string. */
const char *herd_role_name(herd_role_t role);

/* A configured <op>. */
typedef struct {
    char *id;
    char *name;              /* monitor, start, stop, promote, ... */
    guint64 interval_ms;
    guint64 timeout_ms;      /* 0 = not given */
    herd_role_t role;        /* role= (monitor per role) */
    char *on_fail;           /* NULL = default for the op */
    bool enabled;            /* enabled=false turns it off */
    GHashTable *meta;        /* other attributes and meta_attributes */
    GHashTable *params;      /* instance_attributes of the op */
} herd_cib_op_t;

typedef struct herd_cib_rsc herd_cib_rsc_t;

struct herd_cib_rsc {
    char *id;
    herd_rsc_kind_t kind;
    herd_cib_rsc_t *parent;  /* NULL at the top level */
    GPtrArray *children;     /* herd_cib_rsc_t*: group members, the clone's
                              * one template child, bundle's primitive */
    int index;               /* position in herd_cib_t.all_rscs */
    int line;
    /* Primitive agent. */
    char *klass, *provider, *type;   /* ocf, heartbeat, IPaddr2 */
    char *template_id;       /* template= the primitive expands */
    /* Attributes after defaults: meta merges rsc_defaults, the template and
     * the parents' meta (parents first), the resource's own last. */
    GHashTable *meta;        /* name -> value */
    GHashTable *params;      /* instance_attributes (unruled ones) */
    GPtrArray *param_sets;   /* herd_nvset_t* with rules */
    GHashTable *utilization;
    GPtrArray *ops;          /* herd_cib_op_t* */
    /* Derived, for convenience (from meta). */
    bool promotable;
    bool unique;             /* globally-unique */
    int clone_max, clone_node_max, promoted_max, promoted_node_max;
    bool interleave, ordered, notify;
    /* Bundle. */
    char *container_type;    /* docker, podman, rkt */
    char *image;
    int replicas, replicas_per_host;
    bool bundle_has_network_ip;   /* ip-range-start given */
    char *ip_range_start;
    int control_port;
    GHashTable *bundle_attrs;     /* raw container/network attributes */
    /* Bundle expansion (bundle.c), one entry per replica (NULL where a
     * replica has no IP or no connection); the resources are owned by
     * all_rscs, these arrays only point at them. */
    GPtrArray *bundle_ips, *bundle_containers, *bundle_conns;
    struct herd_cib_rsc *bundle_clone;  /* implicit NAME-clone holding the
                                         * child primitive, or NULL */
    struct herd_cib_rsc *bundle_of;     /* a bundle's implicit part or its
                                         * child: the bundle (else NULL) */
    int replica;                        /* implicit part: its replica */
    /* Remote and guest nodes (filled by the model, see remote.c). */
    char *remote_node;       /* connection resources: the node they create
                              * (ocf:pacemaker:remote, or the implicit
                              * connection of a guest); NULL otherwise */
    herd_cib_rsc_t *container;    /* implicit guest connection: the
                                   * resource hosting the guest node */
    char *guest_node;        /* a container (meta remote-node=): its guest */
    bool implicit;           /* made by the model, not in the file */
};

/* ---- constraints ---------------------------------------------------- */

/* One resource set of a constraint. */
typedef struct {
    char *id;
    GPtrArray *rsc_ids;      /* char* (tags already expanded) */
    bool sequential;         /* default true */
    bool require_all;        /* default true */
    char *action;            /* start, promote, ... or NULL */
    herd_role_t role;
    int score; bool has_score;
    char *ordering;          /* for rsc_ticket etc. */
} herd_rsc_set_t;

typedef struct {
    char *id;
    char *rsc;               /* single resource (or NULL with rsc_pattern
                              * or sets) */
    char *rsc_pattern;
    herd_role_t role;
    char *node;              /* node= (with score) */
    int score;
    bool has_score;
    GPtrArray *rules;        /* herd_rule_t* */
    GPtrArray *sets;         /* herd_rsc_set_t* */
    char *resource_discovery;    /* always|never|exclusive */
    int line;
} herd_location_t;

typedef struct {
    char *id;
    char *rsc, *with_rsc;    /* dependent, primary */
    herd_role_t rsc_role, with_role;
    char *node_attribute;    /* default #uname */
    int score;
    bool influence;          /* influence= (when influence_set) */
    bool influence_set;      /* influence= given as a valid boolean; else
                              * the dependent's critical meta decides */
    GPtrArray *sets;
    int line;
} herd_colocation_t;

typedef enum {
    HERD_ORDER_MANDATORY,
    HERD_ORDER_OPTIONAL,
    HERD_ORDER_SERIALIZE,
} herd_order_kind_t;

typedef struct {
    char *id;
    char *first, *then;
    char *first_action, *then_action;  /* default start */
    herd_order_kind_t kind;
    bool symmetrical;
    bool require_all;        /* require-all= (default true) */
    int score; bool has_score;  /* legacy score= (0 = optional) */
    GPtrArray *sets;
    int line;
} herd_order_t;

typedef struct {
    char *id;
    char *rsc;
    herd_role_t role;
    char *ticket;
    char *loss_policy;       /* stop (default) | demote | fence | freeze */
    GPtrArray *sets;
    int line;
} herd_ticket_constraint_t;

typedef struct {
    char *id;
    bool granted;
    bool standby;
    GHashTable *attrs;
} herd_ticket_t;

/* ---- status --------------------------------------------------------- */

/* One lrm_rsc_op entry. */
typedef struct {
    char *id;
    char *operation;         /* start, stop, monitor, migrate_to, ... */
    guint64 interval_ms;
    int call_id;
    int rc;                  /* OCF exit code */
    int op_status;           /* executor status (0 done, 1 pending,...) */
    int target_rc;           /* from transition-key, -1 if unknown */
    char *transition_key, *transition_magic;
    char *op_digest, *op_restart_digest, *op_secure_digest;
    char *op_secure_params;  /* " a b " names left out of the secure digest */
    char *op_force_restart;  /* " a b " names whose change needs a restart */
    char *exit_reason;
    char *migrate_source, *migrate_target;
    time_t last_rc_change;   /* 0 if unknown */
    time_t last_run;
    char *on_node;           /* on_node= when present */
    int line;
} herd_lrm_op_t;

/* Everything the status says about one resource on one node. */
typedef struct {
    char *rsc_id;            /* as recorded (may carry ":N" for clones) */
    char *node;              /* uname */
    char *klass, *provider, *type;
    char *container;
    time_t shutdown_lock;    /* lrm_resource shutdown-lock= (0: none): it
                              * was stopped by a clean shutdown, locked */
    GPtrArray *ops;          /* herd_lrm_op_t*, sorted by call id (pending
                              * ops with call_id -1 last) */
} herd_rsc_history_t;

/* ---- the whole CIB -------------------------------------------------- */

typedef struct {
    char *source;            /* file name for messages ("-" for stdin) */
    char *validate_with;
    bool have_quorum;
    bool no_quorum_panic;    /* <cib no-quorum-panic="1">: suicide even if never quorate */
    char *dc_uuid;
    char *execution_date;    /* cib's execution-date (the "now") or NULL */
    char *feature_set;       /* cib's crm_feature_set, or NULL */

    herd_cib_options_t options;
    GHashTable *rsc_defaults;    /* name -> value */
    GHashTable *op_defaults;

    GPtrArray *nodes;        /* herd_cib_node_t*, sorted by name in natural
                              * order ("n2" before "n10") as Pacemaker
                              * orders them; node->index is the position */
    GHashTable *node_by_name;    /* uname -> node */
    GHashTable *node_by_id;      /* id -> node */

    GPtrArray *resources;    /* top-level herd_cib_rsc_t*, file order */
    GPtrArray *all_rscs;     /* every resource (depth first) */
    GHashTable *rsc_by_id;
    GHashTable *templates;   /* id -> herd_cib_rsc_t* (not scheduled) */
    GHashTable *tags;        /* tag id -> GPtrArray of char* */

    GPtrArray *locations;    /* herd_location_t* */
    GPtrArray *colocations;  /* herd_colocation_t* */
    GPtrArray *orders;       /* herd_order_t* */
    GPtrArray *ticket_constraints;
    GPtrArray *tickets;      /* herd_ticket_t* (from the status) */
    GHashTable *ticket_by_id;

    GPtrArray *histories;    /* herd_rsc_history_t*, status order */
    GHashTable *ids;         /* every configuration id -> line (internal) */
} herd_cib_t;

/* Load a CIB from a file ("-" reads stdin).  Returns a new model (free it
 * with herd_cib_free) or NULL with *err set (see the header comment). */
herd_cib_t *herd_cib_load_file(const char *path, GError **err);

/* Same from a buffer; `name` is used in messages. */
herd_cib_t *herd_cib_load_memory(const char *buf, size_t len, const char *name,
                                 GError **err);

/* Free a model and everything it owns.  NULL is fine. */
void herd_cib_free(herd_cib_t *cib);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(herd_cib_t, herd_cib_free)

/* Look-ups; NULL when absent.  The result is owned by the model. */
herd_cib_node_t *herd_cib_node(const herd_cib_t *cib, const char *uname);
herd_cib_rsc_t *herd_cib_rsc(const herd_cib_t *cib, const char *id);

/* A resource's meta attribute (already merged with defaults), or NULL. */
const char *herd_cib_rsc_meta(const herd_cib_rsc_t *rsc, const char *name);

/* Evaluate a rule for a node (its attributes) at time `now`, optionally
 * for resource `rsc` (rsc_expression / value-source=param|meta). */
bool herd_rule_eval(const herd_rule_t *rule, const herd_cib_node_t *node,
                    const herd_cib_rsc_t *rsc, time_t now);

/* Parse an ISO 8601 date/time ("2019-03-04 12:00:00Z", "2019-063") into
 * seconds since the epoch (UTC).  False when it cannot be parsed. */
bool herd_cib_parse_datetime(const char *text, time_t *out);

/* Parse an interval ("10s", "2min", "PT5M", "1000") into milliseconds.
 * False when it cannot be parsed. */
bool herd_cib_parse_interval(const char *text, guint64 *out_ms);

/* Compare names in natural order, as Pacemaker sorts node names: digit
 * runs by value ("node2" before "node10"), letters without case.  Returns
 * <0, 0 or >0 as strcmp does. */
int herd_cib_name_cmp(const char *a, const char *b);

/* Parse Pacemaker booleans (true/yes/on/1/y, false/no/off/0/n). */
bool herd_cib_parse_bool(const char *text, bool dflt);

/* ---- schema (schema.c) --------------------------------------------- */

struct _xmlDoc;

/* Validate a parsed CIB against herd's own RelaxNG schema (data/cib.rng,
 * built into the binary; compiled once per process).  A document whose
 * validate-with is "none" is not validated (Pacemaker's rule).  Returns
 * true, or false with `err` (HERD_ERROR, DATAERR) "NAME:LINE: the CIB does
 * not match the schema: what libxml2 expected". */
bool herd_cib_schema_validate(struct _xmlDoc *doc, const char *name, GError **err);

/* The same check with the signature of herd_store_validator_fn, for the
 * daemon's write gate: 0, or HERD_EXIT_CONFIG with `err` set (code CONFIG). */
int herd_cib_schema_validator(struct _xmlDoc *doc, GError **err);

#endif
