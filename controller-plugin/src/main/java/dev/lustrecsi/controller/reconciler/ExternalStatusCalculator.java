package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.ServerConnection;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.ExternalSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The status of a filesystem the site runs, from what its management host's agent saw: the one
 * "server" is that agent, the targets are what a client sees of the site's servers ({@code lfs
 * check servers} says whether each connection is active, {@code lfs df} gives capacity and
 * usage). A pure function, like {@link FilesystemStatusCalculator} for the driver's own
 * filesystems, with the same phases, health words and condition types where they mean the same.
 */
public final class ExternalStatusCalculator {
  /** The role of the management host's agent in status.servers. */
  public static final String AGENT_ROLE = "agent";
  /** Its name there. */
  public static final String AGENT_NAME = "management-host";
  /** Phase of an external filesystem never seen through its agent yet. */
  public static final String PENDING = LustreFilesystemStatus.PENDING;

  private ExternalStatusCalculator() {}

  /**
   * What the agent answered, or why it did not.
   *
   * @param health GetHealth, empty when the agent was not reached
   * @param connections CheckServers, empty when not asked or refused
   * @param usage GetTargetUsage, empty when not asked or refused
   * @param error why the agent (or a part of its answer) is missing
   */
  public record Observation(Optional<GetHealthResponse> health, Optional<CheckServersResponse> connections,
      Optional<GetTargetUsageResponse> usage, String error) {}

  public static LustreFilesystemStatus observe(LustreFilesystemStatus previous, String fsName, ExternalSpec site, Observation seen, long generation,
      long committedBytes, Instant now) {
    boolean reached = seen.health().isPresent() && seen.connections().isPresent() && seen.usage().isPresent();
    String healthCheck = seen.health().map(h -> h.getHealthCheck().strip()).orElse("");
    boolean healthy = reached && healthCheck.equals("healthy");
    ServerStatus agent = new ServerStatus(AGENT_NAME, AGENT_ROLE, site.agentAddress(),
        seen.health().<List<String>>map(h -> List.copyOf(h.getNidsList())).orElse(List.of()),
        !reached ? ServerStatus.UNREACHABLE : healthy ? ServerStatus.READY : ServerStatus.FAILED,
        !reached ? seen.error() : healthy ? null : "health_check: " + healthCheck);

    List<TargetStatus> targets = reached ? targets(previous, fsName, site, seen.connections().get(), seen.usage().get()) : previous.targets();
    List<TargetStatus> osts = targets.stream().filter(t -> TargetKinds.OST.equals(t.kind())).toList();
    // Used over the same OSTs as usable, as on a filesystem the driver runs (FilesystemStatusCalculator).
    List<TargetStatus> usableOsts = osts.stream().filter(t -> up(t) && t.capacityBytes() != null).toList();
    long usable = usableOsts.stream().mapToLong(TargetStatus::capacityBytes).sum();
    long used = usableOsts.stream().filter(t -> t.usedBytes() != null).mapToLong(TargetStatus::usedBytes).sum();
    boolean allUp = !osts.isEmpty() && targets.stream().allMatch(ExternalStatusCalculator::up);
    List<String> down = targets.stream().filter(t -> !up(t)).map(t -> t.name() + " " + t.state()).toList();

    String phase;
    if (!reached) {
      phase = targets.isEmpty() ? PENDING : FilesystemStatusCalculator.DEGRADED;
    } else {
      phase = healthy && allUp ? FilesystemStatusCalculator.READY : FilesystemStatusCalculator.DEGRADED;
    }
    String health = !reached ? LustreFilesystemStatus.UNKNOWN : healthy && allUp ? LustreFilesystemStatus.HEALTHY : LustreFilesystemStatus.DEGRADED;
    boolean ready = FilesystemStatusCalculator.READY.equals(phase);

    List<FilesystemCondition> conditions = new ArrayList<>();
    conditions.add(condition(previous, "Ready", ready, ready ? "AllTargetsUp" : !reached ? "AgentUnreachable" : phase,
        ready ? "every target is up as the management host sees it"
            : !reached ? "the agent at " + site.agentAddress() + " did not answer: " + seen.error()
            : !healthy ? "the management host's Lustre client reports health_check: " + healthCheck
            : osts.isEmpty() ? "the management host sees no OST" : String.join(", ", down),
        generation, now));
    conditions.add(condition(previous, "AgentReachable", reached, reached ? "AgentAnswers" : "AgentUnreachable",
        reached ? "the agent at " + site.agentAddress() + " answers over mutual TLS" : String.valueOf(seen.error()), generation, now));
    boolean lost = targets.stream().anyMatch(t -> "Down".equals(t.state()) || "Recovering".equals(t.state()));
    conditions.add(condition(previous, "TargetsHealthy", !lost, lost ? "TargetsLost" : "NoTargetLost",
        lost ? String.join(", ", down) : "no target is down or recovering as the management host sees it", generation, now));

    return new LustreFilesystemStatus(phase, generation, conditions, List.of(agent), targets, osts.size(), Sizes.format(usable),
        Sizes.format(used), health, usable, committedBytes, used, previous.nextProjectId(), FilesystemStatusCalculator.fill(used, usable),
        null, null);
  }

