package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.List;
import java.util.function.Consumer;

/** The embedded API server (see EmbeddedApiServer), knowing our CRDs and KubeVirt's, with a KubeVirt simulator. */
final class MockCluster implements AutoCloseable {
  static final String NAMESPACE = "lustre-csi";
  /** The finalizer that stands for a guest still shutting down (see {@link #slowShutdown}). */
  private static final String GUEST_SHUTTING_DOWN = "test.lustrecsi.dev/guest-shutting-down";

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

  /**
   * Keeps a VM's current instance from going when it is deleted, as a guest that takes its
   * terminationGracePeriodSeconds to shut down does: a delete leaves it with a deletionTimestamp,
   * still Running and Ready, until {@link #finishShutdown}. A finalizer does that in any API server.
   */
  void slowShutdown(String vmName) {
    instances().withName(vmName).edit(vmi -> {
      vmi.getMetadata().setFinalizers(List.of(GUEST_SHUTTING_DOWN));
      return vmi;
    });
  }

  /** The guest of a VM's instance has stopped: the instance goes, and the next KubeVirt sync starts a new one. */
  void finishShutdown(String vmName) {
    instances().withName(vmName).edit(vmi -> {
      vmi.getMetadata().setFinalizers(List.of());
      return vmi;
    });
    kubevirt.evict(vmName);  // the guest is gone: its agent with it
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> instances() {
    return client.genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(NAMESPACE);
  }

  @Override
  public void close() {
    server.close();
  }
}
