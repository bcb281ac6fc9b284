package dev.lustrecsi.node.taint;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The agent-not-ready pattern: nodes join the cluster with the taint
 * {@value #KEY}:{@value #EFFECT}, so no pod that needs Lustre is scheduled (or stays) there,
 * and the node plugin removes it from its own Node once it can mount. This is the only class
 * that touches fabric8: it is loaded only with --remove-startup-taint, which keeps the node
 * plugin's memory small everywhere else.
 */
public final class StartupTaint {
  private static final System.Logger LOG = System.getLogger(StartupTaint.class.getName());

  /** The taint's key. */
  public static final String KEY = "lustre.csi.lustrecsi.dev/agent-not-ready";
  /** The taint's effect: pods without a toleration are not scheduled and are evicted. */
  public static final String EFFECT = "NoExecute";

  private StartupTaint() {}

  /** The taints without the startup taint: a pure function of the Node's taints. */
  static List<Taint> without(List<Taint> taints) {
    return taints.stream().filter(t -> !(KEY.equals(t.getKey()) && EFFECT.equals(t.getEffect()))).toList();
  }

  /**
   * Removes the startup taint from the node, if it is there. Other taints stay as they are.
   *
   * @return whether the taint was there
   * @throws KubernetesClientException when the API server refuses or the node does not exist
   */
  public static boolean remove(KubernetesClient client, String nodeName) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      throw new KubernetesClientException("node " + nodeName + " does not exist");
    }
    List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    List<Taint> kept = without(taints);
    if (kept.size() == taints.size()) {
      return false;
    }
    client.nodes().withName(nodeName).edit(n -> new NodeBuilder(n).editSpec().withTaints(kept).endSpec().build());
    LOG.log(Level.INFO, "removed taint " + KEY + ":" + EFFECT + " from node " + nodeName);
    return true;
  }

  /**
   * Waits until the node is ready, then removes the taint, retrying API errors. Runs on a
   * virtual thread and ends once the taint is gone.
   */
  public static Thread removeWhenReady(KubernetesClient client, String nodeName, BooleanSupplier ready, Duration poll) {
    return Thread.ofVirtual().name("startup-taint").start(() -> {
      try {
        while (!ready.getAsBoolean()) {
          Thread.sleep(poll);
        }
        while (true) {
          try {
            remove(client, nodeName);
            return;
          } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "cannot remove taint " + KEY + " from node " + nodeName + " yet: " + e.getMessage());
            Thread.sleep(poll);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** In a cluster: the client configures itself from the pod's service account. */
  public static Thread removeWhenReadyInCluster(String nodeName, BooleanSupplier ready) {
    return removeWhenReady(new KubernetesClientBuilder().build(), nodeName, ready, Duration.ofSeconds(5));
  }
}
