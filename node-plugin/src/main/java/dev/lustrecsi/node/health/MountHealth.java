package dev.lustrecsi.node.health;

import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.stats.StatsProbe;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches each filesystem mount from a background thread: statfs with a deadline, so a mount
 * whose servers are gone (statfs hangs) or that went stale (statfs fails) is noticed without a
 * request thread ever touching it. NodeGetVolumeStats answers abnormal for volumes on such a
 * filesystem from what this checker found, and a bad mount no volume uses is detached so the
 * next stage mounts it afresh.
 */
public final class MountHealth {
  private static final System.Logger LOG = System.getLogger(MountHealth.class.getName());

  private final FilesystemMounts filesystems;
  private final StatsProbe probe;
  private final Duration interval;
  private final Map<String, String> problems = new ConcurrentHashMap<>();

  /**
   * @param filesystems the mounts to watch
   * @param probe statfs with a deadline (it never starts a second statfs on a path whose first still hangs)
   * @param interval time between rounds
   */
  public MountHealth(FilesystemMounts filesystems, StatsProbe probe, Duration interval) {
    this.filesystems = filesystems;
    this.probe = probe;
    this.interval = interval;
  }

  /** Checks every filesystem mount once; a round takes at most the probe's deadline per mount. */
  public void checkOnce() {
    Set<String> seen = new HashSet<>();
    for (MountEntry mount : filesystems.filesystemMounts()) {
      String fsName = mount.mountPoint().getFileName().toString();
      seen.add(fsName);
      switch (probe.probe(Optional.empty(), mount.mountPoint())) {
        case StatsProbe.Result.Answered answered -> {
          if (problems.remove(fsName) != null) {
            LOG.log(Level.INFO, "filesystem " + fsName + " answers again");
          }
        }
        case StatsProbe.Result.Failed(String reason) -> {
          String problem = "Lustre filesystem " + fsName + " is not healthy on this node: " + reason;
          if (!problem.equals(problems.put(fsName, problem))) {
            LOG.log(Level.WARNING, problem);
          }
          if (filesystems.detachIfUnused(fsName, reason)) {
            problems.remove(fsName);
          }
        }
      }
    }
    problems.keySet().retainAll(seen);
  }

  /** What is wrong with the filesystem's mount, as last checked; empty when healthy or unknown. */
  public Optional<String> problem(String fsName) {
    return Optional.ofNullable(problems.get(fsName));
  }

  /** Starts checking in the background, every interval, until the JVM ends. */
  public MountHealth start() {
    Thread.ofVirtual().name("mount-health").start(() -> {
      while (true) {
        try {
          checkOnce();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "mount health round failed: " + e.getMessage());
        }
        try {
          Thread.sleep(interval);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    return this;
  }
}
