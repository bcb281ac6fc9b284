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
    try {
      server.destroy();
    } catch (IllegalStateException closeTimedOut) {
      // The mock server waits up to 10 s for each watch WebSocket's close handshake, which a
      // closed client sometimes never answers. The server is stopped either way; only the wait
      // timed out, and nothing a test asserts depends on it.
      System.getLogger(MockApi.class.getName()).log(System.Logger.Level.WARNING, "mock API server closed after a timeout", closeTimedOut);
    }
  }
}
