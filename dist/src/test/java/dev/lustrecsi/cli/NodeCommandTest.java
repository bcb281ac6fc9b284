package dev.lustrecsi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks of the node command that need no Lustre: they refuse before the socket serves. */
class NodeCommandTest {
  @Test
  void aNamedLnetInterfaceThatCannotCarryTcpStopsTheStartNamingIt(@TempDir Path node) throws Exception {
    Path net = Files.createDirectories(node.resolve("sys/class/net/eth0"));
    Files.writeString(net.resolve("type"), "1\n");
    Files.writeString(net.resolve("operstate"), "down\n");
    String[] start = {"node", "--endpoint", "unix://" + node.resolve("csi.sock"), "--sysfs-root", node.resolve("sys").toString(),
        "--procfs-root", node.resolve("proc").toString(), "--mount-root", node.resolve("mounts").toString(), "--lnet-interface"};

    assertThat(usageError(start, "eth1")).contains("--lnet-interface eth1: interface eth1 does not exist on this node");
    assertThat(usageError(start, "eth0")).contains("--lnet-interface eth0: interface eth0 is not up (operstate down)");
    assertThat(usageError(start, "eth0/../x")).contains("is not an interface name");
    String[] external = Arrays.copyOf(start, start.length + 3);
    external[start.length] = "eth0";
    external[start.length + 1] = "--lnet";
    external[start.length + 2] = "external";
    assertThat(usageError(external)).contains("with --lnet external the admin configures LNet");
    assertThat(node.resolve("csi.sock")).as("refused before serving").doesNotExist();
  }

  /** What a command line the node command refuses prints (it must exit 2, picocli's usage error). */
  private static String usageError(String[] start, String... more) {
    String[] args = Arrays.copyOf(start, start.length + more.length);
    System.arraycopy(more, 0, args, start.length, more.length);
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(LustreCsi.execute(args)).as(String.join(" ", args)).isEqualTo(2);
    } finally {
      System.setErr(stderr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
