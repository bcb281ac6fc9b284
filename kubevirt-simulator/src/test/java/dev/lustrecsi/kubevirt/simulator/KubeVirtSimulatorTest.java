package dev.lustrecsi.kubevirt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator keeps a deleted instance through its guest's shutdown, as KubeVirt does: marked
 * with a deletionTimestamp and still Running until the guest is off, and only then replaced.
 */
class KubeVirtSimulatorTest {
  /** One API server for the class (starting one takes a while); each test works in a namespace of its own. */
  private static EmbeddedApiServer api;
  private static int tests;
  private String namespace;
  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> vmis;
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final KubeVirtSimulator.Listener listener = new KubeVirtSimulator.Listener() {
    @Override
    public void started(GenericKubernetesResource vm, String podAddress) {
      heard.add("started " + vm.getMetadata().getName() + " at " + podAddress);
    }

    @Override
    public void shuttingDown(String vmName) {
      heard.add("shutting down " + vmName);
    }

    @Override
    public void stopped(String vmName) {
      heard.add("stopped " + vmName);
    }
  };

  @BeforeAll
  static void startApi() {
    api = EmbeddedApiServer.start("ns");
  }

  @AfterAll
  static void stopApi() {
    api.close();
  }

  @BeforeEach
  void start() {
    namespace = "test" + ++tests;
    vmis = api.client().genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(namespace);
  }

  private KubeVirtSimulator kubevirt(Duration shutdown) {
    return new KubeVirtSimulator(api.client(), namespace, n -> "10.0.0." + (n + 1), List.of(listener), shutdown);
  }

  private void createVm(String name, Integer gracePeriodSeconds) {
    Map<String, Object> templateSpec = gracePeriodSeconds == null ? Map.of() : Map.of("terminationGracePeriodSeconds", gracePeriodSeconds);
    api.client().genericKubernetesResources(KubeVirtSimulator.VMS).inNamespace(namespace).resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("kubevirt.io/v1").withKind("VirtualMachine").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of("runStrategy", "Always", "template", Map.of("spec", templateSpec))).build()).create();
  }

  private static String phaseOf(GenericKubernetesResource instance) {
    return java.util.Objects.toString(instance.get("status", "phase"), null);
  }

  @Test
  void aDeletedInstanceStaysRunningWhileItsGuestShutsDownThenANewOneStarts() throws Exception {
    KubeVirtSimulator kubevirt = kubevirt(Duration.ofMillis(300));
    createVm("vm1", 120);
    kubevirt.sync();
    GenericKubernetesResource first = vmis.withName("vm1").get();

    vmis.withName("vm1").delete();
    kubevirt.sync();

    GenericKubernetesResource deleted = vmis.withName("vm1").get();
    assertThat(deleted).as("kept while the guest shuts down").isNotNull();
    assertThat(deleted.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
    assertThat(deleted.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(phaseOf(deleted)).isEqualTo("Running");
    assertThat(kubevirt.shuttingDown()).containsExactly("vm1");
    assertThat(kubevirt.running()).as("its guest no longer runs").isEmpty();
    assertThat(heard).containsExactly("started vm1 at 10.0.0.1", "shutting down vm1");

    Thread.sleep(350);
    kubevirt.sync();

    GenericKubernetesResource next = vmis.withName("vm1").get();
    assertThat(next.getMetadata().getUid()).as("a new instance").isNotEqualTo(first.getMetadata().getUid());
    assertThat(next.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(phaseOf(next)).isEqualTo("Running");
    assertThat(kubevirt.running()).containsExactly(Map.entry("vm1", "10.0.0.2"));
    assertThat(heard).containsExactly("started vm1 at 10.0.0.1", "shutting down vm1", "stopped vm1", "started vm1 at 10.0.0.2");
  }

  @Test
  void aHeldShutdownKeepsTheInstanceUntilReleased() {
    KubeVirtSimulator kubevirt = kubevirt(Duration.ZERO);
    createVm("vm1", 120);
    kubevirt.sync();
    String uid = vmis.withName("vm1").get().getMetadata().getUid();

    kubevirt.holdShutdown("vm1");
    kubevirt.evict("vm1");
    for (int pass = 0; pass < 3; pass++) {
      kubevirt.sync();
      assertThat(vmis.withName("vm1").get().getMetadata().getUid()).as("pass " + pass).isEqualTo(uid);
    }
    assertThat(kubevirt.shuttingDown()).containsExactly("vm1");
    kubevirt.releaseShutdown("vm1");
    kubevirt.sync();

    assertThat(vmis.withName("vm1").get().getMetadata().getUid()).isNotEqualTo(uid);
    assertThat(kubevirt.shuttingDown()).isEmpty();
  }

  @Test
  void theGuestIsOffByItsGracePeriodHoweverLongItWouldTake() {
    KubeVirtSimulator kubevirt = kubevirt(Duration.ofHours(1));
    createVm("vm1", 0);
    kubevirt.sync();
    String uid = vmis.withName("vm1").get().getMetadata().getUid();

    kubevirt.evict("vm1");
    kubevirt.sync();

    assertThat(vmis.withName("vm1").get().getMetadata().getUid()).isNotEqualTo(uid);
  }

  @Test
  void aFailedInstanceHasNoGuestToShutDownAndIsReplacedAtOnce() {
    KubeVirtSimulator kubevirt = kubevirt(Duration.ofHours(1));
    createVm("vm1", 120);
    kubevirt.sync();
    String uid = vmis.withName("vm1").get().getMetadata().getUid();

    kubevirt.fail("vm1");
    kubevirt.sync();

    assertThat(vmis.withName("vm1").get().getMetadata().getUid()).isNotEqualTo(uid);
    assertThat(heard).containsExactly("started vm1 at 10.0.0.1", "stopped vm1", "started vm1 at 10.0.0.2");
  }

  @Test
  void theInstanceOfADeletedVmShutsDownLikeAnyOtherAndIsNotReplaced() {
    KubeVirtSimulator kubevirt = kubevirt(Duration.ZERO);
    createVm("vm1", 120);
    kubevirt.sync();

    kubevirt.holdShutdown("vm1");
    api.client().genericKubernetesResources(KubeVirtSimulator.VMS).inNamespace(namespace).withName("vm1").delete();
    kubevirt.sync();
    assertThat(vmis.withName("vm1").get().getMetadata().getDeletionTimestamp()).as("deleted, its guest shutting down").isNotNull();
    kubevirt.releaseShutdown("vm1");
    kubevirt.sync();

    assertThat(vmis.withName("vm1").get()).isNull();
    assertThat(heard).containsExactly("started vm1 at 10.0.0.1", "shutting down vm1", "stopped vm1");
  }
}
