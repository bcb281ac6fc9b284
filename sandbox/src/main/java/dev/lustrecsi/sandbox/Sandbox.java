package dev.lustrecsi.sandbox;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.node.NodePlugin;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.topology.NodeNetworking;
import dev.lustrecsi.sandbox.cluster.SimulatedCluster;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreClient;
import dev.lustrecsi.sandbox.lustre.SimulatedStatfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The driver on one machine: the controller plugin on the production path (LustreFilesystem
 * resources, the reconciler, server VMs run by a KubeVirt simulator, real agents over mutual
 * TLS) with only the Kubernetes API, KubeVirt and Lustre's own commands simulated, and the node
 * plugin with only the Lustre client mount and statfs simulated. All state under one directory:
 *
 * <pre>
 * DIR/controller.sock          the controller plugin
 * DIR/node.sock                the node plugin
 * DIR/cluster/kubeconfig       the embedded Kubernetes API (kubectl --kubeconfig ... get lustrefilesystems)
 * DIR/cluster/lustre-servers/  the simulated servers' namespaces (what a client mount shows)
 * DIR/node/lustre/             the node's Lustre mounts, one per filesystem
 * DIR/kubelet/                 where a CO (the demo, the tests) stages and publishes volumes
 * </pre>
 *
 * Each component serves its Prometheus metrics on a free port of 127.0.0.1 (the controller's,
 * the node plugin's, and each server VM's agent at the VM's address): {@link #metrics()}.
 *
 * The API server and the simulated servers keep their state in memory, so a sandbox starts
 * afresh each time (DIR/cluster is cleared).
 */
public final class Sandbox implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());

  /** Node id the sandbox's node plugin reports. */
  public static final String NODE_ID = "sandbox-node";

  /** How often the sandbox's controller reads volume usage: often, so a demo sees writes soon. */
  static final Duration VOLUME_USAGE_INTERVAL = Duration.ofSeconds(5);

  private final Path stateDir;
  private final SimulatedCluster cluster;
  private final CsiServer controller;
  private final CsiServer node;
  private final List<Path> allowedRoots;
  private final ControllerMetrics controllerMetrics;
  private final List<AutoCloseable> metricsServers;
  private final URI controllerMetricsUri;
  private final URI nodeMetricsUri;

  private Sandbox(Path stateDir, SimulatedCluster cluster, CsiServer controller, CsiServer node, List<Path> allowedRoots,
      ControllerMetrics controllerMetrics, MetricsServer controllerMetricsServer, MetricsServer nodeMetricsServer) {
    this.stateDir = stateDir;
    this.allowedRoots = List.copyOf(allowedRoots);
    this.cluster = cluster;
    this.controller = controller;
    this.node = node;
    this.controllerMetrics = controllerMetrics;
    this.metricsServers = List.of(controllerMetricsServer, nodeMetricsServer);
    this.controllerMetricsUri = controllerMetricsServer.uri();
    this.nodeMetricsUri = nodeMetricsServer.uri();
  }

  /**
   * Starts both plugins on a fresh simulated cluster.
   *
   * @param stateDir where everything lives
   * @param agentPort the port every simulated VM's agent listens on, each at its own loopback address
   * @param extraAllowedRoots further directories a CO may stage and publish in (a conformance tool's temporary directories)
   */
  public static Sandbox start(Path stateDir, int agentPort, List<Path> extraAllowedRoots) {
    Path dir = stateDir.toAbsolutePath().normalize();
    SimulatedCluster cluster;
    try {
      Files.createDirectories(dir.resolve("kubelet"));
      deleteTree(dir.resolve("cluster"));
      Files.createDirectories(dir.resolve("cluster"));
      cluster = SimulatedCluster.start(dir.resolve("cluster"), agentPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the simulated cluster in " + dir, e);
    }
    CommandRunner runner = new ProcessCommandRunner();
    MetricsAddress anyPort = new MetricsAddress("127.0.0.1", 0);
    List<AutoCloseable> started = new ArrayList<>(List.of(cluster));
    try {
      ControllerMetrics controllerMetrics = ControllerMetrics.start(cluster.controller(),
          new ControllerMetrics.Settings(ControllerMetrics.Settings.DEFAULT_VOLUME_LIMIT, VOLUME_USAGE_INTERVAL));
      started.add(controllerMetrics);
      CsiServer controller = ControllerPlugin.start(Endpoint.of(dir.resolve("controller.sock")), cluster.controller(), controllerMetrics.calls());
      started.add(controller);
      MetricsServer controllerMetricsServer = MetricsServer.start(anyPort, controllerMetrics.registry());
      started.add(controllerMetricsServer);
      List<Path> roots = new ArrayList<>(List.of(dir.resolve("kubelet")));
      roots.addAll(extraAllowedRoots);
      NodePlugin.Running node = NodePlugin.start(Endpoint.of(dir.resolve("node.sock")),
          new NodePlugin.Config(NODE_ID, dir.resolve("node").resolve("lustre"), roots, Duration.ofSeconds(5)),
          new SimulatedLustreClient(cluster.servers(), new Mounter(runner)), new SimulatedStatfs(cluster.servers()), runner,
          NodeNetworking.none());
      started.add(node);
      MetricsServer nodeMetricsServer = MetricsServer.start(anyPort, node.metrics().registry());
      return new Sandbox(dir, cluster, controller, node.server(), extraAllowedRoots, controllerMetrics, controllerMetricsServer,
          nodeMetricsServer);
    } catch (RuntimeException e) {
      for (AutoCloseable closeable : started.reversed()) {
        try {
          closeable.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** Starts both plugins, the agents on a free port. */
  public static Sandbox start(Path stateDir) {
    return start(stateDir, freePort(), List.of());
  }

  /** A port nothing listens on now, for the simulated VMs' agents. */
  public static int freePort() {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port for the agents", e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The simulated cluster: its API server, KubeVirt, servers, and the controller's backend. */
  public SimulatedCluster cluster() {
    return cluster;
  }

  public Endpoint controllerEndpoint() {
    return controller.endpoint();
  }

  public Endpoint nodeEndpoint() {
    return node.endpoint();
  }

  public Path stateDir() {
    return stateDir;
  }

  /**
   * Where each component serves its metrics: "controller", "node", and each server VM's agent by
   * the VM's name.
   */
  public java.util.Map<String, URI> metrics() {
    java.util.Map<String, URI> uris = new java.util.LinkedHashMap<>();
    uris.put("controller", controllerMetricsUri);
    uris.put("node", nodeMetricsUri);
    uris.putAll(cluster.serverVms().agentMetrics());
    return uris;
  }

  /** The controller's metrics, to read volume usage now rather than at its next round. */
  public ControllerMetrics controllerMetrics() {
    return controllerMetrics;
  }

  /** Where a CO may stage and publish volumes in this sandbox. */
  public Path kubeletDir() {
    return stateDir.resolve("kubelet");
  }

  /**
   * Stops both plugins, then unmounts what the node plugin mounted wherever the CO asked: below
   * each extra allowed root its binds of the sandbox's Lustre, then everything under the state
   * directory, innermost first.
   */
  @Override
  public void close() {
    node.close();
    controller.close();
    for (AutoCloseable server : metricsServers) {
      try {
        server.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "could not stop a metrics server: " + e.getMessage());
      }
    }
    controllerMetrics.close();
    cluster.close();
    for (Path root : allowedRoots) {
      SandboxMounts.unmountBelow(root.toAbsolutePath().normalize(), stateDir);
    }
    unmountAllUnder(stateDir);
  }

  /** Unmounts every mount below {@code dir}; returns how many. */
  public static int unmountAllUnder(Path dir) {
    CommandRunner runner = new ProcessCommandRunner();
    List<MountEntry> under = MountTable.ofThisProcess().entries().stream()
        .filter(m -> m.mountPoint().startsWith(dir) && !m.mountPoint().equals(dir))
        .sorted(Comparator.comparingInt(MountEntry::id).reversed())
        .toList();
    for (MountEntry mount : under) {
      try {
        runner.runChecked(Command.of("umount", mount.mountPoint().toString()));
      } catch (CommandFailedException e) {
        LOG.log(Level.WARNING, "could not unmount " + mount.mountPoint() + ": " + e.getMessage());
      }
    }
    return under.size();
  }
}
