package dev.lustrecsi.node.metrics;

import dev.lustrecsi.common.metrics.CsiCallMetrics;
import dev.lustrecsi.node.health.MountHealth;
import dev.lustrecsi.node.health.Readiness;
import dev.lustrecsi.node.lnet.DeadNi;
import dev.lustrecsi.node.lnet.LnetStatus;
import dev.lustrecsi.node.lnet.Nid;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.topology.NodeNetworking;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every metric the node plugin exports, defined here and nowhere else: its CSI calls, the Lustre
 * filesystems it has mounted and the volumes bound from each, each mount's health as the
 * background checker last found it, and LNet. Values are read when Prometheus scrapes (one read
 * of the mount table per metric, the checker's and LNet's last findings), so nothing runs and
 * nothing is kept between scrapes: the plugin stays as small at rest as it was.
 */
public final class NodeMetrics {
  public static final String FILESYSTEM_MOUNTS = "lustre_csi_node_filesystem_mounts";
  public static final String VOLUME_MOUNTS = "lustre_csi_node_volume_mounts";
  public static final String FILESYSTEM_HEALTHY = "lustre_csi_node_filesystem_healthy";
  public static final String READY = "lustre_csi_node_ready";
  public static final String LNET_READY = "lustre_csi_node_lnet_ready";
  public static final String LNET_NIDS = "lustre_csi_node_lnet_nids";
  public static final String LNET_NIDS_DOWN = "lustre_csi_node_lnet_nids_down";
  public static final String RDMA = "lustre_csi_node_rdma";
  public static final String RDMA_REPORTED = "lustre_csi_node_rdma_reported";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final CsiCallMetrics calls = new CsiCallMetrics(registry);

  /** The CSI call metrics: the node's socket needs them before anything else is known. */
  public CsiCallMetrics calls() {
    return calls;
  }

  /** Registers the node's state; call once the parts it reads exist. */
  public NodeMetrics watch(FilesystemMounts filesystems, MountHealth health, NodeNetworking networking, Readiness readiness) {
    gauge(FILESYSTEM_MOUNTS, "Lustre filesystems this node plugin has mounted (one mount per filesystem)")
        .callback(out -> out.call(filesystems.volumeMountCounts().size())).register(registry);
    gauge(VOLUME_MOUNTS, "Bind mounts taken from the filesystem's mount: each staged volume and each pod it is published to")
        .labelNames("filesystem")
        .callback(out -> filesystems.volumeMountCounts().forEach((fs, binds) -> out.call(binds, fs))).register(registry);
    gauge(FILESYSTEM_HEALTHY, "1 when the filesystem's mount answered the background statfs within its deadline, 0 when it hung or failed")
        .labelNames("filesystem")
        .callback(out -> filesystems.volumeMountCounts().keySet()
            .forEach(fs -> out.call(health.problem(fs).isEmpty() ? 1 : 0, fs))).register(registry);
    gauge(READY, "1 when this node can mount Lustre (client present, LNet answers): what Probe reports")
        .callback(out -> out.call(readiness.notReadyReason().isEmpty() ? 1 : 0)).register(registry);
    gauge(LNET_READY, "1 when LNet is configured, each of its networks has an NI that can carry traffic, and each such NID answers a ping")
        .callback(out -> out.call(networking.lnet().ready() ? 1 : 0)).register(registry);
    gauge(LNET_NIDS, "The node's own LNet NIDs that can carry traffic (NI up, and for o2ib on an ACTIVE RDMA port), by network (tcp0, o2ib0)")
        .labelNames("net")
        .callback(out -> nidsByNet(networking.lnet()).forEach((net, count) -> out.call(count, net))).register(registry);
    // A Multi-Rail net that lost a rail keeps the node ready: this is where the dead rail shows.
    gauge(LNET_NIDS_DOWN, "The node's own LNet NIDs that cannot carry traffic (NI down, or an o2ib NI whose RDMA port is not ACTIVE), by network;"
        + " with lustre_csi_node_lnet_nids above 0 on the same network, LNet runs degraded on the rest")
        .labelNames("net")
        .callback(out -> deadNidsByNet(networking.lnet()).forEach((net, count) -> out.call(count, net))).register(registry);
    gauge(RDMA, "1 when the node has a usable RDMA port now (new mounts may use o2ib); the ports are scanned every 30 s")
        .callback(out -> out.call(networking.rdma() ? 1 : 0)).register(registry);
    // Kubelet keeps the label it set at registration: a node whose two values differ is on the wrong side of the RDMA tier.
    gauge(RDMA_REPORTED, "The RDMA topology segment (lustre.csi.lustrecsi.dev/rdma) the node plugin last reported to kubelet, 1 for true; absent before registration")
        .callback(out -> networking.reportedRdma().ifPresent(rdma -> out.call(rdma ? 1 : 0))).register(registry);
    return this;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  private static Map<String, Integer> nidsByNet(LnetStatus lnet) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Nid nid : lnet.nids()) {
      counts.merge(nid.net(), 1, Integer::sum);
    }
    return counts;
  }

  /** Every network the node has, 0 where no NID is dead, so each network's series is steady. */
  private static Map<String, Integer> deadNidsByNet(LnetStatus lnet) {
    Map<String, Integer> counts = new TreeMap<>();
    lnet.nids().forEach(nid -> counts.putIfAbsent(nid.net(), 0));
    for (DeadNi dead : lnet.deadNis()) {
      counts.merge(dead.nid().net(), 1, Integer::sum);
    }
    return counts;
  }

  private static GaugeWithCallback.Builder gauge(String name, String help) {
    return GaugeWithCallback.builder().name(name).help(help);
  }
}
