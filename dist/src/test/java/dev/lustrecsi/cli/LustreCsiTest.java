package dev.lustrecsi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.bench.Bench;
import dev.lustrecsi.bench.BenchOptions;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    for (String sub : new String[] {"controller", "node", "sandbox", "demo", "bench"}) {
      assertThat(LustreCsi.execute(sub, "--help")).as(sub).isZero();
    }
    assertThat(LustreCsi.execute("--help")).isZero();
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    assertThat(LustreCsi.execute("controller")).isEqualTo(2);
    assertThat(LustreCsi.execute("bench", "--workload", "create-delete")).isEqualTo(2);
  }

  @Test
  void benchReportsTheAgreedFieldsAgainstASandbox() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir)) {
      String createDelete = new Bench(new BenchOptions(sandbox.controllerEndpoint(), Optional.empty(), BenchOptions.Workload.CREATE_DELETE,
          4, 40, Map.of("fsName", "bench", "ostSize", "64Gi"), Sizes.GIB, Optional.empty())).run();
      assertThat(createDelete)
          .startsWith("{\"workload\":\"create-delete\",\"concurrency\":4,\"count\":40,")
          .contains("\"opsPerSecond\":")
          .containsPattern(Pattern.compile("\"CreateVolume\":\\{\"count\":40,\"p50Ms\":[0-9.]+,\"p90Ms\":[0-9.]+,\"p99Ms\":[0-9.]+,\"maxMs\":[0-9.]+}"))
          .containsPattern("\"DeleteVolume\":\\{\"count\":40,")
          .endsWith("\"errors\":{\"ABORTED\":0}}");
      String stagePublish = new Bench(new BenchOptions(sandbox.controllerEndpoint(), Optional.of(sandbox.nodeEndpoint()),
          BenchOptions.Workload.STAGE_PUBLISH, 2, 10, Map.of("fsName", "bench", "ostSize", "64Gi"), Sizes.GIB,
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
