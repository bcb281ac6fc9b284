package dev.lustrecsi.common.volume;

import dev.lustrecsi.common.naming.Sha256;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The id of a provisioned volume: the filesystem and the volume's directory under its root.
 * Callers treat it as opaque; the driver reads both parts from it, so no call needs a lookup to
 * know where a volume lives. Written {@code fsName/directory}.
 *
 * @param fsName the Lustre filesystem name
 * @param directory the volume directory under the filesystem root: one safe path component, or,
 *     on a filesystem the site runs, its volume root's components followed by that one
 */
public record VolumeId(String fsName, String directory) {
  /** A single, safe path component: it cannot be "." or "..", hold a slash, or start with a dot or dash. */
  private static final Pattern DIRECTORY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  /** A volume root's components at most: a site's root such as {@code k8s/volumes} is short. */
  public static final int MAX_ROOT_COMPONENTS = 3;
  /** The CSI spec's size limit of a string field, a volume id among them. */
  public static final int MAX_ID_BYTES = 128;
  /**
   * A volume root's length at most: what the CSI spec's 128 bytes leave once the longest fsname
   * (8), the two slashes and the longest volume directory component (64) are counted, so that
   * no id, and no ListVolumes token made of one, is ever longer.
   */
  public static final int MAX_ROOT_LENGTH = MAX_ID_BYTES - FsName.MAX_LENGTH - 2 - 64;

  public VolumeId {
    if (!FsName.isLegal(fsName)) {
      throw new IllegalArgumentException("illegal fsname in volume id: " + fsName);
    }
    if (!isDirectory(directory)) {
      throw new IllegalArgumentException("illegal directory in volume id: " + directory);
    }
  }

  /** The volume directory {@code name} under {@code root} (empty: the filesystem root). */
  public static VolumeId under(String fsName, String root, String name) {
    return new VolumeId(fsName, root.isEmpty() ? name : root + "/" + name);
  }

  /** Whether {@code root} may hold volumes: empty, or up to {@value #MAX_ROOT_COMPONENTS} safe components of {@link #MAX_ROOT_LENGTH} characters in all. */
  public static boolean isRoot(String root) {
    if (root.isEmpty()) {
      return true;
    }
    if (root.length() > MAX_ROOT_LENGTH) {
      return false;
    }
    String[] components = root.split("/", -1);
    return components.length <= MAX_ROOT_COMPONENTS && java.util.Arrays.stream(components).allMatch(c -> DIRECTORY.matcher(c).matches());
  }

  private static boolean isDirectory(String directory) {
    int slash = directory.lastIndexOf('/');
    return DIRECTORY.matcher(directory.substring(slash + 1)).matches() && (slash < 0 || isRoot(directory.substring(0, slash)));
  }

  /** Parses an id this driver issued; empty when the text is not one. */
  public static Optional<VolumeId> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    String fs = text.substring(0, slash);
    String dir = text.substring(slash + 1);
    if (!FsName.isLegal(fs) || !isDirectory(dir)) {
      return Optional.empty();
    }
    return Optional.of(new VolumeId(fs, dir));
  }

  /**
   * The directory for a volume named {@code name} by the CO. A name that is already a safe path
   * component is used as it is (the provisioner's {@code pvc-<uid>} names are), so an admin
   * browsing the filesystem recognises volumes; any other name is reduced to safe characters
   * and suffixed with a hash of the full name, so two names never share a directory.
   */
  public static String directoryFor(String name) {
    if (DIRECTORY.matcher(name).matches()) {
      return name;
    }
    String safe = name.replaceAll("[^A-Za-z0-9_.-]", "_").replaceAll("^[^A-Za-z0-9]+", "");
    if (safe.length() > 40) {
      safe = safe.substring(0, 40);
    }
    String hash = Sha256.hex(name).substring(0, 16);
    return (safe.isEmpty() ? "vol" : safe) + "-" + hash;
  }

  @Override
  public String toString() {
    return fsName + "/" + directory;
  }
}
