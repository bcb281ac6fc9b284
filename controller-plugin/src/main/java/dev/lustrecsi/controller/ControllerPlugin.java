package dev.lustrecsi.controller;

import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import dev.lustrecsi.common.metrics.CsiCallMetrics;
import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.csi.ControllerService;
import dev.lustrecsi.controller.csi.GroupControllerService;
import dev.lustrecsi.controller.csi.VolumePages;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/** Wires the controller plugin: provisioner, and the Identity, Controller and GroupController services on one socket. */
public final class ControllerPlugin {
  private ControllerPlugin() {}

  /** Starts serving on the cluster's records and servers; the caller closes the server to stop, then the cluster. */
  public static CsiServer start(Endpoint endpoint, ClusterBackend cluster, CsiCallMetrics callMetrics) {
    VolumeProvisioner provisioner = cluster.provisioner();
    IdentityService identity = new IdentityService(PluginInfo.current(), provisioner::backendReachable);
    return CsiServer.start(endpoint, List.of(identity, new ControllerService(provisioner, new VolumePages(provisioner::volumes), cluster.snapshots()),
        new GroupControllerService(cluster.groupSnapshots())), callMetrics);
  }

  /** As above, timing calls into a registry no one serves (tests that do not look at metrics). */
  public static CsiServer start(Endpoint endpoint, ClusterBackend cluster) {
    return start(endpoint, cluster, new CsiCallMetrics(new PrometheusRegistry()));
  }
}
