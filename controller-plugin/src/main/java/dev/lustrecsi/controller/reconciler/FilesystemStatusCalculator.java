package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what the controller observed (VMs, VMIs, agents) into the filesystem's status: each
 * server's and target's state, capacity and usage, the phase, health and conditions. A pure
 * function: the reconciler gathers, this decides.
 */
public final class FilesystemStatusCalculator {
  public static final String READY = LustreFilesystemStatus.READY;
  public static final String PROVISIONING = LustreFilesystemStatus.PROVISIONING;
  public static final String GROWING = LustreFilesystemStatus.GROWING;
  public static final String DEGRADED = LustreFilesystemStatus.DEGRADED;
  public static final String UP = TargetStatus.UP;
  public static final String RECOVERING = TargetStatus.RECOVERING;
  static final String FAILED = ServerStatus.FAILED;
  public static final String STOPPING = ServerStatus.STOPPING;

  private FilesystemStatusCalculator() {}

  public static LustreFilesystemStatus observe(LustreFilesystemStatus planned, Map<String, ServerObservation> servers,
      Optional<GetTargetUsageResponse> usage, long generation, long committedBytes, Instant now) {
    List<ServerStatus> serverStates = new ArrayList<>();
    for (ServerStatus server : planned.servers()) {
      serverStates.add(server.removed() ? server : serverState(server, servers.getOrDefault(server.name(), ServerObservation.absent())));
    }
    List<TargetStatus> targetStates = new ArrayList<>();
    for (TargetStatus target : planned.targets()) {
      ServerObservation observation = servers.getOrDefault(target.server(), ServerObservation.absent());
      Optional<TargetUsage> targetUsage = usage.flatMap(u -> u.getTargetsList().stream()
          .filter(t -> t.getUuid().equals(target.name() + "_UUID")).findFirst());
      targetStates.add(target.inService() ? targetState(target, observation, targetUsage) : leaving(target));
    }
    // What a drain has taken out of service is neither up nor lost: health speaks of the rest.
    List<TargetStatus> inService = targetStates.stream().filter(TargetStatus::inService).toList();
    List<TargetStatus> osts = inService.stream().filter(t -> TargetKinds.OST.equals(t.kind())).toList();
    // Used over the same OSTs as usable (those up, as lfs df sums its active OSTs): the last
    // reading of an OST that is down over the capacity of the others would show the filesystem
    // fuller than it is, over 100% with half its OSTs down. Each OST keeps its own last reading.
    List<TargetStatus> usableOsts = osts.stream().filter(t -> "Up".equals(t.state()) && t.capacityBytes() != null).toList();
    long usable = usableOsts.stream().mapToLong(TargetStatus::capacityBytes).sum();
    long used = usableOsts.stream().filter(t -> t.usedBytes() != null).mapToLong(TargetStatus::usedBytes).sum();

    boolean allUp = inService.stream().allMatch(t -> "Up".equals(t.state()));
    boolean anyLost = inService.stream().anyMatch(t -> "Down".equals(t.state()) || "Recovering".equals(t.state()));
    boolean coreUp = inService.stream().filter(t -> !TargetKinds.OST.equals(t.kind())).allMatch(t -> "Up".equals(t.state()))
        && osts.stream().anyMatch(t -> "Up".equals(t.state()));
    // A server whose Lustre says it is not healthy (an LBUG, say) may still list its targets as up:
    // the filesystem is degraded all the same, as it is for a site's filesystem (ExternalStatusCalculator).
    List<ServerStatus> failed = serverStates.stream().filter(s -> !s.removed() && FAILED.equals(s.state())).toList();
    boolean ready = allUp && failed.isEmpty();
    String phase = ready ? READY : anyLost || !failed.isEmpty() ? DEGRADED : coreUp ? GROWING : PROVISIONING;
    String health = ready ? LustreFilesystemStatus.HEALTHY : anyLost || !failed.isEmpty() ? DEGRADED : LustreFilesystemStatus.UNKNOWN;

    List<FilesystemCondition> conditions = new ArrayList<>();
    conditions.add(condition(planned, "Ready", ready, ready ? "AllTargetsUp" : phase,
        ready ? "every target is up" : allUp ? describeServers(failed) : describeNotUp(inService), generation, now));
    boolean serversReady = serverStates.stream().allMatch(s -> READY.equals(s.state()) || s.removed());
    conditions.add(condition(planned, "ServersReady", serversReady, serversReady ? "AllServersReady" : "ServersNotReady",
        serversReady ? "every server VM is running and its agent answers" : describeServers(serverStates), generation, now));
    conditions.add(condition(planned, "TargetsHealthy", !anyLost, anyLost ? "TargetsLost" : "NoTargetLost",
        anyLost ? describeNotUp(inService) : "no target that was up is down or recovering", generation, now));
    conditions.add(recovering(planned, inService, serverStates, servers, generation, now));
    DrainSummary.condition(targetStates).ifPresent(c -> conditions.add(
        condition(planned, c.type(), c.status().equals("True"), c.reason(), c.message(), generation, now)));

    return new LustreFilesystemStatus(phase, generation, conditions, serverStates, targetStates, osts.size(),
        Sizes.format(usable), Sizes.format(used), health, usable, committedBytes, used, planned.nextProjectId(), fill(used, usable),
        planned.upgrade(), DrainSummary.column(targetStates));
  }

