package dev.lustrecsi.controller.volume;

import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.util.List;

/** The embedded API server (see EmbeddedApiServer), knowing the LustreVolume resource. */
final class MockApi implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";

  private final EmbeddedApiServer server = EmbeddedApiServer.start(NAMESPACE);
  private final List<KubernetesClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A client of its own, as each controller replica has. */
  KubernetesClient newClient() {
    KubernetesClient client = server.newClient(settings -> {}).adapt(NamespacedKubernetesClient.class).inNamespace(NAMESPACE);
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(KubernetesClient::close);
    server.close();  // tolerates the mock web server's wait for watch WebSockets to close
  }
}
