package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.function.Consumer;

/** The embedded API server (see EmbeddedApiServer), knowing our CRDs and KubeVirt's, with a KubeVirt simulator. */
final class MockCluster implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";

  final EmbeddedApiServer server;
  final KubernetesClient client;
  final KubeVirtSimulator kubevirt;

  MockCluster(List<KubeVirtSimulator.Listener> listeners) {
    server = EmbeddedApiServer.start(NAMESPACE);
    client = server.client();
    kubevirt = new KubeVirtSimulator(client, NAMESPACE, n -> "10.244.0." + (10 + n), listeners);
  }

  /** Another client of the same server, as a restarted controller would make, built with extra settings. */
  KubernetesClient newClient(Consumer<KubernetesClientBuilder> settings) {
    return server.newClient(settings);
  }

  @Override
  public void close() {
    server.close();
  }
}
