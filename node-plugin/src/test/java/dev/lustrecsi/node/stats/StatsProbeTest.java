package dev.lustrecsi.node.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.VolumeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatsProbeTest {
  static final java.util.Optional<VolumeId> VOLUME = java.util.Optional.of(new VolumeId("fs1", "v"));
  static final VolumeStats SOME = new VolumeStats(100, 60, 40, 10, 7, 3);
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger hungCalls = new AtomicInteger();

  /** statfs blocks forever on /hung (a dead Lustre mount), answers at once elsewhere. */
  VolumeStatsSource source = (volume, path) -> {
    if (path.equals(Path.of("/hung"))) {
      hungCalls.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return SOME;
  };

  @AfterEach
  void unblock() {
    release.countDown();
  }

  @Test
  void aHungMountIsReportedAndNeverBlocksOtherCalls() throws Exception {
    StatsProbe probe = new StatsProbe(source, Duration.ofMillis(200));
    long start = System.nanoTime();
    assertThat(probe.probe(VOLUME, Path.of("/hung"))).isInstanceOfSatisfying(StatsProbe.Result.Failed.class,
        f -> assertThat(f.reason()).contains("did not answer within 200 ms"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(probe.probe(VOLUME, Path.of("/healthy"))).isEqualTo(new StatsProbe.Result.Answered(SOME));
    // Asking again while the first statfs is still stuck does not start a second one.
    probe.probe(VOLUME, Path.of("/hung"));
    probe.probe(VOLUME, Path.of("/hung"));
    assertThat(hungCalls.get()).isEqualTo(1);
    release.countDown();
    // Once the mount recovers, the probe answers again.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    StatsProbe.Result result;
    do {
      result = probe.probe(VOLUME, Path.of("/hung"));
    } while (!(result instanceof StatsProbe.Result.Answered) && System.nanoTime() < deadline);
    assertThat(result).isEqualTo(new StatsProbe.Result.Answered(SOME));
  }

  @Test
  void passesOnAFailure() {
    StatsProbe probe = new StatsProbe((v, p) -> {
      throw new java.io.IOException("statvfs /x failed: errno 107");
    }, Duration.ofSeconds(1));
    assertThat(probe.probe(VOLUME, Path.of("/x"))).isEqualTo(new StatsProbe.Result.Failed("statvfs /x failed: errno 107"));
  }
}
