package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;

/** fabric8's mock API server in CRUD mode, knowing our CRD and KubeVirt's, with a KubeVirt simulator. */
final class MockCluster implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";

  final KubernetesMockServer server;
  final KubernetesClient client;
  final KubeVirtSimulator kubevirt;

  MockCluster(List<KubeVirtSimulator.Listener> listeners) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of(
        context("lustre.csi.lustrecsi.dev", "v1alpha1", "LustreFilesystem", "lustrefilesystems"),
        context("lustre.csi.lustrecsi.dev", "v1alpha1", "LustreVolume", "lustrevolumes"),
        context("kubevirt.io", "v1", "VirtualMachine", "virtualmachines"),
        context("kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances"))), false);
    server.init();
    client = server.createClient().inNamespace(NAMESPACE);
    kubevirt = new KubeVirtSimulator(client, NAMESPACE, n -> "10.244.0." + (10 + n), listeners);
  }

  /** Another client of the same server, as a restarted controller would make, built with extra settings. */
  KubernetesClient newClient(Consumer<KubernetesClientBuilder> settings) {
    return server.createClient(settings);
  }

  private static CustomResourceDefinitionContext context(String group, String version, String kind, String plural) {
    return new CustomResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind).withPlural(plural)
        .withScope("Namespaced").withStatusSubresource(true).build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
