package dev.lustrecsi.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.node.lnet.LnetManager;
import dev.lustrecsi.node.lnet.LnetMode;
import dev.lustrecsi.node.mount.ReadinessOnlyClient;
import dev.lustrecsi.node.rdma.NodeNetworks;
import dev.lustrecsi.node.topology.NodeNetworking;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Readiness from the Lustre client and from LNet, with lnetctl answering the reference's real outputs. */
class ReadinessTest {
  boolean pingAnswers = true;

  final ReadinessOnlyClient client = new ReadinessOnlyClient();

  /** An LNet configured by the admin: net show and ping answer as on the reference machine (10.99.0.1@tcp). */
  final CommandRunner lnetctl = command -> switch (String.join(" ", command.argv())) {
    case "lnetctl net show" -> new CommandResult(command, 0, fixture("lnetctl_net_show.txt"), "");
    case "lnetctl ping 10.99.0.1@tcp" -> pingAnswers
        ? new CommandResult(command, 0, fixture("lnetctl_ping.txt"), "")
        : new CommandResult(command, 1, "", "failed to ping 10.99.0.1@tcp: Input/output error");
    default -> new CommandResult(command, 127, "", "unexpected " + command);
  };

  static String fixture(String name) {
    try (InputStream in = ReadinessTest.class.getResourceAsStream("/lustre-outputs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  NodeNetworking networking() {
    return new NodeNetworking(() -> new NodeNetworks(List.of(), List.of()), Optional.of(new LnetManager(lnetctl, LnetMode.EXTERNAL)), Duration.ofMinutes(1));
  }

  @Test
  void readyWhenTheClientIsThereAndLnetAnswers() {
    NodeNetworking networking = networking();
    Readiness readiness = new Readiness(client, networking);
    assertThat(readiness.ready()).as("LNet not checked yet").isFalse();
    assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("LNet has not been checked yet"));
    networking.checkNow();
    assertThat(readiness.ready()).isTrue();
    assertThat(readiness.notReadyReason()).isEmpty();
  }

  @Test
  void notReadyWithoutTheLustreClientAndSaysSo() {
    client.unavailable("mount.lustre is not installed");
    NodeNetworking networking = networking();
    networking.checkNow();
    Readiness readiness = new Readiness(client, networking);
    assertThat(readiness.ready()).isFalse();
    assertThat(readiness.notReadyReason()).contains("Lustre client: mount.lustre is not installed");
  }

  @Test
  void notReadyWhenItsOwnNidDoesNotAnswer() {
    pingAnswers = false;
    NodeNetworking networking = networking();
    networking.checkNow();
    Readiness readiness = new Readiness(client, networking);
    assertThat(readiness.ready()).isFalse();
    assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("lnetctl ping 10.99.0.1@tcp failed").contains("Input/output error"));
  }

  /** Probe drives the liveness probe: not ready until the node could mount once, then live whatever LNet does. */
  @Test
  void probeIsNotReadyBeforeTheNodeCouldMountAndStaysReadyAfter() {
    NodeNetworking networking = networking();
    Readiness readiness = new Readiness(client, networking);
    assertThat(readiness.probe()).as("never ready yet").isFalse();
    networking.checkNow();
    assertThat(readiness.probe()).isTrue();
    pingAnswers = false;
    networking.checkNow();
    assertThat(readiness.ready()).as("what the metric and the alert read").isFalse();
    assertThat(readiness.probe()).as("what Probe answers").isTrue();
  }

  @Test
  void withoutLnetTheClientDecides() {
    Readiness readiness = new Readiness(client, NodeNetworking.none());
    assertThat(readiness.ready()).isTrue();
  }
}
