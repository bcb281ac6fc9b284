package dev.lustrecsi.sandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.agent.GrpcServerAgents;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's line to an agent, as production runs it: {@link GrpcServerAgents} with the
 * installation's certificates, a real agent over mutual TLS on the simulated Lustre commands.
 * What the agent answers keeps its code on the way back; only an agent that cannot be reached is
 * "unavailable, retry later".
 */
class AgentHopTest {
  private static final String NAMESPACE = "lustre-csi";

  @TempDir Path dir;
  private EmbeddedApiServer api;
  private AgentServer agent;
  private GrpcServerAgents agents;
  private int port;

  @BeforeEach
  void start() throws Exception {
    api = EmbeddedApiServer.start(NAMESPACE);
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(NAMESPACE).withUid("uid-fs1").build());
    filesystem.setSpec(new LustreFilesystemSpec("fs1", "image", null, null, "10Gi", 1, 1, 4, null, null, 2, null, List.of("tcp"), null, null));
    AgentCredentials credentials = new AgentCredentials(api.client(), NAMESPACE, Clock.systemUTC());
    credentials.ensureServerSecret(filesystem);
    Secret secret = api.client().secrets().inNamespace(NAMESPACE).withName(ResourceNames.of("fs1").agentTlsSecret()).get();

    SimulatedServers servers = new SimulatedServers(dir.resolve("lustre"), Clock.systemUTC(), Duration.ofMinutes(5));
    servers.addServer("fs1-mds0", "10.1.0.11@tcp");
    servers.format("fs1-mds0", "fs1", TargetKind.MDT, 0, 4L << 30);
    servers.mount("fs1", TargetKind.MDT, 0);
    port = Sandbox.freePort();
    agent = AgentServer.start(ListenAddress.parse("127.0.0.1:" + port),
        new TlsMaterial(decode(secret, TlsFiles.CA), decode(secret, TlsFiles.CERT), decode(secret, TlsFiles.KEY)),
        new AgentService(new SimulatedLustreCommands(servers, "fs1-mds0"), Optional.of(servers.namespace("fs1"))));
    agents = new GrpcServerAgents(credentials, port, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    agents.close();
    if (agent != null) {
      agent.close();
    }
    api.close();
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static EnsureVolumeDirectoryRequest.Builder ensure(String directory) {
    return EnsureVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory(directory).setProjectId(1000).setQuotaBytes(1L << 30);
  }

  @Test
  void theAgentsAnswerKeepsItsCodeAndMessage() throws Exception {
    agents.ensureVolumeDirectory("fs1", "127.0.0.1", ensure("pvc-1").build());

    assertThatThrownBy(() -> agents.ensureVolumeDirectory("fs1", "127.0.0.1", ensure("../escape").build()))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("directory: ");
        });
    assertThatThrownBy(() -> agents.ensureVolumeDirectory("fs1", "127.0.0.1", ensure("pvc-2").setFsName("fs2").build()))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("holds filesystem fs1, not fs2");
        });
    assertThatThrownBy(() -> agents.projectUsage("fs1", "127.0.0.1", GetProjectUsageRequest.newBuilder().setFsName("fs1").build()))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    agents.deleteVolumeDirectory("fs1", "127.0.0.1",
        DeleteVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory("pvc-1").setProjectId(1000).build());
  }

  @Test
  void onlyAnAgentThatCannotBeReachedIsUnavailable() {
    agent.close();
    agent = null;
    assertThatThrownBy(() -> agents.ensureVolumeDirectory("fs1", "127.0.0.1", ensure("pvc-1").build()))
        .isInstanceOf(AgentUnavailableException.class)
        .hasMessageContaining("EnsureVolumeDirectory at 127.0.0.1:" + port + ": UNAVAILABLE");
  }
}
