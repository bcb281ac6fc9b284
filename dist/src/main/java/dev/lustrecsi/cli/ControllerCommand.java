package dev.lustrecsi.cli;

import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.cluster.ClusterBackend;
import dev.lustrecsi.controller.cluster.ServerDefaults;
import dev.lustrecsi.controller.volume.FileVolumeJournal;
import dev.lustrecsi.controller.volume.VolumeJournal;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import dev.lustrecsi.sandbox.lustre.SimulatedLustre;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the controller plugin. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Runs the CSI controller plugin (Identity and Controller services).",
        "On a cluster its filesystems are LustreFilesystem resources whose servers run in KubeVirt VMs;",
        "with --simulated-lustre DIR it runs on simulated servers instead (development)."})
final class ControllerCommand implements Callable<Integer> {
  @Option(names = "--endpoint", required = true, description = "CSI endpoint, unix:///path/csi.sock")
  String endpoint;

  /** Where volume records live. */
  enum Journal { kubernetes, file }

  @Option(names = "--journal", description = {"Where volume records live: kubernetes (LustreVolume objects and ConfigMaps in --namespace;",
      "the default on a cluster) or file (--journal-dir; the default with --simulated-lustre)"})
  Journal journal;

  @Option(names = "--journal-dir", description = "Directory of the file journal")
  Path journalDir;

  @Option(names = "--simulated-lustre", description = "Run on simulated Lustre servers in this directory instead of KubeVirt VMs")
  Path simulatedLustre;

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

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    Journal chosen = journal != null ? journal : simulatedLustre != null ? Journal.file : Journal.kubernetes;
    if (chosen == Journal.file && journalDir == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--journal file needs --journal-dir");
    }
    if (chosen == Journal.kubernetes && simulatedLustre != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--simulated-lustre has no Kubernetes API: use --journal file --journal-dir DIR (or the sandbox's --cluster mode)");
    }
    List<AutoCloseable> running = new ArrayList<>();
    try {
      if (simulatedLustre != null) {
        running.add(ControllerPlugin.start(Endpoint.parse(endpoint), journalDir, new SimulatedLustre(simulatedLustre)));
      } else {
        ClusterBackend cluster = ClusterBackend.start(new ClusterBackend.Settings(namespace, leaderElection, identity, agentPort,
            new ServerDefaults(defaultServerImage, defaultStorageNetwork, defaultStorageCidr), reconcileInterval));
        running.add(cluster);  // closed last (the list closes in reverse): calls in flight finish first
        VolumeJournal records = chosen == Journal.file ? new FileVolumeJournal(journalDir)
            : KubernetesVolumeJournal.start(cluster.client(), namespace);
        if (records instanceof AutoCloseable closeable) {
          running.add(closeable);
        }
        running.add(ControllerPlugin.start(Endpoint.parse(endpoint), records, cluster.backend(),
            provisioner -> cluster.committedCapacity(provisioner::committedBytes)));
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
