package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The filesystem's status from what each server's VM and agent show. */
class FilesystemStatusCalculatorTest {
  private static final List<ServerStatus> SERVERS = List.of(
      new ServerStatus("fs1-mgs", "mgs", "10.1.0.10", List.of("10.1.0.10@tcp"), "Ready", null),
      new ServerStatus("fs1-mds0", "mds", "10.1.0.11", List.of("10.1.0.11@tcp"), "Ready", null),
      new ServerStatus("fs1-oss0", "oss", "10.1.0.12", List.of("10.1.0.12@tcp"), "Ready", null));
  private static final List<TargetStatus> TARGETS = List.of(
      new TargetStatus("MGS", "MGT", 0, "fs1-mgs", "fs1-mgt", "Up", null, null),
      new TargetStatus("fs1-MDT0000", "MDT", 0, "fs1-mds0", "fs1-mdt0000", "Up", null, null),
      new TargetStatus("fs1-OST0000", "OST", 0, "fs1-oss0", "fs1-ost0000", "Up", 10L << 30, 0L));
  private static final LustreFilesystemStatus PLANNED = new LustreFilesystemStatus("Ready", 1L, List.of(), SERVERS, TARGETS, 1, null,
      null, null, null, null, null, null, null, null);

  /** Every server running, its agent answering with {@code healthCheck}, every target it serves up. */
  private static Map<String, ServerObservation> seen(Map<String, String> healthCheck) {
    Map<String, ServerObservation> seen = new HashMap<>();
    for (ServerStatus server : SERVERS) {
      GetHealthResponse.Builder health = GetHealthResponse.newBuilder().setHealthCheck(healthCheck.getOrDefault(server.name(), "healthy\n"));
      TARGETS.stream().filter(t -> t.server().equals(server.name())).forEach(t -> health.addTargets(Target.newBuilder()
          .setName(t.name()).setIndex(t.index()).setKind(Target.Kind.valueOf(t.kind())).setUp(true).setRecoveryStatus("COMPLETE")));
      seen.put(server.name(), new ServerObservation(true, "Running", false, true, server.address(), Optional.of(health.build()), null));
    }
    return seen;
  }

