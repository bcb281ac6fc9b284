package dev.lustrecsi.controller.servers;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The block-mode PVC that holds one target. Whether it is owned by the LustreFilesystem (and so
 * deleted with it) follows the spec's retention policy: Retain, the default, leaves target
 * disks behind when the resource is deleted, so an accidental delete loses no data.
 */
public final class TargetDisks {
  public static final String DEFAULT_MGT_SIZE = "1Gi";
  public static final String DEFAULT_MDT_SIZE = "64Gi";

  private TargetDisks() {}

  public static PersistentVolumeClaim build(LustreFilesystem filesystem, TargetStatus target) {
    LustreFilesystemSpec spec = filesystem.getSpec();
    Map<String, String> labels = ObjectMeta.labels(filesystem, "lustre-target");
    labels.put(ObjectMeta.TARGET_LABEL, target.name().toLowerCase(java.util.Locale.ROOT));
    boolean deleteWithFilesystem = LustreFilesystemSpec.DELETE.equals(spec.retention());
    PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder()
        .withMetadata(ObjectMeta.of(filesystem, target.disk(), labels, deleteWithFilesystem))
        .withNewSpec()
        .withVolumeMode("Block")
        .withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity(size(spec, target.kind()))).endResources()
        .endSpec();
    if (spec.diskStorageClass() != null && !spec.diskStorageClass().isEmpty()) {
      claim.editSpec().withStorageClassName(spec.diskStorageClass()).endSpec();
    }
    return claim.build();
  }

  /**
   * The owner references an existing disk must have for the spec's retention as it is now, or
   * empty when it has them: retention may change after the disks were made (an admin switching
   * to Retain before deleting the filesystem, to keep its data), and a disk keeping the owner
   * reference it was made with would be deleted with the filesystem all the same. Owners other
   * than the filesystem are kept.
   */
  public static Optional<List<OwnerReference>> ownersForRetention(LustreFilesystem filesystem, PersistentVolumeClaim existing) {
    boolean deleteWithFilesystem = LustreFilesystemSpec.DELETE.equals(filesystem.getSpec().retention());
    String uid = filesystem.getMetadata().getUid();
    List<OwnerReference> others = existing.getMetadata().getOwnerReferences().stream().filter(o -> !uid.equals(o.getUid())).toList();
    boolean owned = others.size() < existing.getMetadata().getOwnerReferences().size();
    if (owned == deleteWithFilesystem) {
      return Optional.empty();
    }
    List<OwnerReference> wanted = new ArrayList<>(others);
    if (deleteWithFilesystem) {
      wanted.add(ObjectMeta.ownedBy(filesystem));
    }
    return Optional.of(wanted);
  }

  /** The size of a target's disk, as a Kubernetes quantity: the spec's, else the default for its kind. */
  public static String size(LustreFilesystemSpec spec, String kind) {
    return switch (kind) {
      case TargetKinds.MGT -> spec.mgtSize() == null ? DEFAULT_MGT_SIZE : spec.mgtSize();
      case TargetKinds.MDT -> spec.mdtSize() == null ? DEFAULT_MDT_SIZE : spec.mdtSize();
      default -> spec.ostSize();
    };
  }

  /** The disk serial the guest sees the target under (/dev/disk/by-id/...-SERIAL). */
  public static String serial(TargetStatus target) {
    return TargetKinds.MGT.equals(target.kind()) ? "mgt" : String.format("%s%04x", target.kind().toLowerCase(java.util.Locale.ROOT), target.index());
  }
}
