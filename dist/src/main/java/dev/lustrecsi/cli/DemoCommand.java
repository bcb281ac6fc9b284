package dev.lustrecsi.cli;

import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.sandbox.demo.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The guided tour on a sandbox. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Starts a sandbox and walks through provisioning, growth, mounting, stats, snapshots, a restore and a clone (their content compared), expansion and clean-up.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--state-dir", description = "Directory for the demo's sandbox (default: a new temporary directory)")
  Path stateDir;

  @Option(names = {"-v", "--verbose"}, description = "Show the plugins' logs too")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose);
    if (!verbose) {
      // The demo prints its own account of each step; the plugins' call logs would repeat it.
      java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }
    Path dir = stateDir != null ? stateDir : Files.createTempDirectory("lustre-csi-demo-");
    new Demo(dir, System.out).run();
    return 0;
  }
}
