package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.GetPluginCapabilitiesRequest;
import csi.v1.GetPluginInfoRequest;
import csi.v1.GetPluginInfoResponse;
import csi.v1.IdentityGrpc;
import csi.v1.PluginCapability;
import csi.v1.ProbeRequest;
import csi.v1.ProbeResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Identity service, on the controller plugin's endpoint and the node plugin's. */
class IdentityConformanceTest extends ConformanceTest {
  /** CSI: at most 63 characters, alphanumeric at both ends, dashes, dots and alphanumerics between. */
  private static final Pattern PLUGIN_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?");

  @Test
  void getPluginInfoReturnsAWellFormedNameAndAVendorVersion() {
    for (Map.Entry<String, IdentityGrpc.IdentityBlockingStub> identity : target.identities().entrySet()) {
      GetPluginInfoResponse info = identity.getValue().getPluginInfo(GetPluginInfoRequest.getDefaultInstance());
      assertThat(info.getName()).as("%s plugin name", identity.getKey()).isNotEmpty().matches(PLUGIN_NAME);
      assertThat(info.getVendorVersion()).as("%s vendor_version", identity.getKey()).isNotBlank();
    }
  }

  @Test
  void controllerAndNodePluginsReportTheSameName() {
    String controller = target.controllerIdentity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()).getName();
    String node = target.nodeIdentity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()).getName();
    assertThat(node).isEqualTo(controller);
  }

  @Test
  void controllerPluginAdvertisesTheControllerService() {
    assertThat(target.controllerIdentity().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
        .filteredOn(PluginCapability::hasService)
        .extracting(c -> c.getService().getType())
        .contains(PluginCapability.Service.Type.CONTROLLER_SERVICE);
  }

  /**
   * Conformance tools ask the node socket whether the driver has a controller (csi-sanity runs
   * the node lifecycle only then): capabilities are the driver's, the same on every socket.
   */
  @Test
  void everySocketReportsTheSameCapabilitiesControllerServiceIncluded() {
    for (Map.Entry<String, IdentityGrpc.IdentityBlockingStub> identity : target.identities().entrySet()) {
      assertThat(identity.getValue().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
          .as("%s plugin capabilities", identity.getKey())
          .isEqualTo(target.controllerIdentity().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
          .filteredOn(PluginCapability::hasService)
          .extracting(c -> c.getService().getType())
          .contains(PluginCapability.Service.Type.CONTROLLER_SERVICE);
    }
  }

  @Test
  void pluginCapabilitiesAreAllKnown() {
    for (Map.Entry<String, IdentityGrpc.IdentityBlockingStub> identity : target.identities().entrySet()) {
      for (PluginCapability capability : identity.getValue().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList()) {
        switch (capability.getTypeCase()) {
          case SERVICE -> assertThat(capability.getService().getType()).as("%s service capability", identity.getKey())
              .isNotIn(PluginCapability.Service.Type.UNKNOWN, PluginCapability.Service.Type.UNRECOGNIZED);
          case VOLUME_EXPANSION -> assertThat(capability.getVolumeExpansion().getType()).as("%s volume expansion capability", identity.getKey())
              .isNotIn(PluginCapability.VolumeExpansion.Type.UNKNOWN, PluginCapability.VolumeExpansion.Type.UNRECOGNIZED);
          default -> throw new AssertionError(identity.getKey() + " plugin capability with no type: " + capability);
        }
      }
    }
  }

  @Test
  void probeReportsReady() {
    for (Map.Entry<String, IdentityGrpc.IdentityBlockingStub> identity : target.identities().entrySet()) {
      ProbeResponse probe = identity.getValue().probe(ProbeRequest.getDefaultInstance());
      // CSI: an unset ready field means ready.
      assertThat(!probe.hasReady() || probe.getReady().getValue()).as("%s plugin ready (%s)", identity.getKey(), probe).isTrue();
    }
  }
}
