package dev.lustrecsi.common.naming;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names derived from other names: lowercase hex of the SHA-256 of a text's UTF-8 bytes. Stable
 * across processes and versions, which is what a name a retry must find again needs.
 */
public final class Sha256 {
  private Sha256() {}

  /** The whole digest, 64 hex characters. */
  public static String hex(String text) {
    return HexFormat.of().formatHex(digest(text));
  }

  /** The first {@code bytes} bytes of the digest, twice as many hex characters. */
  public static String hex(String text, int bytes) {
    return HexFormat.of().formatHex(digest(text), 0, bytes);
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
