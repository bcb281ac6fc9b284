package dev.lustrecsi.sandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageRequest;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.LustreAgentGrpc.LustreAgentBlockingStub;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.tls.CertificateAuthority;
import dev.lustrecsi.common.tls.GrpcTls;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents as they run in the sandbox: real gRPC over real mutual TLS on 127.0.0.1, each agent's
 * commands answered by the simulated Lustre of its own server VM.
 */
class AgentEndToEndTest {
  private static final CertificateAuthority CA = CertificateAuthority.create("lustre-csi sandbox CA", Clock.systemUTC());
  private static final long OST_BYTES = 8L << 30;

  @TempDir Path dir;
  private SimulatedServers servers;
  private final List<AgentServer> agents = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private LustreAgentBlockingStub mds;
  private LustreAgentBlockingStub oss;
  private Path namespace;

  @BeforeEach
  void boot() throws Exception {
    servers = new SimulatedServers(dir.resolve("lustre"), Clock.systemUTC(), Duration.ofMinutes(5));
    servers.addServer("fs1-mgs", "10.1.0.10@tcp");
    servers.addServer("fs1-mds0", "10.1.0.11@tcp");
    servers.addServer("fs1-oss0", "10.1.0.21@tcp");
    servers.format("fs1-mgs", "fs1", TargetKind.MGT, 0, 1L << 30);
    servers.format("fs1-mds0", "fs1", TargetKind.MDT, 0, 4L << 30);
    servers.mount("fs1", TargetKind.MGT, 0);
    servers.mount("fs1", TargetKind.MDT, 0);
    for (int i = 0; i < 3; i++) {
      servers.format("fs1-oss0", "fs1", TargetKind.OST, i, OST_BYTES);
      servers.mount("fs1", TargetKind.OST, i);
    }
    namespace = servers.namespace("fs1");
    mds = agent("fs1-mds0", Optional.of(namespace));
    oss = agent("fs1-oss0", Optional.empty());
  }

