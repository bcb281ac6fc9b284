package dev.lustrecsi.kubevirt.simulator;

import dev.lustrecsi.kubevirt.simulator.api.KubernetesApiDispatcher;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one create-delete pair asks of the API server, and nothing else: from N threads, a
 * LustreVolume-like object created, updated twice and deleted, with an informer receiving every
 * change, as the controller's volume records do. Prints cycles a second and the process's CPU per
 * cycle (the steadier number on a shared machine). {@code embedded} is the sandbox's API server,
 * {@code fabric8} the CRUD dispatcher it replaced, for comparison (docs/benchmarks.md):
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m \
 *   -cp dist/target/lustre-csi.jar:kubevirt-simulator/target/test-classes \
 *   dev.lustrecsi.kubevirt.simulator.ApiServerLoad embedded|fabric8 CYCLES THREADS
 * </pre>
 */
public final class ApiServerLoad {
  private static final CustomResourceDefinitionContext VOLUMES = new CustomResourceDefinitionContext.Builder()
      .withGroup("lustre.csi.lustrecsi.dev").withVersion("v1alpha1").withKind("LustreVolume").withPlural("lustrevolumes")
      .withScope("Namespaced").withStatusSubresource(true).build();

  private ApiServerLoad() {}

  public static void main(String[] args) throws Exception {
    String which = args[0];
    int cycles = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    // The mock web server logs each request at INFO: that would be measured too.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").setLevel(java.util.logging.Level.WARNING);
    Dispatcher dispatcher = switch (which) {
      case "embedded" -> new KubernetesApiDispatcher(List.of(VOLUMES), List.of());
      case "fabric8" -> new KubernetesCrudDispatcher(List.of(VOLUMES));
      default -> throw new IllegalArgumentException("embedded or fabric8, not " + which);
    };
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = server.createClient();
    var volumes = client.genericKubernetesResources(VOLUMES).inNamespace("ns");
    AtomicLong events = new AtomicLong();
    var informer = volumes.inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource object) {
        events.incrementAndGet();
      }

      @Override
      public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
        events.incrementAndGet();
      }

      @Override
      public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
        events.incrementAndGet();
      }
    });
    cycle(volumes, "warm", 2000, threads);
    System.gc();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long before = System.nanoTime();
    cycle(volumes, "run", cycles, threads);
    long seconds = System.nanoTime() - before;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    System.out.printf("{\"server\":\"%s\",\"cycles\":%d,\"threads\":%d,\"cyclesPerSecond\":%.0f,\"cpuMsPerCycle\":%.3f,\"events\":%d}%n", which, cycles,
        threads, cycles / (seconds / 1e9), cpu / 1e6 / cycles, events.get());
    informer.close();
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException closeTimedOut) {
      // the mock web server's wait for watch sockets to close: it is stopped either way
    }
    System.exit(0);
  }

  @SuppressWarnings("unchecked")
  private static void cycle(NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> volumes,
      String prefix, int cycles, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < cycles; i = next.getAndIncrement()) {
          String name = prefix + "-" + i;
          Map<String, Object> spec = new LinkedHashMap<>(Map.of("name", "pvc-" + i, "fsName", "bench", "directory", "pvc-" + i,
              "capacityBytes", 1L << 30, "projectId", 1000 + i, "state", "CREATING", "parameters", Map.of("fsName", "bench", "ostSize", "1Ti")));
          GenericKubernetesResource volume = volumes.resource(new GenericKubernetesResourceBuilder()
              .withApiVersion("lustre.csi.lustrecsi.dev/v1alpha1").withKind("LustreVolume")
              .withNewMetadata().withName(name).withNamespace("ns").endMetadata().addToAdditionalProperties("spec", spec).build()).create();
          ((Map<String, Object>) volume.getAdditionalProperties().get("spec")).put("state", "READY");
          volume = volumes.resource(volume).update();
          ((Map<String, Object>) volume.getAdditionalProperties().get("spec")).put("state", "DELETING");
          volumes.resource(volume).update();
          volumes.withName(name).delete();
        }
        return null;
      }));
    }
    for (Future<?> future : running) {
      future.get();
    }
    pool.shutdown();
  }
}
