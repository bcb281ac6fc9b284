package dev.lustrecsi.node.mount;

import java.util.List;

/**
 * A Lustre filesystem to mount: {@code nid[,nid]:[nid[,nid]:]/fsname}.
 *
 * @param fsName the filesystem name
 * @param mgsNodes the MGS's NIDs, one entry per failover node, each a comma-separated list of that node's NIDs
 */
public record LustreSource(String fsName, List<String> mgsNodes) {
  public LustreSource {
    mgsNodes = List.copyOf(mgsNodes);
  }

  /** The mount source in mount.lustre's syntax. */
  public String mountSource() {
    if (mgsNodes.isEmpty()) {
      throw new IllegalStateException("filesystem " + fsName + " has no MGS NIDs to mount from");
    }
    return String.join(":", mgsNodes) + ":/" + fsName;
  }
}
