package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between the controller and the agent on a site's management host holds outside the
 * cluster too: the agent's certificate comes from the installation's CA (as {@code lustre-csi
 * agent-certificate} issues it), and each side refuses the other installation's certificates.
 */
class ExternalAgentTlsTest {
  @TempDir Path dir;

  @Test
  void eachSideRefusesACertificateOfAnotherInstallation() throws Exception {
    try (SimulatedCluster ours = SimulatedCluster.start(dir.resolve("ours"), Sandbox.freePort(), Duration.ofHours(1));
        EmbeddedApiServer other = EmbeddedApiServer.start(SimulatedCluster.NAMESPACE)) {
      ExternalSite site = ours.startExternalSite("tls", 1, 10 * Sizes.GIB);
      AgentCredentials ourCredentials = new AgentCredentials(ours.client(), SimulatedCluster.NAMESPACE, Clock.systemUTC());
      AgentCredentials otherCredentials = new AgentCredentials(other.client(), SimulatedCluster.NAMESPACE, Clock.systemUTC());
      try (GrpcServerAgents ourController = new GrpcServerAgents(ourCredentials, 1, Duration.ofSeconds(5));
          GrpcServerAgents otherController = new GrpcServerAgents(otherCredentials, 1, Duration.ofSeconds(5))) {
        assertThat(ourController.health("tls", "management-host", site.agentAddress()).getHealthCheck()).isEqualTo("healthy");
        assertThatThrownBy(() -> otherController.health("tls", "management-host", site.agentAddress()))
            .as("the agent refuses a client certificate of another installation")
            .isInstanceOf(AgentUnavailableException.class);

        // An agent whose certificate another installation's CA issued is refused by our controller.
        try (ExternalSite foreign = ExternalSite.start(ours.servers(), "tls2", 1, 10 * Sizes.GIB, "127.3.1.1",
            otherCredentials.issueExternalAgent("tls2", List.of()))) {
          assertThatThrownBy(() -> ourController.health("tls2", "management-host", foreign.agentAddress()))
              .as("our controller refuses an agent certificate of another installation")
              .isInstanceOf(AgentUnavailableException.class);
          assertThat(otherController.health("tls2", "management-host", foreign.agentAddress()).getHealthCheck()).isEqualTo("healthy");
        }
      }
    }
  }
}
