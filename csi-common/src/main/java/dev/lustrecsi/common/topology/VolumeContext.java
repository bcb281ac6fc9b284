package dev.lustrecsi.common.topology;

/**
 * Keys of the volume context the node plugin mounts from: set by CreateVolume for provisioned
 * volumes, and by the admin in a static PV's {@code volumeAttributes}.
 */
public final class VolumeContext {
  /** tcp NIDs of the MGS: a server's NIDs separated by ',', failover servers by ':'. */
  public static final String MGS_NIDS = "mgsNids";
  /** o2ib NIDs of the MGS, same syntax; optional. */
  public static final String MGS_NIDS_O2IB = "mgsNidsO2ib";
  /** The Lustre filesystem name. */
  public static final String FS_NAME = "fsName";
  /** tcp, o2ib or auto (the default); see {@link LnetChoice}. */
  public static final String LNET = "lnet";
  /** For static volumes: the directory of the filesystem to mount, relative to its root; optional. */
  public static final String SUBDIR = "subdir";

  private VolumeContext() {}
}
