package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.function.Consumer;

/** The reconciler tests' mock cluster, for tests in other packages. */
public final class MockClusterAccess implements AutoCloseable {
  private final MockCluster cluster = new MockCluster(List.of());

  public KubernetesClient client() {
    return cluster.client;
  }

  public KubeVirtSimulator kubevirt() {
    return cluster.kubevirt;
  }

  public String namespace() {
    return MockCluster.NAMESPACE;
  }

  public KubernetesClient newClient(Consumer<KubernetesClientBuilder> settings) {
    return cluster.newClient(settings);
  }

  @Override
  public void close() {
    cluster.close();
  }
}
