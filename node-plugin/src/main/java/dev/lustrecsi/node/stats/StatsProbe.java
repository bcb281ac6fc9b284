package dev.lustrecsi.node.stats;

import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads volume stats off the calling thread with a deadline. A hung Lustre mount blocks statfs
 * in the kernel for as long as the servers are away; the probe answers "not responding" after
 * the timeout instead, and never starts a second statfs on a path whose first one is still stuck,
 * so hung mounts cannot pile up threads or block other calls.
 */
public final class StatsProbe {
  private final VolumeStatsSource source;
  private final Duration timeout;
  private final Map<Path, CompletableFuture<VolumeStats>> inFlight = new ConcurrentHashMap<>();

  public StatsProbe(VolumeStatsSource source, Duration timeout) {
    this.source = source;
    this.timeout = timeout;
  }

  /** The outcome of one probe: stats, or why there are none. */
  public sealed interface Result {
    /** The volume answered. */
    record Answered(VolumeStats stats) implements Result {}

    /** statfs failed or did not answer in time. */
    record Failed(String reason) implements Result {}
  }

  public Result probe(java.util.Optional<VolumeId> volume, Path path) {
    CompletableFuture<VolumeStats> mine = new CompletableFuture<>();
    CompletableFuture<VolumeStats> running = inFlight.putIfAbsent(path, mine);
    CompletableFuture<VolumeStats> future = running != null ? running : mine;
    if (running == null) {
      start(volume, path, mine);
    }
    try {
      return new Result.Answered(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return new Result.Failed("statfs of " + path + " did not answer within " + timeout.toMillis() + " ms: the mount may be hung");
    } catch (ExecutionException e) {
      return new Result.Failed(e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result.Failed("interrupted");
    }
  }

  private void start(java.util.Optional<VolumeId> volume, Path path, CompletableFuture<VolumeStats> future) {
    // A platform thread, not a virtual one: statvfs is a native call, and a virtual thread stuck in
    // one on a hung mount would pin its carrier for good; a few hung mounts would stall them all.
    Thread.ofPlatform().daemon().stackSize(256 * 1024).name("statfs-" + path.getFileName()).start(() -> {
      try {
        future.complete(source.stats(volume, path));
      } catch (IOException | RuntimeException e) {
        future.completeExceptionally(e);
      } finally {
        inFlight.remove(path, future);
      }
    });
  }
}
