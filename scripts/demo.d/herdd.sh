# herdd: the daemon with its durable CIB, driven over its socket.
# (Sourced by scripts/demo.sh: $HERD is the herd binary, step() runs a command.)
HERDD_BIN="$(dirname "$HERD")/herdd"
HERDD_TMP=$(mktemp -d /tmp/herd-demo-XXXXXX)
export HERD_SOCKET="$HERDD_TMP/herdd.sock"
printf '\n$ herdd --state-dir %s/state --socket %s &\n' "$HERDD_TMP" "$HERD_SOCKET"
"$HERDD_BIN" --state-dir "$HERDD_TMP/state" --socket "$HERD_SOCKET" 2>"$HERDD_TMP/herdd.log" &
HERDD_PID=$!
i=0
while [ ! -S "$HERD_SOCKET" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
cat > "$HERDD_TMP/new.xml" <<'XML'
<cib epoch="5">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
  </configuration>
</cib>
XML
step "$HERD" cib replace "$HERDD_TMP/new.xml"
step "$HERD" cib query --section resources
printf '%s\n' '<cib><configuration><resources>' > "$HERDD_TMP/bad.xml"
step "$HERD" cib replace "$HERDD_TMP/bad.xml"
step "$HERD" attribute set site east
step env OCF_RESOURCE_INSTANCE=web "$(dirname "$HERD")/crm_attribute" --promotion -v 10
step "$(dirname "$HERD")/crm_node" -l
step "$HERD" cib query --xpath '//nvpair'
kill -TERM "$HERDD_PID"; wait "$HERDD_PID"
printf '\n(herdd log)\n'; cat "$HERDD_TMP/herdd.log"
rm -rf "$HERDD_TMP"
unset HERD_SOCKET HERDD_PID HERDD_TMP HERDD_BIN
