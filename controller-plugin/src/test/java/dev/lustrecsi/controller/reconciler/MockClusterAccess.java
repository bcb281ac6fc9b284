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

  /** Agents that answer at every running instance, as the reconciler's tests have them. */
  public ServerAgents agents() {
    return new FakeAgents(cluster.client, cluster.kubevirt);
  }

  public String namespace() {
    return MockCluster.NAMESPACE;
  }

  public KubernetesClient newClient(Consumer<KubernetesClientBuilder> settings) {
    return cluster.newClient(settings);
  }

  /** A reconciler on {@code client} whose agents answer at every running instance, as the reconciler's tests have them. */
  public FilesystemReconciler reconcilerWithAgents(KubernetesClient client) {
    return new FilesystemReconciler(client, MockCluster.NAMESPACE, new FakeAgents(cluster.client, cluster.kubevirt),
        new dev.lustrecsi.controller.agent.AgentCredentials(client, MockCluster.NAMESPACE, java.time.Clock.systemUTC()), 9443,
        fs -> 0L, java.time.Clock.systemUTC());
  }

  /** Changes a filesystem's spec.serverImage, as an admin's kubectl edit does. */
  public void setServerImage(String name, String image) {
    var fs = cluster.client.resources(dev.lustrecsi.controller.filesystem.LustreFilesystem.class).withName(name).get();
    var s = fs.getSpec();
    fs.setSpec(new dev.lustrecsi.controller.filesystem.LustreFilesystemSpec(s.fsName(), image, s.mgtSize(), s.mdtSize(), s.ostSize(),
        s.ostsPerOss(), s.ostCount(), s.maxOsts(), s.overcommit(), s.diskStorageClass(), s.serverCpu(), s.serverMemory(),
        s.lnetNetworks(), s.storageNetwork(), s.retention()));
    cluster.client.resources(dev.lustrecsi.controller.filesystem.LustreFilesystem.class).resource(fs).update();
  }

  @Override
  public void close() {
    cluster.close();
  }
}
