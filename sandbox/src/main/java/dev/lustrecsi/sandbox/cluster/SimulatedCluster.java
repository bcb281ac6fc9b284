package dev.lustrecsi.sandbox.cluster;

import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.controller.cluster.KubernetesLustreBackend;
import dev.lustrecsi.controller.cluster.Reconciliations;
import dev.lustrecsi.controller.cluster.ServerDefaults;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * Everything below the controller's Kubernetes backend, simulated for the sandbox: the embedded
 * API server (with a kubeconfig in the state directory), KubeVirt, the server VMs' setup and
 * agents, and the Lustre servers over local directories. Above it runs the production code: the
 * reconciler, the agents' TLS, the gRPC agent client, the backend.
 */
public final class SimulatedCluster implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SimulatedCluster.class.getName());
  public static final String NAMESPACE = "lustre-csi";
  /** Example defaults a sandbox filesystem gets; the image is never pulled in a simulation. */
  public static final ServerDefaults DEFAULTS = new ServerDefaults("lustre-csi/lustre-server:2.16.1-sandbox", "lustre-csi/lnet", "10.1.0.0/24");

  private final EmbeddedApiServer api;
  private final SimulatedServers servers;
  private final KubeVirtSimulator kubevirt;
  private final SimulatedServerVms vms;
  private final GrpcServerAgents agents;
  private final Reconciliations reconciliations;
  private final KubernetesLustreBackend backend;
  private final Thread kubevirtLoop;
  private dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal journal;
  private final Path kubeconfig;
  private final AtomicReference<ToLongFunction<String>> committed = new AtomicReference<>(fs -> 0L);

  private SimulatedCluster(Path dir, int agentPort) throws IOException {
    api = EmbeddedApiServer.start(NAMESPACE);
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), NAMESPACE);
    KubernetesClient client = api.client();
    servers = new SimulatedServers(dir.resolve("lustre-servers"));
    vms = new SimulatedServerVms(client, NAMESPACE, servers, agentPort);
    // Each instance gets its own loopback address, as each VMI gets its own pod IP.
    kubevirt = new KubeVirtSimulator(client, NAMESPACE, n -> "127.1." + (n / 250) + "." + (n % 250 + 2), List.of(vms));
    AgentCredentials credentials = new AgentCredentials(client, NAMESPACE, Clock.systemUTC());
    agents = new GrpcServerAgents(credentials, agentPort, Duration.ofSeconds(10));
    FilesystemReconciler reconciler = new FilesystemReconciler(client, NAMESPACE, agents, credentials, agentPort,
        fs -> committed.get().applyAsLong(fs), Clock.systemUTC());
    reconciliations = new Reconciliations(client, NAMESPACE, reconciler);
    backend = new KubernetesLustreBackend(client, NAMESPACE, reconciliations, agents, DEFAULTS);
    kubevirtLoop = Thread.ofVirtual().name("kubevirt-simulator").start(this::runKubevirt);
    reconciliations.startPeriodic(Duration.ofSeconds(1), () -> true);
  }

  /** Starts the simulated cluster with its state under {@code dir}; agents listen on {@code agentPort} at each VM's address. */
  public static SimulatedCluster start(Path dir, int agentPort) throws IOException {
    return new SimulatedCluster(dir, agentPort);
  }

  private void runKubevirt() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        kubevirt.sync();
        vms.setUpAll(kubevirt.running().keySet());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "KubeVirt simulator pass failed: " + e.getMessage());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The controller's volume records on this cluster's API server (started on first use, closed with the cluster). */
  public synchronized dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal volumeJournal() {
    if (journal == null) {
      journal = dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal.start(api.client(), NAMESPACE);
    }
    return journal;
  }

  public KubernetesLustreBackend backend() {
    return backend;
  }

  /** Where the reconciler reads each filesystem's committed capacity from. */
  public void committedCapacity(ToLongFunction<String> source) {
    committed.set(source);
  }

  public KubernetesClient client() {
    return api.client();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public SimulatedServers servers() {
    return servers;
  }

  public KubeVirtSimulator kubevirt() {
    return kubevirt;
  }

  public Reconciliations reconciliations() {
    return reconciliations;
  }

  @Override
  public void close() {
    kubevirtLoop.interrupt();
    reconciliations.close();
    try {
      kubevirtLoop.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    vms.close();
    agents.close();
    synchronized (this) {
      if (journal != null) {
        journal.close();
      }
    }
    api.close();
  }
}
