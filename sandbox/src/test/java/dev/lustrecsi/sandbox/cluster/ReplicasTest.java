package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.DeleteVolumeRequest;
import csi.v1.GetCapacityRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controller replicas on one cluster, as the chart runs them. CSI calls go to whichever one
 * the provisioner sidecar's leader runs beside, and that leadership moves back and forth while
 * both keep running: a replica called again must count what the other committed and freed meanwhile.
 */
class ReplicasTest {
  @TempDir Path dir;

  /** Four OSTs of 10 GiB at most: 40 GiB can ever be committed. */
  static final Map<String, String> PARAMS = Map.of("fsName", "shared", "ostSize", "10Gi", "maxOsts", "4");

  @Test
  void aReplicaCalledAgainCountsWhatTheOtherCommittedAndFreedMeanwhile() throws Exception {
    try (ControllerOnCluster first = new ControllerOnCluster(dir);
        ControllerOnCluster.Replica second = first.replica("replica-b")) {
      first.create("pvc-a", 10 * Sizes.GIB, PARAMS);
      // The sidecar's leadership moves to the second replica, which commits most of the rest...
      Volume b = first.asCo(() -> second.csi().createVolume(ControllerOnCluster.request("pvc-b", 25 * Sizes.GIB, PARAMS))).getVolume();
      // ...and back: 35 of 40 GiB are committed, whoever committed them.
      eventually(() -> available(first) == 5 * Sizes.GIB);
      assertThat(first.codeOf(() -> first.create("pvc-c", 10 * Sizes.GIB, PARAMS)))
          .as("past the growth limit with the other replica's volume").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(first.records()).hasSize(2);

      first.asCo(() -> second.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(b.getVolumeId()).build()));
      eventually(() -> available(first) == 30 * Sizes.GIB);
      first.create("pvc-c", 30 * Sizes.GIB, PARAMS);
      assertThat(first.filesystem("shared").getSpec().ostCount()).as("40 GiB committed").isEqualTo(4);
    }
  }

  static long available(ControllerOnCluster controller) {
    return controller.csi().getCapacity(GetCapacityRequest.newBuilder().putAllParameters(PARAMS).build()).getAvailableCapacity();
  }

  private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
