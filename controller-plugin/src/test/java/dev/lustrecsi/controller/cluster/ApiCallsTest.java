package dev.lustrecsi.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.parameters.FilesystemParameters;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The controller's Kubernetes API calls, recorded while it provisions, grows and watches over a
 * filesystem with leader election on, against deploy/api-calls.txt, from which the chart's RBAC
 * is checked (deploy-tests). Every call made must be listed; every listed call must be made.
 */
class ApiCallsTest {
  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?$");

  /** Records "verb group resource" for each request, as the API server's authorizer sees it. */
  static final class Recorder implements Interceptor {
    final Set<String> calls = new ConcurrentSkipListSet<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      Matcher path = PATH.matcher(request.uri().getPath());
      if (!path.matches()) {
        calls.add("unrecognised " + request.method() + " " + request.uri().getPath());
        return;
      }
      String group = path.group(1) == null ? "\"\"" : path.group(1);
      String resource = path.group(2) + (path.group(4) == null ? "" : "/" + path.group(4));
      boolean named = path.group(3) != null;
      String query = request.uri().getQuery() == null ? "" : request.uri().getQuery();
      String verb = switch (request.method()) {
        case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> "delete";
        default -> request.method();
      };
      calls.add(verb + " " + group + " " + resource);
    }
  }

  static Set<String> listed(String component) throws Exception {
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("..", "deploy", "api-calls.txt"))) {
      if (line.startsWith(component + " ")) {
        listed.add(line.substring(component.length() + 1));
      }
    }
    return listed;
  }

  /**
   * A rolling upgrade, by the same reconciler on the recorded client with agents that answer
   * (none answer in the backend above, so no filesystem there is ever healthy enough to upgrade).
   */
  private static void rollOntoANewImage(dev.lustrecsi.controller.reconciler.MockClusterAccess cluster, KubernetesClient recorded) {
    var reconciler = cluster.reconcilerWithAgents(recorded);
    var filesystem = dev.lustrecsi.controller.filesystem.Filesystems.resource(
        dev.lustrecsi.controller.filesystem.Filesystems.spec("up", 1, 1, List.of("tcp")));
    filesystem.setStatus(null);
    cluster.client().resources(LustreFilesystem.class).resource(filesystem).create();
    for (int pass = 0; pass < 3; pass++) {
      reconciler.reconcile("up");
      cluster.kubevirt().sync();
    }
    cluster.setServerImage("up", "example.org/lustre-server:2.16.2");
    reconciler.reconcile("up");
    assertThat(cluster.client().resources(LustreFilesystem.class).withName("up").get().getStatus().upgrade().server())
        .isEqualTo("up-oss0");
  }

  @Test
  void theControllerMakesExactlyTheCallsItsRbacGrants() throws Exception {
    try (var cluster = new dev.lustrecsi.controller.reconciler.MockClusterAccess()) {
      Recorder recorder = new Recorder();
      KubernetesClient recorded = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("record", recorder)))
          .adapt(NamespacedKubernetesClient.class).inNamespace(cluster.namespace());
      try (ClusterBackend backend = ClusterBackend.start(recorded, new ClusterBackend.Settings(cluster.namespace(), true, "replica-a",
          9443, new ServerDefaults("img", "lnet", "10.1.0.0/24"), Duration.ofMillis(200), ClusterBackend.Settings.ABANDONED_AFTER))) {
        FilesystemSpec spec = FilesystemSpec.requested("fs1", FilesystemParameters.parse(Map.of("ostSize", "10Gi", "maxOsts", "8", "ostsPerOss", "2")));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(backend::leading);
        try {
          backend.backend().ensureFilesystem(spec);
        } catch (RuntimeException stillComingUp) {
          // no agents answer in this test: the filesystem never becomes ready, its objects are made all the same
        }
        cluster.kubevirt().sync();
        backend.backend().ensureOstCount("fs1", 3);
        cluster.kubevirt().sync();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recorder.calls.contains("list lustre.csi.lustrecsi.dev lustrefilesystems"));
        assertThat(cluster.client().resources(LustreFilesystem.class).withName("fs1").get().getStatus().ostCount()).isEqualTo(3);
        // The provisioner's side: a block of project ids claimed in the status, and a volume record created, updated and removed.
        assertThat(backend.backend().claimProjectIds("fs1", 0, 64).first()).isEqualTo(LustreBackend.FIRST_PROJECT_ID);
        // A volume call looks up the MDS, which starts the watch of the server instances (no agent answers here).
        try {
          backend.backend().setQuota(new dev.lustrecsi.common.volume.VolumeId("fs1", "pvc-0"), 1000, Sizes.GIB);
        } catch (RuntimeException noAgentAnswers) {
          // UNAVAILABLE: the calls made on the way are what this test records
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recorder.calls.contains("watch kubevirt.io virtualmachineinstances"));
        var journal = backend.journal();
        var id = new dev.lustrecsi.common.volume.VolumeId("fs1", "pvc-1");
        var volume = new dev.lustrecsi.controller.volume.VolumeRecord("pvc-1", id, Sizes.GIB,
            new dev.lustrecsi.controller.parameters.Striping(1, 4 * Sizes.MIB, ""), 1000,
            dev.lustrecsi.controller.volume.VolumeRecord.State.CREATING, Map.of("fsName", "fs1"), java.time.Instant.now());
        journal.put(volume);
        journal.put(volume.withState(dev.lustrecsi.controller.volume.VolumeRecord.State.READY));
        journal.remove(volume);
        // A replica whose watch has stopped writes with the version it last saw; another one wrote
        // since: the write conflicts, reads the record, and writes again.
        var stale = dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal.start(recorded, cluster.namespace());
        stale.put(volume);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stale.byName("pvc-1").isPresent());
        stale.close();
        try (var other = dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal.start(cluster.client(), cluster.namespace())) {
          other.put(volume.withCapacity(2 * Sizes.GIB));
        }
        stale.put(volume.withState(dev.lustrecsi.controller.volume.VolumeRecord.State.READY));
        // The snapshotter's side: a snapshot record created, marked ready, read, listed and removed.
        var snapshots = new dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal(recorded, cluster.namespace());
        var snapshot = new dev.lustrecsi.controller.snapshot.SnapshotRecord("snapshot-1",
            new dev.lustrecsi.controller.snapshot.SnapshotId("fs1", "snapshot-1"), id, "lcsi-20261206-220000-000001", Sizes.GIB, 0,
            dev.lustrecsi.controller.snapshot.SnapshotRecord.State.CREATING, "", java.time.Instant.parse("2026-12-06T22:00:00Z"));
        snapshots.put(snapshot);
        snapshots.put(snapshot.ready(1_765_000_000L));
        assertThat(snapshots.get("snapshot-1")).hasValue(snapshot.ready(1_765_000_000L));
        assertThat(snapshots.all()).hasSize(1);
        snapshots.remove(snapshot);
        // The end of a drain: OST0002, the only OST of fs1-oss1, is being detached and fs1-oss1 is
        // marked Removed (as a controller that died there leaves it); the pass deletes the disk,
        // then the VM and its cloud-init. (No agent answers here, so no step before this one could run.)
        // The controller's own periodic passes write this status too: the test's writes retry on a conflict as any writer must.
        for (int attempt = 1; ; attempt++) {
          try {
            var resources = cluster.client().resources(LustreFilesystem.class).inNamespace(cluster.namespace());
            var drained = resources.withName("fs1").get();
            drained.setSpec(drained.getSpec().withDrain(List.of(2)).withOstCount(2));
            drained = resources.resource(drained).update();
            var status = drained.getStatus();
            var targets = new java.util.ArrayList<>(status.targets());
            targets.replaceAll(t -> t.kind().equals("OST") && t.index() == 2
                ? t.withDrain(new dev.lustrecsi.controller.filesystem.DrainStatus("Detaching", 0L, 3L, 0L, 0L, null, null)) : t);
            var servers = new java.util.ArrayList<>(status.servers());
            servers.replaceAll(sv -> sv.name().equals("fs1-oss1") ? sv.withState("Removed", "drained") : sv);
            drained.setStatus(status.withLayout(servers, targets));
            resources.resource(drained).updateStatus();
            break;
          } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409 || attempt == 20) {
              throw e;
            }
          }
        }
        // A controller of an earlier version wrote the servers' cloud-init (an older setup script, say):
        // this one's pass writes it as it makes it now. The running VM reads it on its next boot.
        var secrets = cluster.client().secrets().inNamespace(cluster.namespace());
        var cloudInit = secrets.withName("fs1-mgs-cloudinit").get();
        cloudInit.setData(Map.of("userdata", java.util.Base64.getEncoder().encodeToString("#cloud-config\n".getBytes()),
            "networkdata", cloudInit.getData().get("networkdata")));
        secrets.resource(cloudInit).update();
        backend.reconciliations().reconcile("fs1");
        assertThat(secrets.withName("fs1-mgs-cloudinit").get().getData().get("userdata")).isNotEqualTo(cloudInit.getData().get("userdata"));
        // spec.retention changed after the disks were made: the pass brings their owner references in step.
        var filesystems = cluster.client().resources(LustreFilesystem.class).inNamespace(cluster.namespace());
        for (int attempt = 1; ; attempt++) {
          try {
            var filesystem = filesystems.withName("fs1").get();
            filesystem.setSpec(filesystem.getSpec().withRetention(LustreFilesystemSpec.DELETE));
            filesystems.resource(filesystem).update();
            break;
          } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409 || attempt == 20) {
              throw e;
            }
          }
        }
        backend.reconciliations().reconcile("fs1");
        assertThat(cluster.client().persistentVolumeClaims().inNamespace(cluster.namespace()).withName("fs1-mgt").get()
            .getMetadata().getOwnerReferences()).extracting(o -> o.getKind()).containsExactly("LustreFilesystem");
        assertThat(cluster.client().persistentVolumeClaims().inNamespace(cluster.namespace()).withName("fs1-ost0002").get()).isNull();
        assertThat(cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).inNamespace(cluster.namespace())
            .withName("fs1-oss1").get()).isNull();
      }
      rollOntoANewImage(cluster, cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("record", recorder)))
          .adapt(NamespacedKubernetesClient.class).inNamespace(cluster.namespace()));
      Set<String> expected = new TreeSet<>(listed("controller"));
      assertThat(recorder.calls).as("calls made that deploy/api-calls.txt does not list").isSubsetOf(listed("controller"));
      assertThat(expected).as("calls listed in deploy/api-calls.txt that the controller never makes").isSubsetOf(recorder.calls);
    }
  }
}
