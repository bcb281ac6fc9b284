package dev.lustrecsi.cli;

import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.sandbox.lustre.SimulatedLustre;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the controller plugin. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Runs the CSI controller plugin (Identity and Controller services).",
        "Its Lustre backend in this release is the simulated one (--simulated-lustre); the KubeVirt backend follows."})
final class ControllerCommand implements Callable<Integer> {
  @Option(names = "--endpoint", required = true, description = "CSI endpoint, unix:///path/csi.sock")
  String endpoint;

  @Option(names = "--journal-dir", required = true, description = "Directory for the volume journal")
  Path journalDir;

  @Option(names = "--simulated-lustre", required = true, description = "Directory of the simulated Lustre servers")
  Path simulatedLustre;

  @Option(names = {"-v", "--verbose"}, description = "Log debug lines, Probe calls among them")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    Serving serving = Serving.installShutdownHook();
    AutoCloseable server;
    try {
      server = ControllerPlugin.start(Endpoint.parse(endpoint), journalDir, new SimulatedLustre(simulatedLustre));
    } catch (RuntimeException e) {
      serving.startFailed();
      throw e;
    }
    serving.awaitStopThenClose(java.util.List.of(server));
    return 0;
  }
}
