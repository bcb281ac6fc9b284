package dev.lustrecsi.agent.lustre;

import dev.lustrecsi.common.volume.StripingRules;

/**
 * A directory's default layout as the agent's requests carry it: zero in a field keeps the
 * filesystem's default, any other value must be one {@link StripingRules} accepts.
 *
 * @param count stripe count: 0 keeps the filesystem default, -1 stripes over every OST
 * @param sizeBytes stripe size: 0 keeps the default, else a multiple of 64 KiB
 * @param pool OST pool name, empty for none
 */
public record Striping(int count, long sizeBytes, String pool) {
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
    String countProblem = count == 0 ? null : StripingRules.countProblem(count);
    if (countProblem != null) {
      return new Problem("stripe_count", countProblem);
    }
    String sizeProblem = sizeBytes == 0 ? null : StripingRules.sizeProblem(sizeBytes);
    if (sizeProblem != null) {
      return new Problem("stripe_size_bytes", sizeProblem);
    }
    String poolProblem = StripingRules.poolProblem(pool);
    return poolProblem == null ? null : new Problem("pool", poolProblem);
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
