package dev.lustrecsi.node.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.node.rdma.SysfsTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NodeGetInfo's rdma value, which kubelet labels the Node with for good: a port still coming up
 * when kubelet first asks is waited for, bounded; a port that is down is not.
 */
class RdmaSettlingTest {
  @TempDir Path dir;

  NodeNetworking networking(Path node, RdmaSettling settling) {
    return new NodeNetworking(SysfsTrees.scanner(node)::scan, Optional.empty(), Duration.ofMinutes(1), settling).start();
  }

  @Test
  void aPortTheSubnetManagerActivatesWhileNodeGetInfoWaitsIsReportedAsRdma() throws InterruptedException {
    Path node = SysfsTrees.copy("ib-init", dir);
    NodeNetworking networking = networking(node, new RdmaSettling(Duration.ofSeconds(20), Duration.ofMillis(20)));
    assertThat(networking.rdma()).as("INIT at start").isFalse();

    Thread subnetManager = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
      SysfsTrees.write(node.resolve("sys/class/infiniband/mlx5_0/ports/1/state"), "4: ACTIVE");
      SysfsTrees.write(node.resolve("sys/class/net/ib0/operstate"), "up");
    });
    long started = System.nanoTime();
    assertThat(networking.rdmaForTopology()).as("what kubelet labels the Node with").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the port, not for the bound").isLessThan(Duration.ofSeconds(10));
    assertThat(networking.reportedRdma()).contains(true);
    subnetManager.join();
  }

  @Test
  void aPortWithoutCableAnswersAtOnce() {
    NodeNetworking networking = networking(SysfsTrees.copy("ib-no-cable", dir), new RdmaSettling(Duration.ofSeconds(30), Duration.ofMillis(20)));
    long started = System.nanoTime();
    assertThat(networking.rdmaForTopology()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aPortThatStaysInInitIsWaitedForOnlyUpToTheBound() {
    NodeNetworking networking = networking(SysfsTrees.copy("ib-init", dir), new RdmaSettling(Duration.ofMillis(300), Duration.ofMillis(20)));
    long started = System.nanoTime();
    assertThat(networking.rdmaForTopology()).as("no subnet manager on the fabric").isFalse();
    Duration waited = Duration.ofNanos(System.nanoTime() - started);
    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(5));
    assertThat(networking.reportedRdma()).contains(false);
  }
}
