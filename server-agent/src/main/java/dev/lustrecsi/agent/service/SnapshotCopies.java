package dev.lustrecsi.agent.service;

import dev.lustrecsi.common.error.CsiException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The copies out of snapshots that run in the agent's background, one per target directory: the
 * first call starts a copy, later calls report it. A DONE copy is remembered for as long as the
 * agent runs, or until its target directory is deleted; a FAILED one is reported once and then forgotten, so the next call starts it
 * again, as does any call after the agent restarted (nothing is remembered across restarts, and
 * a copy overwrites what an earlier one left).
 */
final class SnapshotCopies {
  private static final System.Logger LOG = System.getLogger(SnapshotCopies.class.getName());

  enum State { RUNNING, DONE, FAILED }

  /** How a copy stands: entries (directories, files, links) and bytes copied so far, and why it failed. */
  record Progress(State state, long files, long bytes, String message) {}

  /** What a copy is of; a call naming another source for the same target is another copy. */
  record Key(String snapshot, Path source) {}

  private static final class Job {
    final Key key;
    final DirectoryCopy copy;
    volatile State state = State.RUNNING;
    volatile String message = "";

    Job(Key key, DirectoryCopy copy) {
      this.key = key;
      this.copy = copy;
    }

    Progress progress() {
      return new Progress(state, copy.files(), copy.bytes(), message);
    }
  }

  private final Clock clock;
  private final ConcurrentMap<Path, Job> jobs = new ConcurrentHashMap<>();

  SnapshotCopies(Clock clock) {
    this.clock = clock;
  }

  /** The copy into {@code target}, if one is known: what a call reports before anything is mounted for a new one. */
  java.util.Optional<Progress> report(Key key, Path target) {
    Job job = jobs.get(target);
    if (job == null) {
      return java.util.Optional.empty();
    }
    if (!job.key.equals(key)) {
      if (job.state == State.RUNNING) {
        throw CsiException.aborted("target_directory: a copy of " + job.key.source() + " from snapshot " + job.key.snapshot()
            + " into it is still running");
      }
      jobs.remove(target, job);
      return java.util.Optional.empty();
    }
    Progress progress = job.progress();
    if (progress.state() == State.FAILED) {
      jobs.remove(target, job);  // reported once: the next call starts again
    }
    return java.util.Optional.of(progress);
  }

  /**
   * Refuses, with ABORTED, to let go of a snapshot a copy is still reading: unmounting it under
   * the copy would fail the copy (or fail with "target is busy"), and the caller can wait.
   */
  void refuseWhileCopying(String snapshot) {
    for (Job job : jobs.values()) {
      if (job.key.snapshot().equals(snapshot) && job.state == State.RUNNING) {
        throw CsiException.aborted("snapshot_name: a copy of " + job.key.source() + " out of snapshot " + snapshot + " is still running");
      }
    }
  }

  /**
   * Forgets the copy into {@code target}, whose directory is being deleted: a DONE copy reported
   * later for a directory made again under the same name (a volume withdrawn, then asked for again
   * by its CO) would hand out an empty volume as restored. ABORTED while the copy still runs, so
   * that the directory is not deleted under it.
   */
  void forget(Path target) {
    Job job = jobs.get(target);
    if (job == null) {
      return;
    }
    if (job.state == State.RUNNING) {
      throw CsiException.aborted("directory: a copy of " + job.key.source() + " from snapshot " + job.key.snapshot()
          + " into it is still running; retry once it is done");
    }
    jobs.remove(target, job);
  }

  /** Starts the copy into {@code target} unless one is known; reports it either way. */
  Progress start(Key key, Path source, Path target, DirectoryCopy.Layouts layouts) {
    java.util.Optional<Progress> known = report(key, target);
    if (known.isPresent()) {
      return known.get();
    }
    Job fresh = new Job(key, new DirectoryCopy(source, target, layouts, clock));
    Job job = jobs.putIfAbsent(target, fresh);
    if (job != null) {
      return report(key, target).orElseGet(() -> start(key, source, target, layouts));
    }
    Thread.ofVirtual().name("copy-into-" + target.getFileName()).start(() -> run(fresh));
    return fresh.progress();
  }

  private static void run(Job job) {
    try {
      job.copy.run();
      job.state = State.DONE;
    } catch (Exception | Error e) {
      // An Error too: a job left RUNNING for ever would never be reported, so never started again.
      job.message = e.toString();
      job.state = State.FAILED;
      LOG.log(Level.WARNING, "copy of " + job.key.source() + " from snapshot " + job.key.snapshot() + " failed after " + job.copy.files()
          + " files: " + e);
    }
  }
}