  /** A drained OST on its way out keeps its last capacity and usage; its state says how far it is. */
  static TargetStatus leaving(TargetStatus target) {
    String state = DrainStatus.REMOVED.equals(target.drain().step()) ? TargetStatus.REMOVED : TargetStatus.REMOVING;
    return target.withObserved(state, target.capacityBytes(), target.usedBytes());
  }

  /** Used as a whole percentage of usable, rounded down (99.6% full is not full); empty while nothing is usable. */
  static String fill(long used, long usable) {
    return usable <= 0 ? null : (long) Math.min(100, Math.floor(used * 100.0 / usable)) + "%";
  }

  /** The server's state, and in its message why its setup leaves targets down, when its agent says. */
  static ServerStatus serverState(ServerStatus server, ServerObservation seen) {
    ServerStatus observed = observedState(server, seen);
    List<String> problems = seen.agent().<List<String>>map(GetHealthResponse::getSetupProblemsList).orElse(List.of());
    if (problems.isEmpty()) {
      return observed;
    }
    String setup = "its setup leaves targets down: " + String.join("; ", problems);
    return observed.withState(observed.state(), observed.message() == null ? setup : observed.message() + "; " + setup);
  }

  private static ServerStatus observedState(ServerStatus server, ServerObservation seen) {
    if (!seen.vmExists()) {
      return server.withState(ServerStatus.PENDING, "its VirtualMachine does not exist yet");
    }
    if (seen.vmiShuttingDown()) {
      return server.withState(STOPPING, "its VirtualMachineInstance is being deleted: the guest is shutting down");
    }
    if (!"Running".equals(seen.vmiPhase())) {
      return server.withState(ServerStatus.STARTING, seen.vmiPhase().isEmpty() ? "no VirtualMachineInstance yet" : "VMI phase " + seen.vmiPhase());
    }
    if (seen.agent().isEmpty()) {
      return server.withState(ServerStatus.STARTING, "agent not answering: " + seen.agentError());
    }
    String health = seen.agent().get().getHealthCheck();
    if (seen.agent().get().getLustreNotLoaded()) {
      // Booting: its setup loads the modules as it brings the first target up (formatting it first
      // on a new server). Not a failure: what its targets' absence means, their states say.
      return server.withState(ServerStatus.STARTING, "Lustre modules not loaded yet: its setup has not brought a target up");
    }
    if (!"healthy".equals(health.strip())) {
      return server.withState(FAILED, "health_check: " + health.strip());
    }
    return server.withState(READY, null);
  }

