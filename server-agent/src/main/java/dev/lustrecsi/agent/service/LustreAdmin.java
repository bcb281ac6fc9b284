package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.CheckServersParser;
import dev.lustrecsi.agent.lustre.DefaultLayoutParser;
import dev.lustrecsi.agent.lustre.DeviceListParser;
import dev.lustrecsi.agent.lustre.UnexpectedOutputException;
import dev.lustrecsi.agent.lustre.ImportStateParser;
import dev.lustrecsi.agent.lustre.LfsDfParser;
import dev.lustrecsi.agent.lustre.LfsQuotaParser;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.ProjectOfDirectory;
import dev.lustrecsi.agent.lustre.ProjectQuota;
import dev.lustrecsi.agent.lustre.Recovery;
import dev.lustrecsi.agent.lustre.RecoveryStatusParser;
import dev.lustrecsi.agent.lustre.SmallOutputs;
import dev.lustrecsi.agent.lustre.Striping;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetSpace;
import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Lustre administration the agent does, each operation a few commands through the one
 * {@link CommandRunner}: the real runner in a server VM, the simulated Lustre in the sandbox.
 */
final class LustreAdmin {
  private static final System.Logger LOG = System.getLogger(LustreAdmin.class.getName());

  private final CommandRunner runner;

  LustreAdmin(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * The node's Lustre state. Every part is read on its own and a failing part degrades only
   * itself: health is asked for precisely when things are broken (modules not loaded, a target
   * not mounted), and the controller needs whatever is still true then.
   */
  ServerHealth health() throws CommandFailedException {
    CommandResult check = runner.run(LustreCommands.healthCheck());
    // health_check exits 0 whatever it says; a non-zero exit means the Lustre modules are not loaded.
    String healthCheck = check.succeeded() ? SmallOutputs.healthCheck(check.stdout()) : "NOT HEALTHY: " + check.errorText();
    CommandResult nidsResult = runner.run(LustreCommands.listNids());
    List<String> nids = nidsResult.succeeded() ? SmallOutputs.nids(nidsResult.stdout()) : List.of();
    CommandResult devicesResult = runner.run(LustreCommands.deviceList());
    List<TargetName> devices = new ArrayList<>();
    List<Boolean> up = new ArrayList<>();
    if (devicesResult.succeeded()) {
      for (var device : DeviceListParser.parse(devicesResult.stdout())) {
        DeviceListParser.target(device).ifPresent(t -> {
          devices.add(t);
          up.add(device.up());
        });
      }
    }
    // Only the kinds this node serves: asked about a kind it has none of, lctl exits 2, and that
    // would count as a failed command on every health call of a healthy server. A kind that
    // still has no parameter (a target mounting) prints what came: parse it all the same.
    Set<TargetKind> kinds = EnumSet.noneOf(TargetKind.class);
    devices.forEach(t -> kinds.add(t.kind()));
    Optional<Command> recoveryStatus = LustreCommands.recoveryStatus(kinds);
    Map<String, Recovery> recovery = recoveryStatus.isPresent() ? RecoveryStatusParser.parse(runner.run(recoveryStatus.get()).stdout()) : Map.of();
    List<TargetState> targets = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      TargetName t = devices.get(i);
      targets.add(new TargetState(t, up.get(i), t.kind() == TargetKind.MGT ? null : recovery.get(t.toString())));
    }
    CommandResult versionResult = runner.run(LustreCommands.version());
    String version = versionResult.succeeded() ? SmallOutputs.version(versionResult.stdout()) : "";
    if (!check.succeeded() || !devicesResult.succeeded()) {
      LOG.log(Level.WARNING, "Lustre not answering: " + check.errorText() + " / " + devicesResult.errorText());
    }
    // health_check_after_crash.txt: exit 2, "No such file or directory" until the modules load.
    boolean modulesLoaded = check.succeeded() || !check.errorText().contains("No such file or directory");
    return new ServerHealth(healthCheck, nids, List.copyOf(targets), version, modulesLoaded);
  }

