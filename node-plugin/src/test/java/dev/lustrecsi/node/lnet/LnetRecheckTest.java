package dev.lustrecsi.node.lnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.node.health.Readiness;
import dev.lustrecsi.node.mount.ReadinessOnlyClient;
import dev.lustrecsi.node.rdma.SysfsTrees;
import dev.lustrecsi.node.topology.NodeNetworking;
import dev.lustrecsi.node.topology.SourceChooser;
import dev.lustrecsi.node.topology.StageContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background checks go on once the node is ready: LNet that breaks later is noticed (and,
 * when managed, configured again), and an RDMA port that becomes ACTIVE later gets o2ib.
 */
class LnetRecheckTest {
  static final Duration INTERVAL = Duration.ofMillis(50);
  static final Map<String, String> BOTH_NETWORKS = Map.of(VolumeContext.MGS_NIDS, "10.1.0.10@tcp", VolumeContext.MGS_NIDS_O2IB, "10.2.0.10@o2ib");

  @TempDir Path dir;
  final FakeLnetctl lnetctl = new FakeLnetctl();

  final ReadinessOnlyClient client = new ReadinessOnlyClient();

  /** The networking each test started, whose checks end with the test. */
  final List<NodeNetworking> started = new java.util.ArrayList<>();

  @BeforeEach
  void addresses() {
    lnetctl.addresses.put("eth0", "10.1.0.5");
    lnetctl.addresses.put("ib0", "10.2.0.5");
  }

  @AfterEach
  void stopChecking() {
    started.forEach(NodeNetworking::stop);
  }

  @Test
  void anNiThatGoesDownAfterTheNodeIsReadyMakesItNotReadyUntilItIsUpAgain() {
    lnetctl.configuredNet("tcp0", "10.1.0.5@tcp", "eth0");
    NodeNetworking networking = start(networking("no-rdma", LnetMode.EXTERNAL));
    Readiness readiness = new Readiness(client, networking);
    await(readiness::ready, "ready at start");

    lnetctl.down.add("tcp0");
    await(() -> !readiness.ready(), "not ready once tcp0's NI is down");
    assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("10.1.0.5@tcp is down"));
    assertThat(readiness.probe()).as("Probe stays ready: the liveness probe would restart the plugin, which cannot bring LNet back").isTrue();

