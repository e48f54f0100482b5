# The scheduler with no daemon: a two-node CIB whose web server failed its
# monitor on alpha (fail count 3, migration-threshold 3), so it must move.
SIMDIR=$(mktemp -d)
cat > "$SIMDIR/cib.xml" <<'CIB'
<cib epoch="4" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="alpha"/><node id="2" uname="beta"/></nodes>
    <resources>
      <primitive id="ip" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="web" class="ocf" provider="heartbeat" type="Dummy">
        <meta_attributes id="web-meta">
          <nvpair id="web-threshold" name="migration-threshold" value="3"/>
        </meta_attributes>
        <operations><op id="web-mon" name="monitor" interval="10s"/></operations>
      </primitive>
    </resources>
    <constraints>
      <rsc_colocation id="web-with-ip" rsc="web" with-rsc="ip" score="INFINITY"/>
      <rsc_order id="ip-then-web" first="ip" then="web"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="alpha" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1">
        <nvpair id="status-1-fc" name="fail-count-web" value="3"/>
      </instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources>
        <lrm_resource id="ip" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="ip_last_0" operation_key="ip_start_0" operation="start" transition-key="1:1:0:demo" transition-magic="0:0;1:1:0:demo" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
        </lrm_resource>
        <lrm_resource id="web" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="web_last_0" operation_key="web_start_0" operation="start" transition-key="2:1:0:demo" transition-magic="0:0;2:1:0:demo" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
          <lrm_rsc_op id="web_last_failure_0" operation_key="web_monitor_10000" operation="monitor" transition-key="3:1:0:demo" transition-magic="0:7;3:1:0:demo" call-id="4" rc-code="7" op-status="0" interval="10000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="beta" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
CIB
step "$HERD" simulate -x "$SIMDIR/cib.xml" -S
step "$HERD" simulate -x "$SIMDIR/cib.xml" -R -d beta
rm -rf "$SIMDIR"
unset SIMDIR
