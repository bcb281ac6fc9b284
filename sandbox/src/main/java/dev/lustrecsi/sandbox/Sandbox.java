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
import dev.lustrecsi.sandbox.lustre.SimulatedLustre;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreClient;
import dev.lustrecsi.sandbox.lustre.SimulatedStatfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The controller and node plugins running together on simulated Lustre servers, all state under
 * one directory:
 *
 * <pre>
 * DIR/controller.sock   the controller plugin
 * DIR/node.sock         the node plugin
 * DIR/controller/       the volume journal
 * DIR/lustre/           the simulated servers (one directory per filesystem)
 * DIR/node/lustre/      the node's Lustre mounts, one per filesystem
 * DIR/kubelet/          where a CO (the demo, the tests) stages and publishes volumes
 * </pre>
 *
 * A sandbox started again on the same directory finds its volumes, filesystems and mounts.
 */
public final class Sandbox implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());

  /** Node id the sandbox's node plugin reports. */
  public static final String NODE_ID = "sandbox-node";

  private final Path stateDir;
  private final SimulatedLustre lustre;
  private final dev.lustrecsi.sandbox.cluster.SimulatedCluster cluster;
  private final CsiServer controller;
  private final CsiServer node;
  private final List<Path> allowedRoots;

  private Sandbox(Path stateDir, SimulatedLustre lustre, dev.lustrecsi.sandbox.cluster.SimulatedCluster cluster, CsiServer controller,
      CsiServer node, List<Path> allowedRoots) {
    this.stateDir = stateDir;
    this.allowedRoots = List.copyOf(allowedRoots);
    this.lustre = lustre;
    this.cluster = cluster;
    this.controller = controller;
    this.node = node;
  }

  /**
   * Starts both plugins with the controller on the cluster path: an embedded API server (its
   * kubeconfig at DIR/cluster/kubeconfig), LustreFilesystem resources, server VMs run by the
   * KubeVirt simulator, real agents over mutual TLS on simulated Lustre servers. The API server
   * keeps objects in memory, so this mode starts afresh each time (DIR/cluster is cleared).
   *
   * @param agentPort the port every simulated VM's agent listens on, each at its own loopback address
   */
  public static Sandbox startOnKubevirt(Path stateDir, int agentPort, List<Path> extraAllowedRoots) {
    Path dir = stateDir.toAbsolutePath().normalize();
    dev.lustrecsi.sandbox.cluster.SimulatedCluster cluster;
    try {
      Files.createDirectories(dir.resolve("kubelet"));
      deleteTree(dir.resolve("cluster"));
      Files.createDirectories(dir.resolve("cluster"));
      cluster = dev.lustrecsi.sandbox.cluster.SimulatedCluster.start(dir.resolve("cluster"), agentPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the simulated cluster in " + dir, e);
    }
    CommandRunner runner = new ProcessCommandRunner();
    CsiServer controller;
    CsiServer node;
    try {
      // Volume records as on a cluster: LustreVolume objects and ConfigMaps on the API server.
      controller = ControllerPlugin.start(Endpoint.of(dir.resolve("controller.sock")), cluster.volumeJournal(), cluster.backend(),
          provisioner -> cluster.committedCapacity(provisioner::committedBytes));
      List<Path> roots = new ArrayList<>(List.of(dir.resolve("kubelet")));
      roots.addAll(extraAllowedRoots);
      try {
        node = NodePlugin.start(Endpoint.of(dir.resolve("node.sock")),
            new NodePlugin.Config(NODE_ID, dir.resolve("node").resolve("lustre"), roots, Duration.ofSeconds(5)),
            new SimulatedLustreClient(cluster.servers(), new Mounter(runner)), new SimulatedStatfs(cluster.servers()), runner);
      } catch (RuntimeException e) {
        controller.close();
        throw e;
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new Sandbox(dir, null, cluster, controller, node, extraAllowedRoots);
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

  /** The simulated cluster, when the sandbox runs the cluster path. */
  public java.util.Optional<dev.lustrecsi.sandbox.cluster.SimulatedCluster> cluster() {
    return java.util.Optional.ofNullable(cluster);
  }

  /**
   * Starts both plugins.
   *
   * @param stateDir where everything lives
   * @param ostStartup how long a new simulated OST takes to come up
   * @param extraAllowedRoots further directories a CO may stage and publish in (csi-sanity's temp dirs)
   */
  public static Sandbox start(Path stateDir, Duration ostStartup, List<Path> extraAllowedRoots) {
    Path dir = stateDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir.resolve("kubelet"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create sandbox directory " + dir, e);
    }
    CommandRunner runner = new ProcessCommandRunner();
    SimulatedLustre lustre = new SimulatedLustre(dir.resolve("lustre"), ostStartup, Clock.systemUTC());
    CsiServer controller = ControllerPlugin.start(Endpoint.of(dir.resolve("controller.sock")), dir.resolve("controller"), lustre);
    List<Path> roots = new ArrayList<>(List.of(dir.resolve("kubelet")));
    roots.addAll(extraAllowedRoots);
    CsiServer node;
    try {
      node = NodePlugin.start(Endpoint.of(dir.resolve("node.sock")),
          new NodePlugin.Config(NODE_ID, dir.resolve("node").resolve("lustre"), roots, Duration.ofSeconds(5)),
          new SimulatedLustreClient(lustre, new Mounter(runner)), new SimulatedStatfs(lustre), runner);
    } catch (RuntimeException e) {
      controller.close();
      throw e;
    }
    return new Sandbox(dir, lustre, null, controller, node, extraAllowedRoots);
  }

  public static Sandbox start(Path stateDir) {
    return start(stateDir, Duration.ZERO, List.of());
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

  /** The simulated servers of the default mode; null on the cluster path (see {@link #cluster()}). */
  public SimulatedLustre lustre() {
    return lustre;
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
    if (cluster != null) {
      cluster.close();
    }
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
