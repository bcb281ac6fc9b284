package dev.lustrecsi.sanity;

import csi.v1.VolumeCapability;
import csi.v1.VolumeCapability.AccessMode.Mode;

/** Volume capabilities the suite asks for. */
final class Capabilities {
  private Capabilities() {}

  /** A mounted volume, default filesystem type, one writer node. */
  static VolumeCapability mount() {
    return mount(Mode.SINGLE_NODE_WRITER);
  }

  static VolumeCapability mount(Mode mode) {
    return mount("", mode);
  }

  static VolumeCapability mount(String fsType, Mode mode) {
    return VolumeCapability.newBuilder()
        .setMount(VolumeCapability.MountVolume.newBuilder().setFsType(fsType))
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(mode))
        .build();
  }

  /** Raw block access, which a Lustre volume cannot give. */
  static VolumeCapability block() {
    return VolumeCapability.newBuilder()
        .setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER))
        .build();
  }
}
