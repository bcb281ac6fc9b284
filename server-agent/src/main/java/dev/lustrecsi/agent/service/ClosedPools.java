package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.SmallOutputs;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.UnexpectedOutputException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a file that lfs migrate cannot move off a drained OST because of its OST pool. The MDS
 * makes a file's new objects only on OSTs of the pool its layout names, and lfs migrate keeps the
 * layout; an OST whose creation is stopped (max_create_count=0, as every drained OST's is) is
 * passed over, and a pool with no OST left to take objects fails the migration with ENOSPC
 * (Lustre 2.16's lod allocator; a pool without any OST is ignored instead, so its files may go
 * anywhere). Such a file stays until the pool has an OST that takes objects again, which only an
 * admin can decide: the drain must say so rather than retry it for ever. One instance per batch:
 * each pool is looked at once.
 */
final class ClosedPools {
  /**
   * A pool no OST of which takes new objects now.
   *
   * @param pool {@code FSNAME.POOL}
   * @param osts its OSTs, every one with creation stopped
   */
  record Closed(String pool, List<TargetName> osts) {}

  private final CommandRunner runner;
  private final String fsName;
  private final Map<String, Optional<Closed>> looked = new HashMap<>();

  ClosedPools(CommandRunner runner, String fsName) {
    this.runner = runner;
    this.fsName = fsName;
  }

  /**
   * The closed pool that made lfs migrate refuse {@code file} ({@code refusal}), if that is why:
   * it ran out of space, the file's layout names a pool, the pool has OSTs, and none of them takes
   * objects. Empty when any of this is not so, or cannot be told (a command failed): the refusal
   * then stands as it is.
   */
  Optional<Closed> holding(Path file, CommandResult refusal) throws CommandFailedException {
    if (!refusal.errorText().contains("No space left on device")) {
      return Optional.empty();
    }
    CommandResult pool = runner.run(LustreCommands.filePool(file));
    if (!pool.succeeded() || pool.stdout().isBlank()) {
      return Optional.empty();
    }
    String name = pool.stdout().strip();
    if (!looked.containsKey(name)) {
      looked.put(name, closed(name));
    }
    return looked.get(name);
  }

  private Optional<Closed> closed(String pool) throws CommandFailedException {
    CommandResult listed = runner.run(LustreCommands.poolList(fsName, pool));
    if (!listed.succeeded()) {
      return Optional.empty();
    }
    List<TargetName> osts;
    try {
      osts = SmallOutputs.poolMembers(listed.stdout());
    } catch (UnexpectedOutputException e) {
      return Optional.empty();
    }
    if (osts.isEmpty()) {
      return Optional.empty();  // Lustre ignores a pool without OSTs: its files may go on any
    }
    for (TargetName ost : osts) {
      if (takesObjects(ost).orElse(true)) {
        return Optional.empty();
      }
    }
    return Optional.of(new Closed(fsName + "." + pool, osts));
  }

  /**
   * Whether the MDS makes new objects on the OST: not when every MDT's osp device for it has
   * max_create_count=0, nor when the MDS has no osp device for it (del_ost took it out of the
   * configuration the MDT was mounted from). Empty when that cannot be read.
   */
  private Optional<Boolean> takesObjects(TargetName ost) throws CommandFailedException {
    CommandResult limits = runner.run(LustreCommands.ostCreationLimits(ost));
    if (!limits.succeeded()) {
      return limits.errorText().contains("No such file or directory") ? Optional.of(false) : Optional.empty();
    }
    try {
      return Optional.of(SmallOutputs.maxCreateCounts(limits.stdout()).stream().anyMatch(count -> count > 0));
    } catch (UnexpectedOutputException e) {
      return Optional.empty();
    }
  }
}
