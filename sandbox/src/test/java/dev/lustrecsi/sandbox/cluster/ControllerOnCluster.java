package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.sandbox.co.CoRetry;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The controller plugin as a cluster runs it, for tests: its CSI socket over the production path
 * on a simulated cluster (API server, KubeVirt, server VMs with real agents on simulated Lustre
 * commands), and a way to kill and restart it as a pod would be.
 */
final class ControllerOnCluster implements AutoCloseable {
  final SimulatedCluster cluster;
  private final Path dir;
  private CsiServer server;
  private UnixSockets.Client socket;
  private int restarts;

  ControllerOnCluster(Path dir) throws IOException {
    this(dir, Duration.ofSeconds(1));
  }

  /** {@code reconcileInterval}: how far apart the controller's periodic passes are. */
  ControllerOnCluster(Path dir, Duration reconcileInterval) throws IOException {
    this(dir, reconcileInterval, SimulatedCluster.RECOVERY_WINDOW);
  }

  /** {@code recoveryWindow}: how long a restarted target stays in Lustre recovery. */
  ControllerOnCluster(Path dir, Duration reconcileInterval, Duration recoveryWindow) throws IOException {
    this(dir, reconcileInterval, recoveryWindow, dev.lustrecsi.controller.cluster.ClusterBackend.Settings.ABANDONED_AFTER);
  }

  /** {@code abandonedAfter}: how long a volume being made may go without a CreateVolume before the controller withdraws it. */
  ControllerOnCluster(Path dir, Duration reconcileInterval, Duration recoveryWindow, Duration abandonedAfter) throws IOException {
    this.dir = dir;
    cluster = SimulatedCluster.start(dir.resolve("cluster"), Sandbox.freePort(), reconcileInterval, recoveryWindow, abandonedAfter);
    serve();
  }

  private void serve() {
    server = ControllerPlugin.start(Endpoint.of(dir.resolve("controller-" + restarts + ".sock")), cluster.controller());
    socket = UnixSockets.connect(server.endpoint());
  }

  /** The controller dies (its socket, its backend, everything in memory) and a new one starts on a new API client. */
  void restart(Consumer<KubernetesClientBuilder> clientSettings) {
    socket.close();
    server.close();
    restarts++;
    cluster.restartController(clientSettings);
    serve();
  }

  void restart() {
    restart(b -> {});
  }

  /**
   * The crash tests' run: the controller restarted with {@code killer} counting its API writes
   * (and, through {@code serverCommands}, whichever server commands a test counts as steps), then
   * the CO's {@code steps}, each made by {@code make}. The step the controller dies in goes to
   * {@code recover} on a new controller, with nothing carried over in memory, as a CO retries the
   * call it was making, or gives it up. Returns whether the controller was killed (once at most).
   */
  <S> boolean runKilledOnce(ControllerKiller killer, BiConsumer<String, List<String>> serverCommands, List<S> steps, Consumer<S> make,
      Consumer<S> recover) {
    restart(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("kill", killer)));
    cluster.servers().onCommand(serverCommands);
    boolean killed = false;
    try {
      for (S step : steps) {
        try {
          make.accept(step);
        } catch (RuntimeException e) {
          assertThat(killer.isDead()).as("a step failed without a kill: %s", e).isTrue();
          assertThat(killed).as("killed once only").isFalse();
          killed = true;
          cluster.servers().onCommand(null);
          restart();
          recover.accept(step);
        }
      }
    } finally {
      cluster.servers().onCommand(null);
    }
    return killed;
  }

  /** The same for a scenario of CO calls on this controller, each retried after the kill; no server command counts. */
  boolean runKilledOnce(ControllerKiller killer, List<Consumer<ControllerOnCluster>> scenario) {
    return runKilledOnce(killer, null, scenario, step -> step.accept(this), step -> step.accept(this));
  }

  /** Another replica of the controller on this cluster, serving a CSI socket of its own, as the chart's second pod does. */
  Replica replica(String identity) {
    dev.lustrecsi.controller.cluster.ClusterBackend backend = cluster.startReplica(identity);
    CsiServer replicaServer = ControllerPlugin.start(Endpoint.of(dir.resolve(identity + ".sock")), backend);
    return new Replica(replicaServer, UnixSockets.connect(replicaServer.endpoint()), backend);
  }

  /** A second controller pod: its CSI socket and everything behind it. */
  record Replica(CsiServer server, UnixSockets.Client socket, dev.lustrecsi.controller.cluster.ClusterBackend backend)
      implements AutoCloseable {
    ControllerGrpc.ControllerBlockingStub csi() {
      return ControllerGrpc.newBlockingStub(socket.channel());
    }

    @Override
    public void close() {
      socket.close();
      server.close();
      backend.close();
    }
  }

  /** The controller socket's channel, for services other than Controller (GroupController). */
  io.grpc.Channel channel() {
    return socket.channel();
  }

  ControllerGrpc.ControllerBlockingStub csi() {
    return ControllerGrpc.newBlockingStub(socket.channel());
  }

  static VolumeCapability mount() {
    return VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
  }

  static CreateVolumeRequest request(String name, long bytes, Map<String, String> parameters) {
    return CreateVolumeRequest.newBuilder().setName(name).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
        .addVolumeCapabilities(mount()).putAllParameters(parameters).build();
  }

  /** CreateVolume as the external-provisioner makes it: retried while UNAVAILABLE or ABORTED. */
  Volume create(String name, long bytes, Map<String, String> parameters) {
    return asCo(() -> csi().createVolume(request(name, bytes, parameters))).getVolume();
  }

  <T> T asCo(Supplier<T> call) {
    return CoRetry.DEFAULT.call(call);
  }

  /** The code a call ends with once a CO's retries are done: OK, or the status it failed with. */
  Status.Code codeOf(Runnable call) {
    return codeOf(call, CoRetry.DEFAULT);
  }

  /** Likewise, for a CO that retries as {@code co} says. */
  Status.Code codeOf(Runnable call, CoRetry co) {
    try {
      co.call(() -> {
        call.run();
        return null;
      });
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  LustreFilesystem filesystem(String fsName) {
    return cluster.client().resources(LustreFilesystem.class).withName(ResourceNames.of(fsName).filesystem()).get();
  }

  List<LustreVolume> records() {
    return cluster.client().resources(LustreVolume.class).list().getItems();
  }

  @Override
  public void close() {
    socket.close();
    server.close();
    cluster.close();
  }
}
