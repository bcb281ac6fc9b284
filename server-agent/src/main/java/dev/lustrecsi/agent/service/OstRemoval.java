package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.DeviceListParser;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The agent's part in draining and removing an OST, in the order of the Lustre manual for 2.16:
 * no new objects on it (MDS), its files migrated off (MDS's client mount), deactivated for good
 * and its configuration records cancelled (MGS), and finally unmounted with its pool exported
 * (OSS). Every step checks before it acts, so the controller may repeat any of them.
 */
final class OstRemoval {
  /**
   * What one migration batch did.
   *
   * @param stuck of the files failed, those held by {@code stuckIn}
   * @param stuckIn the first OST pool found holding files, no OST of which takes new objects; empty when none
   * @param resumptionsBeforeFind {@link OstCreationStops#resumptions} when its find began
   */
  record Batch(long found, long migrated, long failed, String firstFailure, long stuck, Optional<ClosedPools.Closed> stuckIn,
      long resumptionsBeforeFind) {}

  private final CommandRunner runner;
  private final Clock clock;
  private final OstConfigurationLogs logs;
  private final OstCreationStops creation;
  /**
   * One batch per OST at a time. A file that takes longer to migrate than the controller waits
   * for its answer keeps its batch running here after the call has timed out; the next pass's
   * batch must not start a second lfs migrate beside it, or slow files would pile up migrations.
   */
  private final ConcurrentMap<TargetName, ReentrantLock> batches = new ConcurrentHashMap<>();
  /**
   * Batches that ended after their caller stopped waiting, kept for the next call. lfs find walks
   * the whole namespace, which on a real filesystem takes far longer than the controller waits
   * for an answer; a result thrown away would have the next call walk it again, time out again,
   * and the drain would never hear that the OST is empty. Memory only: an MDS that boots again
   * (and so mounts its MDT again, forgetting max_create_count=0) starts with none.
   */
  private final ConcurrentMap<TargetName, Batch> undelivered = new ConcurrentHashMap<>();

  OstRemoval(CommandRunner runner, Clock clock) {
    this.runner = runner;
    this.clock = clock;
    this.logs = new OstConfigurationLogs(runner);
    this.creation = new OstCreationStops(runner);
  }

  void stopCreation(TargetName ost) throws CommandFailedException {
    creation.stop(ost);
  }

  /**
   * Migrates up to {@code maxFiles} of the files that have objects on the OST, one lfs migrate
   * each, starting none after {@code budget}. A file lfs refuses (open for write, removed since
   * the find) is counted and left for the next batch: it is found again if it still needs moving.
   * A batch that ends after its caller gave up ({@code callerGone}) is the next call's answer.
   *
   * <p>A batch that found nothing is what lets the OST be deactivated, which cuts off any file
   * with objects on it. So before it is answered creation is stopped again, and it is answered
   * only if no MDT had creation back on since its find began (an MDT mounted again meanwhile):
   * otherwise it is dropped and the call aborted, and the next batch looks again.
   */
  Batch migrate(Path mount, TargetName ost, int maxFiles, Duration budget, BooleanSupplier callerGone) throws CommandFailedException {
    ReentrantLock batch = batches.computeIfAbsent(ost, unused -> new ReentrantLock());
    if (!batch.tryLock()) {
      throw CsiException.aborted("a migration batch of " + ost + " is still running (lfs find over the whole filesystem, or a "
          + "large file, takes longer than one call); the next pass gets its result");
    }
    try {
      Batch answer = undelivered.remove(ost);
      if (answer == null) {
        answer = migrateBatch(mount, ost, maxFiles, budget);
        if (callerGone.getAsBoolean()) {
          undelivered.put(ost, answer);
          return answer;  // nobody to tell; the call that takes it checks it then
        }
      }
      if (answer.found() == 0) {
        creation.stop(ost);
        if (creation.resumptions(ost) != answer.resumptionsBeforeFind()) {
          throw CsiException.aborted("creation on " + ost + " was back on after the find that found nothing on it had begun (an MDT "
              + "mounted again forgets max_create_count=0), so files made meanwhile may have been missed; it is stopped again, "
              + "and the next batch looks again");
        }
      }
      return answer;
    } finally {
      batch.unlock();
    }
  }

  private Batch migrateBatch(Path mount, TargetName ost, int maxFiles, Duration budget) throws CommandFailedException {
    long resumptionsBeforeFind = creation.resumptions(ost);
    String listing = runner.runChecked(LustreCommands.findOnOst(mount, ost.index())).stdout();
    List<String> files = Arrays.stream(listing.split("\n")).filter(line -> !line.isBlank()).toList();
    Instant stopAt = budget.isZero() ? Instant.MAX : clock.instant().plus(budget);
    long migrated = 0;
    long failed = 0;
    String firstFailure = "";
    ClosedPools pools = new ClosedPools(runner, ost.fsName());
    long stuck = 0;
    Optional<ClosedPools.Closed> stuckIn = Optional.empty();
    for (String file : files) {
      if (migrated + failed >= maxFiles || !clock.instant().isBefore(stopAt)) {
        break;
      }
      Path path = Path.of(file).normalize();
      if (!path.startsWith(mount)) {
        // lfs find prints paths under the directory it was given; anything else is not ours to touch.
        failed++;
        firstFailure = firstFailure.isEmpty() ? "lfs find printed " + file + ", outside " + mount : firstFailure;
        continue;
      }
      CommandResult result = runner.run(LustreCommands.migrate(path));
      if (result.succeeded()) {
        migrated++;
      } else {
        failed++;
        firstFailure = firstFailure.isEmpty() ? result.errorText() : firstFailure;
        // Counted for the first closed pool only, so the count the drain reports is that pool's.
        Optional<ClosedPools.Closed> closed = pools.holding(path, result);
        if (closed.isPresent() && (stuckIn.isEmpty() || stuckIn.equals(closed))) {
          stuck++;
          stuckIn = closed;
        }
      }
    }
    return new Batch(files.size(), migrated, failed, firstFailure, stuck, stuckIn, resumptionsBeforeFind);
  }

  /**
   * Deactivates the OST for good and cancels its configuration records, unless no configuration
   * log names it any more (a repeat after del_ost did all its work). A repeat after a del_ost that
   * died midway finds a log still naming the OST and runs both again: set_param -P sets the same
   * value again, and del_ost cancels what is left. Returns whether it was already gone.
   */
  boolean remove(TargetName ost) throws CommandFailedException {
    if (removed(ost)) {
      return true;
    }
    runner.runChecked(LustreCommands.deactivateOst(ost));
    CommandResult deleted = runner.run(LustreCommands.deleteOst(ost));
    // lctl's del_ost exits 0 over logs it cleaned before (jt_del_ost); it fails when the MGS refuses
    // to cancel a record, and stops at that log. What matters is whether any log still names the OST,
    // so only then is its failure this call's.
    if (!deleted.succeeded() && !removed(ost)) {
      throw new CommandFailedException(deleted);
    }
    return false;
  }

  /**
   * Whether no configuration log del_ost edits names the OST any more, the clients' and every
   * MDT's (see {@link OstConfigurationLogs}); changes nothing.
   */
  boolean removed(TargetName ost) throws CommandFailedException {
    return logs.naming(ost).isEmpty();
  }

  /**
   * Tags the OST's dataset as released, unmounts the OST if this server still serves it, then
   * exports its pool if it is still imported. The tag comes first: the VM's setup script imports
   * and mounts every target disk attached (every minute, and on a boot), and the disk stays
   * attached until the controller detaches it; the tag is what keeps the script off it.
   */
  void release(TargetName ost) throws CommandFailedException {
    CommandResult tagged = runner.run(LustreCommands.markReleased(TargetPaths.ostDataset(ost.fsName(), ost.index())));
    // zfs says "cannot open 'DATASET': dataset does not exist" once the pool is exported: tagged before that.
    if (!tagged.succeeded() && !tagged.errorText().contains("dataset does not exist")) {
      throw new CommandFailedException(tagged);
    }
    CommandResult devices = runner.run(LustreCommands.deviceList());
    boolean serving = devices.succeeded() && DeviceListParser.parse(devices.stdout()).stream()
        .anyMatch(d -> DeviceListParser.target(d).filter(t -> t.equals(ost)).isPresent());
    if (serving) {
      runner.runChecked(LustreCommands.unmount(TargetPaths.ostMountPoint(ost.index())));
    }
    CommandResult exported = runner.run(LustreCommands.exportPool(TargetPaths.ostPool(ost.fsName(), ost.index())));
    // zpool says "cannot open 'POOL': no such pool" for a pool that is not imported: already let go.
    if (!exported.succeeded() && !exported.errorText().contains("no such pool")) {
      throw new CommandFailedException(exported);
    }
  }

  static TargetName ost(String fsName, int index) {
    return new TargetName(fsName, TargetKind.OST, index);
  }
}