    lnetctl.down.remove("tcp0");
    await(readiness::ready, "ready again once it is up");
  }

  @Test
  void managedLnetThatIsUnconfiguredAfterTheNodeIsReadyIsConfiguredAgain() {
    NodeNetworking networking = start(networking("no-rdma", LnetMode.MANAGE));
    await(() -> networking.lnet().ready(), "ready at start");
    List<String> addTcp = List.of("lnetctl", "net", "add", "--net", "tcp0", "--if", "eth0");
    assertThat(lnetctl.commands).containsOnlyOnce(addTcp);

    lnetctl.unconfigure();
    await(() -> lnetctl.commands.stream().filter(addTcp::equals).count() == 2, "tcp0 added again");
    await(() -> networking.lnet().ready() && networking.lnet().hasTcp(), "ready again over tcp");
  }

  @Test
  void anRdmaPortTheSubnetManagerActivatesAfterTheNodeIsReadyGetsO2ibForNewMounts() {
    // A slow subnet manager: the link is up but the port waits in INIT, and IPoIB has no carrier yet.
    Path node = SysfsTrees.copy("ib-init", dir);
    NodeNetworking networking = start(new NodeNetworking(SysfsTrees.scanner(node)::scan, Optional.of(new LnetManager(lnetctl, LnetMode.MANAGE)), INTERVAL));
    SourceChooser chooser = new SourceChooser(networking);
    await(() -> networking.lnet().ready(), "ready over tcp at start");
    assertThat(networking.rdma()).isFalse();
    assertThat(chooser.choose("fs1/a", StageContext.parse(BOTH_NETWORKS, "fs1")).mountSource()).isEqualTo("10.1.0.10@tcp:/fs1");

    SysfsTrees.write(node.resolve("sys/class/infiniband/mlx5_0/ports/1/state"), "4: ACTIVE");
    SysfsTrees.write(node.resolve("sys/class/net/ib0/operstate"), "up");
    await(() -> networking.lnet().hasO2ib(), "o2ib0 added once the port is ACTIVE");
    assertThat(lnetctl.commands).contains(List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib0"));
    assertThat(networking.rdma()).isTrue();
    assertThat(chooser.choose("fs1/b", StageContext.parse(BOTH_NETWORKS, "fs1")).mountSource()).isEqualTo("10.2.0.10@o2ib:/fs1");
  }

  @Test
  void aSecondRailTheSubnetManagerActivatesLaterJoinsO2ib() {
    lnetctl.addresses.put("ib1", "10.2.0.6");
    Path node = SysfsTrees.copy("ib-multirail", dir);
    Path secondPort = node.resolve("sys/class/infiniband/mlx5_1/ports/1/state");
    SysfsTrees.write(secondPort, "2: INIT");
    NodeNetworking networking = start(new NodeNetworking(SysfsTrees.scanner(node)::scan, Optional.of(new LnetManager(lnetctl, LnetMode.MANAGE)), INTERVAL));
    await(() -> networking.lnet().hasO2ib(), "o2ib0 on the first rail");
    assertThat(lnetctl.commands).contains(List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib0"));

    SysfsTrees.write(secondPort, "4: ACTIVE");
    await(() -> networking.lnet().nids().stream().anyMatch(n -> n.toString().equals("10.2.0.6@o2ib")), "the second rail on o2ib0");
    assertThat(lnetctl.commands).containsOnlyOnce(List.of("lnetctl", "net", "add", "--net", "o2ib0", "--if", "ib1"));
    assertThat(networking.lnet().ready()).isTrue();
  }

  @Test
  void aRailThatDiesLeavesTheNodeReadyOnTheOtherUntilBothAreDead() {
    lnetctl.addresses.put("ib1", "10.2.0.6");
    Path node = SysfsTrees.copy("ib-multirail", dir);
    NodeNetworking networking = start(new NodeNetworking(SysfsTrees.scanner(node)::scan, Optional.of(new LnetManager(lnetctl, LnetMode.MANAGE)), INTERVAL));
    Readiness readiness = new Readiness(client, networking);
    await(() -> networking.lnet().nids().size() == 3 && readiness.ready(), "ready on both rails and tcp");
    assertThat(networking.rdmaForTopology()).as("what NodeGetInfo tells kubelet at registration").isTrue();

    // ib1's cable is pulled: its port drops to DOWN/Polling before LNet marks its NI down.
    portDown(node, "mlx5_1", "ib1");
    await(() -> !networking.lnet().deadNis().isEmpty(), "the dead rail noticed");
    assertThat(readiness.ready()).as("o2ib0 still works on ib0: " + readiness.notReadyReason()).isTrue();
    assertThat(networking.lnet().nids()).extracting(Nid::toString).containsExactly("10.2.0.5@o2ib", "10.1.0.5@tcp");
    assertThat(networking.rdma()).as("a usable port is left, so the node's rdma label still holds").isTrue();
    assertThat(networking.rdmaForTopology()).isTrue();
    assertThat(new SourceChooser(networking).choose("fs1/a", StageContext.parse(BOTH_NETWORKS, "fs1")).mountSource()).isEqualTo("10.2.0.10@o2ib:/fs1");

    // Then LNet marks ib0's NI down too: no rail of o2ib0 is left.
    lnetctl.downInterfaces.add("ib0");
    await(() -> !readiness.ready(), "not ready once every rail of o2ib0 is dead");
    assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("10.2.0.5@o2ib is down")
        .contains("10.2.0.6@o2ib runs on ib1, whose RDMA port mlx5_1 port 1 is not ACTIVE"));

    lnetctl.downInterfaces.clear();
    SysfsTrees.write(node.resolve("sys/class/infiniband/mlx5_1/ports/1/state"), "4: ACTIVE");
    SysfsTrees.write(node.resolve("sys/class/infiniband/mlx5_1/ports/1/phys_state"), "5: LinkUp");
    SysfsTrees.write(node.resolve("sys/class/net/ib1/operstate"), "up");
    await(() -> readiness.ready() && networking.lnet().deadNis().isEmpty(), "ready on both rails again");
    assertThat(networking.lnet().nids()).hasSize(3);
  }

  /** What sysfs shows for an InfiniBand port whose cable is pulled: no link, nothing training. */
  static void portDown(Path node, String device, String netdev) {
    SysfsTrees.write(node.resolve("sys/class/infiniband/" + device + "/ports/1/state"), "1: DOWN");
    SysfsTrees.write(node.resolve("sys/class/infiniband/" + device + "/ports/1/phys_state"), "2: Polling");
    SysfsTrees.write(node.resolve("sys/class/net/" + netdev + "/operstate"), "down");
  }

  @Test
  void o2ibThatCouldNotBeAddedIsAddedOnceKo2iblndLoads() {
    lnetctl.o2ibAddFails = true;
    NodeNetworking networking = start(networking("ib-active", LnetMode.MANAGE));
    await(() -> networking.lnet().ready(), "ready over tcp without o2ib");
    assertThat(networking.lnet().o2ibProblem()).contains("cannot add network");

    lnetctl.o2ibAddFails = false;
    await(() -> networking.lnet().hasO2ib(), "o2ib0 added at a later round");
    assertThat(networking.lnet().o2ibProblem()).isEmpty();
  }

  NodeNetworking start(NodeNetworking networking) {
    started.add(networking);
    return networking.start();
  }

  NodeNetworking networking(String fixture, LnetMode mode) {
    return new NodeNetworking(SysfsTrees.scanner(SysfsTrees.copy(fixture, dir))::scan, Optional.of(new LnetManager(lnetctl, mode)), INTERVAL);
  }

  /** Waits for the background checks, which run every {@link #INTERVAL}, to bring the condition about. */
  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 10 s for: " + what).isLessThan(deadline);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
