package dev.lustrecsi.controller.filesystem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the filesystem is, as the controller decided and observed it. Decisions (server names,
 * addresses, which OSS serves which OST index) are written here before any object is created, so
 * a controller that crashes mid-way finds them on restart and makes the same objects again.
 *
 * @param phase one of {@link #PHASES}
 * @param observedGeneration the spec generation this status describes
 * @param conditions Ready, ServersReady, TargetsHealthy, with observedGeneration each
 * @param servers every server VM ever planned, with its fixed address
 * @param targets every target ever planned (MGT, MDT, OSTs), by index
 * @param ostCount OSTs planned (printer column)
 * @param capacity usable OST capacity, human readable (printer column)
 * @param used bytes used on OSTs, human readable (printer column)
 * @param health one of {@link #HEALTHS} (printer column)
 * @param usableBytes usable OST capacity
 * @param committedBytes capacity promised to volumes (sum of their quotas)
 * @param usedBytes bytes in use on the OSTs
 * @param nextProjectId the first Lustre project id no volume of this filesystem has been given:
 *     the controller moves it a block ahead (a write conditional on resourceVersion) before it
 *     hands out any id of the block, so an id is never given twice, not even across a crash or
 *     between two controllers. Unset until the first volume; ids below it are never reused.
 * @param fill how full the OSTs are: used bytes as a whole percentage of the usable capacity,
 *     e.g. "42%" (printer column); unset while no OST is up
 * @param upgrade the rolling replacement of the server VMs onto {@code spec.serverImage}: unset
 *     until the image first changes, then the last rollout's progress
 * @param draining the OSTs being drained and how far each has come, e.g. "OST0001 Migrating
 *     (120 files left)" (printer column); unset when none is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LustreFilesystemStatus(
    String phase,
    Long observedGeneration,
    List<FilesystemCondition> conditions,
    List<ServerStatus> servers,
    List<TargetStatus> targets,
    Integer ostCount,
    String capacity,
    String used,
    String health,
    Long usableBytes,
    Long committedBytes,
    Long usedBytes,
    Integer nextProjectId,
    String fill,
    UpgradeStatus upgrade,
    String draining) {
  public static final String PENDING = "Pending";
  public static final String PROVISIONING = "Provisioning";
  public static final String GROWING = "Growing";
  public static final String READY = "Ready";
  public static final String DEGRADED = "Degraded";
  public static final String FAILED = "Failed";
  /**
   * Every phase the controller writes: Pending (a site's filesystem not seen through its agent
   * yet), Provisioning, Growing, Ready, Degraded, Failed (a spec that cannot be carried out). The
   * status fields of few words each have such a list, and their writers use its constants, so the
   * docs guard in deploy-tests (DocsCrdFieldsTest) can hold every value the docs show to it.
   */
  public static final List<String> PHASES = List.of(PENDING, PROVISIONING, GROWING, READY, DEGRADED, FAILED);

  public static final String HEALTHY = "Healthy";
  public static final String UNKNOWN = "Unknown";
  /** Every health the controller writes (Degraded is the same word as the phase's). */
  public static final List<String> HEALTHS = List.of(HEALTHY, DEGRADED, UNKNOWN);

  /** A status with nothing draining. */
  public LustreFilesystemStatus(String phase, Long observedGeneration, List<FilesystemCondition> conditions, List<ServerStatus> servers,
      List<TargetStatus> targets, Integer ostCount, String capacity, String used, String health, Long usableBytes, Long committedBytes,
      Long usedBytes, Integer nextProjectId, String fill, UpgradeStatus upgrade) {
    this(phase, observedGeneration, conditions, servers, targets, ostCount, capacity, used, health, usableBytes, committedBytes,
        usedBytes, nextProjectId, fill, upgrade, null);
  }

  public LustreFilesystemStatus {
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    servers = servers == null ? List.of() : List.copyOf(servers);
    targets = targets == null ? List.of() : List.copyOf(targets);
  }

  public static LustreFilesystemStatus empty() {
    return new LustreFilesystemStatus(null, null, List.of(), List.of(), List.of(), 0, null, null, null, null, null, null, null, null, null);
  }

  /** The same status with the project-id mark moved to {@code next}. */
  public LustreFilesystemStatus withNextProjectId(int next) {
    return new LustreFilesystemStatus(phase, observedGeneration, conditions, servers, targets, ostCount, capacity, used, health,
        usableBytes, committedBytes, usedBytes, next, fill, upgrade, draining);
  }

  /** The same status with these servers and targets (the drain's steps change them one by one). */
  public LustreFilesystemStatus withLayout(List<ServerStatus> newServers, List<TargetStatus> newTargets) {
    return new LustreFilesystemStatus(phase, observedGeneration, conditions, newServers, newTargets, ostCount, capacity, used, health,
        usableBytes, committedBytes, usedBytes, nextProjectId, fill, upgrade, draining);
  }

  /** The same status with the rollout's progress replaced. */
  public LustreFilesystemStatus withUpgrade(UpgradeStatus newUpgrade, List<FilesystemCondition> newConditions) {
    return new LustreFilesystemStatus(phase, observedGeneration, newConditions, servers, targets, ostCount, capacity, used, health,
        usableBytes, committedBytes, usedBytes, nextProjectId, fill, newUpgrade, draining);
  }

  /**
   * A rolling upgrade of the server VMs, one at a time. Written before a VM is replaced, so a
   * controller that restarts mid-way knows which server it was waiting for and since when.
   *
   * @param image the image being rolled out ({@code spec.serverImage} when it started)
   * @param state one of {@link #STATES}: Upgrading, Stalled (a server did not come back within the
   *     limit; the rest are left as they are) or Complete
   * @param server the server being replaced now, unset between servers
   * @param serverSince when that server's replacement started (RFC 3339)
   * @param upgraded servers back up on the image
   * @param total server VMs of the filesystem
   * @param progress what the printer column shows, e.g. "2/5 fs1-oss1", "stalled at fs1-mds0 (3/5)", "5/5"
   * @param message what is happening, or why it stopped
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UpgradeStatus(String image, String state, String server, String serverSince, Integer upgraded, Integer total,
      String progress, String message) {
    public static final String UPGRADING = "Upgrading";
    public static final String STALLED = "Stalled";
    public static final String COMPLETE = "Complete";
    public static final List<String> STATES = List.of(UPGRADING, STALLED, COMPLETE);
  }

  /**
   * A server VM.
   *
   * @param name the VirtualMachine's name
   * @param role mgs, mds or oss
   * @param address its fixed IPv4 address on the storage network; never changes once given
   * @param nids the LNet NIDs it serves on, one per network type
   * @param state one of {@link #STATES}: Pending, Starting, Ready, Stopping or Failed, from the VM,
   *     VMI and agent (Unreachable for a site's management host whose agent does not answer);
   *     Removed once an OSS has no OST left and its VM is deleted (its name and address are never
   *     reused)
   * @param message why it is not ready, when it is not
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServerStatus(String name, String role, String address, List<String> nids, String state, String message) {
    public static final String PENDING = "Pending";
    public static final String STARTING = "Starting";
    public static final String READY = "Ready";
    /**
     * While its VirtualMachineInstance is being deleted: the guest is shutting down (a restart, an
     * upgrade's replacement, an eviction) and its targets are about to go, though the instance may
     * still say Running and Ready and its agent still answer.
     */
    public static final String STOPPING = "Stopping";
    /** While its Lustre reports itself not healthy (health_check). */
    public static final String FAILED = "Failed";
    /** A site's management host whose agent did not answer. */
    public static final String UNREACHABLE = "Unreachable";
    public static final String REMOVED = "Removed";
    public static final List<String> STATES = List.of(PENDING, STARTING, READY, STOPPING, FAILED, UNREACHABLE, REMOVED);

    public boolean removed() {
      return REMOVED.equals(state);
    }

    public ServerStatus withState(String newState, String newMessage) {
      return new ServerStatus(name, role, address, nids, newState, newMessage);
    }
  }

  /**
   * A Lustre target and the disk that holds it.
   *
   * @param name e.g. fs1-OST0003, or MGS
   * @param kind MGT, MDT or OST
   * @param index the target index
   * @param server the VM serving it
   * @param disk the block PVC holding it
   * @param state one of {@link #STATES}: Pending, Formatting, Up, Recovering or Down; Removing and
   *     Removed while and once a drained OST leaves
   * @param capacityBytes its size once up
   * @param usedBytes bytes used once up
   * @param drain how far its drain has come; unset for an OST nobody asked to drain
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetStatus(String name, String kind, int index, String server, String disk, String state,
      Long capacityBytes, Long usedBytes, DrainStatus drain) {
    public static final String PENDING = "Pending";
    public static final String FORMATTING = "Formatting";
    /** Mounted and answering. */
    public static final String UP = "Up";
    /** Mounted and in Lustre recovery (recovery_status RECOVERING or WAITING). */
    public static final String RECOVERING = "Recovering";
    public static final String DOWN = "Down";
    public static final String REMOVING = "Removing";
    public static final String REMOVED = "Removed";
    public static final List<String> STATES = List.of(PENDING, FORMATTING, UP, RECOVERING, DOWN, REMOVING, REMOVED);

    public TargetStatus(String name, String kind, int index, String server, String disk, String state, Long capacityBytes, Long usedBytes) {
      this(name, kind, index, server, disk, state, capacityBytes, usedBytes, null);
    }

    public TargetStatus withObserved(String newState, Long capacity, Long used) {
      return new TargetStatus(name, kind, index, server, disk, newState, capacity, used, drain);
    }

    public TargetStatus withDrain(DrainStatus newDrain) {
      return new TargetStatus(name, kind, index, server, disk, state, capacityBytes, usedBytes, newDrain);
    }

    /** Whether its disk belongs on its server's VM (false once a drain has let go of it). */
    public boolean diskAttached() {
      return drain == null || drain.diskAttached();
    }

    /** Whether it serves data and counts as part of the filesystem's health. */
    public boolean inService() {
      return drain == null || drain.serving();
    }

    /** Whether it holds data that volumes may be promised: neither draining nor gone. */
    public boolean backsVolumes() {
      return drain == null;
    }
  }

  /** A status condition in the Kubernetes convention. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FilesystemCondition(String type, String status, String reason, String message,
      String lastTransitionTime, Long observedGeneration) {}
}