  static TargetStatus targetState(TargetStatus target, ServerObservation seen, Optional<TargetUsage> usage) {
    boolean wasUp = "Up".equals(target.state()) || "Recovering".equals(target.state()) || "Down".equals(target.state());
    Optional<Target> reported = seen.agent().flatMap(agent -> agent.getTargetsList().stream()
        .filter(t -> t.getName().equals(target.name())).findFirst());
    String state;
    if (reported.isPresent() && reported.get().getUp()) {
      String recovery = reported.get().getRecoveryStatus();
      state = recovery.startsWith("RECOVERING") || recovery.startsWith("WAITING") ? RECOVERING : UP;
    } else if (wasUp) {
      state = TargetStatus.DOWN;
    } else {
      state = seen.agent().isPresent() ? TargetStatus.FORMATTING : TargetStatus.PENDING;
    }
    Long capacity = usage.map(TargetUsage::getCapacityBytes).orElse(target.capacityBytes());
    Long used = usage.map(TargetUsage::getUsedBytes).orElse(target.usedBytes());
    return target.withObserved(state, capacity, used);
  }

  /**
   * Recovering: a target that was up is coming back, either in Lustre recovery (clients
   * reconnecting and replaying, recovery_status RECOVERING or WAITING) or down while its server VM
   * restarts. Client I/O to it blocks meanwhile and resumes when it ends. A target down on a
   * server that runs is not recovering (its disk may be gone): TargetsHealthy says so instead.
   */
  static FilesystemCondition recovering(LustreFilesystemStatus previous, List<TargetStatus> targets, List<ServerStatus> servers,
      Map<String, ServerObservation> seen, long generation, Instant now) {
    List<String> inRecovery = new ArrayList<>();
    List<String> restarting = new ArrayList<>();
    for (TargetStatus target : targets) {
      Optional<ServerStatus> server = servers.stream().filter(s -> s.name().equals(target.server())).findFirst();
      if (RECOVERING.equals(target.state())) {
        long left = seen.getOrDefault(target.server(), ServerObservation.absent()).agent().stream()
            .flatMap(a -> a.getTargetsList().stream()).filter(t -> t.getName().equals(target.name()))
            .mapToLong(Target::getRecoveryTimeRemainingSeconds).findFirst().orElse(0);
        inRecovery.add(target.name() + " in recovery" + (left > 0 ? " (at most " + left + " s left)" : ""));
      } else if ("Down".equals(target.state()) && server.isPresent() && !READY.equals(server.get().state())) {
        restarting.add(target.name() + " down while " + server.get().name() + " restarts ("
            + (server.get().message() == null ? server.get().state() : server.get().message()) + ")");
      }
    }
    boolean any = !inRecovery.isEmpty() || !restarting.isEmpty();
    List<String> all = new ArrayList<>(restarting);
    all.addAll(inRecovery);
    return condition(previous, "Recovering", any, !inRecovery.isEmpty() ? "TargetsRecovering" : any ? "ServerRestarting" : "NoRecovery",
        any ? String.join(", ", all) + "; client I/O to these targets waits and resumes when they are back" : "no target is recovering",
        generation, now);
  }

  private static FilesystemCondition condition(LustreFilesystemStatus previous, String type, boolean true_, String reason,
      String message, long generation, Instant now) {
    String status = true_ ? "True" : "False";
    String since = previous.conditions().stream()
        .filter(c -> c.type().equals(type) && c.status().equals(status))
        .map(FilesystemCondition::lastTransitionTime).findFirst().orElse(now.toString());
    return new FilesystemCondition(type, status, reason, message, since, generation);
  }

  private static String describeNotUp(List<TargetStatus> targets) {
    return targets.stream().filter(t -> !"Up".equals(t.state())).map(t -> t.name() + " " + t.state())
        .reduce((a, b) -> a + ", " + b).orElse("");
  }

  private static String describeServers(List<ServerStatus> servers) {
    return servers.stream().filter(s -> !READY.equals(s.state()))
        .map(s -> s.name() + " " + s.state() + (s.message() == null ? "" : " (" + s.message() + ")"))
        .reduce((a, b) -> a + ", " + b).orElse("");
  }
}
