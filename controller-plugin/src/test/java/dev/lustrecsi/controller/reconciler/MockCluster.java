package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.function.Consumer;

/** The embedded API server (see EmbeddedApiServer), knowing our CRDs and KubeVirt's, with a KubeVirt simulator the tests drive pass by pass. */
final class MockCluster implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";

  final EmbeddedApiServer server;
  final KubernetesClient client;
  final KubeVirtSimulator kubevirt;

  MockCluster(List<KubeVirtSimulator.Listener> listeners) {
    server = EmbeddedApiServer.start(NAMESPACE);
    client = server.client();
    // These tests run KubeVirt's passes one at a time: a deleted instance stays until the next
    // pass, which shuts its guest down (kubevirt.holdShutdown keeps it shutting down, to look at).
    kubevirt = new KubeVirtSimulator(client, NAMESPACE, n -> "10.244.0." + (10 + n), listeners, java.time.Duration.ZERO);
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