  /** The filesystem name of the client mount at {@code mount}, from {@code lfs getname}. */
  String fsNameOf(Path mount) throws CommandFailedException {
    return SmallOutputs.fsNameOfInstance(runner.runChecked(LustreCommands.getName(mount)).stdout());
  }

  void setStriping(Path directory, Striping striping) throws CommandFailedException {
    if (!striping.isDefault()) {
      runner.runChecked(LustreCommands.setStripe(directory, striping));
    }
  }

  /**
   * The directory's own default layout ({@code lfs getstripe -d}), empty when it has none. A
   * composite (PFL) default is left out with a log line: {@code -c/-S/-p} cannot put it back, and
   * the copy then inherits its parent's layout rather than a flattened one.
   */
  Optional<Striping> defaultLayout(Path directory) throws CommandFailedException {
    String output = runner.runChecked(LustreCommands.defaultLayout(directory)).stdout();
    try {
      return DefaultLayoutParser.parse(output);
    } catch (UnexpectedOutputException e) {
      LOG.log(Level.WARNING, "not copying the default layout of " + directory + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  void setProject(Path directory, long projectId) throws CommandFailedException {
    runner.runChecked(LustreCommands.setProject(directory, projectId));
  }

  void setBlockLimit(Path mount, long projectId, long limitKib) throws CommandFailedException {
    runner.runChecked(LustreCommands.setProjectBlockLimit(mount, projectId, limitKib));
  }

  /**
   * Deletes a project's quota entry. Deleting an entry that is already gone fails in lfs; the
   * operation is idempotent here by reading the project back: no block limit means there is
   * nothing left to delete. Usage is not part of the rule: the volume's directory is removed
   * first, and on ZFS targets its blocks are freed asynchronously, so a project whose delete
   * finished still shows used blocks for a while.
   */
  void deleteQuota(Path mount, long projectId) throws CommandFailedException {
    CommandResult deleted = runner.run(LustreCommands.deleteProjectQuota(mount, projectId));
    if (deleted.succeeded()) {
      return;
    }
    if (projectQuota(mount, projectId).hardLimitKib() != 0) {
      throw new CommandFailedException(deleted);
    }
  }

  ProjectQuota projectQuota(Path mount, long projectId) throws CommandFailedException {
    return LfsQuotaParser.parse(runner.runChecked(LustreCommands.projectQuota(mount, projectId)).stdout());
  }

  /** The directory's own project id (0 when untagged). */
  ProjectOfDirectory projectOf(Path directory) throws CommandFailedException {
    return ProjectOfDirectory.parse(runner.runChecked(LustreCommands.projectOf(directory)).stdout());
  }

  /**
   * This client's connections to the filesystem's servers. lfs exits non-zero when a connection
   * is down and still lists them all: what it printed is the answer, an empty failure is not.
   */
  List<CheckServersParser.Connection> connections(String fsName) throws CommandFailedException {
    CommandResult result = runner.run(LustreCommands.checkServers());
    if (!result.succeeded() && result.stdout().isBlank()) {
      throw new CommandFailedException(result);
    }
    return CheckServersParser.parse(result.stdout() + "\n" + (result.succeeded() ? "" : errorLines(result.stderr())), fsName);
  }

  /**
   * The state of each of this client's imports of the filesystem's targets. lctl prints what it
   * found and exits 2 when one kind has none; an import it cannot read is left out (its
   * connection then counts by lfs check alone).
   */
  Map<String, String> importStates(String fsName) throws CommandFailedException {
    return ImportStateParser.parse(runner.run(LustreCommands.importStates(fsName)).stdout());
  }

  /** The "error: check 'DEVICE': ..." lines of lfs check's stderr; anything else there is not about a connection. */
  private static String errorLines(String stderr) {
    return String.join("\n", stderr.lines().filter(l -> l.startsWith("error: check '")).toList());
  }

  List<TargetSpace> targetSpace(Path mount) throws CommandFailedException {
    return LfsDfParser.parse(runner.runChecked(LustreCommands.df(mount)).stdout());
  }
}
