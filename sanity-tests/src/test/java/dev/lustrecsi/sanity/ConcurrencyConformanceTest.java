package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateVolumeRequest;
import csi.v1.Volume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Calls that race each other, as a CO's retries and several provisioners make them. */
class ConcurrencyConformanceTest extends ConformanceTest {
  private static final int CALLERS = 8;

  /** A call retried on ABORTED (another call for the same volume is in progress) and UNAVAILABLE, as the CO would. */
  private <T> T retryingAborted(Callable<T> call) {
    return target.asCo(() -> {
      try {
        return call.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private Volume createRetryingAborted(CreateVolumeRequest request) throws Exception {
    return retryingAborted(() -> ws.createVolume(request));
  }

  /** Runs the tasks at once, all released together, and returns their results in order. */
  private static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(tasks.size())) {
      List<Future<T>> running = new ArrayList<>();
      for (Callable<T> task : tasks) {
        running.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : running) {
        results.add(future.get(2, TimeUnit.MINUTES));
      }
      return results;
    }
  }

  @Test
  void concurrentCreatesOfOneNameMakeOneVolume() throws Exception {
    Set<String> before = new HashSet<>(VolumeListing.allIds(target, 0));
    CreateVolumeRequest request = ws.createRequest().build();
    List<Callable<Volume>> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      callers.add(() -> createRetryingAborted(request));
    }
    List<Volume> volumes = race(callers);

    Set<String> ids = new HashSet<>(volumes.stream().map(Volume::getVolumeId).toList());
    assertThat(ids).as("volume ids returned to %d concurrent callers", CALLERS).hasSize(1);
    String id = ids.iterator().next();
    assertThat(volumes).extracting(Volume::getCapacityBytes).containsOnly(volumes.getFirst().getCapacityBytes());

    List<String> after = VolumeListing.allIds(target, 0);
    assertThat(after).containsOnlyOnce(id);
    assertThat(after.stream().filter(v -> !before.contains(v)).toList()).as("volumes that appeared").containsExactly(id);
  }

  @Test
  void concurrentCreatesOfDistinctNamesMakeDistinctVolumes() throws Exception {
    List<Callable<Volume>> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      CreateVolumeRequest request = ws.createRequest().build();
      callers.add(() -> createRetryingAborted(request));
    }
    List<Volume> volumes = race(callers);
    List<String> ids = volumes.stream().map(Volume::getVolumeId).toList();
    assertThat(ids).doesNotHaveDuplicates().hasSize(CALLERS);
    List<String> listed = VolumeListing.allIds(target, 0);
    for (String id : ids) {
      assertThat(listed).containsOnlyOnce(id);
    }
  }

  @Test
  void concurrentStagesAndPublishesOfOneVolumeMountOnce() throws Exception {
    Volume volume = ws.createVolume();
    Path staging = ws.newStagingPath();
    Path targetPath = ws.newTargetPath();
    List<Callable<Void>> stagers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      stagers.add(() -> retryingAborted(() -> {
        ws.stage(ws.stageRequest(volume, staging).build());
        return null;
      }));
    }
    race(stagers);
    List<Callable<Void>> publishers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      publishers.add(() -> retryingAborted(() -> {
        ws.publish(ws.publishRequest(volume, staging, targetPath).build());
        return null;
      }));
    }
    race(publishers);
    assertThat(MountInfo.mountPoints().stream().filter(staging::equals).count()).as("mounts at the staging path").isEqualTo(1);
    assertThat(MountInfo.mountPoints().stream().filter(targetPath::equals).count()).as("mounts at the target path").isEqualTo(1);
  }
}
