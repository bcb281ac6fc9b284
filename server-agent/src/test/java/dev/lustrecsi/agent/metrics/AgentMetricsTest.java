package dev.lustrecsi.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.common.metrics.Scrape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
  /** Answers like the tools would: lfs quota succeeds, lctl dl fails, mkfs.lustre times out. */
  final CommandRunner tools = command -> switch (command.argv().get(0) + " " + command.argv().get(1)) {
    case "lfs quota" -> new CommandResult(command, 0, "Disk quotas for prj 1000 (pid 1000):\n", "");
    case "lctl dl" -> new CommandResult(command, 2, "", "error: dl: Operation not permitted");
    default -> throw new CommandFailedException(command, "timed out after 60s");
  };

  @Test
  void aScrapeShowsEachCommandsDurationsAndFailuresByProgramAndSubcommand() throws Exception {
    AgentMetrics metrics = new AgentMetrics();
    CommandRunner runner = metrics.measured(tools);
    runner.run(Command.of("lfs", "quota", "-p", "1000", "/lustre/fs1"));
    runner.run(Command.of("lfs", "quota", "-p", "1001", "/lustre/fs1"));
    runner.run(Command.of("lctl", "dl"));
    assertThatThrownBy(() -> runner.run(Command.of("/usr/sbin/mkfs.lustre", "--ost", "--index=3", "/dev/sdc")))
        .isInstanceOf(CommandFailedException.class);

    try (MetricsServer server = MetricsServer.start(MetricsAddress.parse("127.0.0.1:0").orElseThrow(), metrics.registry())) {
      Scrape scrape = Scrape.of(server.uri());
      String count = AgentMetrics.COMMAND_DURATION + "_count";
      assertThat(scrape.value(count, Map.of("command", "lfs quota"))).contains(2.0);
      assertThat(scrape.value(count, Map.of("command", "lctl dl"))).contains(1.0);
      assertThat(scrape.value(count, Map.of("command", "mkfs.lustre"))).contains(1.0);
      assertThat(scrape.value(AgentMetrics.COMMAND_FAILURES, Map.of("command", "lfs quota"))).contains(0.0);
      assertThat(scrape.value(AgentMetrics.COMMAND_FAILURES, Map.of("command", "lctl dl"))).contains(1.0);
      assertThat(scrape.value(AgentMetrics.COMMAND_FAILURES, Map.of("command", "mkfs.lustre"))).contains(1.0);
      // Arguments never become label values: one series per command, however many projects.
      assertThat(scrape.find(count, Map.of())).extracting(s -> s.labels().get("command"))
          .containsExactlyInAnyOrder("lfs quota", "lctl dl", "mkfs.lustre");
    }
  }
}
