package dev.lustrecsi.node.csi;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.node.lnet.Nid;
import dev.lustrecsi.node.mount.MountEntry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether the filesystem mounted at {@code MOUNT_ROOT/FSNAME} is the one a volume's context
 * names. The mount point tells only the name, and names are not unique: two sites may each have a
 * filesystem {@code lab}, and a volume of the second must never be bound from the first's mount.
 * The mount source (mount.lustre's {@code NIDS:/FSNAME}, kept in mountinfo) tells which MGS it
 * came from. It is taken for the volume's filesystem when any of its NIDs is among the context's
 * MGS NIDs, tcp or o2ib: a failover pair may be listed in either order or in part, and a
 * filesystem mounted over tcp serves a volume that also offers o2ib.
 */
final class SameFilesystem {
  private SameFilesystem() {}

  static void require(MountEntry fsMount, VolumeLocation volume) {
    Set<String> mounted = nids(fsMount.source());
    if (mounted.isEmpty()) {
      // Not a Lustre client's source (the stand-in mounts of tests and the sandbox): there is nothing to compare.
      return;
    }
    Set<String> named = new LinkedHashSet<>();
    Stream.concat(volume.context().tcpNodes().stream(), volume.context().o2ibNodes().stream())
        .forEach(node -> named.addAll(nids(node + ":/")));
    if (named.isEmpty()) {
      throw CsiException.invalidArgument("volume_context." + VolumeContext.MGS_NIDS, "is required: filesystem " + volume.fsName()
          + " is mounted on this node from " + fsMount.source() + ", and only the MGS NIDs tell whether volume " + volume.volumeId() + " is on it");
    }
    if (named.stream().anyMatch(mounted::contains)) {
      return;
    }
    throw CsiException.failedPrecondition(String.join(" and ", fields(volume)) + " of volume " + volume.volumeId() + " (" + String.join(", ", named)
        + ") name none of the MGS NIDs filesystem " + volume.fsName() + " is mounted from on this node (" + fsMount.source() + " at "
        + fsMount.mountPoint() + "): it is another filesystem of the same name, or the NIDs leave out the servers it is mounted from."
        + " Two filesystems of one name cannot be used on one node at once; this one can be staged here once no volume of the mounted one is");
  }

  /** The NIDs of a Lustre mount source {@code nid[,nid][:nid[,nid]...]:/fsname}, as Lustre writes them; empty for any other source. */
  static Set<String> nids(String source) {
    int fsName = source.indexOf(":/");
    Set<String> nids = new LinkedHashSet<>();
    if (fsName < 0) {
      return nids;
    }
    for (String text : source.substring(0, fsName).split("[:,]")) {
      Nid.parse(text).ifPresent(nid -> nids.add(nid.toString()));
    }
    return nids;
  }

  private static List<String> fields(VolumeLocation volume) {
    List<String> fields = new ArrayList<>();
    if (!volume.context().tcpNodes().isEmpty()) {
      fields.add("volume_context." + VolumeContext.MGS_NIDS);
    }
    if (!volume.context().o2ibNodes().isEmpty()) {
      fields.add("volume_context." + VolumeContext.MGS_NIDS_O2IB);
    }
    return fields;
  }
}
