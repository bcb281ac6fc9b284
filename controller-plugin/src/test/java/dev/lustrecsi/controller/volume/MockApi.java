package dev.lustrecsi.controller.volume;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;

/** fabric8's mock API server in CRUD mode, knowing the LustreVolume resource. */
final class MockApi implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";

  private final KubernetesMockServer server;
  private final List<KubernetesClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

  MockApi() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of(
        new CustomResourceDefinitionContext.Builder().withGroup("lustre.csi.lustrecsi.dev").withVersion("v1alpha1")
            .withKind("LustreVolume").withPlural("lustrevolumes").withScope("Namespaced").build())), false);
    server.init();
  }

  /** A client of its own, as each controller replica has. */
  KubernetesClient newClient() {
    KubernetesClient client = server.createClient();
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }
}
