package dev.lustrecsi.controller.filesystem;

import dev.lustrecsi.common.naming.Sha256;
import java.util.Locale;

/**
 * Kubernetes names for a filesystem's objects. A Lustre fsname may hold upper case and '_', a
 * Kubernetes name may not; where the fsname is not already a valid name, a short hash of it is
 * appended so that "Fs_1" and "fs-1" never share objects.
 */
public record ResourceNames(String base) {
  public static ResourceNames of(String fsName) {
    String lowered = fsName.toLowerCase(Locale.ROOT).replace('_', '-');
    String trimmed = lowered.replaceAll("^-+|-+$", "");
    if (trimmed.equals(fsName)) {
      return new ResourceNames(fsName);
    }
    String prefix = trimmed.isEmpty() ? "fs" : trimmed;
    return new ResourceNames(prefix + "-" + shortHash(fsName));
  }

  /** The LustreFilesystem object. */
  public String filesystem() {
    return base;
  }

  public String server(String role, int number) {
    return "mgs".equals(role) ? base + "-mgs" : base + "-" + role + number;
  }

  /** The block PVC holding a target. */
  public String disk(String kind, int index) {
    return switch (kind) {
      case TargetKinds.MGT -> base + "-mgt";
      default -> base + "-" + kind.toLowerCase(Locale.ROOT) + String.format("%04x", index);
    };
  }

  /** The Secret holding the server agents' TLS material. */
  public String agentTlsSecret() {
    return base + "-agent-tls";
  }

  /** The cloud-init Secret of one server VM. */
  public String cloudInitSecret(String server) {
    return server + "-cloudinit";
  }

  private static String shortHash(String value) {
    return Sha256.hex(value, 3);
  }
}
