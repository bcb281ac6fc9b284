package dev.lustrecsi.cli;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.metrics.AgentMetrics;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.controller.servers.ServerSetup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the server agent inside a Lustre server VM (or, in the sandbox, for a simulated one). */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Runs the Lustre server agent: reports targets and health, makes volume directories with striping, projects and quotas.")
final class AgentCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--listen", defaultValue = ListenAddress.DEFAULT, description = "host:port to serve on (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(names = "--tls-dir", required = true, description = "Directory holding ca.crt, tls.crt and tls.key (a mounted TLS Secret plus its CA)")
  Path tlsDir;

  @Option(names = "--client-mount", description = "Where this VM mounts the filesystem as a client (the MDS VM); volume calls need it")
  Path clientMount;

  @Option(names = "--client-mount-status", description = "A file the VM's setup writes how the client mount stands in; quoted when it is missing")
  Path clientMountStatus;

  /**
   * Read by default, not passed by the VM's user data: the controller rewrites every server's user
   * data when it is upgraded, while a filesystem's servers keep the image (and agent) they run
   * until their own rollout, and an older agent would refuse an option it does not know.
   */
  @Option(names = "--setup-problems", defaultValue = ServerSetup.SETUP_PROBLEMS,
      description = "The directory where the VM's setup keeps why it leaves each target down; reported with health (default: ${DEFAULT-VALUE}; absent: none)")
  Path setupProblems;

  @Option(names = "--snapshot-mounts", description = "A directory of the agent's own where it mounts snapshots to restore from (default: ${DEFAULT-VALUE})",
      defaultValue = "/lustre/snapshots")
  Path snapshotMounts;

  @Option(names = "--metrics-address", defaultValue = "",
      description = "Serve Prometheus metrics at http://ADDRESS/metrics, :PORT or HOST:PORT; empty: no metrics server")
  String metricsAddress;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    ListenAddress address;
    try {
      address = ListenAddress.parse(listen);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--listen: " + e.getMessage());
    }
    Optional<MetricsAddress> metricsAt;
    try {
      metricsAt = MetricsAddress.parse(metricsAddress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--metrics-address: " + e.getMessage());
    }
    Logging.configure(verbose);
    AgentMetrics metrics = new AgentMetrics();
    CommandRunner runner = metrics.measured(new ProcessCommandRunner());
    Serving serving = Serving.installShutdownHook();
    List<AutoCloseable> running = new ArrayList<>();
    AgentServer agent;
    try {
      agent = AgentServer.start(address, TlsFiles.read(tlsDir), new AgentService(runner, Optional.ofNullable(clientMount),
          Optional.ofNullable(clientMountStatus), snapshotMounts, Optional.ofNullable(setupProblems)));
      running.add(agent);
      if (metricsAt.isPresent()) {
        running.add(MetricsServer.start(metricsAt.get(), metrics.registry()));
      }
    } catch (Exception e) {
      for (AutoCloseable started : running) {
        started.close();
      }
      serving.startFailed();
      throw e;
    }
    System.out.println("agent ready on " + agent.listen());
    serving.awaitStopThenClose(running);
    return 0;
  }
}
