package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A filesystem of the test's own, through a StorageClass derived from the one under test: its
 * site settings (server image, storage network, disk class, LNet) are kept, and its filesystem
 * parameters replaced, so the test can watch a filesystem from its first volume without touching
 * the filesystem other tests and users share. Closing it deletes the filesystem (its server VMs
 * and, with {@code retention: Delete}, its disks) and the StorageClass. Close the namespace that
 * holds its claims first: the controller keeps a filesystem while any volume of it remains.
 */
final class ThrowawayFilesystem implements AutoCloseable {
  // Filesystem parameters fixed by the test; pool is a volume parameter naming an OST pool the new filesystem lacks.
  private static final Set<String> REPLACED = Set.of("fsName", "ostSize", "maxOsts", "overcommit", "retention", "mdtSize", "pool");

  private final KubernetesClient client;
  private final E2eSettings settings;
  private final String storageClass;
  private final String fsName;

  private ThrowawayFilesystem(KubernetesClient client, E2eSettings settings, String storageClass, String fsName) {
    this.client = client;
    this.settings = settings;
    this.storageClass = storageClass;
    this.fsName = fsName;
  }

  /**
   * @param fsName at most 8 characters (Lustre's limit), lower case so the LustreFilesystem is named the same
   * @param parameters filesystem parameters to set, over the suite's own defaults
   */
  static ThrowawayFilesystem create(KubernetesClient client, E2eSettings settings, String runId, String fsName,
      Map<String, String> parameters) {
    StorageClass base = client.storage().v1().storageClasses().withName(settings.storageClass()).get();
    if (base == null) {
      throw new AssertionError("StorageClass " + settings.storageClass() + " (-De2e.storageClass) does not exist");
    }
    Map<String, String> derived = new LinkedHashMap<>();
    Map<String, String> baseParameters = base.getParameters() == null ? Map.of() : base.getParameters();
    baseParameters.forEach((key, value) -> {
      if (!REPLACED.contains(key)) {
        derived.put(key, value);
      }
    });
    derived.put("fsName", fsName);
    // No overcommit, and Delete so that closing leaves no disk behind; a small MDT keeps the test's footprint small.
    derived.put("overcommit", "1.0");
    derived.put("retention", "Delete");
    derived.put("mdtSize", "4Gi");
    derived.putAll(parameters);
    String name = "lustre-e2e-" + runId + "-" + fsName;
    StorageClass derivedClass = new StorageClassBuilder()
        .withNewMetadata().withName(name).addToLabels(TestNamespace.RUN_LABEL, runId).endMetadata()
        .withProvisioner(base.getProvisioner())
        .withParameters(derived)
        .withMountOptions(base.getMountOptions())
        .withVolumeBindingMode(base.getVolumeBindingMode())
        .withAllowedTopologies(base.getAllowedTopologies())
        .withAllowVolumeExpansion(true)
        .withReclaimPolicy("Delete")
        .build();
    client.storage().v1().storageClasses().resource(derivedClass).create();
    return new ThrowawayFilesystem(client, settings, name, fsName);
  }

  String storageClass() {
    return storageClass;
  }

  String fsName() {
    return fsName;
  }

  @Override
  public void close() {
    if (settings.keepNamespaces()) {
      System.err.println("e2e.keepNamespaces: leaving StorageClass " + storageClass + " and filesystem " + fsName + " in place");
      return;
    }
    Filesystems filesystems = new Filesystems(client, settings);
    Wait.forThat("the volume records of filesystem " + fsName + " to be deleted before the filesystem", settings.cleanUp())
        .withDiagnostics(() -> filesystems.events(fsName))
        .until(() -> filesystems.volumeRecords().stream().filter(v -> fsName.equals(v.get("spec", "fsName")))
            .map(v -> v.getMetadata().getName()).toList(), List::isEmpty, left -> "still there: " + left);
    GenericKubernetesResource filesystem = filesystems.resourceOf(fsName);
    if (filesystem != null) {
      client.genericKubernetesResources(Filesystems.FILESYSTEMS).inNamespace(settings.driverNamespace())
          .withName(filesystem.getMetadata().getName()).delete();
      Wait.forThat("LustreFilesystem " + fsName + " and its server VMs to be deleted", settings.cleanUp())
          .withDiagnostics(() -> filesystems.events(fsName))
          .until(() -> filesystems.resourceOf(fsName) == null
                  && new ServerVms(client, settings).of(filesystem.getMetadata().getName()).isEmpty() ? Boolean.TRUE : Boolean.FALSE,
              Boolean::booleanValue, gone -> "the filesystem or an instance of its VMs is still there");
    }
    client.storage().v1().storageClasses().withName(storageClass).delete();
  }
}
