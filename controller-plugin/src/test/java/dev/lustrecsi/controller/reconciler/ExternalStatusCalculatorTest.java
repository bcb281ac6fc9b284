package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.ServerConnection;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.ExternalSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.reconciler.ExternalStatusCalculator.Observation;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExternalStatusCalculatorTest {
  static final ExternalSpec SITE = new ExternalSpec("10.99.0.1@tcp", "", "mgmt", 9443, "k8s", 1.0, 100, 200);
  static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");

  static GetHealthResponse health(String check) {
    return GetHealthResponse.newBuilder().setHealthCheck(check).addNids("10.99.0.5@tcp").build();
  }

  static CheckServersResponse connections(boolean ost1Active) {
    return CheckServersResponse.newBuilder()
        .addConnections(connection("MGC10.99.0.1@tcp", Target.Kind.MGT, 0, true))
        .addConnections(connection("MGC10.50.0.1@tcp", Target.Kind.MGT, 0, false))  // another filesystem's MGS
        .addConnections(connection("lfs-MDT0000-mdc-ff", Target.Kind.MDT, 0, true))
        .addConnections(connection("lfs-OST0000-osc-ff", Target.Kind.OST, 0, true))
        .addConnections(connection("lfs-OST0001-osc-ff", Target.Kind.OST, 1, ost1Active)).build();
  }

  static ServerConnection connection(String device, Target.Kind kind, int index, boolean active) {
    return ServerConnection.newBuilder().setDevice(device).setKind(kind).setIndex(index).setActive(active).build();
  }

  static GetTargetUsageResponse usage(boolean ost1Inactive) {
    GetTargetUsageResponse.Builder usage = GetTargetUsageResponse.newBuilder()
        .addTargets(TargetUsage.newBuilder().setUuid("lfs-MDT0000_UUID").setKind(Target.Kind.MDT).setCapacityBytes(Sizes.GIB).setUsedBytes(1))
        .addTargets(TargetUsage.newBuilder().setUuid("lfs-OST0000_UUID").setKind(Target.Kind.OST).setIndex(0)
            .setCapacityBytes(10 * Sizes.GIB).setUsedBytes(Sizes.GIB));
    usage.addTargets(ost1Inactive
        ? TargetUsage.newBuilder().setUuid("OST0001").setKind(Target.Kind.OST).setIndex(1).setInactive(true)
        : TargetUsage.newBuilder().setUuid("lfs-OST0001_UUID").setKind(Target.Kind.OST).setIndex(1).setCapacityBytes(10 * Sizes.GIB)
            .setUsedBytes(3 * Sizes.GIB));
    return usage.build();
  }

  static LustreFilesystemStatus observe(LustreFilesystemStatus previous, Observation seen) {
    return ExternalStatusCalculator.observe(previous, "lfs", SITE, seen, 3, 5 * Sizes.GIB, NOW);
  }

  @Test
  void aHealthySiteIsReadyWithItsTargetsAndCapacity() {
    LustreFilesystemStatus status = observe(LustreFilesystemStatus.empty(),
        new Observation(Optional.of(health("healthy")), Optional.of(connections(true)), Optional.of(usage(false)), null));
    assertThat(status.phase()).isEqualTo("Ready");
    assertThat(status.health()).isEqualTo("Healthy");
    assertThat(status.targets()).extracting(TargetStatus::name).containsExactly("MGS", "lfs-MDT0000", "lfs-OST0000", "lfs-OST0001");
    assertThat(status.usableBytes()).isEqualTo(20 * Sizes.GIB);
    assertThat(status.usedBytes()).isEqualTo(4 * Sizes.GIB);
    assertThat(status.committedBytes()).isEqualTo(5 * Sizes.GIB);
    assertThat(status.servers()).singleElement().satisfies(s -> {
      assertThat(s.address()).isEqualTo("mgmt:9443");
      assertThat(s.nids()).containsExactly("10.99.0.5@tcp");
    });
  }

  @Test
  void anInactiveOstDegradesAndKeepsItsLastCapacity() {
    LustreFilesystemStatus ready = observe(LustreFilesystemStatus.empty(),
        new Observation(Optional.of(health("healthy")), Optional.of(connections(true)), Optional.of(usage(false)), null));
    LustreFilesystemStatus degraded = observe(ready,
        new Observation(Optional.of(health("healthy")), Optional.of(connections(false)), Optional.of(usage(true)), null));
    assertThat(degraded.phase()).isEqualTo("Degraded");
    assertThat(degraded.targets()).filteredOn(t -> t.name().equals("lfs-OST0001")).singleElement()
        .satisfies(t -> {
          assertThat(t.state()).isEqualTo("Down");
          assertThat(t.capacityBytes()).isEqualTo(10 * Sizes.GIB);
        });
    assertThat(degraded.usableBytes()).isEqualTo(10 * Sizes.GIB);
    // Used over the same OSTs as usable: OST0000's 1 GiB, not OST0001's last 3 GiB with it (40% full).
    assertThat(degraded.usedBytes()).isEqualTo(Sizes.GIB);
    assertThat(degraded.fill()).isEqualTo("10%");
    assertThat(degraded.conditions()).filteredOn(c -> c.type().equals("TargetsHealthy")).singleElement()
        .satisfies(c -> assertThat(c.message()).isEqualTo("lfs-OST0001 Down"));
  }

  @Test
  void anAgentThatDoesNotAnswerIsPendingFirstAndDegradedOnceSeen() {
    Observation silent = new Observation(Optional.empty(), Optional.empty(), Optional.empty(), "connection refused");
    LustreFilesystemStatus pending = observe(LustreFilesystemStatus.empty(), silent);
    assertThat(pending.phase()).isEqualTo("Pending");
    assertThat(pending.conditions()).filteredOn(c -> c.type().equals("Ready")).singleElement()
        .satisfies(c -> assertThat(c.message()).contains("mgmt:9443").contains("connection refused"));
    LustreFilesystemStatus ready = observe(LustreFilesystemStatus.empty(),
        new Observation(Optional.of(health("healthy")), Optional.of(connections(true)), Optional.of(usage(false)), null));
    LustreFilesystemStatus lost = observe(ready, silent);
    assertThat(lost.phase()).isEqualTo("Degraded");
    assertThat(lost.targets()).isEqualTo(ready.targets());
    assertThat(lost.servers().getFirst().state()).isEqualTo("Unreachable");
  }

  @Test
  void anImportThatReplaysIsRecoveringAndOneLostIsDown() {
    CheckServersResponse recovering = CheckServersResponse.newBuilder()
        .addConnections(connection("MGC10.99.0.1@tcp", Target.Kind.MGT, 0, true))
        .addConnections(connection("lfs-MDT0000-mdc-ff", Target.Kind.MDT, 0, true).toBuilder().setImportState("FULL"))
        .addConnections(connection("lfs-OST0000-osc-ff", Target.Kind.OST, 0, true).toBuilder().setImportState("REPLAY"))
        .addConnections(connection("lfs-OST0001-osc-ff", Target.Kind.OST, 1, true).toBuilder().setImportState("EVICTED")).build();
    LustreFilesystemStatus status = observe(LustreFilesystemStatus.empty(),
        new Observation(Optional.of(health("healthy")), Optional.of(recovering), Optional.of(usage(false)), null));
    assertThat(status.phase()).isEqualTo("Degraded");
    assertThat(status.targets()).extracting(t -> t.name() + " " + t.state())
        .containsExactly("MGS Up", "lfs-MDT0000 Up", "lfs-OST0000 Recovering", "lfs-OST0001 Down");
    assertThat(status.conditions()).filteredOn(c -> c.type().equals("TargetsHealthy")).singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo("False"));
  }

  @Test
  void aClientThatIsNotHealthyDegrades() {
    LustreFilesystemStatus status = observe(LustreFilesystemStatus.empty(),
        new Observation(Optional.of(health("NOT HEALTHY")), Optional.of(connections(true)), Optional.of(usage(false)), null));
    assertThat(status.phase()).isEqualTo("Degraded");
    assertThat(status.servers().getFirst().state()).isEqualTo("Failed");
  }
}
