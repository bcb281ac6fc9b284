package dev.lustrecsi.common.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  @Test
  void capturesOutputAndExitCode() throws Exception {
    CommandResult result = runner.run(Command.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.errorText()).isEqualTo("err");
  }

  @Test
  void passesArgumentsWithoutAShell() throws Exception {
    CommandResult result = runner.run(Command.of("echo", "a; rm -rf /", "$(id)"));
    assertThat(result.stdout()).isEqualTo("a; rm -rf / $(id)\n");
  }

  @Test
  void checkedRunFailsWithTheCommandsOwnWords() {
    assertThatThrownBy(() -> runner.runChecked(Command.of("sh", "-c", "echo 'mount.lustre: mount failed' >&2; exit 2")))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exited 2")
        .hasMessageContaining("mount.lustre: mount failed");
  }

  @Test
  void killsACommandThatOverstaysItsTimeout() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> runner.run(new Command(List.of("sleep", "30"), Duration.ofMillis(200))))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void reportsAProgramThatDoesNotExist() {
    assertThatThrownBy(() -> runner.run(Command.of("/nonexistent/mount.lustre"))).hasMessageContaining("could not start");
  }
}
