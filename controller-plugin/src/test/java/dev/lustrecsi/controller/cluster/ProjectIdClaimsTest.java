package dev.lustrecsi.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.parameters.FilesystemParameters;
import dev.lustrecsi.controller.reconciler.MockClusterAccess;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Project-id blocks claimed in a LustreFilesystem's status by two controllers at once (an old
 * leader finishing a call beside the new one), while both run reconcile passes that rewrite the
 * status: no id is ever in two blocks, and the mark survives every pass.
 */
class ProjectIdClaimsTest {
  private static final int BLOCK = 64;

  @Test
  void twoControllersClaimingWhileTheStatusIsRewrittenNeverShareAnId() throws Exception {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      List<ClusterBackend> replicas = new ArrayList<>();
      for (String name : List.of("replica-a", "replica-b")) {
        replicas.add(ClusterBackend.start(cluster.newClient(b -> {}).adapt(NamespacedKubernetesClient.class).inNamespace(cluster.namespace()),
            new ClusterBackend.Settings(cluster.namespace(), false, name, 9443, new ServerDefaults("img", "lnet", "10.1.0.0/24"),
                Duration.ofMillis(50), ClusterBackend.Settings.ABANDONED_AFTER)));
      }
      try {
        try {
          replicas.getFirst().backend().ensureFilesystem(FilesystemSpec.requested("fs1", FilesystemParameters.parse(Map.of("ostSize", "10Gi", "maxOsts", "8"))));
        } catch (RuntimeException stillComingUp) {
          // no agents answer here: the filesystem never becomes ready, and its status is rewritten by every pass
        }
        int claimsPerThread = 15;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Integer>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
          for (ClusterBackend replica : replicas) {
            for (int thread = 0; thread < 3; thread++) {
              results.add(pool.submit(() -> {
                go.await();
                List<Integer> starts = new ArrayList<>();
                for (int i = 0; i < claimsPerThread; i++) {
                  starts.add(replica.backend().claimProjectIds("fs1", 0, BLOCK).first());
                }
                return starts;
              }));
            }
          }
          go.countDown();
          Set<Integer> ids = new TreeSet<>();
          for (Future<List<Integer>> result : results) {
            for (int start : result.get(2, TimeUnit.MINUTES)) {
              for (int id = start; id < start + BLOCK; id++) {
                assertThat(ids.add(id)).as("project id %d claimed twice", id).isTrue();
              }
            }
          }
          assertThat(ids).hasSize(6 * claimsPerThread * BLOCK).allMatch(id -> id >= LustreBackend.FIRST_PROJECT_ID);
          Thread.sleep(200);  // a few more passes rewrite the status
          LustreFilesystem fs = cluster.client().resources(LustreFilesystem.class).withName("fs1").get();
          assertThat(fs.getStatus().nextProjectId()).as("the mark, after the passes").isEqualTo(((TreeSet<Integer>) ids).last() + 1);
        }
      } finally {
        replicas.forEach(ClusterBackend::close);
      }
    }
  }
}
