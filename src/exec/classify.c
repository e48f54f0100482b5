/* classify.c: what a result means, as the OCF developer's guide and
 * Pacemaker's agent chapter say: expected against actual rc, probes,
 * degraded codes, soft / hard / fatal recovery. */
#include <string.h>

#include "internal.h"

const char *herd_ocf_rc_name(int rc)
{
    switch (rc) {
    case 0: return "OCF_SUCCESS";
    case 1: return "OCF_ERR_GENERIC";
    case 2: return "OCF_ERR_ARGS";
    case 3: return "OCF_ERR_UNIMPLEMENTED";
    case 4: return "OCF_ERR_PERM";
    case 5: return "OCF_ERR_INSTALLED";
    case 6: return "OCF_ERR_CONFIGURED";
    case 7: return "OCF_NOT_RUNNING";
    case 8: return "OCF_RUNNING_PROMOTED";
    case 9: return "OCF_FAILED_PROMOTED";
    case 190: return "OCF_DEGRADED";
    case 191: return "OCF_DEGRADED_PROMOTED";
    }
    return "OCF_UNKNOWN";
}

const char *herd_op_status_name(herd_op_status_t s)
{
    switch (s) {
    case HERD_OP_PENDING: return "Pending";
    case HERD_OP_DONE: return "Done";
    case HERD_OP_CANCELLED: return "Cancelled";
    case HERD_OP_TIMEOUT: return "Timed out";
    case HERD_OP_NOT_SUPPORTED: return "Not supported";
    case HERD_OP_ERROR: return "Error";
    case HERD_OP_ERROR_HARD: return "Hard error";
    case HERD_OP_ERROR_FATAL: return "Fatal error";
    case HERD_OP_NOT_INSTALLED: return "Not installed";
    case HERD_OP_INVALID: return "Invalid";
    }
    return "Unknown";
}

const char *herd_failure_name(herd_failure_t f)
{
    static const char *names[] = {"none", "soft", "hard", "fatal"};
    return f <= HERD_FAIL_FATAL ? names[f] : "unknown";
}

int herd_exec_default_expected_rc(const char *action, guint interval_ms)
{
    return HERD_OCF_OK;
}

/* Recovery for an unexpected rc.  The Pacemaker chapter's table says
 * soft for 0, 8, 9 and custom codes, hard for 2..5, fatal for 6.  For 1
 * (OCF_ERR_GENERIC) the seeds disagree: the chapter's table says hard,
 * the OCF developer's guide says soft ("recover ... in-place"), which is
 * also how Pacemaker behaves; herd follows the guide. */
static herd_failure_t rc_failure(int rc)
{
    switch (rc) {
    case HERD_OCF_ERR_ARGS:
    case HERD_OCF_ERR_UNIMPLEMENTED:
    case HERD_OCF_ERR_PERM:
    case HERD_OCF_ERR_INSTALLED:
        return HERD_FAIL_HARD;
    case HERD_OCF_ERR_CONFIGURED:
        return HERD_FAIL_FATAL;
    default:
        return HERD_FAIL_SOFT;
    }
}

herd_verdict_t herd_exec_classify(const char *action, guint interval_ms, int expected_rc,
                                  herd_op_status_t status, int rc)
{
    herd_verdict_t v = {0};
    bool monitor = action_is_monitor(action);
    bool explicit_expect = expected_rc >= 0;
    v.expected_rc = explicit_expect ? expected_rc : herd_exec_default_expected_rc(action, interval_ms);
    v.probe = monitor && interval_ms == 0;
    v.note = "";

    switch (status) {
    case HERD_OP_DONE:
        break;
    case HERD_OP_CANCELLED:
        v.note = "cancelled: no result";
        return v;
    case HERD_OP_TIMEOUT:
        v.failure = HERD_FAIL_SOFT;
        v.note = "timed out: killed by herd";
        return v;
    case HERD_OP_NOT_INSTALLED:
        v.failure = HERD_FAIL_HARD;
        v.note = "agent not installed on this node";
        return v;
    case HERD_OP_ERROR_FATAL:
    case HERD_OP_INVALID:
        v.failure = HERD_FAIL_FATAL;
        v.note = "invalid request";
        return v;
    case HERD_OP_PENDING:
        v.note = "pending";
        return v;
    default:
        v.failure = HERD_FAIL_HARD;
        v.note = "agent could not be run";
        return v;
    }

    int eff = rc;
    if (rc == HERD_OCF_DEGRADED || rc == HERD_OCF_DEGRADED_PROMOTED) {
        v.degraded = true;
        eff = rc == HERD_OCF_DEGRADED ? HERD_OCF_OK : HERD_OCF_RUNNING_PROMOTED;
    }
    v.active = eff == HERD_OCF_OK || eff == HERD_OCF_RUNNING_PROMOTED ||
               eff == HERD_OCF_FAILED_PROMOTED;
    v.promoted = eff == HERD_OCF_RUNNING_PROMOTED || eff == HERD_OCF_FAILED_PROMOTED;
    if (!monitor)
        v.active = v.promoted = false;
    v.ok = eff == v.expected_rc;

    if (v.ok) {
        v.note = v.degraded ? "success, but the resource is degraded" : "expected result";
        return v;
    }
    if (v.probe && (eff == HERD_OCF_OK || eff == HERD_OCF_NOT_RUNNING ||
                    eff == HERD_OCF_RUNNING_PROMOTED)) {
        /* A probe reports state; finding it active or stopped is no failure. */
        if (!explicit_expect)
            v.ok = true;
        v.note = eff == HERD_OCF_NOT_RUNNING ? "probe: not running" : "probe: found active";
        return v;
    }
    if (monitor && interval_ms > 0 && rc == HERD_OCF_ERR_UNIMPLEMENTED) {
        v.note = "recurring monitor not implemented: no recovery";
        return v;
    }
    if (strcmp(action, "notify") == 0) {
        v.note = "notify failed: logged and ignored";
        return v;
    }
    v.failure = rc_failure(eff);
    if (monitor && eff == HERD_OCF_NOT_RUNNING)
        v.note = "resource found stopped";
    else if (eff == HERD_OCF_ERR_CONFIGURED)
        v.note = "misconfigured: fatal on every node";
    else if (v.failure == HERD_FAIL_HARD)
        v.note = "failed: not recoverable on this node";
    else
        v.note = "failed: recoverable in place";
    return v;
}