  private LustreAgentBlockingStub agent(String server, Optional<Path> clientMount) throws Exception {
    AgentServer agent = AgentServer.start(ListenAddress.parse("127.0.0.1:0"),
        CA.issueServer(server, List.of(server + ".lustre.svc"), List.of("127.0.0.1")),
        new AgentService(new SimulatedLustreCommands(servers, server), clientMount));
    agents.add(agent);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.port())
        .sslContext(GrpcTls.client(CA.issueClient("lustre-csi-controller"))).build();
    channels.add(channel);
    return LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    agents.forEach(AgentServer::close);
  }

  private static EnsureVolumeDirectoryRequest ensure(String directory, int project, long quota) {
    return EnsureVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory(directory)
        .setStripeCount(-1).setStripeSizeBytes(1L << 20).setProjectId(project).setQuotaBytes(quota).build();
  }

  private GetProjectUsageResponse usage(int project) {
    return mds.getProjectUsage(GetProjectUsageRequest.newBuilder().setFsName("fs1").setProjectId(project).build());
  }

  @Test
  void aVolumeFromCreationToDeletion() throws Exception {
    mds.ensureVolumeDirectory(ensure("volumes/pvc-1", 1000, 1L << 30));
    mds.ensureVolumeDirectory(ensure("volumes/pvc-1", 1000, 1L << 30)); // a retry changes nothing
    assertThat(namespace.resolve("volumes/pvc-1")).isDirectory();
    assertThat(usage(1000)).isEqualTo(GetProjectUsageResponse.newBuilder().setLimitBytes(1L << 30).setFiles(1).build());

    // A pod writes: 3 MiB striped over the three OSTs, plus a file in a subdirectory.
    Path volume = namespace.resolve("volumes/pvc-1");
    Files.write(volume.resolve("data"), new byte[3 << 20]);
    Files.createDirectories(volume.resolve("sub"));
    Files.write(volume.resolve("sub/more"), new byte[1 << 20]);
    assertThat(usage(1000).getUsedBytes()).isEqualTo(4L << 20);
    assertThat(usage(1000).getFiles()).isEqualTo(4);
    assertThat(usage(1000).getOverLimit()).isFalse();

    mds.setProjectQuota(SetProjectQuotaRequest.newBuilder().setFsName("fs1").setProjectId(1000).setQuotaBytes(2L << 20).build());
    assertThat(usage(1000).getLimitBytes()).isEqualTo(2L << 20);
    assertThat(usage(1000).getOverLimit()).isTrue();

    DeleteVolumeDirectoryRequest delete = DeleteVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory("volumes/pvc-1").setProjectId(1000).build();
    mds.deleteVolumeDirectory(delete);
    mds.deleteVolumeDirectory(delete); // absent is fine, the quota entry already gone too
    assertThat(namespace.resolve("volumes/pvc-1")).doesNotExist();
    assertThat(usage(1000)).isEqualTo(GetProjectUsageResponse.getDefaultInstance());
  }

  @Test
  void pathsThatEscapeAreRefused() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createDirectories(namespace.resolve("volumes"));
    Files.createSymbolicLink(namespace.resolve("volumes/evil"), outside);
    for (String directory : List.of("../outside", "/etc", "volumes/evil/x", "volumes/evil")) {
      assertThatThrownBy(() -> mds.ensureVolumeDirectory(ensure(directory, 1001, 1 << 20)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith("directory:");
          });
    }
    assertThat(outside).isEmptyDirectory();
  }

  @Test
  void targetUsageAcrossThreeOsts() throws Exception {
    mds.ensureVolumeDirectory(ensure("volumes/pvc-2", 1002, 1L << 30));
    Files.write(namespace.resolve("volumes/pvc-2/f"), new byte[6 << 20]);
    List<TargetUsage> targets = mds.getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName("fs1").build()).getTargetsList();
    assertThat(targets).extracting(TargetUsage::getUuid)
        .containsExactly("fs1-MDT0000_UUID", "fs1-OST0000_UUID", "fs1-OST0001_UUID", "fs1-OST0002_UUID");
    List<TargetUsage> osts = targets.subList(1, 4);
    assertThat(osts).allSatisfy(t -> {
      assertThat(t.getKind()).isEqualTo(Target.Kind.OST);
      assertThat(t.getCapacityBytes()).isEqualTo(OST_BYTES);
      assertThat(t.getUsedBytes()).isEqualTo(2L << 20); // 6 MiB in 1 MiB stripes over all three
      assertThat(t.getAvailableBytes()).isEqualTo(OST_BYTES - (2L << 20));
    });
    assertThat(osts).extracting(TargetUsage::getIndex).containsExactly(0, 1, 2);
  }

  @Test
  void healthWithATargetDownAndRecovering() throws Exception {
    GetHealthResponse healthy = oss.getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(healthy.getHealthCheck()).isEqualTo("healthy");
    assertThat(healthy.getNidsList()).containsExactly("10.1.0.21@tcp");
    assertThat(healthy.getLustreVersion()).isEqualTo("2.16.1");
    assertThat(healthy.getTargetsList()).extracting(Target::getName, Target::getUp, Target::getRecoveryStatus).containsExactly(
        org.assertj.core.groups.Tuple.tuple("fs1-OST0000", true, "INACTIVE"),
        org.assertj.core.groups.Tuple.tuple("fs1-OST0001", true, "INACTIVE"),
        org.assertj.core.groups.Tuple.tuple("fs1-OST0002", true, "INACTIVE"));

    // The OSS VM dies: its agent would be gone with it; what a controller sees of the filesystem meanwhile:
    servers.serverDown("fs1-oss0");
    assertThat(mds.getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName("fs1").build()).getTargetsList().subList(1, 4))
        .allSatisfy(t -> assertThat(t.getInactive()).isTrue());
    GetHealthResponse booting = oss.getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(booting.getHealthCheck()).startsWith("NOT HEALTHY");
    assertThat(booting.getTargetsList()).isEmpty();

    // It boots again and mounts one OST: that target recovers its clients.
    servers.serverUp("fs1-oss0");
    servers.mount("fs1", TargetKind.OST, 1);
    GetHealthResponse recovering = oss.getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(recovering.getHealthCheck()).isEqualTo("healthy");
    assertThat(recovering.getTargetsList()).singleElement().satisfies(t -> {
      assertThat(t.getName()).isEqualTo("fs1-OST0001");
      assertThat(t.getIndex()).isEqualTo(1);
      assertThat(t.getRecoveryStatus()).isEqualTo("RECOVERING");
      assertThat(t.getRecoveryTimeRemainingSeconds()).isBetween(1L, 300L);
    });
    GetHealthResponse mgs = mds.getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(mgs.getTargetsList()).extracting(Target::getName).containsExactly("fs1-MDT0000");
  }

  @Test
  void volumeCallsForAnotherFilesystemAreRefused() {
    assertThatThrownBy(() -> mds.ensureVolumeDirectory(EnsureVolumeDirectoryRequest.newBuilder(ensure("v", 5, 1 << 20)).setFsName("fs2").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThatThrownBy(() -> oss.ensureVolumeDirectory(ensure("v", 5, 1 << 20)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }
}
