package dev.lustrecsi.controller.agent;

import dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.UnmountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.FreezeBarrierRequest;
import dev.lustrecsi.agent.v1.ListTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.agent.v1.ThawBarrierRequest;
import java.util.List;
import dev.lustrecsi.agent.v1.CheckServersRequest;
import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageRequest;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.agent.v1.ReleaseOstRequest;
import dev.lustrecsi.agent.v1.RemoveOstRequest;
import dev.lustrecsi.agent.v1.StopOstCreationRequest;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.common.tls.GrpcTls;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.common.error.CsiException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Agents over gRPC with mutual TLS. One channel per agent address, dropped when the agent is
 * unreachable there: a VM that restarts comes back at a new pod address and gets a new channel. Every call has
 * a deadline, so a hung VM slows one reconcile pass, never blocks the controller. An agent that
 * cannot be reached is {@link AgentUnavailableException}; an agent's answer with an error is a
 * {@link CsiException} with the agent's code and message.
 */
public final class GrpcServerAgents implements ServerAgents, AutoCloseable {
  private final AgentCredentials credentials;
  private final int port;
  private final Duration deadline;
  private final Map<String, Connection> channels = new ConcurrentHashMap<>();

  /** A channel to one agent, and the client certificate it was made with. */
  private record Connection(ManagedChannel channel, TlsMaterial material) {}

  public GrpcServerAgents(AgentCredentials credentials, int port, Duration deadline) {
    this.credentials = credentials;
    this.port = port;
    this.deadline = deadline;
  }

  @Override
  public GetHealthResponse health(String filesystem, String server, String address) throws AgentUnavailableException {
    return call(filesystem, address, "GetHealth", stub -> stub.getHealth(GetHealthRequest.getDefaultInstance()));
  }

