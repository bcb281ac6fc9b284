package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The driver's LustreFilesystem and LustreVolume resources, read from its namespace. */
final class Filesystems {
  static final ResourceDefinitionContext FILESYSTEMS = crd("LustreFilesystem", "lustrefilesystems");
  static final ResourceDefinitionContext VOLUMES = crd("LustreVolume", "lustrevolumes");

  private final KubernetesClient client;
  private final E2eSettings settings;

  Filesystems(KubernetesClient client, E2eSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /**
   * The fsName a PV's volume lives on: the driver puts it in the volume context, and its volume
   * ids are {@code FSNAME/DIRECTORY} besides.
   */
  static String fsNameOf(PersistentVolume volume) {
    var csi = volume.getSpec().getCsi();
    if (csi.getVolumeAttributes() != null && csi.getVolumeAttributes().containsKey("fsName")) {
      return csi.getVolumeAttributes().get("fsName");
    }
    return csi.getVolumeHandle().substring(0, csi.getVolumeHandle().indexOf('/'));
  }

  /** The resource of the filesystem named {@code fsName}: found by its spec, as its object name may carry a hash. */
  GenericKubernetesResource resourceOf(String fsName) {
    return client.genericKubernetesResources(FILESYSTEMS).inNamespace(settings.driverNamespace()).list().getItems().stream()
        .filter(fs -> fsName.equals(FilesystemState.of(fs).fsName())).findFirst().orElse(null);
  }

  FilesystemState stateOf(String fsName) {
    GenericKubernetesResource resource = resourceOf(fsName);
    return resource == null ? null : FilesystemState.of(resource);
  }

  /** Waits until the filesystem is Ready and passes {@code also}; fails naming its phase, conditions and Events. */
  FilesystemState await(String fsName, String what, java.util.function.Predicate<FilesystemState> also) {
    return Wait.forThat("filesystem " + fsName + " to be Ready and " + what, settings.provisioning())
        .withDiagnostics(() -> events(fsName))
        .until(() -> stateOf(fsName), state -> state.ready() && also.test(state), FilesystemState::describe);
  }

  String events(String fsName) {
    GenericKubernetesResource resource = resourceOf(fsName);
    return resource == null ? "  no LustreFilesystem " + fsName
        : EventLog.recent(client, settings.driverNamespace(), resource.getMetadata().getName());
  }

  /**
   * Whether the controller recorded a Warning {@code Degraded} Event on the filesystem at or after
   * {@code since}: a phase change can come and go between two polls, its Event stays.
   */
  boolean degradedSince(String fsName, Instant since) {
    GenericKubernetesResource resource = resourceOf(fsName);
    return resource != null && client.v1().events().inNamespace(settings.driverNamespace()).list().getItems().stream()
        .filter(e -> resource.getMetadata().getName().equals(e.getInvolvedObject().getName()) && "Degraded".equals(e.getReason()))
        .map(e -> e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getMetadata().getCreationTimestamp())
        .anyMatch(time -> time != null && !Instant.parse(time).isBefore(since.truncatedTo(ChronoUnit.SECONDS)));
  }

  /** Reasons and messages of the Events recorded on the filesystem. */
  List<String> eventTexts(String fsName) {
    GenericKubernetesResource resource = resourceOf(fsName);
    return resource == null ? List.of() : client.v1().events().inNamespace(settings.driverNamespace()).list().getItems().stream()
        .filter(e -> resource.getMetadata().getName().equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  /** The driver's record of the volume whose CSI name (the PV's name) is {@code name}, or null. */
  GenericKubernetesResource volumeRecord(String name) {
    return volumeRecords().stream().filter(v -> name.equals(v.get("spec", "name"))).findFirst().orElse(null);
  }

  List<GenericKubernetesResource> volumeRecords() {
    return client.genericKubernetesResources(VOLUMES).inNamespace(settings.driverNamespace()).list().getItems();
  }

  private static ResourceDefinitionContext crd(String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup(E2eSettings.DRIVER).withVersion("v1alpha1")
        .withKind(kind).withPlural(plural).withNamespaced(true).build();
  }
}
