package dev.lustrecsi.agent.lustre;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses {@code lfs getstripe -d -R DIR}: a directory's default layout on one line of "key: value"
 * pairs (lfs_getstripe_d_after_reboot.txt: "stripe_count:  2 stripe_size:   4194304 pattern:
 * raid0 stripe_offset: -1", with "pool: NAME" when it has one). Raw, a value the directory does
 * not set is 0, so a directory without a layout of its own reads as all defaults
 * ({@link Striping#isDefault}); no output at all reads the same. Only plain RAID0 layouts are understood: a composite (PFL) or
 * Data-on-MDT default cannot be put back with {@code -c/-S/-p} and is refused rather than
 * flattened into something else.
 */
public final class DefaultLayoutParser {
  private static final Set<String> KEYS = Set.of("stripe_count:", "stripe_size:", "pattern:", "stripe_offset:", "pool:");

  private DefaultLayoutParser() {}

  /** The layout, empty when the directory has none of its own. The directory's path line, if printed first, is skipped. */
  public static Optional<Striping> parse(String output) {
    String layout = output.lines().filter(l -> l.contains(":")).reduce("", (a, b) -> a + " " + b).strip();
    if (layout.isEmpty()) {
      return Optional.empty();
    }
    String[] tokens = layout.split("\\s+");
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < tokens.length; i += 2) {
      if (!KEYS.contains(tokens[i]) || i + 1 >= tokens.length) {
        throw new UnexpectedOutputException("lfs getstripe -d", "not a plain default layout (composite or unknown field '" + tokens[i] + "'): " + layout);
      }
      values.put(tokens[i], tokens[i + 1]);
    }
    String pattern = values.getOrDefault("pattern:", "raid0");
    if (!pattern.equals("raid0") && !pattern.equals("0") && !pattern.equals("1")) {
      throw new UnexpectedOutputException("lfs getstripe -d", "pattern " + pattern + " is not a plain RAID0 layout: " + layout);
    }
    try {
      int count = Integer.parseInt(values.getOrDefault("stripe_count:", "0"));
      long size = Long.parseLong(values.getOrDefault("stripe_size:", "0"));
      return Optional.of(new Striping(count, size, values.getOrDefault("pool:", "")));
    } catch (NumberFormatException e) {
      throw new UnexpectedOutputException("lfs getstripe -d", "stripe count or size is not a number: " + layout);
    }
  }
}
