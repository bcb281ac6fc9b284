package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.ConfigLogParser;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.MgsLiveParser;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration logs del_ost edits, read on the MGS: the clients' ({@code FSNAME-client}) and
 * each MDT's ({@code FSNAME-MDTxxxx}, for every MDT the MGS lists). del_ost cancels the OST's
 * records log by log, so one that dies midway leaves some logs clean and others still naming the
 * OST, and a log still naming it brings the OST back the next time that MDT (or a client) mounts:
 * the OST is out of the configuration only once no log names it. Either order can be left behind
 * (lctl walks the MGS's catalog of logs, not this list), and a rerun finishes it either way: del_ost
 * run over a log it already cleaned says "no catalog entry deleted" and exits 0 (jt_del_ost).
 */
final class OstConfigurationLogs {
  private final CommandRunner runner;

  OstConfigurationLogs(CommandRunner runner) {
    this.runner = runner;
  }

  /** The logs that still name the OST; empty once it is out of the configuration. Changes nothing. */
  List<String> naming(TargetName ost) throws CommandFailedException {
    List<String> logs = new ArrayList<>();
    logs.add(ost.fsName() + "-client");
    for (TargetName mdt : MgsLiveParser.mdts(runner.runChecked(LustreCommands.mgsLive(ost.fsName())).stdout(), ost.fsName())) {
      logs.add(mdt.toString());
    }
    List<String> naming = new ArrayList<>();
    for (String log : logs) {
      if (ConfigLogParser.mentions(runner.runChecked(LustreCommands.configLog(log)).stdout(), ost)) {
        naming.add(log);
      }
    }
    return naming;
  }
}
