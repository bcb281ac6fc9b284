package dev.lustrecsi.common.volume;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The mount options a StorageClass or PV may ask for, split by where they apply. Lustre client
 * options act on the one Lustre mount a node keeps per filesystem; the others act on each
 * volume's bind mount. Nothing outside these lists passes, and no option takes a value, so a
 * caller cannot smuggle {@code network=} or a second option through a comma or an {@code =}.
 *
 * @param lustre options for the filesystem's Lustre mount
 * @param bind options for the volume's bind mounts
 */
public record MountOptions(List<String> lustre, List<String> bind) {
  /** Options of the Lustre client (mount.lustre(8)). */
  public static final Set<String> LUSTRE_OPTIONS =
      Set.of("flock", "localflock", "noflock", "user_xattr", "nouser_xattr", "lazystatfs", "nolazystatfs",
          "checksum", "nochecksum", "lruresize", "nolruresize", "user_fid2path", "nouser_fid2path", "verbose", "noverbose");

  /** Generic per-mount options, valid on a bind mount. */
  public static final Set<String> BIND_OPTIONS =
      Set.of("ro", "rw", "noatime", "nodiratime", "relatime", "strictatime", "noexec", "nosuid", "nodev");

  public MountOptions {
    lustre = List.copyOf(lustre);
    bind = List.copyOf(bind);
  }

  public static final MountOptions NONE = new MountOptions(List.of(), List.of());

  /**
   * Validates mount flags as CSI delivers them (each entry may itself hold a comma-separated list).
   *
   * @param field the request field the flags came from, for the error message
   */
  public static MountOptions parse(List<String> flags, String field) {
    Set<String> lustre = new LinkedHashSet<>();
    Set<String> bind = new LinkedHashSet<>();
    for (String entry : flags) {
      if (!CallerText.isPrintable(entry)) {
        // Spaces around an option are forgiven below; a tab, newline or NUL is not an option's part.
        throw CsiException.invalidArgument(field, "mount option " + CallerText.quote(entry) + " contains a control character");
      }
      for (String raw : entry.split(",", -1)) {
        String option = raw.strip();
        if (option.isEmpty()) {
          throw CsiException.invalidArgument(field, "empty mount option in " + CallerText.quote(entry));
        }
        if (option.indexOf('=') >= 0) {
          // network=, exclude=, mgsname= and the like change which servers and networks the shared mount uses.
          throw CsiException.invalidArgument(field, "mount option " + CallerText.quote(option) + " takes a value; options with values are not allowed");
        }
        if (LUSTRE_OPTIONS.contains(option)) {
          lustre.add(option);
        } else if (BIND_OPTIONS.contains(option)) {
          bind.add(option);
        } else {
          throw CsiException.invalidArgument(field, "mount option " + CallerText.quote(option) + " is not allowed; allowed: "
              + String.join(", ", sorted(LUSTRE_OPTIONS)) + ", " + String.join(", ", sorted(BIND_OPTIONS)));
        }
      }
    }
    if (lustre.contains("flock") && lustre.contains("localflock") || lustre.contains("noflock") && lustre.size() > 1 && (lustre.contains("flock") || lustre.contains("localflock"))) {
      throw CsiException.invalidArgument(field, "flock, localflock and noflock exclude each other");
    }
    if (bind.contains("ro") && bind.contains("rw")) {
      throw CsiException.invalidArgument(field, "ro and rw exclude each other");
    }
    return new MountOptions(new ArrayList<>(lustre), new ArrayList<>(bind));
  }

  public boolean readOnly() {
    return bind.contains("ro");
  }

  private static List<String> sorted(Set<String> options) {
    return options.stream().sorted().toList();
  }
}
