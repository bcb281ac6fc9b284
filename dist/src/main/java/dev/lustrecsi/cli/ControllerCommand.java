package dev.lustrecsi.cli;

import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.cluster.ServerDefaults;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the controller plugin. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Runs the CSI controller plugin (Identity and Controller services).",
        "Its filesystems are LustreFilesystem resources whose servers run in KubeVirt VMs; its volume records are LustreVolume objects. Both live in --namespace.",
        "To try it without a cluster: lustre-csi sandbox."})
final class ControllerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--endpoint", required = true, description = "CSI endpoint, unix:///path/csi.sock")
  String endpoint;

  @Option(names = "--namespace", defaultValue = "${env:POD_NAMESPACE:-lustre-csi}",
      description = "Namespace of the LustreFilesystem resources, server VMs, disks and Secrets (default: $POD_NAMESPACE, else ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--leader-election", description = "Run periodic reconcile passes only while holding the Lease " + ClusterBackend.LEASE)
  boolean leaderElection;

  @Option(names = "--identity", defaultValue = "${env:POD_NAME:-${env:HOSTNAME:-lustre-csi-controller}}",
      description = "This replica's name in leader election (default: $POD_NAME)")
  String identity;

  @Option(names = "--default-server-image", defaultValue = "", description = "Lustre server VM image for StorageClasses that name none")
  String defaultServerImage;

  @Option(names = "--default-storage-network", defaultValue = "",
      description = "NetworkAttachmentDefinition for LNet for StorageClasses that name none")
  String defaultStorageNetwork;

  @Option(names = "--default-storage-cidr", defaultValue = "", description = "Server address range for StorageClasses that name none")
  String defaultStorageCidr;

  @Option(names = "--agent-port", defaultValue = "9443", description = "Port the server agents listen on (default: ${DEFAULT-VALUE})")
  int agentPort;

  @Option(names = "--reconcile-interval", defaultValue = "PT30S", description = "Time between periodic reconcile passes (default: ${DEFAULT-VALUE})")
  Duration reconcileInterval;

  @Option(names = "--abandoned-after", defaultValue = "PT1H",
      description = "Withdraw a volume whose CreateVolume never succeeded once no CreateVolume has asked for it this long: its claim was"
          + " deleted and its CO gave up; likewise a snapshot whose CreateSnapshot never succeeded (default: ${DEFAULT-VALUE}; at least "
          + MIN_ABANDONED_AFTER + ")")
  Duration abandonedAfter;

  /**
   * A retry refreshes a volume's lastRequested once it is a quarter of this old; a quarter plus the
   * longest CreateVolume (the chart's provisioner timeout, 5 minutes) plus the longest wait
   * between retries (5 minutes) must stay below it, so a volume still wanted is never withdrawn.
   */
  static final String MIN_ABANDONED_AFTER = "PT20M";

  @Option(names = "--metrics-address", defaultValue = "",
      description = "Serve Prometheus metrics at http://ADDRESS/metrics, :PORT or HOST:PORT; empty: no metrics server")
  String metricsAddress;

  @Option(names = "--metrics-volume-limit", defaultValue = "" + ControllerMetrics.Settings.DEFAULT_VOLUME_LIMIT,
      description = "At most this many volumes (the largest) get usage series, bounding the series and the MDS's quota reads (default: ${DEFAULT-VALUE})")
  int metricsVolumeLimit;

  @Option(names = "--metrics-volume-interval", defaultValue = "PT60S",
      description = "Time between two reads of every volume's usage from its project quota (default: ${DEFAULT-VALUE})")
  Duration metricsVolumeInterval;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Optional<MetricsAddress> metricsAt;
    try {
      metricsAt = MetricsAddress.parse(metricsAddress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--metrics-address: " + e.getMessage());
    }
    if (metricsVolumeLimit < 0) {
      throw new ParameterException(spec.commandLine(), "--metrics-volume-limit must not be negative, not " + metricsVolumeLimit);
    }
    if (abandonedAfter.compareTo(Duration.parse(MIN_ABANDONED_AFTER)) < 0) {
      throw new ParameterException(spec.commandLine(), "--abandoned-after must be at least " + MIN_ABANDONED_AFTER + " (a CO waits up to"
          + " minutes between retries of a CreateVolume, and a call may last minutes), not " + abandonedAfter);
    }
    var metricsSettings = new ControllerMetrics.Settings(metricsVolumeLimit, metricsVolumeInterval);
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    List<AutoCloseable> running = new ArrayList<>();
    try {
      ClusterBackend cluster = ClusterBackend.start(new ClusterBackend.Settings(namespace, leaderElection, identity, agentPort,
          new ServerDefaults(defaultServerImage, defaultStorageNetwork, defaultStorageCidr), reconcileInterval, abandonedAfter));
      running.add(cluster);  // closed last (the list closes in reverse): calls in flight finish first
      ControllerMetrics metrics = ControllerMetrics.start(cluster, metricsSettings);
      running.add(metrics);
      running.add(ControllerPlugin.start(Endpoint.parse(endpoint), cluster, metrics.calls()));
      if (metricsAt.isPresent()) {
        running.add(MetricsServer.start(metricsAt.get(), metrics.registry()));
      }
    } catch (RuntimeException e) {
      for (AutoCloseable started : running) {
        started.close();
      }
      serving.startFailed();
      throw e;
    }
    serving.awaitStopThenClose(running);
    return 0;
  }
}
