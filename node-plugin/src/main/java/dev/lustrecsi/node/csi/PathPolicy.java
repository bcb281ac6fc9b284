package dev.lustrecsi.node.csi;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.request.RequestFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which paths the CO may ask the node plugin to mount on. Paths must be absolute, already
 * normal (no "." or ".." parts, no double slashes), and inside one of the allowed roots
 * (kubelet's directory on a real node), so a request cannot make the plugin mount over /etc.
 * They must also keep clear of the plugin's own mount root, which may well lie inside an allowed
 * root (the chart puts it under kubelet's directory): a volume staged at {@code MOUNT_ROOT/fs2}
 * would pass for filesystem fs2's mount and be handed out as fs2's volumes, and a mount above
 * the root would hide every filesystem mount.
 */
public final class PathPolicy {
  private final List<Path> allowedRoots;
  private final Path mountRoot;

  /**
   * @param allowedRoots where staging and target paths may lie
   * @param mountRoot where the plugin mounts each filesystem whole ({@code --mount-root})
   */
  public PathPolicy(List<Path> allowedRoots, Path mountRoot) {
    if (allowedRoots.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed path root is needed");
    }
    this.allowedRoots = allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.mountRoot = mountRoot.toAbsolutePath().normalize();
  }

  public List<Path> allowedRoots() {
    return allowedRoots;
  }

  /**
   * Validates a request path; {@code field} names it in the error. Returns it with symbolic links
   * resolved as far as it exists: that is where the kernel mounts, and what mountinfo shows.
   */
  public Path check(String text, String field) {
    RequestFields.path(text, field);
    Path path = Path.of(text);
    if (!path.isAbsolute()) {
      throw CsiException.invalidArgument(field, CallerText.quote(text) + " is not an absolute path");
    }
    Path normal = path.normalize();
    String stripped = text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    if (!normal.toString().equals(stripped)) {
      throw CsiException.invalidArgument(field, CallerText.quote(text) + " is not a normalized path (it has '.', '..' or repeated slashes)");
    }
    Path real = resolveExisting(normal);
    requireClearOfMountRoot(text, field, normal);
    requireClearOfMountRoot(text, field, real);
    for (Path root : allowedRoots) {
      Path realRoot = resolveExisting(root);
      if (normal.startsWith(root) && !normal.equals(root) && real.startsWith(realRoot) && !real.equals(realRoot)) {
        return real;
      }
    }
    throw CsiException.invalidArgument(field, CallerText.quote(text) + " is outside the directories this plugin mounts in: " + allowedRoots);
  }

  /** Checked as written and as resolved, against the root as configured and as resolved: a link either side cannot hide the overlap. */
  private void requireClearOfMountRoot(String text, String field, Path path) {
    for (Path root : List.of(mountRoot, resolveExisting(mountRoot))) {
      if (path.startsWith(root)) {
        throw CsiException.invalidArgument(field, CallerText.quote(text) + (path.equals(root) ? " is" : " lies inside")
            + " the plugin's mount root " + mountRoot + ", where it mounts whole filesystems");
      }
      if (root.startsWith(path)) {
        throw CsiException.invalidArgument(field, CallerText.quote(text) + " holds the plugin's mount root " + mountRoot
            + ", where it mounts whole filesystems");
      }
    }
  }

  /** The path with its longest existing prefix resolved through symlinks, so a link cannot lead out of the allowed roots. */
  private static Path resolveExisting(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(path));
    } catch (IOException e) {
      return path;
    }
  }
}
