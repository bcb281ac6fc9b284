package dev.lustrecsi.cli;

import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.node.NodePlugin;
import dev.lustrecsi.node.lnet.LnetManager;
import dev.lustrecsi.node.lnet.LnetMode;
import dev.lustrecsi.node.rdma.SysfsNetworkScanner;
import dev.lustrecsi.node.taint.StartupTaint;
import dev.lustrecsi.node.topology.NodeNetworking;
import dev.lustrecsi.node.mount.KernelLustreClient;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.stats.Statvfs;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the node plugin. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Runs the CSI node plugin (Identity and Node services): mounts Lustre and binds volumes into pods.")
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--endpoint", required = true, description = "CSI endpoint, unix:///path/csi.sock")
  String endpoint;

  @Option(names = "--node-id", description = "Node id reported to Kubernetes (default: $NODE_NAME, else the host name)")
  String nodeId;

  @Option(names = "--mount-root", defaultValue = "/var/lib/lustre-csi/mounts", description = "Where the per-filesystem Lustre mounts live (default: ${DEFAULT-VALUE})")
  Path mountRoot;

  @Option(names = "--allowed-root", defaultValue = "/var/lib/kubelet", split = ",",
      description = "Directories kubelet stages and publishes in; other paths are refused (default: ${DEFAULT-VALUE})")
  List<Path> allowedRoots;

  @Option(names = "--stats-timeout", defaultValue = "PT5S", description = "How long statfs may take before a volume is reported abnormal (ISO-8601, default: ${DEFAULT-VALUE})")
  Duration statsTimeout;

  @Option(names = "--sysfs-root", defaultValue = "/sys", description = "Where sysfs is mounted: RDMA ports and network interfaces are read here (default: ${DEFAULT-VALUE})")
  Path sysfsRoot;

  @Option(names = "--procfs-root", defaultValue = "/proc", description = "Where procfs is mounted: IPv4 addresses and loaded filesystems are read here (default: ${DEFAULT-VALUE})")
  Path procfsRoot;

  @Option(names = "--lnet", defaultValue = "manage",
      description = "manage: configure LNet, add o2ib0/tcp0 where missing, then load the lustre module; external: only read and ping what the admin configured (default: ${DEFAULT-VALUE})")
  String lnet;

  @Option(names = "--lnet-interface",
      description = "With --lnet manage: the one interface tcp0 uses (a VLAN, bridge, bond...), instead of the first usable one. "
          + "The plugin refuses to start while it does not exist, is not up or has no IPv4 address")
  String lnetInterface;

  @Option(names = "--health-interval", defaultValue = "PT30S", description = "How often each filesystem mount is statfs-ed in the background (ISO-8601, default: ${DEFAULT-VALUE})")
  Duration healthInterval;

  @Option(names = "--remove-startup-taint",
      description = "Once ready, remove the taint lustre.csi.lustrecsi.dev/agent-not-ready:NoExecute from this node's Node object (in a cluster only)")
  boolean removeStartupTaint;

  @Option(names = "--metrics-address", defaultValue = "",
      description = "Serve Prometheus metrics at http://ADDRESS/metrics, :PORT or HOST:PORT (on a node: the host's network); empty: no metrics server")
  String metricsAddress;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Optional<MetricsAddress> metrics = metricsAddress();
    ProcessCommandRunner runner = new ProcessCommandRunner();
    LnetMode lnetMode = switch (lnet) {
      case "manage" -> LnetMode.MANAGE;
      case "external" -> LnetMode.EXTERNAL;
      default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--lnet must be manage or external, not " + lnet);
    };
    LustreClient client = new KernelLustreClient(runner, procfsRoot, sysfsRoot, KernelLustreClient.systemSearchPath());
    VolumeStatsSource stats = new Statvfs();
    SysfsNetworkScanner scanner = new SysfsNetworkScanner(sysfsRoot, procfsRoot, Optional.ofNullable(lnetInterface));
    requireUsableLnetInterface(lnetMode, scanner);
    NodeNetworking networking = new NodeNetworking(scanner::scan, Optional.of(new LnetManager(runner, lnetMode)), Duration.ofSeconds(30));
    String node = resolveNodeId();
    var config = new NodePlugin.Config(node, mountRoot, allowedRoots, statsTimeout, healthInterval);
    Serving serving = Serving.installShutdownHook();
    List<AutoCloseable> running = new java.util.ArrayList<>();
    try {
      NodePlugin.Running server = NodePlugin.start(Endpoint.parse(endpoint), config, client, stats, runner, networking);
      running.add(server);
      // Only once the socket serves: kubelet's wait for the socket is what the start-up budget is about.
      if (metrics.isPresent()) {
        running.add(MetricsServer.start(metrics.get(), server.metrics().registry()));
      }
      if (removeStartupTaint) {
        // The only path that loads the Kubernetes client: the sandbox and plain runs never pay for it.
        StartupTaint.removeWhenReadyInCluster(node, server.readiness()::ready);
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

  private Optional<MetricsAddress> metricsAddress() {
    try {
      return MetricsAddress.parse(metricsAddress);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--metrics-address: " + e.getMessage());
    }
  }

  /**
   * A named interface is the administrator's explicit choice: one that is missing, down or has no
   * address is a mistake to report at once (the DaemonSet restarts the plugin, so an interface
   * that comes up late is picked up), rather than a node that serves but whose LNet has no tcp.
   */
  private void requireUsableLnetInterface(LnetMode lnetMode, SysfsNetworkScanner scanner) {
    if (lnetInterface == null) {
      return;
    }
    picocli.CommandLine commandLine = new picocli.CommandLine(this);
    if (lnetMode != LnetMode.MANAGE) {
      throw new picocli.CommandLine.ParameterException(commandLine,
          "--lnet-interface chooses the interface of the tcp0 the plugin adds; with --lnet external the admin configures LNet");
    }
    scanner.scan().tcpProblem().ifPresent(problem -> {
      throw new picocli.CommandLine.ParameterException(commandLine, "--lnet-interface " + lnetInterface + ": " + problem);
    });
  }

  private String resolveNodeId() throws java.net.UnknownHostException {
    if (nodeId != null && !nodeId.isBlank()) {
      return nodeId;
    }
    String fromEnv = System.getenv("NODE_NAME");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : java.net.InetAddress.getLocalHost().getHostName();
  }
}
