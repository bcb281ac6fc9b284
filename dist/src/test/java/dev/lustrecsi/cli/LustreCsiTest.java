package dev.lustrecsi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.bench.Bench;
import dev.lustrecsi.bench.BenchOptions;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.common.tls.CertificateAuthority;
import dev.lustrecsi.common.tls.GrpcTls;
import dev.lustrecsi.common.tls.TlsFiles;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LustreCsiTest {
  @TempDir Path dir;

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"controller", "node", "agent", "agent-certificate", "sandbox", "demo", "bench"}) {
      assertThat(LustreCsi.execute(sub, "--help")).as(sub).isZero();
    }
    assertThat(LustreCsi.execute("--help")).isZero();
  }

  /**
   * picocli prints each line of a description as its own paragraph, and `lustre-csi --help` lists
   * each subcommand by its first line alone: a sentence broken across lines reads as a fragment
   * there ("... a Lustre filesystem the site runs,") and as ragged text in the subcommand's help.
   */
  @Test
  void everyLineOfASubcommandsDescriptionIsWholeSentences() {
    var launcher = new picocli.CommandLine(new LustreCsi());
    for (var sub : launcher.getSubcommands().entrySet()) {
      for (String line : sub.getValue().getCommandSpec().usageMessage().description()) {
        assertThat(line).as("a line of `lustre-csi %s --help`", sub.getKey()).endsWith(".");
      }
    }
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    assertThat(LustreCsi.execute("controller")).isEqualTo(2);
    assertThat(LustreCsi.execute("bench", "--workload", "create-delete")).isEqualTo(2);
    assertThat(LustreCsi.execute("agent")).isEqualTo(2);
    assertThat(LustreCsi.execute("agent", "--tls-dir", dir.toString(), "--listen", "9443")).isEqualTo(2);
  }

  /**
   * The agent finds the setup's account of targets it leaves down where the setup writes it
   * without being told: the VM's user data does not name it, so that an agent of an older image
   * never meets an option it does not know (ServerSetup.SETUP_PROBLEMS).
   */
  @Test
  void theAgentReadsTheSetupProblemsWhereTheServerSetupWritesThemByDefault() {
    AgentCommand agent = new AgentCommand();
    new picocli.CommandLine(agent).parseArgs("--tls-dir", dir.toString());
    assertThat(agent.setupProblems).isEqualTo(Path.of(dev.lustrecsi.controller.servers.ServerSetup.SETUP_PROBLEMS));
  }

  @Test
  void anAbandonmentTimeACoCouldReachBetweenRetriesIsAUsageError() {
    // Refused before anything connects: a volume a CO still retries must never be withdrawn.
    assertThat(LustreCsi.execute("controller", "--endpoint", "unix://" + dir.resolve("c.sock"), "--abandoned-after", "PT10M"))
        .isEqualTo(2);
  }

  /**
   * The agent as a separate process, as a server VM runs it: mutual TLS on an ephemeral port, an
   * answer from its real command runner (this machine has no Lustre, which it reports as such),
   * and a clean stop on SIGTERM.
   */
  @Test
  void agentCommandServesOverMutualTlsUntilSigterm() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("test CA", Clock.systemUTC());
    TlsFiles.write(dir.resolve("tls"), ca.issueServer("fs1-oss0", List.of(), List.of("127.0.0.1")));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        LustreCsi.class.getName(), "agent", "--listen", "127.0.0.1:0", "--tls-dir", dir.resolve("tls").toString())
        .redirectErrorStream(true).start();
    ManagedChannel channel = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      int port = -1;
      while (port < 0 && (line = out.readLine()) != null) {
        var ready = Pattern.compile("agent ready on 127\\.0\\.0\\.1:(\\d+)").matcher(line);
        if (ready.find()) {
          port = Integer.parseInt(ready.group(1));
        }
      }
      assertThat(port).isPositive();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(GrpcTls.client(ca.issueClient("controller"))).build();
      var agent = LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      assertThatThrownBy(() -> agent.getHealth(GetHealthRequest.getDefaultInstance()))
          .as("the TLS handshake succeeded and the agent answered: it cannot run lctl here")
          .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("lctl").contains("could not start");
          });
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isIn(0, 143);
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      process.destroyForcibly();
    }
  }

  @Test
  void benchReportsTheAgreedFieldsAgainstASandbox() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir)) {
      String createDelete = new Bench(new BenchOptions(sandbox.controllerEndpoint(), Optional.empty(), BenchOptions.Workload.CREATE_DELETE,
          4, 40, 8, Map.of("fsName", "bench", "ostSize", "64Gi"), Sizes.GIB, Optional.empty())).run();
      // The warm-up's calls are made but not counted.
      assertThat(createDelete)
          .startsWith("{\"workload\":\"create-delete\",\"concurrency\":4,\"count\":40,\"warmup\":8,")
          .contains("\"opsPerSecond\":")
          .containsPattern(Pattern.compile("\"CreateVolume\":\\{\"count\":40,\"p50Ms\":[0-9.]+,\"p90Ms\":[0-9.]+,\"p99Ms\":[0-9.]+,\"maxMs\":[0-9.]+}"))
          .containsPattern("\"DeleteVolume\":\\{\"count\":40,")
          .endsWith("\"errors\":{\"ABORTED\":0}}");
      String stagePublish = new Bench(new BenchOptions(sandbox.controllerEndpoint(), Optional.of(sandbox.nodeEndpoint()),
          BenchOptions.Workload.STAGE_PUBLISH, 2, 10, 2, Map.of("fsName", "bench", "ostSize", "64Gi"), Sizes.GIB,
          Optional.of(sandbox.kubeletDir()))).run();
      assertThat(stagePublish).contains("\"NodeStageVolume\":{\"count\":10,").contains("\"NodeUnstageVolume\":{\"count\":10,")
          .endsWith("\"errors\":{\"ABORTED\":0}}");
    }
  }

  /** The sandbox as a separate process, the way the README runs it: ready line, sockets, clean stop on SIGTERM. */
  @Test
  void sandboxCommandServesUntilSigterm() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        LustreCsi.class.getName(), "sandbox", "--state-dir", dir.toString())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean ready = false;
      while (!ready && (line = out.readLine()) != null) {
        ready = line.contains("ready");
      }
      assertThat(ready).isTrue();
      assertThat(dir.resolve("controller.sock")).exists();
      assertThat(dir.resolve("node.sock")).exists();
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isIn(0, 143);
      assertThat(Files.exists(dir.resolve("controller.sock"))).as("socket removed on shutdown").isFalse();
    } finally {
      process.destroyForcibly();
    }
  }
}
