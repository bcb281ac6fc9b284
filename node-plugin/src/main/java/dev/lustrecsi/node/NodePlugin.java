package dev.lustrecsi.node;

import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import dev.lustrecsi.node.csi.NodeService;
import dev.lustrecsi.node.csi.PathPolicy;
import dev.lustrecsi.node.health.MountHealth;
import dev.lustrecsi.node.health.Readiness;
import dev.lustrecsi.node.metrics.NodeMetrics;
import dev.lustrecsi.node.mount.Adoption;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.stats.StatsProbe;
import dev.lustrecsi.node.stats.Statvfs;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import dev.lustrecsi.node.topology.NodeNetworking;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Wires the node plugin: networks and LNet, mount manager, health, stats, and the Identity and Node services on one socket. */
public final class NodePlugin {
  private static final System.Logger LOG = System.getLogger(NodePlugin.class.getName());

  private NodePlugin() {}

  /**
   * What the node plugin needs to know about its node.
   *
   * @param nodeId the id reported to the CO (the Kubernetes node name)
   * @param mountRoot where the per-filesystem Lustre mounts live
   * @param allowedRoots directories the CO may stage and publish in
   * @param statsTimeout how long statfs may take before the volume is reported abnormal
   * @param healthInterval how often the background checker statfs-es each filesystem mount
   */
  public record Config(String nodeId, Path mountRoot, List<Path> allowedRoots, Duration statsTimeout, Duration healthInterval) {
    public Config(String nodeId, Path mountRoot, List<Path> allowedRoots, Duration statsTimeout) {
      this(nodeId, mountRoot, allowedRoots, statsTimeout, Duration.ofSeconds(30));
    }
  }

  /** A started node plugin: its server, how ready it is, and its metrics (served by the caller, once the socket serves). */
  public record Running(CsiServer server, Readiness readiness, NodeMetrics metrics) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }

  /** Starts serving, after adopting the mounts a previous run left and releasing its orphans. */
  public static Running start(Endpoint endpoint, Config config, LustreClient client, VolumeStatsSource statsSource, CommandRunner runner,
      NodeNetworking networking) {
    MountTable mounts = MountTable.ofThisProcess();
    Mounter mounter = new Mounter(runner);
    FilesystemMounts filesystems = new FilesystemMounts(config.mountRoot(), mounts, client, mounter);
    Adoption.Report adoption = Adoption.run(filesystems);
    LOG.log(Level.INFO, "start: adopted " + adoption.adopted() + ", released orphans " + adoption.released());
    networking.start();
    // Health checks use the real statvfs: it is what hangs on a dead Lustre mount, in the sandbox too.
    MountHealth health = new MountHealth(filesystems, new StatsProbe(new Statvfs(), config.statsTimeout()), config.healthInterval()).start();
    NodeService node = new NodeService(config.nodeId(), new PathPolicy(config.allowedRoots(), config.mountRoot()), filesystems, mounts, mounter,
        new StatsProbe(statsSource, config.statsTimeout()), networking, health);
    Readiness readiness = new Readiness(client, networking);
    IdentityService identity = new IdentityService(PluginInfo.current(), readiness::probe);
    NodeMetrics metrics = new NodeMetrics();
    CsiServer server = CsiServer.start(endpoint, List.of(identity, node), metrics.calls());
    // After the socket serves: kubelet waits for the socket, and a scraper can wait a moment longer.
    metrics.watch(filesystems, health, networking, readiness);
    return new Running(server, readiness, metrics);
  }
}
