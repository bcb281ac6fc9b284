package dev.lustrecsi.kubevirt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded API server behaves as a Kubernetes API server where the driver depends on it:
 * optimistic concurrency, the status subresource, selectors, watches resumed from a
 * resourceVersion, finalizers, patches and 404s, all through the fabric8 client the driver uses.
 */
class KubernetesApiTest {
  private static final ResourceDefinitionContext FILESYSTEMS = new ResourceDefinitionContext.Builder()
      .withGroup("lustre.csi.lustrecsi.dev").withVersion("v1alpha1").withKind("LustreFilesystem").withPlural("lustrefilesystems")
      .withNamespaced(true).build();

  private EmbeddedApiServer api;
  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> filesystems;

  @BeforeEach
  void start() {
    api = EmbeddedApiServer.start("ns");
    filesystems = api.client().genericKubernetesResources(FILESYSTEMS).inNamespace("ns");
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private GenericKubernetesResource create(String name, Map<String, String> labels) {
    return filesystems.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("lustre.csi.lustrecsi.dev/v1alpha1").withKind("LustreFilesystem")
        .withNewMetadata().withName(name).withNamespace("ns").withLabels(labels).endMetadata()
        .addToAdditionalProperties("spec", Map.of("fsName", name)).build()).create();
  }

