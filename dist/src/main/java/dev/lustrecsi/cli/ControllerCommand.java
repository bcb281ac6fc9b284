package dev.lustrecsi.cli;

import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.cluster.ServerDefaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the controller plugin. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Runs the CSI controller plugin (Identity and Controller services).",
        "Its filesystems are LustreFilesystem resources whose servers run in KubeVirt VMs; its volume records",
        "are LustreVolume objects. Both live in --namespace. (To try it without a cluster: lustre-csi sandbox.)"})
final class ControllerCommand implements Callable<Integer> {
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

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    List<AutoCloseable> running = new ArrayList<>();
    try {
      ClusterBackend cluster = ClusterBackend.start(new ClusterBackend.Settings(namespace, leaderElection, identity, agentPort,
          new ServerDefaults(defaultServerImage, defaultStorageNetwork, defaultStorageCidr), reconcileInterval));
      running.add(cluster);  // closed last (the list closes in reverse): calls in flight finish first
      running.add(ControllerPlugin.start(Endpoint.parse(endpoint), cluster));
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
