package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.content.SnapshotMounts;
import dev.lustrecsi.controller.content.VolumeCopies;
import dev.lustrecsi.controller.snapshot.AbandonedSnapshots;
import dev.lustrecsi.controller.volume.Abandonment;
import dev.lustrecsi.controller.volume.AbandonedVolumes;
import dev.lustrecsi.controller.volume.VolumeContent;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import dev.lustrecsi.controller.snapshot.GroupSnapshots;
import dev.lustrecsi.controller.snapshot.LustreSnapshots;
import dev.lustrecsi.controller.snapshot.SnapshotBatches;
import dev.lustrecsi.controller.snapshot.SnapshotService;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything the controller plugin runs on, wired once for a real cluster and the sandbox alike:
 * the API client (in-cluster service account or kubeconfig; the sandbox's embedded API server),
 * the volume records, the agents' TLS and client, the reconciler with its periodic passes, the
 * Lustre backend, and leader election on a Lease so that only one replica runs periodic passes.
 * CSI calls are served by every replica (the provisioner sidecar elects its own leader and calls
 * only that pod); passes they trigger are safe beside the leader's, as every write is conditional.
 */
public final class ClusterBackend implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterBackend.class.getName());
  public static final String LEASE = "lustre-csi-controller";
  /**
   * The write barrier's timeout for a snapshot: Lustre's own default, ample for one ZFS snapshot
   * per target, and the longest a controller that dies mid-snapshot can block metadata changes.
   */
  static final int BARRIER_SECONDS = 30;

  /**
   * Settings from the command line.
   *
   * @param abandonedAfter how long a volume still being made may go without a CreateVolume asking
   *     for it before it is withdrawn (see {@link AbandonedVolumes}), and likewise a snapshot ({@link AbandonedSnapshots})
   */
  public record Settings(String namespace, boolean leaderElection, String identity, int agentPort, ServerDefaults defaults,
      Duration reconcileInterval, Duration abandonedAfter) {
    /** The default of {@code abandonedAfter}: far above the external-provisioner's longest wait between retries (5 min). */
    public static final Duration ABANDONED_AFTER = Duration.ofHours(1);
  }

  private final KubernetesClient client;
  private final KubernetesVolumeJournal journal;
  private final GrpcServerAgents agents;
  private final Reconciliations reconciliations;
  private final LustreBackend backend;
  private final SnapshotService snapshots;
  private final GroupSnapshots groupSnapshots;
  private final VolumeContent content;
  private final VolumeProvisioner provisioner;
  private final AbandonedVolumes abandonedVolumes;
  private final AbandonedSnapshots abandonedSnapshots;
  private final Abandonment abandonment;
  private final ScheduledExecutorService sweeps =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("abandoned-records").factory());
  private final AtomicBoolean leading = new AtomicBoolean();
  private CompletableFuture<?> election;

  private ClusterBackend(KubernetesClient client, Settings settings) {
    this.client = client;
    abandonment = new Abandonment(settings.abandonedAfter());
    journal = KubernetesVolumeJournal.start(client, settings.namespace());
    AgentCredentials credentials = new AgentCredentials(client, settings.namespace(), Clock.systemUTC());
    agents = new GrpcServerAgents(credentials, settings.agentPort(), Duration.ofSeconds(10));
    FilesystemReconciler reconciler = new FilesystemReconciler(client, settings.namespace(), agents, credentials, settings.agentPort(),
        journal::committedBytes, Clock.systemUTC());
    reconciliations = new Reconciliations(client, settings.namespace(), reconciler);
    KubernetesSnapshotJournal snapshotRecords = new KubernetesSnapshotJournal(client, settings.namespace());
    FilesystemServers servers = new FilesystemServers(client, settings.namespace());
    SnapshotBatches batches = new SnapshotBatches(new LustreSnapshots(servers, agents, BARRIER_SECONDS), java.time.Duration.ZERO,
        Clock.systemUTC());
    content = new VolumeCopies(journal, new SnapshotMounts(servers, agents), batches);
    snapshots = new SnapshotService(snapshotRecords, journal::byId, batches, journal::volumes, Clock.systemUTC(), abandonment);
    groupSnapshots = new GroupSnapshots(snapshotRecords, journal::byId, batches, snapshots, Clock.systemUTC());
    abandonedSnapshots = new AbandonedSnapshots(snapshots, snapshotRecords::all, Clock.systemUTC(), abandonment);
    try {
      backend = LustreBackend.start(client, settings.namespace(), reconciliations, agents, settings.defaults());
    } catch (RuntimeException e) {
      journal.close();
      throw e;
    }
    provisioner = new VolumeProvisioner(journal, backend, content, Clock.systemUTC(), abandonment);
    abandonedVolumes = new AbandonedVolumes(provisioner, journal::volumes, Clock.systemUTC(), abandonment);
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
    cluster.sweepWhileLeading();
    return cluster;
  }

  /** Withdraws abandoned volumes and snapshots every quarter of the abandonment time, while this replica leads. */
  private void sweepWhileLeading() {
    long period = abandonment.sweepPeriod().toMillis();
    sweeps.scheduleWithFixedDelay(() -> {
      if (!leading.get()) {
        return;
      }
      for (Runnable sweep : List.<Runnable>of(abandonedVolumes::sweep, abandonedSnapshots::sweep)) {
        try {
          sweep.run();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "sweep for abandoned records failed: " + e.getMessage());
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** The API client everything here shares. */
  public KubernetesClient client() {
    return client;
  }

  public LustreBackend backend() {
    return backend;
  }

  /** CSI snapshots on Lustre snapshots. */
  public SnapshotService snapshots() {
    return snapshots;
  }

  /** Group snapshots: several volumes of a filesystem in one Lustre snapshot. */
  public GroupSnapshots groupSnapshots() {
    return groupSnapshots;
  }

  /** Creates, expands and deletes volumes: what the CSI calls on volumes use. */
  public VolumeProvisioner provisioner() {
    return provisioner;
  }

  /** Withdraws volumes their CO gave up on; this replica sweeps by itself while it leads. */
  public AbandonedVolumes abandonedVolumes() {
    return abandonedVolumes;
  }

  /** Withdraws snapshots their CO gave up on; this replica sweeps by itself while it leads. */
  public AbandonedSnapshots abandonedSnapshots() {
    return abandonedSnapshots;
  }

  /** Restore and clone: a new volume's content copied from a snapshot. */
  public VolumeContent content() {
    return content;
  }

  /** The volume records. */
  public KubernetesVolumeJournal journal() {
    return journal;
  }

  public Reconciliations reconciliations() {
    return reconciliations;
  }

  public boolean leading() {
    return leading.get();
  }

  @Override
  public void close() {
    if (election != null) {
      election.cancel(true);
    }
    reconciliations.close();
    sweeps.shutdownNow();
    backend.close();
    journal.close();
    agents.close();
    client.close();
  }
}
