package dev.lustrecsi.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import dev.lustrecsi.controller.reconciler.MockClusterAccess;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.grpc.Status;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A server whose instance is being deleted (a rolling upgrade restarting it) stays Running in
 * KubeVirt for up to its grace period while the guest shuts down, and its agent may still answer,
 * with the errors of a guest unmounting its targets. A CSI call that needs that server is told to
 * retry (UNAVAILABLE, saying the server is stopping), never given the dying agent's error.
 */
class StoppingServerCallsTest {
  private static final VolumeId VOLUME = new VolumeId("fs1", "pvc-1");

  @Test
  void aVolumeCallNeedingAnMdsThatIsShuttingDownIsToldToRetryWithoutReachingItsAgent() {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      settledFilesystem(cluster);
      AtomicInteger quotaCalls = new AtomicInteger();
      try (LustreBackend backend = backend(cluster, mdsAgent(cluster, quotaCalls, false))) {
        backend.setQuota(VOLUME, 1000, Sizes.GIB);  // the MDS's address is remembered from here on
        assertThat(quotaCalls).hasValue(1);

        // A rolling upgrade deletes the MDS's instance; its guest takes its time to shut down.
        deleteSlowly(cluster, "fs1-mds0");
        // The backend's watch of the instances sees the deletion as this one does (the API server
        // sends both the same event): from then on the remembered address is not called.
        try (ServerInstances watched = new ServerInstances(cluster.client(), cluster.namespace())) {
          watched.watch().toCompletableFuture().join();
          Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> watched.shuttingDown("fs1-mds0"));
        }
        Awaitility.await().pollDelay(Duration.ofMillis(500)).until(() -> true);

        assertStopping(() -> backend.setQuota(VOLUME, 1000, Sizes.GIB));
        assertStopping(() -> backend.setQuota(VOLUME, 1000, Sizes.GIB));  // looked up again: still stopping
        assertThat(quotaCalls).as("calls that reached the agent").hasValue(1);

        cluster.kubevirt().releaseShutdown("fs1-mds0");
        cluster.kubevirt().sync();
        backend.setQuota(VOLUME, 1000, Sizes.GIB);  // the new instance, at its new address
        assertThat(quotaCalls).hasValue(2);
      }
    }
  }

  @Test
  void aCallTheDeletionOvertookIsToldToRetryRatherThanGivenTheDyingAgentsError() {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      settledFilesystem(cluster);
      AtomicInteger quotaCalls = new AtomicInteger();
      try (LustreBackend backend = backend(cluster, mdsAgent(cluster, quotaCalls, true))) {
        assertStopping(() -> backend.setQuota(VOLUME, 1000, Sizes.GIB));
        assertThat(quotaCalls).hasValue(1);
      }
    }
  }

  @Test
  void aSnapshotNeedingAServerThatIsShuttingDownIsToldToRetry() {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      settledFilesystem(cluster);
      cluster.kubevirt().holdShutdown("fs1-oss0");
      cluster.client().genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(cluster.namespace()).withName("fs1-oss0").delete();

      assertStopping(() -> new FilesystemServers(cluster.client(), cluster.namespace()).of("fs1"));
    }
  }

  private static void assertStopping(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(CsiException.class, e -> {
      assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getMessage()).contains("is stopping", "being deleted", "retry later");
    });
  }

  /** fs1, one OSS, every target up: reconciled with agents that answer wherever an instance runs. */
  private static void settledFilesystem(MockClusterAccess cluster) {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(cluster.namespace()).build());
    filesystem.setSpec(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    cluster.client().resources(LustreFilesystem.class).inNamespace(cluster.namespace()).resource(filesystem).create();
    FilesystemReconciler reconciler = cluster.reconcilerWithAgents(cluster.client());
    for (int pass = 0; pass < 5; pass++) {
      reconciler.reconcile("fs1");
      cluster.kubevirt().sync();
    }
    assertThat(cluster.client().resources(LustreFilesystem.class).withName("fs1").get().getStatus().phase()).isEqualTo("Ready");
  }

  private static LustreBackend backend(MockClusterAccess cluster, ServerAgents agents) {
    return LustreBackend.start(cluster.client(), cluster.namespace(), new Reconciliations(cluster.client(), cluster.namespace(),
        cluster.reconcilerWithAgents(cluster.client())), agents, new ServerDefaults("img", "lnet", "10.1.0.0/24"));
  }

  /** Deletes the server's instance, whose guest then takes its time to shut down. */
  private static void deleteSlowly(MockClusterAccess cluster, String server) {
    cluster.kubevirt().holdShutdown(server);
    cluster.client().genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(cluster.namespace()).withName(server).delete();
  }

  /**
   * The reconciler's agents, plus an MDS agent that sets quotas, counting the calls that reach it.
   * While its instance is being deleted it answers as a guest unmounting its targets does; with
   * {@code deletedDuringCall}, the deletion comes while the call is on its way.
   */
  private static ServerAgents mdsAgent(MockClusterAccess cluster, AtomicInteger quotaCalls, boolean deletedDuringCall) {
    ServerAgents others = cluster.agents();
    return (ServerAgents) Proxy.newProxyInstance(ServerAgents.class.getClassLoader(), new Class<?>[] {ServerAgents.class},
        (proxy, method, args) -> {
          if (method.getName().equals("setProjectQuota")) {
            quotaCalls.incrementAndGet();
            if (deletedDuringCall) {
              deleteSlowly(cluster, "fs1-mds0");
            }
            var vmi = cluster.client().genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(cluster.namespace())
                .withName("fs1-mds0").get();
            if (vmi.getMetadata().getDeletionTimestamp() != null) {
              throw CsiException.withCode(Status.Code.INTERNAL, "lfs setquota: quotactl failed: Cannot send after transport endpoint shutdown");
            }
            return null;
          }
          try {
            return method.invoke(others, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
