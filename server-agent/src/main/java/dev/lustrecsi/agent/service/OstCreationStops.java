package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.DeviceListParser;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.SmallOutputs;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Stops the MDS making new objects on an OST (max_create_count=0 on every MDT's osp device for it)
 * and counts the times it finds creation back on before stopping it again. The setting lives in
 * memory only: an MDT mounted again forgets it and may place new files on the OST at once. A find
 * that began before such a time may have passed a directory before a new file appeared in it, so
 * its "nothing on the OST" says nothing; comparing this count from before the find with the count
 * after it tells the two apart, whoever stopped creation again in between.
 */
final class OstCreationStops {
  private final CommandRunner runner;
  private final ConcurrentMap<TargetName, Long> resumptions = new ConcurrentHashMap<>();

  OstCreationStops(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Stops creation on the OST, counting a resumption when some MDT had it on (the first stop of a
   * drain counts one too). An MDT served here with no osp device for the OST has nothing to stop:
   * it was mounted from a configuration log del_ost had already cleaned (a del_ost cut short after
   * the MDTs' logs and before the clients'), so it does not know the OST and cannot place objects
   * on it. Where no MDT of the filesystem is served here at all, that says nothing, and it fails.
   */
  void stop(TargetName ost) throws CommandFailedException {
    CommandResult limits = runner.run(LustreCommands.ostCreationLimits(ost));
    if (!limits.succeeded()) {
      if (missingParameter(limits) && servesMdtOf(ost.fsName())) {
        return;
      }
      throw new CommandFailedException(limits);
    }
    boolean stopped = SmallOutputs.maxCreateCounts(limits.stdout()).stream().allMatch(count -> count == 0);
    if (!stopped) {
      resumptions.merge(ost, 1L, Long::sum);
    }
    runner.runChecked(LustreCommands.stopOstCreation(ost));
  }

  /** How many times this agent found creation on the OST back on; memory only, as the kept batches are. */
  long resumptions(TargetName ost) {
    return resumptions.getOrDefault(ost, 0L);
  }

  /** get_param's answer for a parameter no device here has: "param_path '...': No such file or directory". */
  private static boolean missingParameter(CommandResult result) {
    return result.errorText().contains("No such file or directory");
  }

  private boolean servesMdtOf(String fsName) throws CommandFailedException {
    return DeviceListParser.parse(runner.runChecked(LustreCommands.deviceList()).stdout()).stream()
        .anyMatch(d -> DeviceListParser.target(d).filter(t -> t.kind() == TargetKind.MDT && t.fsName().equals(fsName)).isPresent());
  }
}