  /**
   * Every target the client knows (lfs check servers) or lfs df lists, and every target seen
   * before: a target that disappears from both is Down, never forgotten, so losing an OST shows.
   * The MGS is the MGC connection to one of the spec's MGS NIDs.
   */
  static List<TargetStatus> targets(LustreFilesystemStatus previous, String fsName, ExternalSpec site, CheckServersResponse connections,
      GetTargetUsageResponse usage) {
    Map<String, TargetStatus> byName = new LinkedHashMap<>();
    previous.targets().forEach(t -> byName.put(t.name(), t.withObserved(TargetStatus.DOWN, t.capacityBytes(), t.usedBytes())));
    String nids = site.mgsNids() + "," + site.mgsNidsO2ib();
    for (ServerConnection connection : connections.getConnectionsList()) {
      String name;
      if (connection.getKind() == Target.Kind.MGT) {
        String nid = connection.getDevice().substring("MGC".length());
        if (!List.of(nids.split("[,:]")).contains(nid)) {
          continue;  // another filesystem's MGS, mounted on the same host
        }
        name = "MGS";
      } else {
        name = targetName(fsName, connection.getKind(), connection.getIndex());
      }
      TargetStatus known = byName.get(name);
      byName.put(name, new TargetStatus(name, kind(connection.getKind()), connection.getIndex(), AGENT_NAME, null,
          state(connection),
          known == null ? null : known.capacityBytes(), known == null ? null : known.usedBytes()));
    }
    for (TargetUsage space : usage.getTargetsList()) {
      if (space.getKind() == Target.Kind.KIND_UNSPECIFIED) {
        continue;
      }
      String name = targetName(fsName, space.getKind(), space.getIndex());
      TargetStatus known = byName.get(name);
      String state = space.getInactive() ? TargetStatus.DOWN : known != null ? known.state() : FilesystemStatusCalculator.UP;
      Long capacity = space.getInactive() ? (known == null ? null : known.capacityBytes()) : Long.valueOf(space.getCapacityBytes());
      Long used = space.getInactive() ? (known == null ? null : known.usedBytes()) : Long.valueOf(space.getUsedBytes());
      byName.put(name, new TargetStatus(name, kind(space.getKind()), space.getIndex(), AGENT_NAME, null, state, capacity, used));
    }
    return byName.values().stream()
        .sorted(Comparator.comparing((TargetStatus t) -> order(t.kind())).thenComparing(TargetStatus::index)).toList();
  }

  /**
   * A target's state as the client sees it: Down when lfs check finds the connection inactive or
   * the import lost (DISCONN, EVICTED, CLOSED), Recovering while the import reconnects or replays
   * (the server restarted), Up when connected (FULL, IDLE, or not read, as for the MGC).
   */
  static String state(ServerConnection connection) {
    if (!connection.getActive()) {
      return TargetStatus.DOWN;
    }
    return switch (connection.getImportState()) {
      case "", "FULL", "IDLE" -> FilesystemStatusCalculator.UP;
      case "DISCONN", "EVICTED", "CLOSED" -> TargetStatus.DOWN;
      default -> TargetStatus.RECOVERING;
    };
  }

  private static String targetName(String fsName, Target.Kind kind, int index) {
    return TargetKinds.targetName(fsName, kind(kind), index);
  }

  private static int order(String kind) {
    return switch (kind) {
      case TargetKinds.MGT -> 0;
      case TargetKinds.MDT -> 1;
      default -> 2;
    };
  }

  private static String kind(Target.Kind kind) {
    return switch (kind) {
      case MGT -> TargetKinds.MGT;
      case MDT -> TargetKinds.MDT;
      default -> TargetKinds.OST;
    };
  }

  private static boolean up(TargetStatus target) {
    return FilesystemStatusCalculator.UP.equals(target.state());
  }

  private static FilesystemCondition condition(LustreFilesystemStatus previous, String type, boolean true_, String reason,
      String message, long generation, Instant now) {
    String status = true_ ? "True" : "False";
    String since = previous.conditions().stream()
        .filter(c -> c.type().equals(type) && c.status().equals(status))
        .map(FilesystemCondition::lastTransitionTime).findFirst().orElse(now.toString());
    return new FilesystemCondition(type, status, reason, message, since, generation);
  }
}
