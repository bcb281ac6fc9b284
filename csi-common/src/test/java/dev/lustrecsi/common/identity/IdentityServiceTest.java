package dev.lustrecsi.common.identity;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.GetPluginCapabilitiesRequest;
import csi.v1.IdentityGrpc;
import csi.v1.PluginCapability;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.grpc.UnixSockets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityServiceTest {
  @TempDir Path dir;

  private List<PluginCapability> capabilitiesOnSocket(IdentityService identity) {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(identity));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      return IdentityGrpc.newBlockingStub(client.channel()).getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
          .getCapabilitiesList();
    }
  }

  @Test
  void anIdentityNotReadyYetStillReportsEveryCapabilityOfTheDriver() {
    // The node plugin's Identity is one like this: tools learn from it that the driver has a controller.
    List<PluginCapability> answered = capabilitiesOnSocket(new IdentityService(PluginInfo.current(), () -> false));

    assertThat(answered).isEqualTo(DriverCapabilities.ALL);
    assertThat(answered).filteredOn(PluginCapability::hasService).extracting(c -> c.getService().getType())
        .containsExactly(PluginCapability.Service.Type.CONTROLLER_SERVICE, PluginCapability.Service.Type.GROUP_CONTROLLER_SERVICE,
            PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS);
    assertThat(answered).filteredOn(PluginCapability::hasVolumeExpansion).extracting(c -> c.getVolumeExpansion().getType())
        .containsExactly(PluginCapability.VolumeExpansion.Type.ONLINE);
  }
}
