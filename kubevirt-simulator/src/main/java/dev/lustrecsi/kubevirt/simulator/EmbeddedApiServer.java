package dev.lustrecsi.kubevirt.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import dev.lustrecsi.kubevirt.simulator.api.KubernetesApiDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * A Kubernetes API for the sandbox and the tests: fabric8's mock web server answering with the
 * project's own {@link KubernetesApiDispatcher} (objects indexed by type and name, optimistic
 * concurrency on every write, the status subresource, watches resumed from a resourceVersion),
 * knowing the project's CRDs and KubeVirt's VirtualMachine and VirtualMachineInstance (with the
 * defaults KubeVirt's webhook stores in a VM, {@link KubeVirtDefaults}), on a loopback port,
 * with a kubeconfig for people and tools ({@code kubectl --kubeconfig DIR/kubeconfig get --raw ...}).
 * It keeps objects in memory only: a restarted sandbox starts with an empty API, and the
 * controller rebuilds what its journal and the simulated servers remember.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /**
   * The mock server logs every request it answers at INFO, one line per call of every client: in
   * a sandbox that is thousands of lines a second, and a fair share of its CPU. Kept in a field:
   * java.util.logging holds loggers weakly, and a collected one forgets its level.
   */
  private static final java.util.logging.Logger REQUEST_LOG = quiet("io.fabric8.mockwebserver.MockWebServer");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private EmbeddedApiServer(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static EmbeddedApiServer start(String namespace) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesApiDispatcher(List.of(
            context("lustre.csi.lustrecsi.dev", "v1alpha1", "LustreFilesystem", "lustrefilesystems"),
            context("lustre.csi.lustrecsi.dev", "v1alpha1", "LustreVolume", "lustrevolumes"),
            context("lustre.csi.lustrecsi.dev", "v1alpha1", "LustreSnapshot", "lustresnapshots"),
            context("kubevirt.io", "v1", "VirtualMachine", "virtualmachines"),
            context("kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances")), List.of(new KubeVirtDefaults())), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new EmbeddedApiServer(server, server.createClient().inNamespace(namespace));
  }

  /** Another client of this server, as another process (a restarted controller, a replica) would make. */
  public KubernetesClient newClient(java.util.function.Consumer<io.fabric8.kubernetes.client.KubernetesClientBuilder> settings) {
    return server.createClient(settings);
  }

  public KubernetesClient client() {
    return client;
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  /** Writes a kubeconfig for this server: plain HTTP on loopback, no credentials. */
  public Path writeKubeconfig(Path file, String namespace) throws IOException {
    String url = url().replaceAll("/+$", "");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: lustre-csi-sandbox
          cluster:
            server: %s
        users:
        - name: sandbox
          user: {}
        contexts:
        - name: lustre-csi-sandbox
          context:
            cluster: lustre-csi-sandbox
            user: sandbox
            namespace: %s
        current-context: lustre-csi-sandbox
        """.formatted(url, namespace));
    return file;
  }

  private static CustomResourceDefinitionContext context(String group, String version, String kind, String plural) {
    return new CustomResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind).withPlural(plural)
        .withScope("Namespaced").withStatusSubresource(true).build();
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException closeTimedOut) {
      // The mock server waits up to 10 s for each watch's WebSocket close handshake, which a closed
      // client does not always answer; it is stopped either way.
      System.getLogger(EmbeddedApiServer.class.getName()).log(System.Logger.Level.DEBUG, "API server closed after a timeout");
    }
  }

}