  /** KubeVirt's webhook fills a VM's machine type and architecture when they are unset, on every write, and keeps what is set. */
  @Test
  @SuppressWarnings("unchecked")
  void aVirtualMachineIsStoredWithTheDefaultsKubevirtsWebhookGivesIt() {
    var vms = api.client().genericKubernetesResources(KubeVirtSimulator.VMS).inNamespace("ns");
    GenericKubernetesResource made = vms.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("kubevirt.io/v1").withKind("VirtualMachine").withNewMetadata().withName("vm1").endMetadata()
        .addToAdditionalProperties("spec", Map.of("runStrategy", "Always", "template", Map.of("spec", Map.of("domain",
            Map.of("devices", Map.of())))))
        .build()).create();
    Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) made.getAdditionalProperties()
        .get("spec")).get("template")).get("spec");
    assertThat(template).containsEntry("architecture", "amd64");
    assertThat((Map<String, Object>) template.get("domain")).containsEntry("machine", Map.of("type", "q35"));

    // The driver writes the VM back as it builds it, without those fields: the webhook fills them
    // again, so the stored object is unchanged and no new version is made.
    template.remove("architecture");
    ((Map<String, Object>) template.get("domain")).remove("machine");
    GenericKubernetesResource written = vms.resource(made).update();
    assertThat(written.getMetadata().getResourceVersion()).isEqualTo(made.getMetadata().getResourceVersion());

    template.put("architecture", "arm64");
    GenericKubernetesResource arm = vms.resource(made).update();
    assertThat(((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) arm.getAdditionalProperties().get("spec"))
        .get("template")).get("spec"))).containsEntry("architecture", "arm64");
  }

  @Test
  void anUpdateNamingAnOldVersionIsAConflictAndChangesNothing() {
    GenericKubernetesResource made = create("fs1", Map.of());
    GenericKubernetesResource stale = filesystems.withName("fs1").get();
    made.setAdditionalProperty("spec", Map.of("fsName", "fs1", "ostCount", 2));
    filesystems.resource(made).update();

    stale.setAdditionalProperty("spec", Map.of("fsName", "fs1", "ostCount", 3));
    assertThatThrownBy(() -> filesystems.resource(stale).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(filesystems.withName("fs1").get().getAdditionalProperties().get("spec")).isEqualTo(Map.of("fsName", "fs1", "ostCount", 2));
    assertThatThrownBy(() -> create("fs1", Map.of()))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void anObjectWhoseNameOrLabelsAClusterWouldRefuseIsInvalidAndNotStored() {
    for (Map<String, String> labels : List.of(Map.of("lustre.csi.lustrecsi.dev/filesystem", "data-"),
        Map.of("lustre.csi.lustrecsi.dev/filesystem", "x".repeat(64)), Map.of("bad key/", "v"))) {
      assertThatThrownBy(() -> create("fs1", labels)).as("labels %s", labels)
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }
    assertThatThrownBy(() -> create("Fs_1", Map.of()))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(filesystems.list().getItems()).isEmpty();

    GenericKubernetesResource made = create("fs1", Map.of("app.kubernetes.io/name", "lustre_csi.1", "empty", ""));
    made.getMetadata().getLabels().put("lustre.csi.lustrecsi.dev/filesystem", "data_");
    assertThatThrownBy(() -> filesystems.resource(made).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(filesystems.withName("fs1").get().getMetadata().getLabels()).doesNotContainKey("lustre.csi.lustrecsi.dev/filesystem");
  }

  @Test
  void statusIsWrittenOnlyThroughItsSubresourceAndGenerationCountsSpecChanges() {
    GenericKubernetesResource made = create("fs1", Map.of());
    assertThat(made.getMetadata().getGeneration()).isEqualTo(1L);
    made.setAdditionalProperty("status", Map.of("phase", "Ready"));
    GenericKubernetesResource afterStatus = filesystems.resource(made).updateStatus();
    assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);

    afterStatus.setAdditionalProperty("status", Map.of("phase", "Failed"));
    afterStatus.setAdditionalProperty("spec", Map.of("fsName", "fs1", "ostCount", 4));
    GenericKubernetesResource afterUpdate = filesystems.resource(afterStatus).update();
    assertThat(afterUpdate.getAdditionalProperties().get("status")).isEqualTo(Map.of("phase", "Ready"));
    assertThat(afterUpdate.getMetadata().getGeneration()).isEqualTo(2L);

    String version = afterUpdate.getMetadata().getResourceVersion();
    assertThat(filesystems.resource(afterUpdate).update().getMetadata().getResourceVersion())
        .as("a write that changes nothing makes no new version").isEqualTo(version);
  }

  @Test
  void listsSelectByLabel() {
    create("fs1", Map.of("tier", "fast"));
    create("fs2", Map.of("tier", "slow"));
    create("fs3", Map.of());
    assertThat(names(filesystems.withLabel("tier", "fast").list().getItems())).containsExactly("fs1");
    assertThat(names(filesystems.withLabelIn("tier", "fast", "slow").list().getItems())).containsExactly("fs1", "fs2");
    assertThat(names(filesystems.withoutLabel("tier").list().getItems())).containsExactly("fs3");
    assertThat(names(filesystems.withLabelNotIn("tier", "fast").list().getItems())).containsExactly("fs2", "fs3");
    assertThat(filesystems.withName("fs9").get()).isNull();
  }

  @Test
  void aWatchFromAResourceVersionSeesEveryChangeAfterIt() throws Exception {
    GenericKubernetesResource made = create("fs1", Map.of());
    String from = made.getMetadata().getResourceVersion();
    made.setAdditionalProperty("spec", Map.of("fsName", "fs1", "ostCount", 2));
    GenericKubernetesResource second = filesystems.resource(made).update();
    filesystems.withName("fs1").delete();

    List<String> seen = new CopyOnWriteArrayList<>();
    try (var watch = filesystems.watch(new ListOptionsBuilder().withResourceVersion(from).build(), new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
        seen.add(action + " " + resource.getMetadata().getResourceVersion());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long deleted = Long.parseLong(second.getMetadata().getResourceVersion()) + 1;
      assertThat(seen).containsExactly("MODIFIED " + second.getMetadata().getResourceVersion(), "DELETED " + deleted);
    }
  }

  @Test
  void aWatchFromAVersionOlderThanTheHistoryIsGone() throws Exception {
    GenericKubernetesResource made = create("fs1", Map.of());
    String from = made.getMetadata().getResourceVersion();
    for (int i = 0; i < 1_001; i++) {
      made.setAdditionalProperty("spec", Map.of("fsName", "fs1", "ostCount", i));
      made = filesystems.resource(made).update();
    }
    java.util.concurrent.CompletableFuture<WatcherException> closed = new java.util.concurrent.CompletableFuture<>();
    try (var watch = filesystems.watch(new ListOptionsBuilder().withResourceVersion(from).build(), new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
      }

      @Override
      public void onClose(WatcherException cause) {
        closed.complete(cause);
      }
    })) {
      assertThat(closed.get(10, TimeUnit.SECONDS).isHttpGone()).isTrue();
    }
  }

  /**
   * A DELETE whose preconditions name another uid (an object made since under the same name) or
   * an older resourceVersion is refused with 409 and the object stays; one that names the object's
   * own deletes it.
   */
  @Test
  void aDeleteWhosePreconditionsTheObjectDoesNotMeetIsRefusedAndLeavesIt() {
    GenericKubernetesResource first = create("fs1", Map.of());
    filesystems.withName("fs1").delete();
    GenericKubernetesResource again = create("fs1", Map.of());
    String path = "/apis/lustre.csi.lustrecsi.dev/v1alpha1/namespaces/ns/lustrefilesystems/fs1";

    assertThatThrownBy(() -> api.client().raw(path, "DELETE", Map.of("preconditions", Map.of("uid", first.getMetadata().getUid()))))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(409);
          assertThat(e.getMessage()).contains("UID in precondition: " + first.getMetadata().getUid());
        });
    assertThatThrownBy(() -> filesystems.withName("fs1").lockResourceVersion("1").delete())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(filesystems.withName("fs1").get().getMetadata().getUid()).isEqualTo(again.getMetadata().getUid());

    api.client().raw(path, "DELETE", Map.of("preconditions", Map.of("uid", again.getMetadata().getUid(),
        "resourceVersion", again.getMetadata().getResourceVersion())));
    assertThat(filesystems.withName("fs1").get()).isNull();
  }

  @Test
  void anObjectWithAFinalizerStaysUntilItIsRemoved() {
    create("fs1", Map.of());
    filesystems.withName("fs1").edit(fs -> {
      fs.getMetadata().setFinalizers(List.of("lustre.csi.lustrecsi.dev/test"));
      return fs;
    });
    filesystems.withName("fs1").delete();
    GenericKubernetesResource marked = filesystems.withName("fs1").get();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();

    filesystems.withName("fs1").edit(fs -> {
      fs.getMetadata().setFinalizers(List.of());
      return fs;
    });
    assertThat(filesystems.withName("fs1").get()).isNull();
  }

  private static List<String> names(List<GenericKubernetesResource> items) {
    return items.stream().map(i -> i.getMetadata().getName()).sorted().toList();
  }
}
