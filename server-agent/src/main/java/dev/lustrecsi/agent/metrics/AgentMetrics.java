package dev.lustrecsi.agent.metrics;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.regex.Pattern;

/**
 * Every metric the server agent exports, defined here and nowhere else: how long each Lustre
 * command took and how often it failed, measured at the agent's one command runner. A slow
 * {@code lfs quota} or a failing {@code lctl get_param} on one server VM shows here before it
 * shows as slow CSI calls.
 */
public final class AgentMetrics {
  public static final String COMMAND_DURATION = "lustre_csi_agent_command_duration_seconds";
  public static final String COMMAND_FAILURES = "lustre_csi_agent_command_failures_total";

  /** lfs and lctl take a subcommand; anything else in that place (a path, an fsname, a number) is not a label value. */
  private static final Pattern SUBCOMMAND = Pattern.compile("[a-z][a-z_]{1,23}");

  /** From lctl reading a parameter (milliseconds) to a project walk over a large directory tree (minutes). */
  private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram duration = Histogram.builder()
      .name(COMMAND_DURATION)
      .help("Lustre commands the agent ran, by command (program and subcommand), and how long each took, failed or not")
      .labelNames("command")
      .classicUpperBounds(BUCKETS)
      .classicOnly()
      .withoutExemplars()
      .register(registry);
  private final Counter failures = Counter.builder()
      .name(COMMAND_FAILURES)
      .help("Lustre commands that exited non-zero, timed out or could not start, by command")
      .labelNames("command")
      .withoutExemplars()
      .register(registry);

  public PrometheusRegistry registry() {
    return registry;
  }

  /** {@code runner}, with every command it runs timed and its failures counted. */
  public CommandRunner measured(CommandRunner runner) {
    return command -> {
      String name = label(command);
      // Zero before the first failure: a failure rate of 0 is a series, not an absent one.
      failures.initLabelValues(name);
      long started = System.nanoTime();
      try {
        CommandResult result = runner.run(command);
        if (!result.succeeded()) {
          failures.labelValues(name).inc();
        }
        return result;
      } catch (CommandFailedException | RuntimeException e) {
        failures.labelValues(name).inc();
        throw e;
      } finally {
        duration.labelValues(name).observe((System.nanoTime() - started) / 1e9);
      }
    };
  }

  /**
   * The command's label: its program's name, with the subcommand of tools that take one
   * ({@code lfs quota}, {@code lctl get_param}); never an argument, so the label's values stay
   * as few as the commands the agent builds.
   */
  static String label(Command command) {
    String program = command.program().substring(command.program().lastIndexOf('/') + 1);
    if (command.argv().size() > 1 && SUBCOMMAND.matcher(command.argv().get(1)).matches()) {
      return program + " " + command.argv().get(1);
    }
    return program;
  }
}
