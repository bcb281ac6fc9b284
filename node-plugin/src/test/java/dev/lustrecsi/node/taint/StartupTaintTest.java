package dev.lustrecsi.node.taint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StartupTaintTest {
  KubernetesClient client;

  static final Taint OURS = new Taint(StartupTaint.EFFECT, StartupTaint.KEY, null, null);
  static final Taint GPU = new Taint("NoSchedule", "nvidia.com/gpu", null, "present");

  void createNode(String name, Taint... taints) {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withTaints(taints).endSpec().build()).create();
  }

  @Test
  void removesOnlyTheStartupTaintAndIsIdempotent() {
    createNode("node-1", GPU, OURS);
    assertThat(StartupTaint.remove(client, "node-1")).isTrue();
    Node node = client.nodes().withName("node-1").get();
    assertThat(node.getSpec().getTaints()).containsExactly(GPU);
    assertThat(StartupTaint.remove(client, "node-1")).as("already gone").isFalse();
    assertThat(client.nodes().withName("node-1").get().getSpec().getTaints()).containsExactly(GPU);
  }

  @Test
  void aTaintWithTheSameKeyButAnotherEffectStays() {
    Taint noSchedule = new Taint("NoSchedule", StartupTaint.KEY, null, null);
    createNode("node-2", noSchedule);
    assertThat(StartupTaint.remove(client, "node-2")).isFalse();
    assertThat(client.nodes().withName("node-2").get().getSpec().getTaints()).containsExactly(noSchedule);
  }

  @Test
  void aMissingNodeIsAnError() {
    assertThatThrownBy(() -> StartupTaint.remove(client, "nowhere")).isInstanceOf(KubernetesClientException.class).hasMessageContaining("nowhere");
  }

  @Test
  void theTaintStaysUntilTheNodeIsReady() throws Exception {
    createNode("node-3", OURS);
    AtomicBoolean ready = new AtomicBoolean(false);
    Thread remover = StartupTaint.removeWhenReady(client, "node-3", ready::get, Duration.ofMillis(20));
    Thread.sleep(200);
    assertThat(client.nodes().withName("node-3").get().getSpec().getTaints()).containsExactly(OURS);
    ready.set(true);
    remover.join(Duration.ofSeconds(10));
    assertThat(remover.isAlive()).isFalse();
    assertThat(client.nodes().withName("node-3").get().getSpec().getTaints()).isEmpty();
  }
}
