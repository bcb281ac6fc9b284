package dev.lustrecsi.controller.csi;

import csi.v1.VolumeCapability;
import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.MountOptions;
import java.util.List;

/**
 * Which volume capabilities a Lustre volume supports: mounted filesystems, every access mode.
 * Public so the docs' claims can be held to the same rule (deploy-tests).
 */
public final class VolumeCapabilities {
  private VolumeCapabilities() {}

  /** Throws InvalidArgument naming the field when a capability cannot be met. */
  static void require(List<VolumeCapability> capabilities, String field) {
    if (capabilities.isEmpty()) {
      throw CsiException.missing(field);
    }
    for (int i = 0; i < capabilities.size(); i++) {
      String problem = problem(capabilities.get(i), field + "[" + i + "]");
      if (problem != null) {
        throw CsiException.invalidArgument(field + "[" + i + "]", problem);
      }
    }
  }

  /** Why a capability is unsupported, or null when it is supported. */
  public static String problem(VolumeCapability capability, String field) {
    if (capability.hasBlock()) {
      return "block access is not supported: Lustre volumes are mounted filesystems";
    }
    if (!capability.hasMount()) {
      return "access_type is required (mount)";
    }
    String fsType = capability.getMount().getFsType();
    if (!fsType.isEmpty() && !fsType.equals("lustre")) {
      return "fs_type " + CallerText.quote(fsType) + " is not supported; use lustre or leave it empty";
    }
    VolumeCapability.AccessMode.Mode mode = capability.getAccessMode().getMode();
    if (mode == VolumeCapability.AccessMode.Mode.UNKNOWN || mode == VolumeCapability.AccessMode.Mode.UNRECOGNIZED) {
      return "access_mode is required";
    }
    MountOptions.parse(capability.getMount().getMountFlagsList(), field + ".mount.mount_flags");
    return null;
  }
}
