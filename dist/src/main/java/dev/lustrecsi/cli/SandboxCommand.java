package dev.lustrecsi.cli;

import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs both plugins on a simulated cluster until SIGTERM. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Runs the production controller and node plugins on one machine, with only the Kubernetes API, KubeVirt and Lustre's commands simulated.",
        "LustreFilesystem resources, server VMs and real agents over mutual TLS, as on a cluster.",
        "Sockets: DIR/controller.sock and DIR/node.sock; kubeconfig: DIR/cluster/kubeconfig. Stage and publish under DIR/kubelet.",
        "Starts afresh each time."})
final class SandboxCommand implements Callable<Integer> {
  @Option(names = "--state-dir", required = true, description = "Where the sandbox keeps everything")
  Path stateDir;

  @Option(names = "--allowed-root", split = ",", description = "Further directories a CO may stage and publish in")
  List<Path> allowedRoots = List.of();

  @Option(names = "--agent-port", defaultValue = "0", description = "Port of the simulated VMs' agents, each at its own loopback address (default: a free port)")
  int agentPort;

  @Option(names = "--site-filesystem", description = "Also run a Lustre filesystem of this fsName as a site runs it (servers without VMs,"
      + " the agent on its management host; docs/existing-filesystems.md): StorageClasses name it with fsName only")
  String siteFilesystem;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    Sandbox sandbox;
    try {
      sandbox = Sandbox.start(stateDir, agentPort == 0 ? Sandbox.freePort() : agentPort, allowedRoots);
    } catch (RuntimeException e) {
      serving.startFailed();
      throw e;
    }
    if (siteFilesystem != null) {
      try {
        // Eight OSTs of 128 GiB, as the conformance suite's site filesystem.
        var site = sandbox.cluster().addExternalFilesystem(siteFilesystem, 8, 128L << 30);
        System.out.println("site filesystem " + siteFilesystem + ": management host agent at " + site.agentAddress()
            + ", namespace " + site.mount());
      } catch (java.io.IOException | RuntimeException e) {
        sandbox.close();
        serving.startFailed();
        throw e;
      }
    }
    System.out.println("sandbox ready: controller " + sandbox.controllerEndpoint() + ", node " + sandbox.nodeEndpoint()
        + ", kubeconfig " + sandbox.cluster().kubeconfig());
    System.out.println("metrics: controller " + sandbox.metrics().get("controller") + ", node " + sandbox.metrics().get("node")
        + " (each server VM's agent serves its own once the VM runs)");
    System.out.flush();
    serving.awaitStopThenClose(List.of(sandbox));
    return 0;
  }
}
