# converge: herdd keeps a node converged with real agents: Dummy
# primitives, a group, a clone and a promotable Stateful; a monitor
# failure is injected (a Dummy's state file deleted) and recovered.
# (Sourced by scripts/demo.sh: $HERD is the herd binary, step() runs a command.)
CV_HERDD="$(dirname "$HERD")/herdd"
CV_TMP=$(mktemp -d /tmp/herd-converge-XXXXXX)
export HERD_SOCKET="$CV_TMP/herdd.sock"
printf '\n$ herdd --state-dir %s/state --socket %s --node-name demo1 &\n' "$CV_TMP" "$HERD_SOCKET"
"$CV_HERDD" --state-dir "$CV_TMP/state" --socket "$HERD_SOCKET" --node-name demo1 \
  --rsc-tmp-dir "$CV_TMP/rsctmp" --log-file "$CV_TMP/herdd.log" &
CV_PID=$!
i=0
while [ ! -S "$HERD_SOCKET" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
cv_dummy() {  # id
  printf '<primitive id="%s" class="ocf" provider="heartbeat" type="Dummy">' "$1"
  printf '<instance_attributes id="%s-ia"><nvpair id="%s-state" name="state" value="%s/%s.state"/></instance_attributes>' "$1" "$1" "$CV_TMP" "$1"
  printf '<operations><op id="%s-mon" name="monitor" interval="2s" timeout="10s"/></operations></primitive>' "$1"
}
{
  printf '<cib epoch="1"><configuration><crm_config><cluster_property_set id="opts">'
  printf '<nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>'
  printf '<nodes/><resources>'
  cv_dummy web; cv_dummy db
  printf '<group id="app">'; cv_dummy app-ip; cv_dummy app-srv; printf '</group>'
  printf '<clone id="ping-clone">'; cv_dummy ping; printf '</clone>'
  printf '<clone id="st-clone"><meta_attributes id="stc-m"><nvpair id="stc-p" name="promotable" value="true"/></meta_attributes>'
  printf '<primitive id="st" class="ocf" provider="pacemaker" type="Stateful"><operations>'
  printf '<op id="st-m1" name="monitor" interval="2s" role="Promoted" timeout="10s"/>'
  printf '<op id="st-m2" name="monitor" interval="3s" role="Unpromoted" timeout="10s"/>'
  printf '</operations></primitive></clone>'
  printf '</resources><constraints/></configuration></cib>\n'
} > "$CV_TMP/demo.xml"
step "$HERD" cib replace "$CV_TMP/demo.xml"
step "$HERD" status
cv_wait() {  # until `herd simulate -L` plans nothing (at most ~10 s)
  i=0
  while [ $i -lt 100 ]; do
    "$HERD" simulate -L 2>/dev/null | sed -n '/^Transition Summary/,$p' | grep -q '^  \* ' || break
    sleep 0.1; i=$((i + 1))
  done
}
sleep 1; cv_wait; sleep 1
step "$HERD" status
printf '\n$ rm %s/web.state    # web fails its next monitor\n' "$CV_TMP"
rm -f "$CV_TMP/web.state"
sleep 2.5
step "$HERD" status
cv_wait; sleep 0.5
step "$HERD" resource failcount show web
step "$HERD" resource cleanup web
cv_wait; sleep 0.5
step "$HERD" status
printf '\n(herdd log: decisions and results)\n'
grep -E "decision|initiating|result of .* (web|st)" "$CV_TMP/herdd.log" | tail -n 25
printf '\n$ kill -TERM %s   # stops every resource, then exits\n' "$CV_PID"
kill -TERM "$CV_PID"; wait "$CV_PID"
ls "$CV_TMP"/*.state 2>/dev/null || echo "(no resource left running)"
rm -rf "$CV_TMP"
unset HERD_SOCKET CV_PID CV_TMP CV_HERDD
