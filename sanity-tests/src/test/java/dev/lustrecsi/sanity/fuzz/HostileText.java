package dev.lustrecsi.sanity.fuzz;

import java.util.List;
import java.util.Random;

/**
 * Text a careless or malicious caller sends: control characters that would forge log lines or
 * drive a terminal, values far over the CSI size limits, and random printable text of every
 * length up to them.
 */
final class HostileText {
  /** NUL, line ends, ESC sequences, DEL, C1, bidirectional override, line separator, tab. */
  static final List<String> CONTROLS = List.of("\0", "\n", "\r", "\r\n", "\u001b[31m", "\u001b]0;pwned\u0007", "\u007f", "\u0085",
      "\u202e", "\u2028", "\t", "\u200b");

  /** Printable characters, ASCII and not, that no check should trip over. */
  private static final String PRINTABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+% ~\"'\\$;*?[]{}()<>|&!#éüßΩ漢😀";

  private final Random random;

  HostileText(Random random) {
    this.random = random;
  }

  /** {@code base} with a control character put somewhere in it. */
  String withControl(String base) {
    String control = CONTROLS.get(random.nextInt(CONTROLS.size()));
    int at = base.isEmpty() ? 0 : random.nextInt(base.length() + 1);
    return base.substring(0, at) + control + base.substring(at);
  }

  /** More than {@code limitBytes} bytes: just over, a few times over, or 64 KiB. */
  String overLimit(int limitBytes) {
    int length = switch (random.nextInt(3)) {
      case 0 -> limitBytes + 1;
      case 1 -> limitBytes + 1 + random.nextInt(limitBytes * 4);
      default -> 64 * 1024;
    };
    char c = (char) ('a' + random.nextInt(26));
    return String.valueOf(c).repeat(length);
  }

  /** Random printable text of 1 to {@code maxChars} characters (within the limit for ASCII; UTF-8 may be longer). */
  String printable(int maxChars) {
    int length = 1 + random.nextInt(Math.max(1, maxChars));
    StringBuilder out = new StringBuilder(length);
    while (out.length() < length) {
      int at = random.nextInt(PRINTABLE.length());
      char c = PRINTABLE.charAt(at);
      if (Character.isSurrogate(c)) {
        at = Character.isHighSurrogate(c) ? at : at - 1;
        out.append(PRINTABLE, at, at + 2);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** One of the given values. */
  @SafeVarargs
  final <T> T oneOf(T... values) {
    return values[random.nextInt(values.length)];
  }

  <T> T oneOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  Random random() {
    return random;
  }
}
