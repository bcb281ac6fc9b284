package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Bind mounts and unmounts through mount(8) and umount(8), as argument arrays. */
public final class Mounter {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final CommandRunner runner;

  public Mounter(CommandRunner runner) {
    this.runner = runner;
  }

  /** Binds {@code source} onto {@code target}, then applies per-mount options (ro, noexec, ...) if any. */
  public void bind(Path source, Path target, List<String> options) throws CommandFailedException {
    runner.runChecked(new Command(List.of("mount", "--bind", source.toString(), target.toString()), TIMEOUT));
    if (!options.isEmpty()) {
      try {
        remount(target, options);
      } catch (CommandFailedException e) {
        // Never leave a writable bind behind when read-only was asked for.
        unmount(target);
        throw e;
      }
    }
  }

  /**
   * Sets per-mount options (ro, noexec, ...) on the bind mount at {@code target}. Running it
   * again with the same options changes nothing, so it also finishes a bind whose first attempt
   * stopped before its options were applied.
   */
  public void remount(Path target, List<String> options) throws CommandFailedException {
    List<String> remount = new ArrayList<>(List.of("remount", "bind"));
    remount.addAll(options);
    runner.runChecked(new Command(List.of("mount", "-o", String.join(",", remount), target.toString()), TIMEOUT));
  }

  /**
   * Makes the mount at {@code target} shared ({@code mount --make-shared}): bind mounts taken from
   * it then join its peer group, which is how mountinfo tells them from mounts of the same source
   * taken elsewhere.
   */
  public void makeShared(Path target) throws CommandFailedException {
    runner.runChecked(new Command(List.of("mount", "--make-shared", target.toString()), TIMEOUT));
  }

  public void unmount(Path target) throws CommandFailedException {
    runner.runChecked(new Command(List.of("umount", target.toString()), TIMEOUT));
  }

  /**
   * Detaches a mount now and lets the kernel finish unmounting when its last user is gone
   * ({@code umount -l}): the only unmount that returns while a hung Lustre mount blocks I/O.
   */
  public void unmountLazily(Path target) throws CommandFailedException {
    runner.runChecked(new Command(List.of("umount", "-l", target.toString()), TIMEOUT));
  }
}
