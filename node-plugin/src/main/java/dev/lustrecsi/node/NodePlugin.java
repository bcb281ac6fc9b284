package dev.lustrecsi.node;

import csi.v1.PluginCapability;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import dev.lustrecsi.node.csi.NodeService;
import dev.lustrecsi.node.csi.PathPolicy;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.stats.StatsProbe;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Wires the node plugin: mount manager, stats, and the Identity and Node services on one socket. */
public final class NodePlugin {
  private NodePlugin() {}

  /**
   * What the node plugin needs to know about its node.
   *
   * @param nodeId the id reported to the CO (the Kubernetes node name)
   * @param mountRoot where the per-filesystem Lustre mounts live
   * @param allowedRoots directories the CO may stage and publish in
   * @param statsTimeout how long statfs may take before the volume is reported abnormal
   */
  public record Config(String nodeId, Path mountRoot, List<Path> allowedRoots, Duration statsTimeout) {}

  /** Starts serving; first releases filesystem mounts a previous run left with no volume using them. */
  public static CsiServer start(Endpoint endpoint, Config config, LustreClient client, VolumeStatsSource statsSource, CommandRunner runner) {
    MountTable mounts = MountTable.ofThisProcess();
    Mounter mounter = new Mounter(runner);
    FilesystemMounts filesystems = new FilesystemMounts(config.mountRoot(), mounts, client, mounter);
    for (MountEntry orphan : filesystems.filesystemMounts()) {
      filesystems.releaseIfUnused(orphan.mountPoint().getFileName().toString());
    }
    NodeService node = new NodeService(config.nodeId(), new PathPolicy(config.allowedRoots()), filesystems, mounts, mounter,
        new StatsProbe(statsSource, config.statsTimeout()));
    IdentityService identity = new IdentityService(PluginInfo.current(), List.of(), () -> client.unavailableReason() == null);
    return CsiServer.start(endpoint, List.of(identity, node));
  }
}
