package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/node-aot-cache, as the node image runs it, trains a cache that bin/lustre-csi then really
 * uses: the node plugin is started with {@code -XX:AOTMode=on}, under which the JVM refuses to
 * start with a cache that does not match the jar and the flags, and its class-loading log must show
 * the plugin's classes coming from the cache.
 */
class NodeAotCacheTest {
  @TempDir Path dir;

  @Test
  void theTrainedCacheIsUsedByTheNextNodeStart() throws Exception {
    Path jar = RepoLayout.root().resolve("dist/target/lustre-csi.jar");
    assertThat(jar).as("the jar dist builds before these tests").exists();
    Path cache = dir.resolve("node.aot");

    Process training = launch("bin/node-aot-cache", jar, cache, "");
    assertThat(training.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String trainingOutput = Files.readString(dir.resolve("bin_node-aot-cache.log"));
    assertThat(training.exitValue()).as(trainingOutput).isZero();
    assertThat(trainingOutput).contains("node plugin AOT cache: " + cache);
    assertThat(Files.size(cache)).isGreaterThan(1 << 20);

    Path socket = dir.resolve("node.sock");
    Path classLoads = dir.resolve("class-loads.log");
    Process node = launch("bin/lustre-csi", jar, cache, "-XX:AOTMode=on -Xlog:class+load=info:file=" + classLoads, "node", "--endpoint", "unix://" + socket,
        "--node-id", "aot-check", "--mount-root", dir.resolve("mounts").toString(), "--allowed-root", dir.resolve("kubelet").toString());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(socket) && node.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(node.isAlive()).as("node plugin running with the cache required").isTrue();
      assertThat(socket).exists();
    } finally {
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
    }
    String log = Files.readString(dir.resolve("bin_lustre-csi.log"));
    assertThat(log).doesNotContainIgnoringCase("unable to use").doesNotContainIgnoringCase("AOT cache").contains("serving on");
    // The plugin's own classes came out of the cache, not out of the jar.
    assertThat(Files.readString(classLoads)).contains("dev.lustrecsi.node.NodePlugin source: shared objects file");
  }

  private Process launch(String script, Path jar, Path cache, String javaOpts, String... args) throws Exception {
    var command = new java.util.ArrayList<String>();
    command.add(RepoLayout.root().resolve(script).toString());
    command.addAll(java.util.List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(script.replace('/', '_') + ".log").toFile());
    builder.environment().put("LUSTRE_CSI_JAR", jar.toString());
    builder.environment().put("LUSTRE_CSI_NODE_AOT_CACHE", cache.toString());
    builder.environment().put("LUSTRE_CSI_JAVA_OPTS", javaOpts);
    return builder.start();
  }
}
