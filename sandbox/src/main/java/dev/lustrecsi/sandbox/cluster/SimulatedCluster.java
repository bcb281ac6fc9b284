package dev.lustrecsi.sandbox.cluster;

import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.cluster.ServerDefaults;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything below the controller's Kubernetes client and agents' command runners, simulated for
 * the sandbox: the embedded API server (with a kubeconfig in the state directory), KubeVirt, and
 * what each server VM's boot does (format and mount its targets, start its agent), over Lustre
 * servers kept in memory with their namespaces in local directories. Above it runs the production
 * controller, wired by {@link ClusterBackend} exactly as on a cluster: the volume records, the
 * reconciler, the agents' TLS and gRPC client, the backend.
 */
public final class SimulatedCluster implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SimulatedCluster.class.getName());
  public static final String NAMESPACE = "lustre-csi";
  /** Example defaults a sandbox filesystem gets; the image is never pulled in a simulation. */
  public static final ServerDefaults DEFAULTS = new ServerDefaults("lustre-csi/lustre-server:2.16.1-sandbox", "lustre-csi/lnet", "10.1.0.0/24");
  /** How often the sandbox's controller reconciles every filesystem (a cluster's default is 30 s). */
  static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(1);
  /** How long a target that restarted stays in recovery in the sandbox. */
  static final Duration RECOVERY_WINDOW = Duration.ofSeconds(30);

  private final EmbeddedApiServer api;
  private final SimulatedServers servers;
  private final KubeVirtSimulator kubevirt;
  private final SimulatedServerVms vms;
  private final Thread kubevirtLoop;
  private final Path kubeconfig;
  private final int agentPort;
  private final Duration reconcileInterval;
  private final Duration abandonedAfter;
  private volatile ClusterBackend controller;
  private final List<ExternalSite> sites = new java.util.concurrent.CopyOnWriteArrayList<>();

  private SimulatedCluster(Path dir, int agentPort, Duration reconcileInterval, Duration recoveryWindow, Duration abandonedAfter)
      throws IOException {
    this.agentPort = agentPort;
    this.reconcileInterval = reconcileInterval;
    this.abandonedAfter = abandonedAfter;
    api = EmbeddedApiServer.start(NAMESPACE);
    try {
      java.nio.file.Files.createDirectories(dir);
      kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), NAMESPACE);
      KubernetesClient client = api.client();
      servers = new SimulatedServers(dir.resolve("lustre-servers"), java.time.Clock.systemUTC(), recoveryWindow);
      vms = new SimulatedServerVms(client, NAMESPACE, servers, agentPort, dir.resolve("vm-snapshot-mounts"));
      // Each instance gets its own loopback address, as each VMI gets its own pod IP.
      kubevirt = new KubeVirtSimulator(client, NAMESPACE, n -> "127.1." + (n / 250) + "." + (n % 250 + 2), List.of(vms));
      kubevirtLoop = Thread.ofVirtual().name("kubevirt-simulator").start(this::runKubevirt);
      controller = startController(b -> {});
    } catch (RuntimeException | IOException e) {
      api.close();
      throw e;
    }
  }

  /** Starts the simulated cluster with its state under {@code dir}; agents listen on {@code agentPort} at each VM's address. */
  public static SimulatedCluster start(Path dir, int agentPort) throws IOException {
    return new SimulatedCluster(dir, agentPort, RECONCILE_INTERVAL, RECOVERY_WINDOW, ClusterBackend.Settings.ABANDONED_AFTER);
  }

  /** Likewise, with the controller's periodic reconcile passes this far apart (tests that count its writes want none). */
  public static SimulatedCluster start(Path dir, int agentPort, Duration reconcileInterval) throws IOException {
    return new SimulatedCluster(dir, agentPort, reconcileInterval, RECOVERY_WINDOW, ClusterBackend.Settings.ABANDONED_AFTER);
  }

  /** Likewise, with a target that restarts staying in Lustre recovery this long (Lustre's own window is minutes). */
  public static SimulatedCluster start(Path dir, int agentPort, Duration reconcileInterval, Duration recoveryWindow) throws IOException {
    return start(dir, agentPort, reconcileInterval, recoveryWindow, ClusterBackend.Settings.ABANDONED_AFTER);
  }

  /** Likewise, with volumes no CreateVolume asks for withdrawn after {@code abandonedAfter} (tests that abandon some). */
  public static SimulatedCluster start(Path dir, int agentPort, Duration reconcileInterval, Duration recoveryWindow, Duration abandonedAfter)
      throws IOException {
    return new SimulatedCluster(dir, agentPort, reconcileInterval, recoveryWindow, abandonedAfter);
  }

  private ClusterBackend startController(java.util.function.Consumer<io.fabric8.kubernetes.client.KubernetesClientBuilder> clientSettings) {
    return startController(clientSettings, "sandbox-controller");
  }

  private ClusterBackend startController(java.util.function.Consumer<io.fabric8.kubernetes.client.KubernetesClientBuilder> clientSettings,
      String identity) {
    return ClusterBackend.start(api.newClient(clientSettings).adapt(io.fabric8.kubernetes.client.NamespacedKubernetesClient.class)
            .inNamespace(NAMESPACE),
        new ClusterBackend.Settings(NAMESPACE, false, identity, agentPort, DEFAULTS, reconcileInterval, abandonedAfter));
  }

  /**
   * Another replica of the controller beside {@link #controller()}, on an API client of its own,
   * as the chart's second pod runs: both keep running, and CSI calls go to either. The caller
   * closes it.
   */
  public ClusterBackend startReplica(String identity) {
    return startController(b -> {}, identity);
  }

  /**
   * Stops the controller's backend and starts a new one on a new API client, as a controller pod
   * that died and came back would: nothing in memory is carried over. {@code clientSettings}
   * shapes the new client (a test's interceptor, say).
   */
  public ClusterBackend restartController(java.util.function.Consumer<io.fabric8.kubernetes.client.KubernetesClientBuilder> clientSettings) {
    controller.close();
    controller = startController(clientSettings);
    return controller;
  }

  private void runKubevirt() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        kubevirt.sync();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "KubeVirt simulator pass failed: " + e.getMessage());
      }
      // The VMs already running boot on whatever KubeVirt's pass did, as a VM's own timer runs regardless.
      vms.setUpAll(kubevirt.running().keySet());
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Starts a filesystem the site runs, {@code fsName}, with its management host's agent at its
   * own loopback address; its certificate comes from the installation's CA as {@code lustre-csi
   * agent-certificate} issues it. The caller writes the LustreFilesystem ({@link ExternalSite#spec}).
   */
  public ExternalSite startExternalSite(String fsName, int osts, long ostBytes) throws IOException {
    var tls = new dev.lustrecsi.controller.agent.AgentCredentials(api.client(), NAMESPACE, java.time.Clock.systemUTC())
        .issueExternalAgent(dev.lustrecsi.controller.filesystem.ResourceNames.of(fsName).filesystem(), List.of());
    ExternalSite site = ExternalSite.start(servers, fsName, osts, ostBytes, "127.3.0." + (sites.size() + 1), tls);
    sites.add(site);
    return site;
  }

  /**
   * A filesystem the site runs, as an admin sets it up: the site's servers and its management
   * host's agent ({@link #startExternalSite}), then its LustreFilesystem with spec.external and
   * the defaults for what the spec leaves out. StorageClasses name it by {@code fsName}.
   */
  public ExternalSite addExternalFilesystem(String fsName, int osts, long ostBytes) throws IOException {
    ExternalSite site = startExternalSite(fsName, osts, ostBytes);
    var filesystem = new dev.lustrecsi.controller.filesystem.LustreFilesystem();
    filesystem.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(dev.lustrecsi.controller.filesystem.ResourceNames.of(fsName).filesystem()).withNamespace(NAMESPACE).build());
    filesystem.setSpec(site.spec(null, null, null, null));
    api.client().resources(dev.lustrecsi.controller.filesystem.LustreFilesystem.class).inNamespace(NAMESPACE).resource(filesystem).create();
    return site;
  }

  /** The controller's records, reconciler and backend, as a cluster's controller runs them. */
  public ClusterBackend controller() {
    return controller;
  }

  /** A client of the embedded API server, for looking at what the controller made. */
  public KubernetesClient client() {
    return api.client();
  }

  /** Another client of the embedded API server, as another process would make it. */
  public KubernetesClient newClient(java.util.function.Consumer<io.fabric8.kubernetes.client.KubernetesClientBuilder> settings) {
    return api.newClient(settings);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** What runs inside the server VMs: their agents and the agents' metrics. */
  public SimulatedServerVms serverVms() {
    return vms;
  }

  public SimulatedServers servers() {
    return servers;
  }

  public KubeVirtSimulator kubevirt() {
    return kubevirt;
  }

  @Override
  public void close() {
    controller.close();
    kubevirtLoop.interrupt();
    try {
      kubevirtLoop.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    vms.close();
    sites.forEach(ExternalSite::close);
    servers.close();
    api.close();
  }
}
