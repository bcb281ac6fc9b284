package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.controller.reconciler.VmiView;
import dev.lustrecsi.controller.servers.KubeVirt;
import dev.lustrecsi.controller.servers.ObjectMeta;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.CompletionStage;

/**
 * The server VMs' instances as a watch last saw them. Volume calls go to the MDS address the
 * backend remembers, with no API call of their own; this is how such a call learns, for free,
 * that the instance at that address is being deleted, before it reaches the agent there.
 */
final class ServerInstances implements AutoCloseable {
  private final String namespace;
  private final SharedIndexInformer<GenericKubernetesResource> informer;
  private CompletionStage<Void> started;  // guarded by informer

  ServerInstances(KubernetesClient client, String namespace) {
    this.namespace = namespace;
    // KubeVirt copies the VM template's labels to each instance it starts.
    this.informer = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace)
        .withLabel(ObjectMeta.COMPONENT_LABEL, ObjectMeta.SERVER_COMPONENT).runnableInformer(0);
  }

  /**
   * Starts the watch, once, when the first filesystem with server VMs is looked up: a controller
   * serving only filesystems a site runs may be on a cluster without KubeVirt, and must make no
   * KubeVirt call. Not waited for: until the watch has listed the instances it knows none, and a
   * call then learns of a stopping instance from the API server once its agent has answered with
   * an error (LustreBackend.stoppingOr). The stage completes once the watch has listed them.
   */
  CompletionStage<Void> watch() {
    synchronized (informer) {
      if (started == null) {
        started = informer.start();
      }
      return started;
    }
  }

  /** Whether the server's instance, as last seen, is being deleted (deletionTimestamp set). */
  boolean shuttingDown(String server) {
    GenericKubernetesResource instance = informer.getStore().getByKey(namespace + "/" + server);
    return instance != null && VmiView.of(instance).shuttingDown();
  }

  @Override
  public void close() {
    informer.stop();
  }
}
