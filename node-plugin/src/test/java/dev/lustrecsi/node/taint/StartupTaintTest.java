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
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

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

  /**
   * The node plugin's API calls, recorded while it removes its taint, must equal the node lines of
   * deploy/api-calls.txt, from which the chart's RBAC is checked (deploy-tests).
   */
  @Test
  void theNodePluginMakesExactlyTheCallsItsRbacGrants() throws Exception {
    createNode("node-4", OURS);
    java.util.Set<String> calls = new java.util.concurrent.ConcurrentSkipListSet<>();
    io.fabric8.kubernetes.client.http.Interceptor recorder = new io.fabric8.kubernetes.client.http.Interceptor() {
      @Override
      public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder, io.fabric8.kubernetes.client.http.HttpRequest request,
          RequestTags tags) {
        java.util.regex.Matcher path = java.util.regex.Pattern.compile("^/api/v1/(nodes)(?:/([^/]+))?$").matcher(request.uri().getPath());
        String resource = path.matches() ? path.group(1) : request.uri().getPath();
        String verb = switch (request.method()) {
          case "GET" -> path.matches() && path.group(2) != null ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          default -> request.method().toLowerCase(java.util.Locale.ROOT);
        };
        calls.add(verb + " \"\" " + resource);
      }
    };
    try (KubernetesClient recorded = server.createClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("record", recorder)))) {
      assertThat(StartupTaint.remove(recorded, "node-4")).isTrue();
    }
    java.util.Set<String> listed = new java.util.TreeSet<>();
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "deploy", "api-calls.txt"))) {
      if (line.startsWith("node ")) {
        listed.add(line.substring("node ".length()));
      }
    }
    assertThat(calls).isEqualTo(listed);
  }
}
