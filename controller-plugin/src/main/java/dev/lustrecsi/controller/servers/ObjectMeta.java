package dev.lustrecsi.controller.servers;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and owner references that tie every object to its LustreFilesystem. */
public final class ObjectMeta {
  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String FILESYSTEM_LABEL = "lustre.csi.lustrecsi.dev/filesystem";
  public static final String ROLE_LABEL = "lustre.csi.lustrecsi.dev/role";
  public static final String TARGET_LABEL = "lustre.csi.lustrecsi.dev/target";
  /** The {@value #COMPONENT_LABEL} of a server's VM, its cloud-init Secret and (copied by KubeVirt) its instances. */
  public static final String SERVER_COMPONENT = "lustre-server";
  public static final String MANAGER = "lustre-csi-controller";

  private ObjectMeta() {}

  /**
   * The {@value #FILESYSTEM_LABEL} label of a volume's or snapshot's record: its filesystem's
   * object name, as on the filesystem's VMs and disks. Unlike the fsname itself (which may end in
   * '_' or hold upper case) it is always a label value the API server accepts.
   */
  public static Map.Entry<String, String> filesystemLabel(String fsName) {
    return Map.entry(FILESYSTEM_LABEL, ResourceNames.of(fsName).filesystem());
  }

  public static Map<String, String> labels(LustreFilesystem filesystem, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME_LABEL, "lustre-csi");
    labels.put(COMPONENT_LABEL, component);
    labels.put(MANAGED_BY_LABEL, MANAGER);
    labels.put(FILESYSTEM_LABEL, filesystem.getMetadata().getName());
    return labels;
  }

  /** The owner reference that makes Kubernetes delete the object with its filesystem. */
  public static OwnerReference ownedBy(LustreFilesystem filesystem) {
    return new OwnerReferenceBuilder()
        .withApiVersion(LustreFilesystem.API_VERSION)
        .withKind("LustreFilesystem")
        .withName(filesystem.getMetadata().getName())
        .withUid(filesystem.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static io.fabric8.kubernetes.api.model.ObjectMeta of(LustreFilesystem filesystem, String name, Map<String, String> labels, boolean owned) {
    ObjectMetaBuilder meta = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(filesystem.getMetadata().getNamespace())
        .withLabels(labels);
    if (owned) {
      meta.withOwnerReferences(ownedBy(filesystem));
    }
    return meta.build();
  }
}
