package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * The controller's backend on a real cluster, wired: the API client (in-cluster service account
 * or kubeconfig), the agents' TLS and client, the reconciler with its periodic passes, and
 * leader election on a Lease so that only one replica runs periodic passes. CSI calls are served
 * by every replica (the provisioner sidecar elects its own leader and calls only that pod);
 * passes they trigger are safe beside the leader's, as every write is conditional.
 *
 * @param backend what the provisioner uses
 */
public final class ClusterBackend implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterBackend.class.getName());
  public static final String LEASE = "lustre-csi-controller";

  /** Settings from the command line. */
  public record Settings(String namespace, boolean leaderElection, String identity, int agentPort, ServerDefaults defaults,
      Duration reconcileInterval) {}

  private final KubernetesClient client;
  private final GrpcServerAgents agents;
  private final Reconciliations reconciliations;
  private final KubernetesLustreBackend backend;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicReference<ToLongFunction<String>> committed = new AtomicReference<>(fs -> 0L);
  private CompletableFuture<?> election;

  private ClusterBackend(KubernetesClient client, Settings settings) {
    this.client = client;
    AgentCredentials credentials = new AgentCredentials(client, settings.namespace(), Clock.systemUTC());
    agents = new GrpcServerAgents(credentials, settings.agentPort(), Duration.ofSeconds(10));
    FilesystemReconciler reconciler = new FilesystemReconciler(client, settings.namespace(), agents, credentials, settings.agentPort(),
        fs -> committed.get().applyAsLong(fs), Clock.systemUTC());
    reconciliations = new Reconciliations(client, settings.namespace(), reconciler);
    backend = new KubernetesLustreBackend(client, settings.namespace(), reconciliations, agents, settings.defaults());
  }

  /** Connects with the default client configuration (in-cluster, else KUBECONFIG) and starts. */
  public static ClusterBackend start(Settings settings) {
    return start(new KubernetesClientBuilder().build(), settings);
  }

  public static ClusterBackend start(KubernetesClient client, Settings settings) {
    ClusterBackend cluster = new ClusterBackend(client, settings);
    if (settings.leaderElection()) {
      cluster.election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
              .withName(LEASE)
              .withLock(new LeaseLock(settings.namespace(), LEASE, settings.identity()))
              .withLeaseDuration(Duration.ofSeconds(15))
              .withRenewDeadline(Duration.ofSeconds(10))
              .withRetryPeriod(Duration.ofSeconds(2))
              .withReleaseOnCancel(true)
              .withLeaderCallbacks(new LeaderCallbacks(
                  () -> {
                    LOG.log(Level.INFO, settings.identity() + " leads: running periodic reconcile passes");
                    cluster.leading.set(true);
                  },
                  () -> {
                    LOG.log(Level.INFO, settings.identity() + " stopped leading");
                    cluster.leading.set(false);
                  },
                  leader -> LOG.log(Level.INFO, "leader is " + leader)))
              .build())
          .build().start();
    } else {
      cluster.leading.set(true);
    }
    cluster.reconciliations.startPeriodic(settings.reconcileInterval(), cluster.leading::get);
    return cluster;
  }

  /** The API client the backend uses; the Kubernetes journal shares it. */
  public KubernetesClient client() {
    return client;
  }

  public KubernetesLustreBackend backend() {
    return backend;
  }

  public boolean leading() {
    return leading.get();
  }

  /** Where the reconciler reads each filesystem's committed capacity from (the provisioner's ledger). */
  public void committedCapacity(ToLongFunction<String> source) {
    committed.set(source);
  }

  @Override
  public void close() {
    if (election != null) {
      election.cancel(true);
    }
    reconciliations.close();
    agents.close();
    client.close();
  }
}
