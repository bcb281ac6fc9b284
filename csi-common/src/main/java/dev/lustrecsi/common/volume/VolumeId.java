package dev.lustrecsi.common.volume;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The id of a provisioned volume: the filesystem and the volume's directory under its root.
 * Callers treat it as opaque; the driver reads both parts from it, so no call needs a lookup to
 * know where a volume lives. Written {@code fsName/directory}.
 *
 * @param fsName the Lustre filesystem name
 * @param directory the volume directory, one path component under the filesystem root
 */
public record VolumeId(String fsName, String directory) {
  /** A single, safe path component: it cannot be "." or "..", hold a slash, or start with a dot or dash. */
  private static final Pattern DIRECTORY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  public VolumeId {
    if (!FsName.isLegal(fsName)) {
      throw new IllegalArgumentException("illegal fsname in volume id: " + fsName);
    }
    if (!DIRECTORY.matcher(directory).matches()) {
      throw new IllegalArgumentException("illegal directory in volume id: " + directory);
    }
  }

  /** Parses an id this driver issued; empty when the text is not one. */
  public static Optional<VolumeId> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      return Optional.empty();
    }
    String fs = text.substring(0, slash);
    String dir = text.substring(slash + 1);
    if (!FsName.isLegal(fs) || !DIRECTORY.matcher(dir).matches()) {
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
    String hash = sha256Hex(name).substring(0, 16);
    return (safe.isEmpty() ? "vol" : safe) + "-" + hash;
  }

  private static String sha256Hex(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return fsName + "/" + directory;
  }
}
