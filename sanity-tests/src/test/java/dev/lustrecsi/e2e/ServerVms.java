package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Objects;

/** The KubeVirt VirtualMachineInstances of a filesystem's Lustre servers. */
final class ServerVms {
  static final ResourceDefinitionContext INSTANCES = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
      .withNamespaced(true).build();
  // The labels the controller puts on every server VM and, through its template, on each instance.
  private static final String FILESYSTEM_LABEL = E2eSettings.DRIVER + "/filesystem";
  private static final String ROLE_LABEL = E2eSettings.DRIVER + "/role";

  /** One running instance: its uid tells a restarted instance of the same name from the old one. */
  record Instance(String name, String uid, String role, String phase, String node) {
    static Instance of(GenericKubernetesResource vmi) {
      return new Instance(vmi.getMetadata().getName(), vmi.getMetadata().getUid(), vmi.getMetadata().getLabels().get(ROLE_LABEL),
          Objects.toString(vmi.get("status", "phase"), null), Objects.toString(vmi.get("status", "nodeName"), null));
    }
  }

  private final KubernetesClient client;
  private final E2eSettings settings;

  ServerVms(KubernetesClient client, E2eSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** The instances of the filesystem whose LustreFilesystem object is {@code filesystem}. */
  List<Instance> of(String filesystem) {
    return client.genericKubernetesResources(INSTANCES).inNamespace(settings.driverNamespace())
        .withLabel(FILESYSTEM_LABEL, filesystem).list().getItems().stream().map(Instance::of).toList();
  }

  Instance get(String name) {
    GenericKubernetesResource vmi = client.genericKubernetesResources(INSTANCES).inNamespace(settings.driverNamespace()).withName(name).get();
    return vmi == null ? null : Instance.of(vmi);
  }

  /** Deletes the instance, not its VirtualMachine: as a crashed guest or a lost node does, KubeVirt must start it again. */
  void kill(Instance instance) {
    client.genericKubernetesResources(INSTANCES).inNamespace(settings.driverNamespace()).withName(instance.name()).delete();
  }

  /** Waits for a new instance of the same name (another uid) to run. */
  Instance awaitRestarted(Instance old) {
    return Wait.forThat("KubeVirt to start server " + old.name() + " again (a new VirtualMachineInstance, Running)",
            settings.provisioning())
        .withDiagnostics(() -> EventLog.recent(client, settings.driverNamespace(), old.name()))
        .until(() -> get(old.name()), now -> !now.uid().equals(old.uid()) && "Running".equals(now.phase()),
            now -> now.uid().equals(old.uid()) ? "the old instance, phase " + now.phase() : "a new instance, phase " + now.phase());
  }
}
