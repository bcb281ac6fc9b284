package dev.lustrecsi.common.identity;

import csi.v1.PluginCapability;
import java.util.List;

/**
 * The driver's plugin capabilities: one list, answered by the Identity service of every socket.
 * CSI tools and sidecars ask whichever socket they are given; csi-sanity, for one, decides from
 * the node socket's answer whether the driver has a controller and so whether to run the node
 * lifecycle tests. Capabilities describe the driver as a whole, so both plugins report the same.
 */
public final class DriverCapabilities {
  /** What the driver does, in the order it is reported. */
  public static final List<PluginCapability> ALL = List.of(
      service(PluginCapability.Service.Type.CONTROLLER_SERVICE),
      // Group snapshots: volumes of one filesystem in one Lustre snapshot (the controller's socket serves it).
      service(PluginCapability.Service.Type.GROUP_CONTROLLER_SERVICE),
      // Volumes of the RDMA tier (lnet: o2ib) carry an accessibility requirement on the rdma topology segment.
      service(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS),
      PluginCapability.newBuilder()
          .setVolumeExpansion(PluginCapability.VolumeExpansion.newBuilder().setType(PluginCapability.VolumeExpansion.Type.ONLINE))
          .build());

  private DriverCapabilities() {}

  private static PluginCapability service(PluginCapability.Service.Type type) {
    return PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder().setType(type)).build();
  }
}
