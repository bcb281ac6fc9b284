package dev.lustrecsi.agent.lustre;

import java.util.regex.Pattern;

/**
 * A directory's default layout.
 *
 * @param count stripe count: 0 keeps the filesystem default, -1 stripes over every OST
 * @param sizeBytes stripe size: 0 keeps the default, else a multiple of 64 KiB
 * @param pool OST pool name, empty for none
 */
public record Striping(int count, long sizeBytes, String pool) {
  public static final long SIZE_UNIT = 64 * 1024;
  /** lfs refuses stripe sizes of 4 GiB and more (LOV_MAX_STRIPE_SIZE is 4 GiB - 64 KiB). */
  public static final long MAX_SIZE = (4L << 30) - SIZE_UNIT;
  /** lctl pool_new: at most 15 characters (LOV_MAXPOOLNAME). */
  private static final Pattern POOL = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

  public Striping {
    pool = pool == null ? "" : pool;
  }

  public static Striping defaults() {
    return new Striping(0, 0, "");
  }

  /** Whether anything differs from the filesystem default, that is, whether setstripe has work. */
  public boolean isDefault() {
    return count == 0 && sizeBytes == 0 && pool.isEmpty();
  }

  /** What is wrong with one field of a layout. */
  public record Problem(String field, String text) {}

  /** Why the value is unusable, or null when it is fine. */
  public Problem problem() {
    if (count < -1) {
      return new Problem("stripe_count", count + " is not a stripe count (0 for the default, -1 for all OSTs, or a positive count)");
    }
    if (sizeBytes < 0 || sizeBytes % SIZE_UNIT != 0 || sizeBytes > MAX_SIZE) {
      return new Problem("stripe_size_bytes", sizeBytes + " is not a multiple of 64 KiB below 4 GiB");
    }
    if (!pool.isEmpty() && !POOL.matcher(pool).matches()) {
      return new Problem("pool", "\"" + pool + "\" is not a Lustre pool name (1-15 letters, digits, '_', '-', '.')");
    }
    return null;
  }

  /** The -S argument: the largest binary unit that divides the size exactly, as people write it ("4M", "64K"). */
  static String sizeArgument(long bytes) {
    if (bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "G";
    }
    if (bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "M";
    }
    return (bytes >> 10) + "K";
  }
}
