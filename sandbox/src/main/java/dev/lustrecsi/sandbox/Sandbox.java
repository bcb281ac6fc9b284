package dev.lustrecsi.sandbox;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.controller.ControllerPlugin;
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
 * The API server and the simulated servers keep their state in memory, so a sandbox starts
 * afresh each time (DIR/cluster is cleared).
 */
public final class Sandbox implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());

  /** Node id the sandbox's node plugin reports. */
  public static final String NODE_ID = "sandbox-node";

  private final Path stateDir;
  private final SimulatedCluster cluster;
  private final CsiServer controller;
  private final CsiServer node;

  private Sandbox(Path stateDir, SimulatedCluster cluster, CsiServer controller, CsiServer node) {
    this.stateDir = stateDir;
    this.cluster = cluster;
    this.controller = controller;
    this.node = node;
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
    CsiServer controller;
    CsiServer node;
    try {
      controller = ControllerPlugin.start(Endpoint.of(dir.resolve("controller.sock")), cluster.controller());
      List<Path> roots = new ArrayList<>(List.of(dir.resolve("kubelet")));
      roots.addAll(extraAllowedRoots);
      try {
        node = NodePlugin.start(Endpoint.of(dir.resolve("node.sock")),
            new NodePlugin.Config(NODE_ID, dir.resolve("node").resolve("lustre"), roots, Duration.ofSeconds(5)),
            new SimulatedLustreClient(cluster.servers(), new Mounter(runner)), new SimulatedStatfs(cluster.servers()), runner,
            NodeNetworking.none()).server();
      } catch (RuntimeException e) {
        controller.close();
        throw e;
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new Sandbox(dir, cluster, controller, node);
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

  /** Where a CO may stage and publish volumes in this sandbox. */
  public Path kubeletDir() {
    return stateDir.resolve("kubelet");
  }

  /** Stops both plugins, then unmounts everything mounted under the state directory, innermost first. */
  @Override
  public void close() {
    node.close();
    controller.close();
    cluster.close();
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
