# Resource agents through herd's executor: list, describe, run, test.
HERD_RSC_TMP_DIR=$(mktemp -d)
export HERD_RSC_TMP_DIR
step "$HERD" agent list ocf:pacemaker
step "$HERD" agent info ocf:heartbeat:Dummy
step "$HERD" agent run ocf:heartbeat:Dummy start -r demo
step "$HERD" agent run ocf:heartbeat:Dummy monitor -r demo --interval 10s
step "$HERD" agent run ocf:heartbeat:Dummy stop -r demo
step "$HERD" agent test ocf:heartbeat:Dummy
HERD_OCF_ROOT=tests/agents/ocf step "$HERD" agent run ocf:herdtest:hang start --timeout 1s
HERD_OCF_ROOT=tests/agents/ocf step "$HERD" agent test ocf:herdtest:quirky -o break=stop-idempotent
rm -rf "$HERD_RSC_TMP_DIR"
unset HERD_RSC_TMP_DIR
