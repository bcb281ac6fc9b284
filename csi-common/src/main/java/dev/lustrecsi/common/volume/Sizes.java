package dev.lustrecsi.common.volume;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as people write them in StorageClass parameters. Every suffix is binary, as in
 * Lustre's own tools: {@code 4M}, {@code 4Mi} and {@code 4MiB} are all 4 MiB. Units that read as
 * decimal ({@code 4MB}, {@code 1TB}) are refused rather than guessed at.
 */
public final class Sizes {
  public static final long KIB = 1L << 10;
  public static final long MIB = 1L << 20;
  public static final long GIB = 1L << 30;
  public static final long TIB = 1L << 40;
  public static final long PIB = 1L << 50;

  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(?:([kmgtp])(?:i|ib)?|b)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /** Parses a size; throws IllegalArgumentException with a readable reason. */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a size; write it like 4M, 512Ki or 10Gi (binary units; MB, GB and TB are not accepted)");
    }
    long value;
    try {
      value = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too large");
    }
    long unit = m.group(2) == null ? 1 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> KIB;
      case "m" -> MIB;
      case "g" -> GIB;
      case "t" -> TIB;
      default -> PIB;
    };
    try {
      return Math.multiplyExact(value, unit);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too large");
    }
  }

  /** A short human form: 1.5 GiB, 512 MiB, 100 B. */
  public static String format(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = 0;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    if (unit == 0 || value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%d %s", (long) value, units[unit]);
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Rounds up to a multiple of {@code unit}. */
  public static long roundUp(long bytes, long unit) {
    // multiplyExact: rounding a size near Long.MAX_VALUE up must fail, not wrap to a tiny size.
    return Math.multiplyExact(Math.ceilDiv(bytes, unit), unit);
  }
}
