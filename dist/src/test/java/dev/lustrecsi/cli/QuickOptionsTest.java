package dev.lustrecsi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

class QuickOptionsTest {
  @Test
  void aFullNodeCommandLineGivesWhatPicocliGives() throws Exception {
    String[] args = {"--endpoint", "unix:///csi/csi.sock", "--node-id=n1", "--mount-root", "/m",
        "--allowed-root", "/var/lib/kubelet,/opt/k", "--stats-timeout", "PT2S",
        "--sysfs-root", "/s", "--procfs-root=/p", "--lnet", "external", "--lnet-interface", "eth0.100", "--health-interval", "PT1M",
        "--remove-startup-taint", "-v"};
    assertSameAsPicocli(args);
  }

  @Test
  void defaultsAreTheAnnotationsOwn() throws Exception {
    assertSameAsPicocli(new String[] {"--endpoint", "unix:///csi/csi.sock"});
  }

  @Test
  void anythingButThePlainCaseIsLeftToPicocli() {
    String endpoint = "unix:///csi/csi.sock";
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--help"})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "-V"})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {})).as("required --endpoint").isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "--bogus", "x"})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint"})).as("missing value").isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "--stats-timeout", "5s"})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "--endpoint", endpoint})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "--verbose=true"})).isFalse();
    assertThat(QuickOptions.fill(new NodeCommand(), new String[] {"--endpoint", endpoint, "stray"})).isFalse();
  }

  @Test
  void aValueTheNodeCommandRefusesIsAUsageErrorAsBefore() {
    assertThat(LustreCsi.execute("node", "--endpoint", "unix:///nowhere/csi.sock", "--lnet", "bogus")).isEqualTo(2);
    assertThat(LustreCsi.execute("node", "--endpoint", "unix:///nowhere/csi.sock", "--stats-timeout", "5s")).isEqualTo(2);
  }

  private static void assertSameAsPicocli(String[] args) throws Exception {
    NodeCommand quick = new NodeCommand();
    assertThat(QuickOptions.fill(quick, args)).isTrue();
    NodeCommand parsed = new NodeCommand();
    new CommandLine(parsed).parseArgs(args);
    assertThat(options(quick)).isEqualTo(options(parsed)).isNotEmpty();
  }

  private static Map<String, Object> options(NodeCommand command) throws IllegalAccessException {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Field field : NodeCommand.class.getDeclaredFields()) {
      if (field.isAnnotationPresent(Option.class)) {
        field.setAccessible(true);
        values.put(field.getName(), field.get(command));
      }
    }
    return values;
  }
}
