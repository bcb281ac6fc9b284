package dev.lustrecsi.node.lnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.node.rdma.EthernetInterface;
import dev.lustrecsi.node.rdma.NodeNetworks;
import dev.lustrecsi.node.rdma.RdmaPort;
import dev.lustrecsi.node.rdma.SysfsNetworkScanner;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.node.topology.NodeNetworking;
import dev.lustrecsi.node.topology.SourceChooser;
import dev.lustrecsi.node.topology.StageContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LnetManagerTest {
  static final NodeNetworks TCP_ONLY = new NodeNetworks(List.of(), List.of(new EthernetInterface("eth0", "10.1.0.5")));
  static final NodeNetworks IB = new NodeNetworks(
      List.of(new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.ACTIVE, Optional.of("ib0"), Optional.of("10.2.0.5"))),
      List.of(new EthernetInterface("eth0", "10.1.0.5")));
  /** IB with its second rail usable too: ib1 on the same subnet, as Multi-Rail rails are. */
  static final NodeNetworks TWO_RAILS = new NodeNetworks(
      List.of(new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.ACTIVE, Optional.of("ib0"), Optional.of("10.2.0.5")),
          new RdmaPort("mlx5_1", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.ACTIVE, Optional.of("ib1"), Optional.of("10.2.0.6"))),
      List.of(new EthernetInterface("eth0", "10.1.0.5"), new EthernetInterface("eth1", "10.1.1.5")));
  /** TWO_RAILS with the second rail's port down for good: its cable pulled, or its switch port dead. */
  static final NodeNetworks SECOND_RAIL_PORT_DOWN = new NodeNetworks(
      List.of(TWO_RAILS.rdmaPorts().get(0),
          new RdmaPort("mlx5_1", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.DOWN, Optional.of("ib1"), Optional.of("10.2.0.6"))),
      TWO_RAILS.ethernet());
  /** TWO_RAILS with the first rail's port down. */
  static final NodeNetworks FIRST_RAIL_PORT_DOWN = new NodeNetworks(
      List.of(new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.DOWN, Optional.of("ib0"), Optional.of("10.2.0.5")),
          TWO_RAILS.rdmaPorts().get(1)),
      TWO_RAILS.ethernet());
  final FakeLnetctl lnetctl = new FakeLnetctl();

  @BeforeEach
  void addresses() {
    lnetctl.addresses.put("eth0", "10.1.0.5");
    lnetctl.addresses.put("ib0", "10.2.0.5");
    lnetctl.addresses.put("ib1", "10.2.0.6");
    lnetctl.addresses.put("eth1", "10.1.1.5");
  }

  @Test
  void managedLnetGetsO2ibOnRdmaAndTcpOnEthernetThenPingsItself() {
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(IB);
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(status.hasO2ib()).isTrue();
    assertThat(lnetctl.commands).containsExactly(
        List.of("lnetctl", "net", "show"),
        List.of("modprobe", "lnet"),
        List.of("lnetctl", "lnet", "configure"),
        List.of("lnetctl", "net", "show"),
        List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib0"),
        List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0"),
        List.of("modprobe", "lustre"),
        List.of("lnetctl", "net", "show"),
        List.of("lnetctl", "ping", "10.2.0.5@o2ib"),
        List.of("lnetctl", "ping", "10.1.0.5@tcp"));
  }

  @Test
  void managedLnetLoadsTheLustreClientModuleOnceItsNetworksAreInPlace() {
    assertThat(new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TCP_ONLY).ready()).isTrue();
    assertThat(lnetctl.commands).contains(List.of("modprobe", "lustre"));
    assertThat(lnetctl.commands.indexOf(List.of("modprobe", "lustre")))
        .as("after tcp0 is added: the module would otherwise let LNet pick its own default network")
        .isGreaterThan(lnetctl.commands.indexOf(List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0")));
  }

  @Test
  void aLustreModuleThatWillNotLoadLeavesLnetReady() {
    lnetctl.lustreModuleMissing = true;
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TCP_ONLY);
    assertThat(status.ready()).as("the client check, not LNet's, reports the missing module").isTrue();
    assertThat(lnetctl.commands).contains(List.of("modprobe", "lustre"));
  }

  @Test
  void managedLnetGetsTcpOnTheStorageVlanTheScannerFinds() throws Exception {
    lnetctl.addresses.put("eth0.100", "10.1.0.5");
    Path vlan = Path.of(LnetManagerTest.class.getResource("/sysfs/vlan").toURI());
    NodeNetworks networks = new SysfsNetworkScanner(vlan.resolve("sys"), vlan.resolve("proc")).scan();
    assertThat(new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(networks).ready()).isTrue();
    assertThat(lnetctl.commands).contains(List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0.100"));
  }

  @Test
  void aNamedInterfaceThatCannotCarryTcpIsWhyLnetHasNoNetwork() throws Exception {
    Path mixed = Path.of(LnetManagerTest.class.getResource("/sysfs/mixed").toURI());
    NodeNetworks networks = new SysfsNetworkScanner(mixed.resolve("sys"), mixed.resolve("proc"), Optional.of("eth2")).scan();
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(networks);
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("interface eth2 is not up (operstate down)");
    assertThat(lnetctl.commands).noneMatch(c -> c.contains("add"));
  }

  @Test
  void o2ibThatCannotBeAddedStillLeavesTheNodeTcp() {
    lnetctl.o2ibAddFails = true;
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(IB);
    assertThat(lnetctl.commands).contains(List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0"), List.of("modprobe", "lustre"));
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.1.0.5@tcp");
    assertThat(status.hasO2ib()).isFalse();
    assertThat(status.o2ibProblem()).contains("o2ib0").contains("cannot add network");
  }

  @Test
  void autoMountsOverTcpAndO2ibIsRefusedSayingWhyWhenO2ibCannotBeAdded() {
    lnetctl.o2ibAddFails = true;
    NodeNetworking networking = new NodeNetworking(() -> IB, Optional.of(new LnetManager(lnetctl, LnetMode.MANAGE)), Duration.ofMinutes(1));
    networking.checkNow();
    SourceChooser chooser = new SourceChooser(networking);
    Map<String, String> context = Map.of(VolumeContext.MGS_NIDS, "10.1.0.10@tcp", VolumeContext.MGS_NIDS_O2IB, "10.2.0.10@o2ib");
    assertThat(chooser.choose("fs1/a", StageContext.parse(context, "fs1")).mountSource()).isEqualTo("10.1.0.10@tcp:/fs1");
    Map<String, String> o2ib = new HashMap<>(context);
    o2ib.put(VolumeContext.LNET, "o2ib");
    assertThatThrownBy(() -> chooser.choose("fs1/b", StageContext.parse(o2ib, "fs1")))
        .hasMessageContaining("LNet has no o2ib network").hasMessageContaining("cannot add network");
  }

  @Test
  void anO2ibNiThatIsDownIsNoO2ibAndAutoMountsOverTcp() {
    lnetctl.configuredNet("o2ib0", "10.2.0.5@o2ib", "ib0");
    lnetctl.configuredNet("tcp0", "10.1.0.5@tcp", "eth0");
    lnetctl.down.add("o2ib0");
    NodeNetworking networking = new NodeNetworking(() -> IB, Optional.of(new LnetManager(lnetctl, LnetMode.EXTERNAL)), Duration.ofMinutes(1));
    LnetStatus status = networking.checkNow();
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("10.2.0.5@o2ib is down");
    assertThat(status.hasO2ib()).isFalse();
    Map<String, String> context = Map.of(VolumeContext.MGS_NIDS, "10.1.0.10@tcp", VolumeContext.MGS_NIDS_O2IB, "10.2.0.10@o2ib");
    assertThat(new SourceChooser(networking).choose("fs1/a", StageContext.parse(context, "fs1")).mountSource()).isEqualTo("10.1.0.10@tcp:/fs1");
  }

  /** o2ib0 on both rails and tcp0, as /etc/lnet.conf would have them on a Multi-Rail node. */
  void twoRailsConfigured() {
    lnetctl.configuredNet("o2ib0", "10.2.0.5@o2ib", "ib0");
    lnetctl.configuredNet("o2ib0", "10.2.0.6@o2ib", "ib1");
    lnetctl.configuredNet("tcp0", "10.1.0.5@tcp", "eth0");
  }

  @Test
  void aMultiRailNetWhoseOneRailIsDownStaysReadyOnTheOtherAndNamesTheDeadOne() {
    twoRailsConfigured();
    lnetctl.downInterfaces.add("ib1");
    LnetStatus status = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(TWO_RAILS);
    assertThat(status.ready()).as("LNet's health checks keep o2ib0's traffic on ib0: " + status.reason()).isTrue();
    assertThat(status.hasO2ib()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(status.deadNis()).extracting(ni -> ni.nid().toString()).containsExactly("10.2.0.6@o2ib");
    assertThat(status.deadNis().getFirst().why()).isEqualTo("10.2.0.6@o2ib is down");
    assertThat(lnetctl.commands).as("a dead rail is not pinged").doesNotContain(List.of("lnetctl", "ping", "10.2.0.6@o2ib"));
  }

  @Test
  void aRailWhosePortIsDownIsDeadEvenBeforeLnetMarksItsNiDown() {
    twoRailsConfigured();
    LnetStatus status = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(SECOND_RAIL_PORT_DOWN);
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(status.deadNis()).extracting(ni -> ni.nid().toString()).containsExactly("10.2.0.6@o2ib");
    assertThat(status.deadNis().getFirst().why()).isEqualTo("10.2.0.6@o2ib runs on ib1, whose RDMA port mlx5_1 port 1 is not ACTIVE");
  }

  @Test
  void aMultiRailNetWhoseEveryRailIsDeadIsNotReadyAndNamesEach() {
    twoRailsConfigured();
    lnetctl.down.add("o2ib0");
    LnetStatus status = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(TWO_RAILS);
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("10.2.0.5@o2ib is down").contains("10.2.0.6@o2ib is down");
    assertThat(status.hasO2ib()).isFalse();

    // One rail's NI down in LNet, the other's port down in sysfs: no rail left either.
    lnetctl.down.clear();
    lnetctl.downInterfaces.add("ib1");
    LnetStatus mixed = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(FIRST_RAIL_PORT_DOWN);
    assertThat(mixed.ready()).isFalse();
    assertThat(mixed.reason()).contains("10.2.0.5@o2ib runs on ib0, whose RDMA port mlx5_0 port 1 is not ACTIVE").contains("10.2.0.6@o2ib is down");
    assertThat(mixed.nids()).extracting(Nid::toString).containsExactly("10.1.0.5@tcp");
  }

  @Test
  void aRoundOnLnetThatIsUpReadsItOnceAndNeitherLoadsNorConfiguresIt() {
    LnetManager manager = new LnetManager(lnetctl, LnetMode.MANAGE);
    manager.bringUp(IB);
    lnetctl.commands.clear();
    assertThat(manager.bringUp(IB).ready()).isTrue();
    assertThat(lnetctl.commands).containsExactly(
        List.of("lnetctl", "net", "show"),
        List.of("modprobe", "lustre"),
        List.of("lnetctl", "ping", "10.2.0.5@o2ib"),
        List.of("lnetctl", "ping", "10.1.0.5@tcp"));
  }

  @Test
  void lnetThatIsUpWithoutThePluginsNetworksIsNotConfiguredAgainButGetsThem() {
    lnetctl.configured = true; // lnet.service ran lnetctl lnet configure, with no /etc/lnet.conf
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TCP_ONLY);
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(lnetctl.commands).doesNotContain(List.of("modprobe", "lnet"), List.of("lnetctl", "lnet", "configure"));
    assertThat(lnetctl.commands).containsSubsequence(List.of("lnetctl", "net", "show"), List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0"),
        List.of("lnetctl", "net", "show"));
  }

  @Test
  void runningAgainAddsNothing() {
    LnetManager manager = new LnetManager(lnetctl, LnetMode.MANAGE);
    manager.bringUp(IB);
    lnetctl.commands.clear();
    assertThat(manager.bringUp(IB).ready()).isTrue();
    assertThat(lnetctl.commands).noneMatch(c -> c.contains("add"));
  }

  @Test
  void aRailThatBecomesUsableLaterJoinsTheO2ibThePluginAdded() {
    LnetManager manager = new LnetManager(lnetctl, LnetMode.MANAGE);
    assertThat(manager.bringUp(IB).nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");

    lnetctl.commands.clear();
    LnetStatus status = manager.bringUp(TWO_RAILS);
    assertThat(lnetctl.commands).containsOnlyOnce(List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib1"));
    assertThat(lnetctl.commands).as("tcp0 keeps its one interface").noneMatch(c -> c.contains("tcp0"));
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.2.0.6@o2ib", "10.1.0.5@tcp");

    lnetctl.commands.clear();
    assertThat(manager.bringUp(TWO_RAILS).ready()).isTrue();
    assertThat(lnetctl.commands).as("both rails are on o2ib0 now").noneMatch(c -> c.contains("add"));
  }

  @Test
  void anO2ibTheAdminConfiguredNeverGainsARail() {
    lnetctl.configuredNet("o2ib0", "10.2.0.5@o2ib", "ib0");
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TWO_RAILS);
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(lnetctl.commands).noneMatch(c -> c.contains("o2ib0"));
  }

  @Test
  void aRailThatCannotJoinLeavesO2ibOnTheOthers() {
    LnetManager manager = new LnetManager(lnetctl, LnetMode.MANAGE);
    manager.bringUp(IB);
    lnetctl.refusedInterfaces.add("ib1");
    LnetStatus status = manager.bringUp(TWO_RAILS);
    assertThat(lnetctl.commands).contains(List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib1"));
    assertThat(status.ready()).as(status.reason()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(status.o2ibProblem()).as("the node still mounts over o2ib").isEmpty();

    lnetctl.refusedInterfaces.clear();
    assertThat(manager.bringUp(TWO_RAILS).nids()).as("tried again each round").extracting(Nid::toString).contains("10.2.0.6@o2ib");
  }

  @Test
  void anExistingNetworkIsLeftAsTheAdminMadeIt() {
    lnetctl.configuredNet("tcp0", "10.9.9.9@tcp", "bond0");
    lnetctl.addresses.put("bond0", "10.9.9.9");
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TCP_ONLY);
    assertThat(status.ready()).isTrue();
    assertThat(status.nids()).extracting(Nid::toString).containsExactly("10.9.9.9@tcp");
    assertThat(lnetctl.commands).noneMatch(c -> c.contains("add"));
  }

  @Test
  void externalLnetIsOnlyReadAndPinged() {
    lnetctl.configuredNet("tcp0", "10.1.0.5@tcp", "eth0");
    LnetStatus status = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(IB);
    assertThat(status.ready()).isTrue();
    assertThat(status.hasO2ib()).as("external: o2ib is not added even though the node has RDMA").isFalse();
    assertThat(lnetctl.commands).containsExactly(List.of("lnetctl", "net", "show"), List.of("lnetctl", "ping", "10.1.0.5@tcp"));
  }

  @Test
  void externalLnetThatIsDownIsNotReadyAndSaysWhy() {
    LnetStatus status = new LnetManager(lnetctl, LnetMode.EXTERNAL).bringUp(TCP_ONLY);
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("lnetctl net show exited 1").contains("Network is down");
    assertThat(lnetctl.commands).noneMatch(c -> c.contains("configure") || c.contains("modprobe"));
  }

  @Test
  void aFailingPingIsNotReady() {
    lnetctl.pingsFail = true;
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(TCP_ONLY);
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("lnetctl ping 10.1.0.5@tcp failed").contains("Input/output error");
  }

  @Test
  void aNodeWithNothingToRunLnetOnSaysSo() {
    LnetStatus status = new LnetManager(lnetctl, LnetMode.MANAGE).bringUp(new NodeNetworks(List.of(), List.of()));
    assertThat(status.ready()).isFalse();
    assertThat(status.reason()).contains("no usable RDMA port and no Ethernet interface");
  }
}
