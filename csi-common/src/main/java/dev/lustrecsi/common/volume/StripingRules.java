package dev.lustrecsi.common.volume;

import dev.lustrecsi.common.error.CallerText;
import java.util.regex.Pattern;

/**
 * What Lustre takes as a directory's default layout ({@code lfs setstripe -c COUNT -S SIZE -p POOL}),
 * in one place for the controller, which checks StorageClass parameters, and the agent, which
 * checks the requests it runs: a value one accepts the other must accept too, or a volume is
 * accepted and then fails on the server at every retry.
 *
 * <p>Each check returns why the value is unusable, or null when it is fine.
 */
public final class StripingRules {
  /** {@code -c -1}: stripe over every OST. */
  public static final int ALL_OSTS = -1;
  /** The widest layout Lustre makes (LOV_MAX_STRIPE_COUNT). */
  public static final int MAX_COUNT = 2000;
  /** Stripe sizes are whole multiples of this (lfs setstripe -S). */
  public static final long SIZE_UNIT = 64 * Sizes.KIB;
  /** The stripe size is a 32-bit field: lfs refuses 4 GiB and more, so the largest multiple of 64 KiB below it. */
  public static final long MAX_SIZE = 4 * Sizes.GIB - SIZE_UNIT;
  /** lctl pool_new takes at most 15 characters (LOV_MAXPOOLNAME). */
  public static final int MAX_POOL = 15;

  public static final String COUNT_RULE = "`-1` (every OST) or 1 to " + MAX_COUNT;
  public static final String SIZE_RULE = "a multiple of 64K from 64K up to 4G - 64K (`4194240K`)";
  public static final String POOL_RULE = "1 to " + MAX_POOL + " characters of letters, digits, `_`, `-` and `.`, the first a letter or digit";

  // A letter or digit first: no ".", "..", or a name a command would read as an option.
  private static final Pattern POOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_POOL - 1) + "}");

  private StripingRules() {}

  public static String countProblem(int count) {
    return count == ALL_OSTS || count >= 1 && count <= MAX_COUNT ? null : count + " is not a stripe count: " + plain(COUNT_RULE);
  }

  public static String sizeProblem(long bytes) {
    return bytes >= SIZE_UNIT && bytes <= MAX_SIZE && bytes % SIZE_UNIT == 0 ? null
        : bytes + " bytes is not a stripe size: " + plain(SIZE_RULE);
  }

  /** The pool's name; empty means no pool. */
  public static String poolProblem(String pool) {
    return pool.isEmpty() || POOL.matcher(pool).matches() ? null : CallerText.quote(pool) + " is not a pool name: " + plain(POOL_RULE);
  }

  private static String plain(String rule) {
    return rule.replace("`", "");
  }
}
