package dev.lustrecsi.common.exec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A command line as an argument array (never a shell string), with the time it may take.
 *
 * @param argv the program and its arguments
 * @param timeout how long to wait before killing it
 */
public record Command(List<String> argv, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public Command {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs a program");
    }
    Objects.requireNonNull(timeout, "timeout");
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv), DEFAULT_TIMEOUT);
  }

  public Command withTimeout(Duration newTimeout) {
    return new Command(argv, newTimeout);
  }

  public String program() {
    return argv.getFirst();
  }

  /** A readable rendering for logs and error messages; not for execution. */
  @Override
  public String toString() {
    return String.join(" ", argv);
  }
}