  @Override
  public GetTargetUsageResponse targetUsage(String filesystem, String mdsAddress, String fsName) throws AgentUnavailableException {
    return call(filesystem, mdsAddress, "GetTargetUsage", stub -> stub.getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName(fsName).build()));
  }

  @Override
  public void ensureVolumeDirectory(String filesystem, String mdsAddress, EnsureVolumeDirectoryRequest request) throws AgentUnavailableException {
    call(filesystem, mdsAddress, "EnsureVolumeDirectory", stub -> stub.ensureVolumeDirectory(request));
  }

  @Override
  public void setProjectQuota(String filesystem, String mdsAddress, SetProjectQuotaRequest request) throws AgentUnavailableException {
    call(filesystem, mdsAddress, "SetProjectQuota", stub -> stub.setProjectQuota(request));
  }

  @Override
  public void deleteVolumeDirectory(String filesystem, String mdsAddress, DeleteVolumeDirectoryRequest request) throws AgentUnavailableException {
    call(filesystem, mdsAddress, "DeleteVolumeDirectory", stub -> stub.deleteVolumeDirectory(request));
  }

  @Override
  public GetProjectUsageResponse projectUsage(String filesystem, String mdsAddress, GetProjectUsageRequest request) throws AgentUnavailableException {
    return call(filesystem, mdsAddress, "GetProjectUsage", stub -> stub.getProjectUsage(request));
  }

  @Override
  public void freezeBarrier(String filesystem, String mgsAddress, String fsName, int timeoutSeconds) throws AgentUnavailableException {
    call(filesystem, mgsAddress, "FreezeBarrier", stub -> stub.freezeBarrier(
        FreezeBarrierRequest.newBuilder().setFsName(fsName).setTimeoutSeconds(timeoutSeconds).build()));
  }

  @Override
  public String thawBarrier(String filesystem, String mgsAddress, String fsName) throws AgentUnavailableException {
    return call(filesystem, mgsAddress, "ThawBarrier", stub -> stub.thawBarrier(ThawBarrierRequest.newBuilder().setFsName(fsName).build()))
        .getStateBefore();
  }

  @Override
  public List<TargetSnapshot> createTargetSnapshots(String filesystem, String address, String fsName, String name, String snapshotFsName,
      List<String> targets) throws AgentUnavailableException {
    return call(filesystem, address, "CreateTargetSnapshots", stub -> stub.createTargetSnapshots(
        CreateTargetSnapshotsRequest.newBuilder().setFsName(fsName).setSnapshotName(name).setSnapshotFsName(snapshotFsName)
            .addAllTargets(targets).build()))
        .getSnapshotsList();
  }

  @Override
  public List<TargetSnapshot> mountTargetSnapshots(String filesystem, String address, String fsName, String name)
      throws AgentUnavailableException {
    return call(filesystem, address, "MountTargetSnapshots", stub -> stub.mountTargetSnapshots(
        MountTargetSnapshotsRequest.newBuilder().setFsName(fsName).setSnapshotName(name).build())).getMountedList();
  }

  @Override
  public void unmountTargetSnapshots(String filesystem, String address, String fsName, String name) throws AgentUnavailableException {
    call(filesystem, address, "UnmountTargetSnapshots", stub -> stub.unmountTargetSnapshots(
        UnmountTargetSnapshotsRequest.newBuilder().setFsName(fsName).setSnapshotName(name).build()));
  }

  @Override
  public CopySnapshotDirectoryResponse copySnapshotDirectory(String filesystem, String mdsAddress, CopySnapshotDirectoryRequest request)
      throws AgentUnavailableException {
    return call(filesystem, mdsAddress, "CopySnapshotDirectory", stub -> stub.copySnapshotDirectory(request));
  }

  @Override
  public List<TargetSnapshot> destroyTargetSnapshots(String filesystem, String address, String fsName, String name)
      throws AgentUnavailableException {
    return call(filesystem, address, "DestroyTargetSnapshots", stub -> stub.destroyTargetSnapshots(
        DestroyTargetSnapshotsRequest.newBuilder().setFsName(fsName).setSnapshotName(name).build())).getDestroyedList();
  }

  @Override
  public List<TargetSnapshot> listTargetSnapshots(String filesystem, String address, String fsName) throws AgentUnavailableException {
    return call(filesystem, address, "ListTargetSnapshots", stub -> stub.listTargetSnapshots(
        ListTargetSnapshotsRequest.newBuilder().setFsName(fsName).build())).getSnapshotsList();
  }

  @Override
  public void stopOstCreation(String filesystem, String mdsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    call(filesystem, mdsAddress, "StopOstCreation", stub -> stub.stopOstCreation(
        StopOstCreationRequest.newBuilder().setFsName(fsName).setOstIndex(ostIndex).build()));
  }

  @Override
  public MigrateOstFilesResponse migrateOstFiles(String filesystem, String mdsAddress, MigrateOstFilesRequest request)
      throws AgentUnavailableException {
    return call(filesystem, mdsAddress, "MigrateOstFiles", stub -> stub.migrateOstFiles(request));
  }

  @Override
  public boolean removeOst(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    return call(filesystem, mgsAddress, "RemoveOst", stub -> stub.removeOst(
        RemoveOstRequest.newBuilder().setFsName(fsName).setOstIndex(ostIndex).build())).getAlreadyRemoved();
  }

  @Override
  public boolean ostRemoved(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    return call(filesystem, mgsAddress, "RemoveOst", stub -> stub.removeOst(
        RemoveOstRequest.newBuilder().setFsName(fsName).setOstIndex(ostIndex).setCheckOnly(true).build())).getAlreadyRemoved();
  }

  @Override
  public void releaseOst(String filesystem, String ossAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    call(filesystem, ossAddress, "ReleaseOst", stub -> stub.releaseOst(
        ReleaseOstRequest.newBuilder().setFsName(fsName).setOstIndex(ostIndex).build()));
  }

  @Override
  public CheckServersResponse checkServers(String filesystem, String address, String fsName) throws AgentUnavailableException {
    return call(filesystem, address, "CheckServers", stub -> stub.checkServers(CheckServersRequest.newBuilder().setFsName(fsName).build()));
  }

  private interface Call<T> {
    T on(LustreAgentGrpc.LustreAgentBlockingStub stub);
  }

  private <T> T call(String filesystem, String address, String method, Call<T> call) throws AgentUnavailableException {
    String key = filesystem + "@" + address;
    TlsMaterial material = credentials.clientMaterial();
    ManagedChannel channel;
    try {
      // A channel made with a client certificate since reissued is replaced: the old one would be
      // refused by every agent once it ends.
      channel = channels.compute(key, (unused, held) -> {
        if (held != null && held.material().equals(material)) {
          return held;
        }
        if (held != null) {
          held.channel().shutdown();
        }
        return new Connection(open(filesystem, address, material), material);
      }).channel();
    } catch (IllegalStateException e) {
      throw new AgentUnavailableException(method + " at " + address + ": " + e.getMessage(), e);
    }
    try {
      return call.on(LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      if (!unreachable(status.getCode())) {
        // The agent answered: its verdict (a refused argument, a missing directory, a failed
        // command) reaches the CSI caller with its code and message, never as "retry later".
        throw CsiException.withCode(status.getCode(), status.getDescription() == null
            ? method + " at " + address + " failed with " + status.getCode() : status.getDescription());
      }
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        // A VM that restarted has a new address; its old one may never answer again.
        channels.computeIfPresent(key, (unused, held) -> held.channel() == channel ? null : held);
        channel.shutdownNow();
      }
      throw new AgentUnavailableException(method + " at " + dialled(address) + ": " + status.getCode()
          + (status.getDescription() == null ? "" : " " + status.getDescription()), e);
    }
  }

  /**
   * Whether a status says the agent could not be asked, or did not answer in time: worth asking
   * again (perhaps at another address), unlike an answer. The agent itself answers UNAVAILABLE for
   * a command that timed out or a filesystem not mounted yet, which is just as worth a retry.
   */
  static boolean unreachable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED;
  }

  /**
   * HOST:PORT of an agent: a VM's pod address takes the agents' port; an external filesystem's
   * management host is given with its own port ("host:9443", "[fd00::1]:9443"). A bare IPv6 pod
   * address has colons but no brackets, and takes the agents' port too.
   */
  static java.net.InetSocketAddress target(String address, int defaultPort) {
    java.util.regex.Matcher m = HOST_PORT.matcher(address);
    if (m.matches()) {
      String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
      return java.net.InetSocketAddress.createUnresolved(host, Integer.parseInt(m.group(2)));
    }
    return java.net.InetSocketAddress.createUnresolved(address, defaultPort);
  }

  private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("(\\[[^\\]]+\\]|[^:\\[\\]]+):([0-9]{1,5})");

  private String dialled(String address) {
    java.net.InetSocketAddress target = target(address, port);
    return target.getHostString() + ":" + target.getPort();
  }

  private ManagedChannel open(String filesystem, String address, TlsMaterial material) {
    java.net.InetSocketAddress target = target(address, port);
    try {
      return NettyChannelBuilder.forAddress(target.getHostString(), target.getPort())
          .sslContext(GrpcTls.client(material))
          .overrideAuthority(AgentCredentials.authority(filesystem))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    channels.values().forEach(held -> held.channel().shutdownNow());
    channels.clear();
  }
}
