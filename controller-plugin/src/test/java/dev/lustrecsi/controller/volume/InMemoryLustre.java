package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.lustre.LustreBackend;
import dev.lustrecsi.controller.parameters.Striping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test backend that keeps filesystems in memory, records every call, and can be told to fail
 * a named operation once (the stand-in for a controller crash at that step) or to report OSTs
 * as still coming up.
 */
final class InMemoryLustre implements LustreBackend {
  record Directory(Striping striping, int projectId) {}

  final Map<String, FilesystemSpec> specs = new ConcurrentHashMap<>();
  final Map<String, List<FilesystemState.Ost>> osts = new ConcurrentHashMap<>();
  final Map<VolumeId, Directory> directories = new ConcurrentHashMap<>();
  final Map<Integer, Long> quotas = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile String failOnce;
  volatile boolean ostsComingUp;

  /** Thrown where a crash would stop the controller. */
  static final class Crash extends RuntimeException {
    Crash(String step) {
      super("crash at " + step);
    }
  }

  private void step(String name) {
    calls.add(name);
    if (name.equals(failOnce)) {
      failOnce = null;
      throw new Crash(name);
    }
  }

  @Override
  public synchronized FilesystemState ensureFilesystem(FilesystemSpec spec) {
    step("ensureFilesystem");
    specs.putIfAbsent(spec.fsName(), spec);
    osts.computeIfAbsent(spec.fsName(), k -> new ArrayList<>(List.of(new FilesystemState.Ost(0, spec.ostSize(), 0))));
    return state(spec.fsName());
  }

  @Override
  public Optional<FilesystemState> describe(String fsName) {
    return specs.containsKey(fsName) ? Optional.of(state(fsName)) : Optional.empty();
  }

  @Override
  public synchronized FilesystemState ensureOstCount(String fsName, int ostCount) {
    step("ensureOstCount");
    List<FilesystemState.Ost> list = osts.get(fsName);
    while (list.size() < ostCount) {
      list.add(new FilesystemState.Ost(list.size(), specs.get(fsName).ostSize(), 0));
    }
    return state(fsName);
  }

  @Override
  public void ensureVolumeDirectory(VolumeId volume, Striping striping, int projectId, long quotaBytes) {
    step("ensureVolumeDirectory");
    directories.put(volume, new Directory(striping, projectId));
    quotas.put(projectId, quotaBytes);
  }

  @Override
  public void setQuota(VolumeId volume, int projectId, long quotaBytes) {
    step("setQuota");
    quotas.put(projectId, quotaBytes);
  }

  @Override
  public void deleteVolumeDirectory(VolumeId volume, int projectId) {
    step("deleteVolumeDirectory");
    directories.remove(volume);
    quotas.remove(projectId);
  }

  @Override
  public Optional<DirectoryUsage> usage(VolumeId volume, int projectId) {
    return directories.containsKey(volume) ? Optional.of(new DirectoryUsage(0, quotas.getOrDefault(projectId, 0L), 1)) : Optional.empty();
  }

  @Override
  public boolean reachable() {
    return true;
  }

  int ostCount(String fsName) {
    return osts.getOrDefault(fsName, List.of()).size();
  }

  private FilesystemState state(String fsName) {
    return new FilesystemState(specs.get(fsName), osts.get(fsName), !ostsComingUp, List.of("10.1.0.10@tcp"));
  }
}
