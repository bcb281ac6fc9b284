package dev.lustrecsi.controller.snapshot.kubernetes;

import dev.lustrecsi.common.naming.Sha256;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.servers.ObjectMeta;
import dev.lustrecsi.controller.snapshot.SnapshotId;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import dev.lustrecsi.controller.volume.kubernetes.VolumeObjects;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import java.util.regex.Pattern;

/** Pure conversions between snapshot records and LustreSnapshot objects. */
public final class SnapshotObjects {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private SnapshotObjects() {}

  /**
   * The object name of a snapshot: its CSI name when it is a short DNS label (the external
   * snapshotter's {@code snapshot-UUID} names are), else a hash of it. Stable, so a retried
   * CreateSnapshot finds its record; a label, so it fits in the snapshot id.
   */
  public static String objectName(String csiName) {
    if (NAME.matcher(csiName).matches()) {
      return csiName;
    }
    return "snap-" + Sha256.hex(csiName, 20);
  }

  public static LustreSnapshot toObject(SnapshotRecord snapshot, String namespace) {
    LustreSnapshot object = new LustreSnapshot();
    object.setMetadata(new ObjectMetaBuilder()
        .withName(snapshot.id().record())
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "lustre-csi")
        .addToLabels(Map.ofEntries(ObjectMeta.filesystemLabel(snapshot.id().fsName())))
        .build());
    object.setSpec(new LustreSnapshotSpec(snapshot.name(), snapshot.source().fsName(), snapshot.source().directory(),
        snapshot.lustreSnapshot(), snapshot.sizeBytes(), Sizes.format(snapshot.sizeBytes()), snapshot.creationSeconds(),
        snapshot.state().name(), snapshot.group().isEmpty() ? null : snapshot.group(), snapshot.lastRequested().toString()));
    return object;
  }

  public static SnapshotRecord toRecord(LustreSnapshot object) {
    LustreSnapshotSpec spec = object.getSpec();
    return new SnapshotRecord(spec.name(), new SnapshotId(spec.fsName(), object.getMetadata().getName()),
        new VolumeId(spec.fsName(), spec.sourceDirectory()), spec.lustreSnapshot(), spec.sizeBytes(), spec.creationSeconds(),
        SnapshotRecord.State.valueOf(spec.state()), spec.groupSnapshot(),
        VolumeObjects.lastRequested(spec.lastRequested(), object.getMetadata()));
  }
}
