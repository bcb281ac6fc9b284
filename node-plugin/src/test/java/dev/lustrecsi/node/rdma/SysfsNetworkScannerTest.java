package dev.lustrecsi.node.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scans the fixture trees under test resources sysfs/NAME/{sys,proc}. */
class SysfsNetworkScannerTest {
  static Path tree(String name) {
    return SysfsTrees.tree(name);
  }

  static NodeNetworks scan(String name) {
    return new SysfsNetworkScanner(tree(name).resolve("sys"), tree(name).resolve("proc")).scan();
  }

  @Test
  void aNodeWithoutRdmaOffersTcpOnItsPhysicalInterfaceThatIsUp() {
    NodeNetworks networks = scan("no-rdma");
    assertThat(networks.rdmaPorts()).isEmpty();
    assertThat(networks.hasRdma()).isFalse();
    // veth12ab has no device (virtual), eth1 is down, lo is loopback.
    assertThat(networks.ethernet()).containsExactly(new EthernetInterface("eth0", "10.1.0.5"));
    assertThat(networks.tcpInterfaces()).containsExactly("eth0");
    assertThat(networks.o2ibInterfaces()).isEmpty();
  }

  @Test
  void anActiveInfiniBandPortIsUsableThroughItsIpoibInterface() {
    NodeNetworks networks = scan("ib-active");
    assertThat(networks.rdmaPorts()).containsExactly(
        new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.ACTIVE, Optional.of("ib0"), Optional.of("10.2.0.5")));
    assertThat(networks.hasRdma()).isTrue();
    assertThat(networks.o2ibInterfaces()).containsExactly("ib0");
    // ib0 is type 32 (InfiniBand), not Ethernet: tcp stays on eth0.
    assertThat(networks.tcpInterfaces()).containsExactly("eth0");
  }

  @Test
  void twoRailsOnOneSubnetAreBothUsableForO2ib() {
    // ib0 10.2.0.5/24 and ib1 10.2.0.6/24: each has the subnet's link route.
    NodeNetworks networks = scan("ib-multirail");
    assertThat(networks.rdmaPorts()).allMatch(RdmaPort::usableForO2ib, "usable");
    assertThat(networks.rdmaPorts()).extracting(p -> p.ipv4().orElseThrow()).containsExactlyInAnyOrder("10.2.0.5", "10.2.0.6");
    assertThat(networks.o2ibInterfaces()).containsExactly("ib0", "ib1");
  }

  @Test
  void anActiveRocePortIsFoundThroughItsGidNetdev() {
    NodeNetworks networks = scan("roce-active");
    assertThat(networks.rdmaPorts()).containsExactly(
        new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.ETHERNET, RdmaPort.State.ACTIVE, Optional.of("ens1f0"), Optional.of("10.3.0.5")));
    assertThat(networks.o2ibInterfaces()).containsExactly("ens1f0");
    // The RoCE netdev is Ethernet too, but it is left to o2ib.
    assertThat(networks.ethernet()).extracting(EthernetInterface::name).containsExactly("ens1f0", "eth0");
    assertThat(networks.tcpInterfaces()).containsExactly("eth0");
  }

  @Test
  void aPortThatIsDownIsNotRdmaAndSaysWhy() {
    NodeNetworks networks = scan("port-down");
    assertThat(networks.rdmaPorts()).hasSize(1);
    RdmaPort port = networks.rdmaPorts().getFirst();
    assertThat(port.active()).isFalse();
    assertThat(port.problem()).contains("mlx5_0 port 1 is not ACTIVE");
    assertThat(networks.hasRdma()).isFalse();
    assertThat(networks.describe()).contains("mlx5_0 port 1 is not ACTIVE").contains("tcp: eth0 10.1.0.5");
  }

  @Test
  void aPortWaitingForTheSubnetManagerIsComingUpAndOneWithoutCableIsDown() {
    NodeNetworks init = scan("ib-init");
    assertThat(init.rdmaPorts()).extracting(RdmaPort::state).containsExactly(RdmaPort.State.COMING_UP);
    assertThat(init.hasRdma()).isFalse();
    assertThat(init.rdmaComingUp()).isTrue();
    assertThat(init.describe()).contains("mlx5_0 port 1 is not ACTIVE yet (coming up)");

    NodeNetworks noCable = scan("ib-no-cable");
    assertThat(noCable.rdmaPorts()).extracting(RdmaPort::state).containsExactly(RdmaPort.State.DOWN);
    assertThat(noCable.rdmaComingUp()).isFalse();
    assertThat(scan("port-down").rdmaComingUp()).as("disabled").isFalse();
    assertThat(scan("ib-active").rdmaComingUp()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "4: ACTIVE       | 5: LinkUp                    | ACTIVE",
      "2: INIT         | 5: LinkUp                    | COMING_UP",
      "3: ARMED        | 5: LinkUp                    | COMING_UP",
      "5: ACTIVE_DEFER | 6: LinkErrorRecovery         | COMING_UP",
      "1: DOWN         | 4: PortConfigurationTraining | COMING_UP",
      "1: DOWN         | 5: LinkUp                    | COMING_UP",
      "1: DOWN         | 2: Polling                   | DOWN",
      "1: DOWN         | 3: Disabled                  | DOWN",
      "1: DOWN         | 1: Sleep                     | DOWN",
      "0: NOP          | 5: LinkUp                    | DOWN"})
  void aPortsStateComesFromItsLogicalAndPhysicalState(String state, String physState, RdmaPort.State expected) {
    assertThat(RdmaPort.State.parse(Optional.of(state), Optional.of(physState))).isEqualTo(expected);
  }

  @Test
  void aPortWithoutStateFilesIsDown() {
    assertThat(RdmaPort.State.parse(Optional.empty(), Optional.empty())).isEqualTo(RdmaPort.State.DOWN);
  }

  @Test
  void aPortComingUpBesideAUsableOneChangesNothing() {
    RdmaPort usable = new RdmaPort("mlx5_0", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.ACTIVE, Optional.of("ib0"), Optional.of("10.2.0.5"));
    RdmaPort second = new RdmaPort("mlx5_1", 1, RdmaPort.LinkLayer.INFINIBAND, RdmaPort.State.COMING_UP, Optional.of("ib1"), Optional.of("10.2.0.6"));
    assertThat(new NodeNetworks(java.util.List.of(usable, second), java.util.List.of()).rdmaComingUp()).isFalse();
    assertThat(new NodeNetworks(java.util.List.of(second), java.util.List.of()).rdmaComingUp()).isTrue();
  }

  @Test
  void aStorageVlanIsUsableAndAVlanOnADownNicIsNot() {
    NodeNetworks networks = scan("vlan");
    // eth0 carries no address of its own; eth1.200 is lowerlayerdown.
    assertThat(networks.ethernet()).containsExactly(new EthernetInterface("eth0.100", "10.1.0.5"));
    assertThat(networks.tcpInterfaces()).containsExactly("eth0.100");
  }

  @Test
  void aBridgeOverTheNicIsUsableAndAContainerNetworksBridgeIsNot() {
    // docker0 is up with an address, but its only port is a veth: it does not leave the node.
    assertThat(scan("bridge").ethernet()).containsExactly(new EthernetInterface("br0", "10.1.0.5"));
  }

  @Test
  void aMacvlanOverTheNicIsUsable() {
    assertThat(scan("macvlan").ethernet()).containsExactly(new EthernetInterface("mv0", "10.1.0.5"));
  }

  @Test
  void aDummyWhoseOperstateIsUnknownWithCarrierIsUsable() {
    // kube-ipvs0 is down, and its /32 service address has no on-link route anyway.
    NodeNetworks networks = scan("dummy");
    assertThat(networks.ethernet()).containsExactly(new EthernetInterface("dummy0", "10.1.0.5"));
    assertThat(networks.describe()).endsWith("tcp: dummy0 10.1.0.5");
  }

  @Test
  void tcpPrefersTheNodesHardwareThenVlansBridgesAndDummiesAndNeverLoopback() {
    // lo reads unknown with carrier 1, as a dummy does; eth2 has an address but is down.
    assertThat(scan("mixed").tcpInterfaces()).containsExactly("eth0", "eth0.100", "br0", "dummy0");
  }

  @Test
  void anInterfaceTheAdministratorNamesIsTheOnlyOneForTcp() {
    NodeNetworks networks = named("mixed", "eth0.100");
    assertThat(networks.tcpInterfaces()).containsExactly("eth0.100");
    assertThat(networks.tcpProblem()).isEmpty();
    // Naming also reaches what is never chosen by itself: a container network's bridge.
    assertThat(named("bridge", "docker0").ethernet()).containsExactly(new EthernetInterface("docker0", "172.17.0.1"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "eth9   | interface eth9 does not exist on this node",
      "eth2   | interface eth2 is not up (operstate down)",
      "eth1   | interface eth1 has no IPv4 address with an on-link route",
      "lo     | interface lo is the loopback interface",
      "../etc | \"../etc\" is not an interface name (1 to 15 characters, none of '/', ':' or white space)"})
  void aNamedInterfaceThatCannotCarryTcpLeavesTcpEmptyAndSaysWhy(String name, String problem) {
    NodeNetworks networks = named("mixed", name);
    assertThat(networks.ethernet()).isEmpty();
    assertThat(networks.tcpProblem()).contains(problem);
    assertThat(networks.describe()).endsWith("tcp: none (" + problem + ")");
  }

  static NodeNetworks named(String tree, String iface) {
    return new SysfsNetworkScanner(tree(tree).resolve("sys"), tree(tree).resolve("proc"), Optional.of(iface)).scan();
  }

  @Test
  void aLinkLocalAddressIsNoAddressForLnet() {
    // enp0s20f0u1u6, a BMC's USB NIC with 169.254.0.2/16, sorts before the storage NIC ens1f0.
    NodeNetworks networks = scan("link-local");
    assertThat(networks.ethernet()).containsExactly(new EthernetInterface("ens1f0", "10.1.0.5"));
    assertThat(networks.tcpInterfaces()).containsExactly("ens1f0");
    assertThat(named("link-local", "enp0s20f0u1u6").tcpProblem()).hasValueSatisfying(p -> assertThat(p).contains("has no IPv4 address"));
  }

  @Test
  void missingSysfsAndProcfsMeanNoNetworks(@org.junit.jupiter.api.io.TempDir Path empty) {
    NodeNetworks networks = new SysfsNetworkScanner(empty.resolve("sys"), empty.resolve("proc")).scan();
    assertThat(networks.rdmaPorts()).isEmpty();
    assertThat(networks.ethernet()).isEmpty();
  }

  @Test
  void addressesComeFromTheLongestLinkRouteAndSkipLoopback() {
    String fib = """
        Main:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 127.0.0.0/8 2 0 2
                   |-- 127.0.0.1
                      /32 host LOCAL
             +-- 192.0.2.0/24 2 0 2
                +-- 192.0.2.0/30 2 0 2
                   |-- 192.0.2.0
                      /24 link UNICAST
                   |-- 192.0.2.2
                      /32 host LOCAL
                |-- 192.0.2.255
                   /32 link BROADCAST
        """;
    // This machine's own /proc/net/route, verbatim: default via 192.0.2.1 and the on-link /24.
    String route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    Ipv4Addresses addresses = Ipv4Addresses.parse(fib, route);
    assertThat(addresses.of("eth0")).contains("192.0.2.2");
    assertThat(addresses.of("lo")).isEmpty();
    assertThat(Ipv4Addresses.localAddresses(fib)).containsExactly("192.0.2.2");
  }
}
