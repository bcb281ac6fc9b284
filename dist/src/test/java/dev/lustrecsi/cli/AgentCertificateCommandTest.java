package dev.lustrecsi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.tls.Pem;
import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lustre-csi agent-certificate} against an API server: the files it writes carry a
 * certificate from the installation's CA (the controller's Secret) for the filesystem's agent
 * name, and an agent serving with them is one the controller talks to.
 */
class AgentCertificateCommandTest {
  @TempDir Path dir;

  @Test
  void issuesACertificateTheControllerAcceptsFromTheInstallationsCa() throws Exception {
    String namespace = "lustre-csi";
    try (EmbeddedApiServer api = EmbeddedApiServer.start(namespace)) {
      AgentCredentials controller = new AgentCredentials(api.client(), namespace, Clock.systemUTC());
      controller.clientMaterial();  // the controller has started: its CA is in the Secret
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), namespace);
      String previous = System.setProperty("kubeconfig", kubeconfig.toString());
      int exit;
      try {
        exit = LustreCsi.execute("agent-certificate", "--fs-name", "lfs", "--namespace", namespace, "--out", dir.resolve("tls").toString());
      } finally {
        if (previous == null) {
          System.clearProperty("kubeconfig");
        } else {
          System.setProperty("kubeconfig", previous);
        }
      }
      assertThat(exit).isZero();
      TlsMaterial written = TlsFiles.read(dir.resolve("tls"));
      assertThat(written.caPem()).isEqualTo(controller.clientMaterial().caPem());
      X509Certificate certificate = Pem.certificate(written.certPem());
      certificate.verify(Pem.certificate(written.caPem()).getPublicKey());
      assertThat(certificate.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).contains(AgentCredentials.authority("lfs"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls").resolve(TlsFiles.KEY)))).isEqualTo("rw-------");

      // An agent with these files answers the controller (a runner that knows health_check and the version only).
      AgentService service = new AgentService(command -> new CommandResult(command, 0,
          command.argv().contains("health_check") ? "healthy\n" : command.argv().contains("--version") ? "lfs 2.16.1\n" : "", ""),
          Optional.empty());
      try (AgentServer agent = AgentServer.start(new ListenAddress("127.0.0.1", 0), written, service);
          GrpcServerAgents agents = new GrpcServerAgents(controller, 1, Duration.ofSeconds(10))) {
        assertThat(agents.health("lfs", "management-host", "127.0.0.1:" + agent.port()).getHealthCheck()).isEqualTo("healthy");
      }
    }
  }

  @Test
  void refusesAnFsNameLustreWouldNot() {
    assertThat(LustreCsi.execute("agent-certificate", "--fs-name", "much-too-long", "--out", dir.toString())).isEqualTo(2);
  }
}
