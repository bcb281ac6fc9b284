package dev.lustrecsi.controller.servers;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.PreconditionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

/**
 * Deletes one server's VirtualMachineInstance, the very one the caller saw: the delete carries
 * its uid as a precondition. KubeVirt starts each new instance under the VM's name, so a delete by
 * name alone, from a controller replica whose view is a moment old, would stop the instance that
 * another replica's restart just started, and put the server's targets through recovery twice.
 * fabric8's delete carries only a resourceVersion precondition, which KubeVirt's status updates
 * keep changing, hence the DeleteOptions written out here.
 */
public final class InstanceDeletion {
  private InstanceDeletion() {}

  /**
   * Deletes the instance named {@code name} if its uid is still {@code uid}. An instance gone
   * already (404) or another one in its place (409: someone else restarted the server) is no
   * error: either way the instance seen is stopping or stopped, which is what was asked.
   */
  public static void deleteIfStill(KubernetesClient client, String namespace, String name, String uid) {
    var options = new DeleteOptionsBuilder().withApiVersion("v1").withKind("DeleteOptions")
        .withPreconditions(new PreconditionsBuilder().withUid(uid).build()).build();
    String path = "/apis/" + KubeVirt.VIRTUAL_MACHINE_INSTANCES.getGroup() + "/" + KubeVirt.VIRTUAL_MACHINE_INSTANCES.getVersion()
        + "/namespaces/" + namespace + "/" + KubeVirt.VIRTUAL_MACHINE_INSTANCES.getPlural() + "/" + name;
    try {
      client.raw(path, "DELETE", options);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND && e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }
}
