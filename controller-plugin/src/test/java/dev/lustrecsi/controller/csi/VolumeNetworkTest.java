package dev.lustrecsi.controller.csi;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.Topology;
import csi.v1.Volume;
import dev.lustrecsi.common.topology.LnetChoice;
import org.junit.jupiter.api.Test;

class VolumeNetworkTest {
  static final Volume VOLUME = Volume.newBuilder().setVolumeId("fs1/pvc-1").putVolumeContext("fsName", "fs1").build();

  @Test
  void anRdmaTierVolumeRequiresRdmaNodes() {
    Volume volume = ControllerService.withNetwork(VOLUME, LnetChoice.O2IB);
    assertThat(volume.getAccessibleTopologyList())
        .containsExactly(Topology.newBuilder().putSegments("lustre.csi.lustrecsi.dev/rdma", "true").build());
    assertThat(volume.getVolumeContextMap()).containsEntry("lnet", "o2ib").containsEntry("fsName", "fs1");
  }

  @Test
  void tcpAndAutoVolumesAreAccessibleEverywhere() {
    for (LnetChoice lnet : new LnetChoice[] {LnetChoice.TCP, LnetChoice.AUTO}) {
      Volume volume = ControllerService.withNetwork(VOLUME, lnet);
      assertThat(volume.getAccessibleTopologyList()).isEmpty();
      assertThat(volume.getVolumeContextMap()).containsEntry("lnet", lnet.value());
    }
  }
}
