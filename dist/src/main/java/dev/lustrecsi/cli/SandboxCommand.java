package dev.lustrecsi.cli;

import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs both plugins on simulated Lustre servers until SIGTERM. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Runs the controller and node plugins on simulated Lustre servers.",
        "Sockets: DIR/controller.sock and DIR/node.sock. Stage and publish under DIR/kubelet."})
final class SandboxCommand implements Callable<Integer> {
  @Option(names = "--state-dir", required = true, description = "Where the sandbox keeps everything; a restart on the same directory keeps its volumes")
  Path stateDir;

  @Option(names = "--ost-startup", defaultValue = "PT0S", description = "How long a new simulated OST takes to come up (ISO-8601, default: ${DEFAULT-VALUE})")
  Duration ostStartup;

  @Option(names = "--allowed-root", split = ",", description = "Further directories a CO may stage and publish in")
  List<Path> allowedRoots = List.of();

  @Option(names = "--cluster", description = {"Run the controller on the cluster path: an embedded Kubernetes API (DIR/cluster/kubeconfig),",
      "LustreFilesystem resources, server VMs run by a KubeVirt simulator, agents over mutual TLS. Starts afresh each time."})
  boolean cluster;

  @Option(names = "--agent-port", defaultValue = "19443", description = "Port of the simulated VMs' agents with --cluster (default: ${DEFAULT-VALUE})")
  int agentPort;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    Sandbox sandbox;
    try {
      sandbox = cluster ? Sandbox.startOnKubevirt(stateDir, agentPort, allowedRoots) : Sandbox.start(stateDir, ostStartup, allowedRoots);
    } catch (RuntimeException e) {
      serving.startFailed();
      throw e;
    }
    System.out.println("sandbox ready: controller " + sandbox.controllerEndpoint() + ", node " + sandbox.nodeEndpoint()
        + sandbox.cluster().map(c -> ", kubeconfig " + c.kubeconfig()).orElse(""));
    System.out.flush();
    serving.awaitStopThenClose(List.of(sandbox));
    return 0;
  }
}
