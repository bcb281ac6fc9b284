package dev.lustrecsi.common.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * TLS material in a directory laid out like a mounted Kubernetes TLS Secret with its CA: {@code
 * ca.crt}, {@code tls.crt}, {@code tls.key}.
 */
public final class TlsFiles {
  public static final String CA = "ca.crt";
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";

  private TlsFiles() {}

  public static TlsMaterial read(Path directory) throws IOException {
    try {
      return new TlsMaterial(
          Files.readString(directory.resolve(CA)), Files.readString(directory.resolve(CERT)), Files.readString(directory.resolve(KEY)));
    } catch (NoSuchFileException e) {
      throw new IOException("TLS directory " + directory + " lacks " + Path.of(e.getFile()).getFileName() + " (it needs " + CA + ", " + CERT + " and " + KEY + ")", e);
    }
  }

  /** Writes the three files; the key is readable by its owner only, and each file appears whole or not at all. */
  public static void write(Path directory, TlsMaterial material) throws IOException {
    Files.createDirectories(directory);
    writeAtomically(directory, CA, material.caPem(), "rw-r--r--");
    writeAtomically(directory, CERT, material.certPem(), "rw-r--r--");
    writeAtomically(directory, KEY, material.keyPem(), "rw-------");
  }

  private static void writeAtomically(Path directory, String name, String text, String permissions) throws IOException {
    Path temporary = Files.createTempFile(directory, "." + name, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temporary, text);
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
      Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