  private static FilesystemCondition condition(LustreFilesystemStatus status, String type) {
    return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void everyServerHealthyAndEveryTargetUpIsReady() {
    LustreFilesystemStatus status = FilesystemStatusCalculator.observe(PLANNED, seen(Map.of()), Optional.empty(), 1, 0, Instant.EPOCH);
    assertThat(status.phase()).isEqualTo("Ready");
    assertThat(status.health()).isEqualTo("Healthy");
    assertThat(condition(status, "Ready").status()).isEqualTo("True");
  }

  @Test
  void aServerWhoseLustreIsNotHealthyDegradesTheFilesystemThoughItsTargetsStillShowUp() {
    LustreFilesystemStatus status = FilesystemStatusCalculator.observe(PLANNED, seen(Map.of("fs1-oss0", "LBUG\n")), Optional.empty(), 1, 0,
        Instant.EPOCH);
    assertThat(status.phase()).isEqualTo("Degraded");
    assertThat(status.health()).isEqualTo("Degraded");
    assertThat(condition(status, "Ready")).satisfies(ready -> {
      assertThat(ready.status()).isEqualTo("False");
      assertThat(ready.message()).isEqualTo("fs1-oss0 Failed (health_check: LBUG)");
    });
    assertThat(status.servers()).filteredOn(s -> s.name().equals("fs1-oss0")).extracting(ServerStatus::state).containsExactly("Failed");
  }

  /**
   * A new OSS booting, as growth adds one: its agent answers before its setup has loaded Lustre
   * (health_check_after_crash.txt). Not a failure: the filesystem is growing, not degraded.
   */
  @Test
  void aServerWhoseLustreIsNotLoadedYetIsStartingAndTheFilesystemGrowsRatherThanDegrades() {
    Map<String, ServerObservation> seen = seen(Map.of());
    GetHealthResponse booting = GetHealthResponse.newBuilder()
        .setHealthCheck("NOT HEALTHY: error: get_param: param_path 'health_check': No such file or directory").setLustreNotLoaded(true).build();
    seen.put("fs1-oss1", new ServerObservation(true, "Running", false, true, "10.1.0.13", Optional.of(booting), null));
    List<ServerStatus> servers = new java.util.ArrayList<>(SERVERS);
    servers.add(new ServerStatus("fs1-oss1", "oss", "10.1.0.13", List.of("10.1.0.13@tcp"), "Pending", null));
    List<TargetStatus> targets = new java.util.ArrayList<>(TARGETS);
    targets.add(new TargetStatus("fs1-OST0001", "OST", 1, "fs1-oss1", "fs1-ost0001", "Pending", null, null));
    LustreFilesystemStatus growing = new LustreFilesystemStatus("Ready", 1L, List.of(), servers, targets, 2, null, null, null, null, null,
        null, null, null, null);

    LustreFilesystemStatus status = FilesystemStatusCalculator.observe(growing, seen, Optional.empty(), 1, 0, Instant.EPOCH);

    assertThat(status.phase()).isEqualTo("Growing");
    assertThat(status.servers()).filteredOn(s -> s.name().equals("fs1-oss1")).singleElement().satisfies(oss -> {
      assertThat(oss.state()).isEqualTo("Starting");
      assertThat(oss.message()).contains("Lustre modules not loaded yet");
    });
  }

  /**
   * The OSS booted again elsewhere while its old instance, on a node cut off, still writes the
   * OST's pool: the setup leaves the OST down and says why, and the agent passes that on. The
   * status says it where an admin looks, not only that the target is down.
   */
  @Test
  void whyTheSetupLeavesATargetDownIsInItsServersMessageAndTheRecoveringCondition() {
    Map<String, ServerObservation> seen = seen(Map.of());
    String problem = "ost0000: holds pool lcsi-fs1-ost0000, in use by another instance of this server (ZFS multihost activity check):"
        + " not importing it; the target stays down and is tried again every minute until that instance is gone";
    GetHealthResponse waiting = GetHealthResponse.newBuilder()
        .setHealthCheck("NOT HEALTHY: error: get_param: param_path 'health_check': No such file or directory").setLustreNotLoaded(true)
        .addSetupProblems(problem).build();
    seen.put("fs1-oss0", new ServerObservation(true, "Running", false, true, "10.1.0.12", Optional.of(waiting), null));

    LustreFilesystemStatus status = FilesystemStatusCalculator.observe(PLANNED, seen, Optional.empty(), 1, 0, Instant.EPOCH);

    assertThat(status.servers()).filteredOn(s -> s.name().equals("fs1-oss0")).singleElement().satisfies(oss -> {
      assertThat(oss.state()).isEqualTo("Starting");
      assertThat(oss.message()).contains("Lustre modules not loaded yet", "its setup leaves targets down: " + problem);
    });
    assertThat(status.targets()).filteredOn(t -> t.name().equals("fs1-OST0000")).extracting(TargetStatus::state).containsExactly("Down");
    assertThat(condition(status, "Recovering").message()).contains("in use by another instance of this server");
  }

  /**
   * Two OSTs of 10 GiB, 6 GiB used on each; OST0001's server stops answering. The filesystem's
   * capacity counts the OST that is up only, and so must its used bytes: the used bytes of the
   * lost OST (its last reading) over the capacity of the other would show it 120% full, and page
   * LustreFilesystemNearlyFull for a filesystem 60% full whose real trouble is a target down.
   */
  @Test
  void usedBytesCountTheSameOstsAsTheUsableCapacity() {
    List<ServerStatus> servers = new java.util.ArrayList<>(SERVERS);
    servers.add(new ServerStatus("fs1-oss1", "oss", "10.1.0.13", List.of("10.1.0.13@tcp"), "Ready", null));
    List<TargetStatus> targets = List.of(TARGETS.get(0), TARGETS.get(1),
        new TargetStatus("fs1-OST0000", "OST", 0, "fs1-oss0", "fs1-ost0000", "Up", 10L << 30, 6L << 30),
        new TargetStatus("fs1-OST0001", "OST", 1, "fs1-oss1", "fs1-ost0001", "Up", 10L << 30, 6L << 30));
    LustreFilesystemStatus twoOsts = new LustreFilesystemStatus("Ready", 1L, List.of(), servers, targets, 2, null, null, null, null, null,
        null, null, null, null);
    Map<String, ServerObservation> seen = seen(Map.of());
    seen.put("fs1-oss1", new ServerObservation(true, "Running", false, true, "10.1.0.13", Optional.empty(), "connection refused"));

    LustreFilesystemStatus status = FilesystemStatusCalculator.observe(twoOsts, seen, Optional.empty(), 1, 0, Instant.EPOCH);

    assertThat(status.targets()).filteredOn(t -> t.name().equals("fs1-OST0001")).extracting(TargetStatus::state).containsExactly("Down");
    assertThat(status.usableBytes()).isEqualTo(10L << 30);
    assertThat(status.usedBytes()).as("used on the OSTs that are up").isEqualTo(6L << 30);
    assertThat(status.fill()).isEqualTo("60%");
    // The lost OST keeps its last reading in its own entry (and its own metric series).
    assertThat(status.targets()).filteredOn(t -> t.name().equals("fs1-OST0001")).extracting(TargetStatus::usedBytes).containsExactly(6L << 30);
  }
}
