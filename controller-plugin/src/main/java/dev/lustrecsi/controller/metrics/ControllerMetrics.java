package dev.lustrecsi.controller.metrics;

import dev.lustrecsi.common.metrics.CsiCallMetrics;
import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import dev.lustrecsi.controller.reconciler.FilesystemStatusCalculator;
import dev.lustrecsi.controller.reconciler.RollingUpgrade;
import dev.lustrecsi.controller.volume.VolumeRecord;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every metric the controller exports, defined here and nowhere else: its CSI calls; each
 * filesystem's size, fill, phase and health, each target's and server's state, each OST's
 * capacity and use (all read from the LustreFilesystem resources the reconciler keeps, through
 * the informer's cache, when Prometheus scrapes); and each volume's quota and usage (read from
 * its project quota in the background, see {@link VolumeUsageSampler}).
 *
 * <p>State comes only from the replica that leads: a standby's cache is as good, but two
 * replicas exporting the same filesystems would count them twice in every sum on the dashboard.
 * A state metric is exported as a set (one series per known state, 1 for the current one), so a
 * state that is absent reads 0 rather than "no data".
 */
public final class ControllerMetrics implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ControllerMetrics.class.getName());

  public static final String LEADER = "lustre_csi_controller_leader";
  public static final String FILESYSTEM_OBJECT = "lustre_csi_filesystem_object";
  public static final String FILESYSTEM_PHASE = "lustre_csi_filesystem_phase";
  public static final String FILESYSTEM_HEALTH = "lustre_csi_filesystem_health";
  public static final String FILESYSTEM_OSTS = "lustre_csi_filesystem_osts";
  public static final String FILESYSTEM_CAPACITY = "lustre_csi_filesystem_capacity_bytes";
  public static final String FILESYSTEM_CAPACITY_LIMIT = "lustre_csi_filesystem_capacity_limit_bytes";
  public static final String FILESYSTEM_COMMITTED = "lustre_csi_filesystem_committed_bytes";
  public static final String FILESYSTEM_USED = "lustre_csi_filesystem_used_bytes";
  public static final String FILESYSTEM_SERVERS_UPGRADED = "lustre_csi_filesystem_upgrade_servers_done";
  public static final String FILESYSTEM_UPGRADE_STALLED = "lustre_csi_filesystem_upgrade_stalled";
  public static final String FILESYSTEM_VOLUMES = "lustre_csi_filesystem_volumes";
  public static final String TARGET_STATE = "lustre_csi_target_state";
  public static final String SERVER_STATE = "lustre_csi_server_state";
  public static final String SERVER_UPGRADING = "lustre_csi_server_upgrading";
  public static final String OST_CAPACITY = "lustre_csi_ost_capacity_bytes";
  public static final String OST_USED = "lustre_csi_ost_used_bytes";
  public static final String OST_DRAIN_FILES_LEFT = "lustre_csi_ost_drain_files_left";
  public static final String VOLUME_QUOTA = "lustre_csi_volume_quota_bytes";
  public static final String VOLUME_USED = "lustre_csi_volume_used_bytes";
  public static final String VOLUME_INODES = "lustre_csi_volume_used_inodes";
  public static final String VOLUME_USAGE_OMITTED = "lustre_csi_volume_usage_omitted";
  /** A counter: exposed with the suffix {@code _total}. */
  public static final String ABANDONED_VOLUMES_WITHDRAWN = "lustre_csi_abandoned_volumes_withdrawn";
  public static final String ABANDONED_SNAPSHOTS_WITHDRAWN = "lustre_csi_abandoned_snapshots_withdrawn";

  /** The states each set lists even when nothing is in them. A state the status shows that is not listed is exported too. */
  static final List<String> PHASES = List.of("Pending", FilesystemStatusCalculator.PROVISIONING, FilesystemStatusCalculator.GROWING,
      FilesystemStatusCalculator.READY, FilesystemStatusCalculator.DEGRADED, FilesystemReconciler.FAILED);
  static final List<String> HEALTHS = List.of("Healthy", "Degraded", "Unknown");
  static final List<String> TARGET_STATES = List.of("Pending", "Formatting", FilesystemStatusCalculator.UP, "Recovering", "Down");
  static final List<String> SERVER_STATES = List.of("Pending", "Starting", FilesystemStatusCalculator.READY, FilesystemStatusCalculator.STOPPING,
      "Failed");

  /**
   * How the controller's metrics run.
   *
   * @param volumeLimit at most this many volumes get usage series (the largest quotas)
   * @param volumeUsageInterval time between two rounds of reading volume usage
   */
  public record Settings(int volumeLimit, Duration volumeUsageInterval) {
    public static final int DEFAULT_VOLUME_LIMIT = 500;

    public Settings {
      if (volumeLimit < 0) {
        throw new IllegalArgumentException("the volume limit must not be negative, not " + volumeLimit);
      }
    }
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final CsiCallMetrics calls = new CsiCallMetrics(registry);
  private final ClusterBackend cluster;
  private final VolumeUsageSampler volumes;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("volume-usage").factory());

  private ControllerMetrics(ClusterBackend cluster, Settings settings) {
    this.cluster = cluster;
    this.volumes = new VolumeUsageSampler(() -> cluster.journal().volumes(),
        volume -> cluster.backend().usage(volume.id(), volume.projectId()), settings.volumeLimit());
    register();
  }

  /** Registers every metric and starts reading volume usage every interval (while leading). */
  public static ControllerMetrics start(ClusterBackend cluster, Settings settings) {
    ControllerMetrics metrics = new ControllerMetrics(cluster, settings);
    metrics.timer.scheduleWithFixedDelay(metrics::sampleVolumes, 0, settings.volumeUsageInterval().toMillis(), TimeUnit.MILLISECONDS);
    return metrics;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The CSI call metrics, for the controller's socket. */
  public CsiCallMetrics calls() {
    return calls;
  }

  /**
   * One round of volume usage now (what the timer does), where this replica leads. Rounds never
   * overlap: a round that began before a write and ended after this one would put its older
   * reading back.
   */
  public synchronized void sampleVolumes() {
    try {
      if (cluster.leading()) {
        volumes.sampleOnce();
      } else {
        volumes.clear();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reading volume usage failed: " + e.getMessage());
    }
  }

  private void register() {
    withdrawnCounter(ABANDONED_VOLUMES_WITHDRAWN, "Volumes this replica withdrew because no CreateVolume asked for them in the"
        + " abandonment time (their claim went and their CO gave up), since it started", () -> cluster.abandonedVolumes().withdrawnByFilesystem());
    withdrawnCounter(ABANDONED_SNAPSHOTS_WITHDRAWN, "Snapshots this replica withdrew because no CreateSnapshot asked for them in the"
        + " abandonment time (their VolumeSnapshot went and their CO gave up), since it started",
        () -> cluster.abandonedSnapshots().withdrawnByFilesystem());
    gauge(LEADER, "1 on the replica that holds the lease (it alone exports filesystem and volume state), 0 on a standby")
        .callback(out -> out.call(cluster.leading() ? 1 : 0)).register(registry);

    // The LustreFilesystem object of each fsname: an fsname with upper case or '_' is not a
    // Kubernetes name, so the object's differs, and an alert's kubectl command needs the object's.
    gauge(FILESYSTEM_OBJECT, "1 for each filesystem, naming the LustreFilesystem object that holds it (label lustrefilesystem)")
        .labelNames("filesystem", "lustrefilesystem")
        .callback(out -> eachFilesystem(fs -> out.call(1, fs.getSpec().fsName(), fs.getMetadata().getName()))).register(registry);
    stateSet(FILESYSTEM_PHASE, "The filesystem's phase (status.phase): 1 for the current one", "phase", PHASES,
        fs -> phase(status(fs)));
    stateSet(FILESYSTEM_HEALTH, "The filesystem's health (status.health): 1 for the current one", "health", HEALTHS,
        fs -> status(fs).health() == null ? "Unknown" : status(fs).health());
    filesystemGauge(FILESYSTEM_OSTS, "OSTs planned for the filesystem (status.ostCount)",
        fs -> orZero(status(fs).ostCount()));
    filesystemGauge(FILESYSTEM_CAPACITY, "Usable capacity: the sum of the OSTs that are up (status.usableBytes)",
        fs -> orZero(status(fs).usableBytes()));
    filesystemGauge(FILESYSTEM_CAPACITY_LIMIT, "Volume capacity the filesystem can ever back, as CreateVolume enforces it: maxOsts OSTs of ostSize times"
        + " the overcommit; for a site's filesystem, its OST capacity as last seen times spec.external.overcommit",
        ControllerMetrics::capacityLimit);
    filesystemGauge(FILESYSTEM_COMMITTED, "Capacity promised to volumes: the sum of their quotas (status.committedBytes)",
        fs -> orZero(status(fs).committedBytes()));
    filesystemGauge(FILESYSTEM_USED, "Bytes in use on the filesystem's OSTs (status.usedBytes)",
        fs -> orZero(status(fs).usedBytes()));
    // A filesystem whose image never changed has every server on its image: done is all of them,
    // as the rollout counts them, without those a drain emptied and deleted (status keeps them as Removed).
    filesystemGauge(FILESYSTEM_SERVERS_UPGRADED, "Server VMs back on spec.serverImage in the rolling upgrade (status.upgrade.upgraded;"
        + " every server when no upgrade ever ran)", fs -> status(fs).upgrade() == null
            ? status(fs).servers().stream().filter(server -> !server.removed()).count()
            : orZero(status(fs).upgrade().upgraded()));
    filesystemGauge(FILESYSTEM_UPGRADE_STALLED, "1 while the rolling upgrade is stopped at a server that did not come back in time",
        fs -> status(fs).upgrade() != null && "Stalled".equals(status(fs).upgrade().state()) ? 1 : 0);
    gauge(FILESYSTEM_VOLUMES, "Volumes recorded on the filesystem (LustreVolume objects), whatever their state")
        .labelNames("filesystem")
        .callback(out -> {
          if (cluster.leading()) {
            volumeCounts().forEach((fs, count) -> out.call(count, fs));
          }
        }).register(registry);

    gauge(TARGET_STATE, "Each target's state (status.targets[].state): 1 for the current one")
        .labelNames("filesystem", "target", "kind", "server", "state")
        .callback(out -> eachFilesystem(fs -> {
          for (TargetStatus target : status(fs).targets()) {
            if (!target.inService()) {
              continue;  // a drain took it out on purpose: not a target to be healthy, and soon gone
            }
            states(TARGET_STATES, target.state() == null ? "Pending" : target.state()).forEach((state, value) ->
                out.call(value, fs.getSpec().fsName(), target.name(), target.kind(), target.server(), state));
          }
        })).register(registry);
    gauge(SERVER_STATE, "Each server VM's state (status.servers[].state): 1 for the current one")
        .labelNames("filesystem", "server", "role", "state")
        .callback(out -> eachFilesystem(fs -> {
          for (ServerStatus server : status(fs).servers()) {
            if (server.removed()) {
              continue;  // deleted after a drain emptied it
            }
            states(SERVER_STATES, server.state() == null ? "Pending" : server.state()).forEach((state, value) ->
                out.call(value, fs.getSpec().fsName(), server.name(), server.role(), state));
          }
        })).register(registry);
    // Its targets are down on purpose while the upgrade waits for it: LustreTargetDown leaves them
    // to LustreUpgradeStalled until the upgrade gives up on the server.
    gauge(SERVER_UPGRADING, "1 for the server VM a rolling upgrade is replacing now (status.upgrade.server), while the upgrade"
        + " has not stalled; no series otherwise")
        .labelNames("filesystem", "server")
        .callback(out -> eachFilesystem(fs -> upgrading(status(fs)).ifPresent(server -> out.call(1, fs.getSpec().fsName(), server))))
        .register(registry);
    ostGauge(OST_CAPACITY, "Each OST's size as lfs df reports it", TargetStatus::capacityBytes);
    ostGauge(OST_USED, "Bytes in use on each OST as lfs df reports it", TargetStatus::usedBytes);
    ostGauge(OST_DRAIN_FILES_LEFT, "Files left on each OST being drained (status.targets[].drain.filesLeft), while it migrates",
        t -> t.drain() != null && "Migrating".equals(t.drain().step()) ? t.drain().filesLeft() : null);

    gauge(VOLUME_QUOTA, "Each volume's capacity: its project quota (the PVC's size)")
        .labelNames("filesystem", "volume")
        .callback(out -> volumes.samples().forEach(s -> out.call(s.quotaBytes(), s.fsName(), s.volume()))).register(registry);
    gauge(VOLUME_USED, "Bytes charged to each volume's project, as lfs quota reports them")
        .labelNames("filesystem", "volume")
        .callback(out -> volumes.samples().forEach(s -> out.call(s.usedBytes(), s.fsName(), s.volume()))).register(registry);
    gauge(VOLUME_INODES, "Files and directories charged to each volume's project, as lfs quota reports them")
        .labelNames("filesystem", "volume")
        .callback(out -> volumes.samples().forEach(s -> out.call(s.usedInodes(), s.fsName(), s.volume()))).register(registry);
    gauge(VOLUME_USAGE_OMITTED, "Ready volumes left without usage series because of the volume limit (--metrics-volume-limit)")
        .callback(out -> {
          if (cluster.leading()) {
            out.call(volumes.omitted());
          }
        }).register(registry);
  }

  /**
   * A counter of withdrawals by filesystem, served from 0 for every filesystem the leader knows: a
   * series that appeared only at its first withdrawal would hide that one from increase() and rate().
   */
  private void withdrawnCounter(String name, String help, Supplier<Map<String, Long>> withdrawn) {
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name(name).help(help).labelNames("filesystem")
        .callback(out -> {
          Map<String, Double> counts = new TreeMap<>();
          eachFilesystem(fs -> counts.put(fs.getSpec().fsName(), 0.0));
          withdrawn.get().forEach((fsName, count) -> counts.put(fsName, (double) count));
          counts.forEach((fsName, count) -> out.call(count, fsName));
        }).register(registry);
  }

  private void filesystemGauge(String name, String help, ToDoubleFunction<LustreFilesystem> value) {
    gauge(name, help).labelNames("filesystem")
        .callback(out -> eachFilesystem(fs -> out.call(value.applyAsDouble(fs), fs.getSpec().fsName()))).register(registry);
  }

  private void stateSet(String name, String help, String label, List<String> known, java.util.function.Function<LustreFilesystem, String> current) {
    gauge(name, help).labelNames("filesystem", label)
        .callback(out -> eachFilesystem(fs -> states(known, current.apply(fs))
            .forEach((state, value) -> out.call(value, fs.getSpec().fsName(), state)))).register(registry);
  }

  private void ostGauge(String name, String help, java.util.function.Function<TargetStatus, Long> value) {
    gauge(name, help).labelNames("filesystem", "ost", "server")
        .callback(out -> eachFilesystem(fs -> {
          for (TargetStatus target : status(fs).targets()) {
            Long bytes = value.apply(target);
            if (TargetKinds.OST.equals(target.kind()) && bytes != null && target.inService()) {
              out.call(bytes, fs.getSpec().fsName(), target.name(), target.server());
            }
          }
        })).register(registry);
  }

  /** Runs {@code each} for every filesystem, on the leading replica only. */
  private void eachFilesystem(Consumer<LustreFilesystem> each) {
    if (cluster.leading()) {
      cluster.backend().resources().stream().filter(fs -> fs.getSpec() != null).forEach(each);
    }
  }

  private Map<String, Integer> volumeCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    cluster.backend().resources().stream().filter(fs -> fs.getSpec() != null).forEach(fs -> counts.put(fs.getSpec().fsName(), 0));
    for (VolumeRecord volume : cluster.journal().volumes()) {
      counts.merge(volume.id().fsName(), 1, Integer::sum);
    }
    return counts;
  }

  /** One series per known state and for the current one, 1 for the current one. */
  static Map<String, Integer> states(List<String> known, String current) {
    Set<String> all = new LinkedHashSet<>(known);
    all.add(current);
    Map<String, Integer> values = new java.util.LinkedHashMap<>();
    all.forEach(state -> values.put(state, state.equals(current) ? 1 : 0));
    return values;
  }

  private static LustreFilesystemStatus status(LustreFilesystem filesystem) {
    return filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
  }

  /** The server a rolling upgrade is replacing and waiting for, within its time limit. */
  static Optional<String> upgrading(LustreFilesystemStatus status) {
    LustreFilesystemStatus.UpgradeStatus upgrade = status.upgrade();
    return upgrade != null && RollingUpgrade.UPGRADING.equals(upgrade.state()) ? Optional.ofNullable(upgrade.server())
        : Optional.empty();
  }

  private static String phase(LustreFilesystemStatus status) {
    return status.phase() == null ? "Pending" : status.phase();
  }

  /**
   * The limit CreateVolume and expansion enforce (FilesystemState.capacityLimit): maxOsts OSTs of
   * ostSize times the overcommit, or for the site's filesystem its OST capacity as last seen
   * times its commitment share; +Inf without a maxOsts, NaN for a spec the reconciler reports as
   * InvalidSpec (one series says so, the scrape goes on).
   */
  static double capacityLimit(LustreFilesystem filesystem) {
    LustreFilesystemSpec spec = filesystem.getSpec();
    if (!spec.runBySite() && (spec.maxOsts() == null || spec.ostSize() == null)) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      return LustreBackend.state(filesystem).capacityLimit();
    } catch (IllegalArgumentException e) {
      return Double.NaN;
    }
  }

  private static double orZero(Number value) {
    return value == null ? 0 : value.doubleValue();
  }

  private static GaugeWithCallback.Builder gauge(String name, String help) {
    return GaugeWithCallback.builder().name(name).help(help);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
