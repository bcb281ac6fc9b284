package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A controller killed before each write it makes while provisioning and growing a filesystem,
 * then restarted, ends with exactly the objects of a run that was never interrupted: same names,
 * same specs, same addresses and OST indexes, nothing extra.
 */
class ReconcilerCrashTest {
  /** Thrown in place of the n-th write: the process died before sending it. */
  static final class Killed extends RuntimeException {
    Killed(String what) {
      super("controller killed before " + what);
    }
  }

  /** Kills the controller before its n-th write (create, update, patch, delete) to the API server. */
  static final class KillBeforeWrite implements Interceptor {
    private final int killAt;
    private final AtomicInteger writes = new AtomicInteger();
    final List<String> seen = new ArrayList<>();

    KillBeforeWrite(int killAt) {
      this.killAt = killAt;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      if (!request.method().equals("GET")) {
        String what = request.method() + " " + request.uri().getPath();
        if (writes.incrementAndGet() == killAt) {
          throw new Killed(what);
        }
        seen.add(what);
      }
    }

    int writes() {
      return writes.get();
    }
  }

  private static LustreFilesystemSpec spec() {
    return Filesystems.spec("fs1", 1, 2, List.of("tcp"));
  }

  /** Provisions, then grows from one OST to three, with a controller that may be killed. */
  record Outcome(Map<String, String> objects, boolean killed) {}

  private static Outcome run(int killAt, List<String> writesSeen) {
    try (MockCluster cluster = new MockCluster(List.of())) {
      LustreFilesystem filesystem = new LustreFilesystem();
      filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(MockCluster.NAMESPACE).build());
      filesystem.setSpec(spec());
      cluster.client.resources(LustreFilesystem.class).resource(filesystem).create();
      FakeAgents agents = new FakeAgents(cluster.client, cluster.kubevirt);
      KillBeforeWrite killer = new KillBeforeWrite(killAt);
      KubernetesClient doomed = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("kill", killer)))
          .adapt(io.fabric8.kubernetes.client.NamespacedKubernetesClient.class).inNamespace(MockCluster.NAMESPACE);
      FilesystemReconciler first = new FilesystemReconciler(doomed, MockCluster.NAMESPACE, agents,
          new dev.lustrecsi.controller.agent.AgentCredentials(doomed, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L, Clock.systemUTC());
      boolean killed = false;
      try {
        settle(first, cluster, true);
      } catch (Killed | io.fabric8.kubernetes.client.KubernetesClientException e) {
        killed = true;
      }
      writesSeen.addAll(killer.seen);
      // The restarted controller: a fresh client and reconciler, nothing carried over in memory.
      FilesystemReconciler restarted = new FilesystemReconciler(cluster.client, MockCluster.NAMESPACE, agents,
      new dev.lustrecsi.controller.agent.AgentCredentials(cluster.client, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L,
          Clock.systemUTC());
      settle(restarted, cluster, true);
      return new Outcome(snapshot(cluster.client), killed);
    }
  }

  private static void settle(FilesystemReconciler reconciler, MockCluster cluster, boolean grow) {
    for (int pass = 0; pass < 4; pass++) {
      reconciler.reconcile("fs1");
      cluster.kubevirt.sync();
    }
    if (grow) {
      LustreFilesystem current = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
      if (current.getSpec().ostCount() < 3) {
        current.setSpec(current.getSpec().withOstCount(3));
        cluster.client.resources(LustreFilesystem.class).resource(current).update();
      }
      for (int pass = 0; pass < 4; pass++) {
        reconciler.reconcile("fs1");
        cluster.kubevirt.sync();
      }
    }
  }

  /** Everything the controller made, by kind and name, with the parts that must match. */
  private static Map<String, String> snapshot(KubernetesClient client) {
    Map<String, String> objects = new TreeMap<>();
    for (HasMetadata claim : client.persistentVolumeClaims().list().getItems()) {
      objects.put("pvc/" + claim.getMetadata().getName(), Serialization.asJson(((io.fabric8.kubernetes.api.model.PersistentVolumeClaim) claim).getSpec()));
    }
    // Keys and certificates are random per run: for those Secrets, that they exist is what must match.
    client.secrets().list().getItems().forEach(s -> objects.put("secret/" + s.getMetadata().getName(),
        s.getMetadata().getName().endsWith("-cloudinit") ? Serialization.asJson(s.getData()) : String.join(",", new java.util.TreeSet<>(s.getData().keySet()))));
    client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).list().getItems()
        .forEach(vm -> objects.put("vm/" + vm.getMetadata().getName(), Serialization.asJson(vm.getAdditionalProperties().get("spec"))));
    LustreFilesystem filesystem = client.resources(LustreFilesystem.class).withName("fs1").get();
    objects.put("status/servers", Serialization.asJson(filesystem.getStatus().servers()));
    objects.put("status/targets", Serialization.asJson(filesystem.getStatus().targets()));
    objects.put("status/phase", filesystem.getStatus().phase());
    return objects;
  }

  @Test
  void killedBeforeAnyWriteAndRestartedConvergesToTheSameObjects() {
    List<String> cleanWrites = new ArrayList<>();
    Outcome cleanRun = run(0, cleanWrites);
    Map<String, String> clean = cleanRun.objects();
    assertThat(cleanRun.killed()).isFalse();
    assertThat(clean.get("status/phase")).isEqualTo("Ready");
    assertThat(clean.keySet()).contains("vm/fs1-oss1", "pvc/fs1-ost0002");
    assertThat(cleanWrites).as("the clean run's writes: one kill point each").hasSizeGreaterThan(15);

    for (int killAt = 1; killAt <= cleanWrites.size(); killAt++) {
      List<String> writes = new ArrayList<>();
      Outcome recovered = run(killAt, writes);
      assertThat(recovered.killed()).as("killed before write %d", killAt).isTrue();
      assertThat(writes).as("writes made before the kill").isEqualTo(cleanWrites.subList(0, killAt - 1));
      assertThat(recovered.objects()).as("killed before write %d (%s)", killAt, cleanWrites.get(killAt - 1)).isEqualTo(clean);
    }
  }
}
