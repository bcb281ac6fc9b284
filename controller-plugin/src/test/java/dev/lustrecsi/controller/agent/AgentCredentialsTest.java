package dev.lustrecsi.controller.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.tls.Pem;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.MovingClock;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The certificates of the channel to the server agents outlast the year a controller or a filesystem may run. */
class AgentCredentialsTest {
  private static final String NAMESPACE = "lustre-csi";
  private final EmbeddedApiServer api = EmbeddedApiServer.start(NAMESPACE);

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void theControllersCertificateIsReissuedBeforeItEndsAndTheAgentsLastsAsLongAsTheCa() {
    MovingClock clock = new MovingClock();
    AgentCredentials credentials = new AgentCredentials(api.client(), NAMESPACE, clock);
    TlsMaterial first = credentials.clientMaterial();
    clock.advance(Duration.ofDays(100));
    assertThat(credentials.clientMaterial()).as("a hundred days on").isSameAs(first);
    clock.advance(Duration.ofDays(150));
    TlsMaterial renewed = credentials.clientMaterial();
    assertThat(renewed).as("250 days on, a third of its life left").isNotEqualTo(first);
    assertThat(Pem.certificate(renewed.certPem()).getNotAfter().toInstant()).isAfter(Pem.certificate(first.certPem()).getNotAfter().toInstant());

    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(NAMESPACE).build());
    filesystem.setSpec(new LustreFilesystemSpec("fs1", "img", null, null, "10Gi", 1, 1, 4, 1.0, null, 2, "4Gi", java.util.List.of("tcp"),
        null, null));
    filesystem = api.client().resources(LustreFilesystem.class).resource(filesystem).create();
    credentials.ensureServerSecret(filesystem);
    String pem = new String(Base64.getDecoder().decode(api.client().secrets().inNamespace(NAMESPACE).withName("fs1-agent-tls").get()
        .getData().get("tls.crt")));
    X509Certificate agent = Pem.certificate(pem);
    X509Certificate ca = Pem.certificate(renewed.caPem());
    assertThat(agent.getNotAfter()).as("read once by an agent at boot").isEqualTo(ca.getNotAfter());
  }
}
