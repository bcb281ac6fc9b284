package dev.lustrecsi.node.csi;

import static dev.lustrecsi.node.csi.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.NodeGetInfoRequest;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodeGetVolumeStatsResponse;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.node.health.MountHealth;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.mount.LustreSource;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.rdma.NodeNetworks;
import dev.lustrecsi.node.rdma.SysfsNetworkScanner;
import dev.lustrecsi.node.stats.StatsProbe;
import dev.lustrecsi.node.stats.Statvfs;
import dev.lustrecsi.node.stats.VolumeStats;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import dev.lustrecsi.node.topology.NodeNetworking;
import io.grpc.Status;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Node service with real bind mounts (the tests run as root). A directory stands in for the
 * Lustre filesystem; the Lustre client is the one edge replaced: it checks the mount source is in
 * mount.lustre's syntax, records it, and binds the directory.
 */
class NodeServiceTest {
  static final Pattern MOUNT_SOURCE = Pattern.compile("[0-9.]+@[a-z0-9]+(,[0-9.]+@[a-z0-9]+)*(:[0-9.]+@[a-z0-9]+(,[0-9.]+@[a-z0-9]+)*)*:/[A-Za-z0-9_-]{1,8}");
  static final String TCP_NIDS = "10.1.0.10@tcp,10.1.0.11@tcp:10.1.0.12@tcp";
  static final String O2IB_NIDS = "10.2.0.10@o2ib:10.2.0.12@o2ib";

  @TempDir Path dir;
  Path server;
  Path kubelet;
  final ProcessCommandRunner runner = new ProcessCommandRunner();
  /** Sees each command the plugin runs before it runs; a test sets it to fail one or to act in between. */
  final AtomicReference<Consumer<Command>> beforeCommand = new AtomicReference<>(command -> {});
  final Mounter mounter = new Mounter(command -> {
    beforeCommand.get().accept(command);
    return runner.run(command);
  });
  final MountTable table = MountTable.ofThisProcess();
  final List<String> mountedSources = new CopyOnWriteArrayList<>();
  String clientUnavailable;
  /** What statfs of a volume answers: the real one unless a test says otherwise. */
  VolumeStatsSource volumeStats = new Statvfs();
  /** The directory "mounting Lustre" binds: by default one per filesystem name. */
  Function<LustreSource, Path> serverOf = source -> dir.resolve("servers").resolve(source.fsName());
  String mountError;
  FilesystemMounts filesystems;

  final LustreClient client = new LustreClient() {
    @Override
    public void mount(LustreSource source, Path mountPoint, List<String> options) throws CommandFailedException {
      String text = source.mountSource();
      assertThat(text).matches(MOUNT_SOURCE);
      if (mountError != null) {
        Command command = Command.of("mount", "-t", "lustre", text, mountPoint.toString());
        throw new CommandFailedException(new CommandResult(command, 2, "", mountError));
      }
      mountedSources.add(text);
      mounter.bind(serverOf.apply(source), mountPoint, List.of());
    }

    @Override
    public String unavailableReason() {
      return clientUnavailable;
    }
  };

  @BeforeEach
  void setUp() throws Exception {
    // One directory per filesystem: separate filesystems are separate mount sources, as on Lustre.
    server = Files.createDirectories(dir.resolve("servers/fs1"));
    Files.createDirectories(server.resolve("pvc-a"));
    Files.createDirectories(server.resolve("pvc-b"));
    Files.createDirectories(dir.resolve("servers/fs2/pvc-b"));
    Files.createDirectories(dir.resolve("servers/lab/shared/data"));
    kubelet = Files.createDirectories(dir.resolve("kubelet"));
    filesystems = new FilesystemMounts(dir.resolve("mounts"), table, client, mounter);
  }

  @AfterEach
  void unmountEverything() throws Exception {
    beforeCommand.set(command -> {});
    List<MountEntry> left = table.entries().stream().filter(m -> m.mountPoint().startsWith(dir))
        .sorted(Comparator.comparingInt(MountEntry::id).reversed()).toList();
    for (MountEntry m : left) {
      runner.run(Command.of("umount", "-l", m.mountPoint().toString()));
    }
  }

  static NodeNetworks fixture(String name) {
    try {
      Path tree = Path.of(NodeServiceTest.class.getResource("/sysfs/" + name).toURI());
      return new SysfsNetworkScanner(tree.resolve("sys"), tree.resolve("proc")).scan();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  NodeService node(String sysfsFixture) {
    return node(sysfsFixture, new MountHealth(filesystems, new StatsProbe(new Statvfs(), Duration.ofSeconds(2)), Duration.ofMinutes(1)));
  }

  NodeService node(String sysfsFixture, MountHealth health) {
    NodeNetworks networks = fixture(sysfsFixture);
    NodeNetworking networking = new NodeNetworking(() -> networks, Optional.empty(), Duration.ofMinutes(1)).start();
    return new NodeService("node-1", new PathPolicy(List.of(kubelet), dir.resolve("mounts")), filesystems, table, mounter,
        new StatsProbe(volumeStats, Duration.ofSeconds(2)), networking, health);
  }

  static VolumeCapability capability(String... flags) {
    return VolumeCapability.newBuilder()
        .setMount(VolumeCapability.MountVolume.newBuilder().addAllMountFlags(List.of(flags)))
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
        .build();
  }

  NodeStageVolumeRequest stage(String volumeId, String name, Map<String, String> context, String... flags) {
    return NodeStageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(kubelet.resolve("staging-" + name).toString())
        .setVolumeCapability(capability(flags)).putAllVolumeContext(context).build();
  }

  NodePublishVolumeRequest publish(String volumeId, String name) {
    return NodePublishVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(kubelet.resolve("staging-" + name).toString())
        .setTargetPath(kubelet.resolve("pod-" + name).toString()).setVolumeCapability(capability()).build();
  }

  NodeUnpublishVolumeRequest unpublish(String volumeId, String name) {
    return NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId).setTargetPath(kubelet.resolve("pod-" + name).toString()).build();
  }

  NodeUnstageVolumeRequest unstage(String volumeId, String name) {
    return NodeUnstageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(kubelet.resolve("staging-" + name).toString()).build();
  }

  static void assertStatus(Runnable call, Status.Code code, String... messageParts) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(CsiException.class, e -> {
      assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
      for (String part : messageParts) {
        assertThat(e.getMessage()).contains(part);
      }
    });
  }

  @Test
  void stagesPublishesAndUnstagesOverTcpWithFailoverNids() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "fsName", "fs1")));
    assertThat(mountedSources).containsExactly("10.1.0.10@tcp,10.1.0.11@tcp:10.1.0.12@tcp:/fs1");
    call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));
    Files.writeString(kubelet.resolve("pod-a/hello"), "from the pod");
    assertThat(server.resolve("pvc-a/hello")).hasContent("from the pod");

    call(node::nodeUnpublishVolume, unpublish("fs1/pvc-a", "a"));
    call(node::nodeUnstageVolume, unstage("fs1/pvc-a", "a"));
    assertThat(table.at(filesystems.mountPoint("fs1"))).as("no volume uses fs1 any more").isEmpty();
  }

  @Test
  void unstagingOneVolumeLeavesTheFilesystemForAnotherThatIsPublished() throws Exception {
    NodeService node = node("no-rdma");
    Map<String, String> context = Map.of("mgsNids", TCP_NIDS);
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", context));
    call(node::nodeStageVolume, stage("fs1/pvc-b", "b", context));
    call(node::nodePublishVolume, publish("fs1/pvc-b", "b"));
    assertThat(mountedSources).as("one Lustre mount per filesystem").hasSize(1);

    call(node::nodeUnstageVolume, unstage("fs1/pvc-a", "a"));
    assertThat(table.at(filesystems.mountPoint("fs1"))).isPresent();
    Files.writeString(kubelet.resolve("pod-b/still"), "works");
    assertThat(server.resolve("pvc-b/still")).hasContent("works");
    call(node::nodeUnpublishVolume, unpublish("fs1/pvc-b", "b"));
    call(node::nodeUnstageVolume, unstage("fs1/pvc-b", "b"));
    assertThat(table.at(filesystems.mountPoint("fs1"))).isEmpty();
  }

  /** A PV with mountOptions [ro]: kubelet sends the flag with stage and with publish, and retries either. */
  @Test
  void publishingAgainWithTheRoMountFlagIsOk() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));
    NodePublishVolumeRequest readOnly = publish("fs1/pvc-a", "a").toBuilder().setVolumeCapability(capability("ro")).build();
    call(node::nodePublishVolume, readOnly);
    call(node::nodePublishVolume, readOnly);
    assertThat(table.at(kubelet.resolve("pod-a")).orElseThrow().readOnly()).isTrue();
    assertStatus(() -> call(node::nodePublishVolume, publish("fs1/pvc-a", "a")), Status.Code.ALREADY_EXISTS, "already published", "read-only");
  }

  /** The plugin dies (here: the runner throws) at the remount that applies a bind's options, after "mount --bind" made it. */
  void dieAtTheNextRemount() {
    beforeCommand.set(command -> {
      if (command.argv().size() > 2 && command.argv().get(2).startsWith("remount,bind")) {
        beforeCommand.set(next -> {});
        throw new IllegalStateException("plugin killed");
      }
    });
  }

  @Test
  void aStageStoppedBeforeItsReadOnlyRemountIsFinishedByTheRetry() throws Exception {
    NodeService node = node("no-rdma");
    dieAtTheNextRemount();
    assertThatThrownBy(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"))).hasMessageContaining("killed");
    assertThat(table.at(kubelet.resolve("staging-a")).orElseThrow().readOnly()).as("left bound, writable").isFalse();

    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));
    assertThat(table.at(kubelet.resolve("staging-a")).orElseThrow().readOnly()).isTrue();
    assertThatThrownBy(() -> Files.writeString(kubelet.resolve("staging-a/x"), "must fail")).isInstanceOf(java.io.IOException.class);
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));
  }

  @Test
  void aPublishStoppedBeforeItsRemountGetsItsOptionsFromTheRetry() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    NodePublishVolumeRequest hardened = publish("fs1/pvc-a", "a").toBuilder().setVolumeCapability(capability("noexec", "nosuid")).build();
    dieAtTheNextRemount();
    assertThatThrownBy(() -> call(node::nodePublishVolume, hardened)).hasMessageContaining("killed");
    assertThat(table.at(kubelet.resolve("pod-a")).orElseThrow().options()).doesNotContain("noexec");

    call(node::nodePublishVolume, hardened);
    assertThat(table.at(kubelet.resolve("pod-a")).orElseThrow().options()).contains("noexec").contains("nosuid");
    assertThat(table.entries().stream().filter(m -> m.mountPoint().equals(kubelet.resolve("pod-a")))).as("remounted, not bound again").hasSize(1);
  }

  @Test
  void aReadOnlyStagingAskedToBeWritableIsAlreadyExists() {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.ALREADY_EXISTS, "already staged read-only");
    assertThat(table.at(kubelet.resolve("staging-a")).orElseThrow().readOnly()).isTrue();
  }

  /**
   * A writable publish from a read-only staging: "mount --bind" inherits ro, and the
   * "remount,bind,noexec" that follows would have dropped it, leaving the pod a writable view of a
   * volume staged read-only. Refused, without options as with them; read-only is published.
   */
  @Test
  void aWritablePublishOfAVolumeStagedReadOnlyIsRefused() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS), "ro"));

    assertStatus(() -> call(node::nodePublishVolume, publish("fs1/pvc-a", "a").toBuilder().setVolumeCapability(capability("noexec")).build()),
        Status.Code.FAILED_PRECONDITION, "is staged read-only", "asks for it writable");
    assertStatus(() -> call(node::nodePublishVolume, publish("fs1/pvc-a", "a")), Status.Code.FAILED_PRECONDITION, "is staged read-only");
    assertThat(table.at(kubelet.resolve("pod-a"))).isEmpty();

    call(node::nodePublishVolume, publish("fs1/pvc-a", "a").toBuilder().setVolumeCapability(capability("noexec")).setReadonly(true).build());
    MountEntry published = table.at(kubelet.resolve("pod-a")).orElseThrow();
    assertThat(published.readOnly()).isTrue();
    assertThat(published.options()).contains("noexec");
    assertThatThrownBy(() -> Files.writeString(kubelet.resolve("pod-a/x"), "must fail")).isInstanceOf(java.io.IOException.class);
  }

  /** Publish checks that the staging path holds the volume, then binds it: an unstage in between must not make it bind the bare directory. */
  @Test
  void anUnstageOfTheVolumeWhilePublishBindsItIsAborted() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    String staging = kubelet.resolve("staging-a").toString();
    String target = kubelet.resolve("pod-a").toString();
    AtomicReference<Throwable> unstage = new AtomicReference<>();
    beforeCommand.set(command -> {
      if (command.argv().equals(List.of("mount", "--bind", staging, target))) {
        beforeCommand.set(next -> {});
        // Kubelet's unstage of the same volume arrives now, on another gRPC thread.
        try {
          call(node::nodeUnstageVolume, unstage("fs1/pvc-a", "a"));
        } catch (RuntimeException e) {
          unstage.set(e);
        }
      }
    });
    call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));

    assertThat(unstage.get()).isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
    Files.writeString(kubelet.resolve("pod-a/written-by-pod"), "x");
    assertThat(server.resolve("pvc-a/written-by-pod")).as("the pod's write reached the volume, not the node's disk").exists();
  }

  @Test
  void twoVolumesStagedOntoOnePathAtOnceNeverStackTheirMounts() throws Exception {
    NodeService node = node("no-rdma");
    String staging = kubelet.resolve("staging-a").toString();
    AtomicReference<Throwable> other = new AtomicReference<>();
    beforeCommand.set(command -> {
      if (command.argv().size() == 4 && command.argv().get(1).equals("--bind") && command.argv().get(3).equals(staging)) {
        beforeCommand.set(next -> {});
        // A stage of a volume of another filesystem onto the same path arrives while the first one's bind runs.
        try {
          call(node::nodeStageVolume, stage("fs2/pvc-b", "a", Map.of("mgsNids", TCP_NIDS)));
        } catch (RuntimeException e) {
          other.set(e);
        }
      }
    });
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));

    assertThat(other.get()).isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
    assertThat(table.entries().stream().filter(m -> m.mountPoint().toString().equals(staging)))
        .as("one mount at the staging path").hasSize(1);
  }

  @Test
  void publishesOfOneVolumeToTwoPodsAtOnceBothSucceed() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    String target = kubelet.resolve("pod-a").toString();
    NodePublishVolumeRequest secondPod = publish("fs1/pvc-a", "a").toBuilder().setTargetPath(kubelet.resolve("pod-b").toString()).build();
    AtomicReference<Throwable> second = new AtomicReference<>();
    beforeCommand.set(command -> {
      if (command.argv().size() == 4 && command.argv().get(1).equals("--bind") && command.argv().get(3).equals(target)) {
        beforeCommand.set(next -> {});
        // The second pod's publish arrives while the first one's bind runs, on another gRPC thread.
        try {
          call(node::nodePublishVolume, secondPod);
        } catch (RuntimeException e) {
          second.set(e);
        }
      }
    });
    call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));

    assertThat(second.get()).as("the second pod's publish").isNull();
    Files.writeString(kubelet.resolve("pod-b/written-by-second-pod"), "x");
    assertThat(kubelet.resolve("pod-a/written-by-second-pod")).as("both pods see the volume").exists();
  }

  /** A filesystem server's stand-in: a tmpfs whose mount source reads like mount.lustre's, as a bind of it keeps. */
  Path lustreServer(String name, String source) throws Exception {
    Path server = Files.createDirectories(dir.resolve("sites").resolve(name));
    runner.runChecked(Command.of("mount", "-t", "tmpfs", "-o", "size=1m", source, server.toString()));
    runner.runChecked(Command.of("mount", "--make-private", server.toString()));
    return server;
  }

  /** Two sites, each with a filesystem named lab: static volumes of both must never show each other's data. */
  @Test
  void aVolumeOfAnotherFilesystemWithTheSameNameIsRefusedWhileTheFirstIsMounted() throws Exception {
    Path siteA = lustreServer("a", "10.1.0.10@tcp:/lab");
    Path siteB = lustreServer("b", "10.9.0.10@tcp:/lab");
    Files.writeString(Files.createDirectories(siteA.resolve("data")).resolve("owner"), "site A");
    Files.writeString(Files.createDirectories(siteB.resolve("data")).resolve("owner"), "site B");
    serverOf = source -> source.mgsNodes().getFirst().startsWith("10.9.") ? siteB : siteA;
    Map<String, String> atA = Map.of("mgsNids", "10.1.0.10@tcp", "fsName", "lab", "subdir", "data");
    Map<String, String> atB = Map.of("mgsNids", "10.9.0.10@tcp", "fsName", "lab", "subdir", "data");
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("static:site-a", "a", atA));
    assertThat(kubelet.resolve("staging-a/owner")).hasContent("site A");

    assertStatus(() -> call(node::nodeStageVolume, stage("static:site-b", "b", atB)), Status.Code.FAILED_PRECONDITION,
        "volume_context.mgsNids of volume static:site-b (10.9.0.10@tcp)", "mounted from on this node (10.1.0.10@tcp:/lab at ");
    assertThat(table.at(kubelet.resolve("staging-b"))).isEmpty();
    assertStatus(() -> call(node::nodeStageVolume, stage("static:site-b", "b", Map.of("fsName", "lab"))), Status.Code.INVALID_ARGUMENT,
        "volume_context.mgsNids: is required");
    // Over tcp asked for, with only o2ib NIDs given: the field named, not an internal error.
    assertStatus(() -> call(node::nodeStageVolume, stage("static:site-b", "b", Map.of("fsName", "lab", "mgsNidsO2ib", "10.9.1.10@o2ib",
        "lnet", "tcp"))), Status.Code.INVALID_ARGUMENT, "volume_context.mgsNids: is required when lnet is tcp");

    // A restarted plugin adopts site A's mount; a volume naming A's servers in another order (failover first) shares it.
    filesystems = new FilesystemMounts(dir.resolve("mounts"), table, client, mounter);
    assertThat(dev.lustrecsi.node.mount.Adoption.run(filesystems).adopted()).containsExactly("lab");
    NodeService restarted = node("no-rdma");
    call(restarted::nodeStageVolume, stage("static:site-a-too", "a2", Map.of("mgsNids", "10.1.0.11@tcp:10.1.0.10@tcp", "fsName", "lab")));
    assertThat(kubelet.resolve("staging-a2/data/owner")).hasContent("site A");

    // Once site A's volumes are unstaged here, site B's filesystem is mounted in its place.
    call(restarted::nodeUnstageVolume, unstage("static:site-a", "a"));
    call(restarted::nodeUnstageVolume, unstage("static:site-a-too", "a2"));
    call(restarted::nodeStageVolume, stage("static:site-b", "b", atB));
    assertThat(kubelet.resolve("staging-b/owner")).hasContent("site B");
  }

  @Test
  void theMountSourcesNidsAreReadAsLustreWritesThem() {
    assertThat(SameFilesystem.nids("10.1.0.10@tcp,10.1.0.11@tcp:10.1.0.12@tcp0:/fs1")).containsExactly("10.1.0.10@tcp", "10.1.0.11@tcp", "10.1.0.12@tcp");
    assertThat(SameFilesystem.nids("10.2.0.10@o2ib1:/fs1/sub")).containsExactly("10.2.0.10@o2ib1");
    assertThat(SameFilesystem.nids("/dev/vda")).isEmpty();
    assertThat(SameFilesystem.nids("tmpfs")).isEmpty();
  }

  @Test
  void aFilesystemMountedOverTcpServesAVolumeThatAlsoOffersO2ib() throws Exception {
    String mountinfo = Files.readString(Path.of(NodeServiceTest.class.getResource("/lustre-outputs/mountinfo_subdir_and_bind.txt").toURI()));
    MountEntry overTcp = MountTable.parse(mountinfo).stream().filter(m -> m.mountPoint().equals(Path.of("/mnt/lfs"))).findFirst().orElseThrow();
    SameFilesystem.require(overTcp, VolumeLocation.resolve("lfs/pvc-a", Map.of("mgsNids", "10.99.0.1@tcp", "mgsNidsO2ib", "10.99.1.1@o2ib")));
    assertStatus(() -> SameFilesystem.require(overTcp, VolumeLocation.resolve("lfs/pvc-a", Map.of("mgsNidsO2ib", "10.98.1.1@o2ib"))),
        Status.Code.FAILED_PRECONDITION, "volume_context.mgsNidsO2ib of volume lfs/pvc-a (10.98.1.1@o2ib)", "10.99.0.1@tcp:/lfs");
  }

  /** Were a volume staged at MOUNT_ROOT/fs2, it would pass for filesystem fs2's mount and be bound out as fs2's volumes. */
  @Test
  void aStagingPathInThePluginsMountRootIsInvalidArgument() throws Exception {
    Files.writeString(Files.createDirectories(server.resolve("pvc-a/pvc-b")).resolve("secret"), "fs1/pvc-a's data");
    NodeNetworks networks = fixture("no-rdma");
    // The chart's layout: the mount root lies inside an allowed root.
    NodeService node = new NodeService("node-1", new PathPolicy(List.of(dir), dir.resolve("mounts")), filesystems, table, mounter,
        new StatsProbe(new Statvfs(), Duration.ofSeconds(2)), new NodeNetworking(() -> networks, Optional.empty(), Duration.ofMinutes(1)).start(),
        new MountHealth(filesystems, new StatsProbe(new Statvfs(), Duration.ofSeconds(2)), Duration.ofMinutes(1)));
    for (String path : List.of("mounts/fs2", "mounts", "mounts/fs2/x")) {
      assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)).toBuilder()
          .setStagingTargetPath(dir.resolve(path).toString()).build()), Status.Code.INVALID_ARGUMENT, "staging_target_path", "mount root");
    }
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)).toBuilder()
        .setStagingTargetPath(dir.toString() + "/kubelet/../mounts/fs2").build()), Status.Code.INVALID_ARGUMENT, "staging_target_path");
    call(node::nodeStageVolume, stage("fs2/pvc-b", "b", Map.of("mgsNids", TCP_NIDS)));
    assertThat(kubelet.resolve("staging-b/secret")).as("fs2's volume shows fs2's directory").doesNotExist();
    assertStatus(() -> call(node::nodePublishVolume, publish("fs2/pvc-b", "b").toBuilder().setTargetPath(dir.resolve("mounts/fs1").toString()).build()),
        Status.Code.INVALID_ARGUMENT, "target_path", "mount root");
  }

  /** Lustre's statfs of a project past its 1 GiB limit: the limit as size, nothing free (ll_statfs_project), so used equals the size. */
  @Test
  void aVolumeAtItsQuotaIsAbnormal() {
    long gib = 1L << 30;
    volumeStats = (volume, path) -> new VolumeStats(gib, 0, gib, 1000, 990, 10);
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    NodeGetVolumeStatsRequest request = NodeGetVolumeStatsRequest.newBuilder().setVolumeId("fs1/pvc-a")
        .setVolumePath(kubelet.resolve("staging-a").toString()).build();
    NodeGetVolumeStatsResponse atQuota = call(node::nodeGetVolumeStats, request);
    assertThat(atQuota.getVolumeCondition().getAbnormal()).isTrue();
    assertThat(atQuota.getVolumeCondition().getMessage()).isEqualTo("volume is at or over its quota: 1073741824 bytes used of 1073741824");

    volumeStats = (volume, path) -> new VolumeStats(gib, 4096, gib - 4096, 1000, 990, 10);
    assertThat(call(node("no-rdma")::nodeGetVolumeStats, request).getVolumeCondition().getAbnormal()).as("one block left").isFalse();
  }

  @Test
  void anRdmaTierVolumeOnANodeWithoutRdmaIsFailedPreconditionSayingWhy() {
    NodeService node = node("port-down");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "mgsNidsO2ib", O2IB_NIDS, "lnet", "o2ib"))),
        Status.Code.FAILED_PRECONDITION, "needs RDMA (lnet: o2ib)", "mlx5_0 port 1 is not ACTIVE");
    assertThat(mountedSources).isEmpty();
  }

  @Test
  void anRdmaTierVolumeOnAnRdmaNodeMountsOverO2ib() {
    NodeService node = node("ib-active");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "mgsNidsO2ib", O2IB_NIDS, "lnet", "o2ib")));
    assertThat(mountedSources).containsExactly("10.2.0.10@o2ib:10.2.0.12@o2ib:/fs1");
  }

  @Test
  void autoUsesO2ibWhereBothEndsHaveItAndTcpElsewhere() {
    Map<String, String> both = Map.of("mgsNids", TCP_NIDS, "mgsNidsO2ib", O2IB_NIDS);
    call(node("roce-active")::nodeStageVolume, stage("fs1/pvc-a", "a", both));
    assertThat(mountedSources).containsExactly("10.2.0.10@o2ib:10.2.0.12@o2ib:/fs1");
  }

  @Test
  void autoFallsBackToTcpWithoutRdmaOrWithoutO2ibNids() {
    call(node("no-rdma")::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "mgsNidsO2ib", O2IB_NIDS)));
    assertThat(mountedSources).containsExactly("10.1.0.10@tcp,10.1.0.11@tcp:10.1.0.12@tcp:/fs1");
  }

  @Test
  void tcpIsUsedWhenAskedForEvenOnAnRdmaNode() {
    call(node("ib-active")::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "mgsNidsO2ib", O2IB_NIDS, "lnet", "tcp")));
    assertThat(mountedSources).containsExactly("10.1.0.10@tcp,10.1.0.11@tcp:10.1.0.12@tcp:/fs1");
  }

  @Test
  void badVolumeContextIsInvalidArgumentNamingTheKey() {
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", "10.1.0.10@tcp;reboot"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.mgsNids", "10.1.0.10@tcp;reboot");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", "10.1.0.10@o2ib"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.mgsNids", "is not a tcp NID");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", "10.1.0.10@tcp::10.1.0.11@tcp"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.mgsNids", "empty MGS node");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "lnet", "ib"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.lnet");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "fsName", "fs2"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.fsName", "differs from the volume id's filesystem fs1");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", "10.1.0.10@tcp\n"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.mgsNids", "\"10.1.0.10@tcp\\n\" contains a control character");
    assertThat(mountedSources).isEmpty();
  }

  @Test
  void mountOptionSmugglingIsInvalidArgumentNamingTheOption() {
    NodeService node = node("no-rdma");
    Map<String, String> context = Map.of("mgsNids", TCP_NIDS);
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", context, "flock,network=tcp1")),
        Status.Code.INVALID_ARGUMENT, "volume_capability.mount.mount_flags", "\"network=tcp1\"");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", context, "noatime", "exclude=fs1-OST0001")),
        Status.Code.INVALID_ARGUMENT, "\"exclude=fs1-OST0001\"");
    assertThat(mountedSources).isEmpty();
  }

  @Test
  void whatMountLustreSaidReachesTheCaller() throws Exception {
    mountError = Files.readString(Path.of(NodeServiceTest.class.getResource("/lustre-outputs/mount_wrong_fsname.txt").toURI()));
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.NOT_FOUND, "filesystem fs1 is not known to its MGS", "Is the filesystem name correct?");
  }

  @Test
  void aNodeWithoutTheLustreClientIsFailedPrecondition() {
    clientUnavailable = "mount.lustre is not installed";
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.FAILED_PRECONDITION, "this node cannot mount Lustre: mount.lustre is not installed");
  }

  @Test
  void aStaticVolumeMountsItsSubdirectoryWithNoController() throws Exception {
    NodeService node = node("no-rdma");
    Files.writeString(dir.resolve("servers/lab/shared/data/existing"), "data from before");
    Map<String, String> attributes = Map.of("mgsNids", "10.1.0.10@tcp", "fsName", "lab", "subdir", "shared/data");
    call(node::nodeStageVolume, stage("static:lab-data", "s", attributes));
    assertThat(mountedSources).containsExactly("10.1.0.10@tcp:/lab");
    assertThat(table.at(kubelet.resolve("staging-s")).orElseThrow().root()).endsWith("/shared/data");
    call(node::nodeStageVolume, stage("static:lab-data", "s", attributes)); // idempotent
    // Kubelet sends the PV's attributes with publish too: without them a static id names no directory to check against.
    assertStatus(() -> call(node::nodePublishVolume, publish("static:lab-data", "s")), Status.Code.INVALID_ARGUMENT, "volume_context.fsName");
    call(node::nodePublishVolume, publish("static:lab-data", "s").toBuilder().putAllVolumeContext(attributes).build());
    assertThat(kubelet.resolve("pod-s/existing")).hasContent("data from before");

    NodeGetVolumeStatsResponse stats = call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder()
        .setVolumeId("static:lab-data").setVolumePath(kubelet.resolve("pod-s").toString()).build());
    assertThat(stats.getVolumeCondition().getAbnormal()).isFalse();
    assertThat(stats.getUsageList()).isNotEmpty();

    call(node::nodeUnpublishVolume, unpublish("static:lab-data", "s"));
    call(node::nodeUnstageVolume, unstage("static:lab-data", "s"));
    assertThat(table.at(filesystems.mountPoint("lab"))).as("released though the static id names no filesystem").isEmpty();
  }

  @Test
  void aStaticVolumeNeedsItsFilesystemNameAndASafeSubdir() {
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("static:x", "s", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.INVALID_ARGUMENT, "volume_context.fsName");
    assertStatus(() -> call(node::nodeStageVolume, stage("static:x", "s", Map.of("mgsNids", TCP_NIDS, "fsName", "lab", "subdir", "a/../../etc"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.subdir");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS, "subdir", "x"))),
        Status.Code.INVALID_ARGUMENT, "volume_context.subdir", "only for static volumes");
  }

  @Test
  void nodeInfoIsRememberedAsWhatKubeletWasTold() {
    NodeNetworks networks = fixture("ib-active");
    NodeNetworking networking = new NodeNetworking(() -> networks, Optional.empty(), Duration.ofMinutes(1)).start();
    NodeService node = new NodeService("node-1", new PathPolicy(List.of(kubelet), dir.resolve("mounts")), filesystems, table, mounter,
        new StatsProbe(volumeStats, Duration.ofSeconds(2)), networking,
        new MountHealth(filesystems, new StatsProbe(new Statvfs(), Duration.ofSeconds(2)), Duration.ofMinutes(1)));
    assertThat(networking.reportedRdma()).isEmpty();
    call(node::nodeGetInfo, NodeGetInfoRequest.getDefaultInstance());
    assertThat(networking.reportedRdma()).contains(true);
  }

  @Test
  void nodeInfoReportsTheRdmaTopologySegment() {
    assertThat(call(node("ib-active")::nodeGetInfo, NodeGetInfoRequest.getDefaultInstance()).getAccessibleTopology().getSegmentsMap())
        .containsExactly(Map.entry("lustre.csi.lustrecsi.dev/rdma", "true"));
    assertThat(call(node("roce-active")::nodeGetInfo, NodeGetInfoRequest.getDefaultInstance()).getAccessibleTopology().getSegmentsMap())
        .containsExactly(Map.entry("lustre.csi.lustrecsi.dev/rdma", "true"));
    assertThat(call(node("port-down")::nodeGetInfo, NodeGetInfoRequest.getDefaultInstance()).getAccessibleTopology().getSegmentsMap())
        .containsExactly(Map.entry("lustre.csi.lustrecsi.dev/rdma", "false"));
    assertThat(call(node("no-rdma")::nodeGetInfo, NodeGetInfoRequest.getDefaultInstance()).getAccessibleTopology().getSegmentsMap())
        .containsExactly(Map.entry("lustre.csi.lustrecsi.dev/rdma", "false"));
  }

  @Test
  void aHangingFilesystemIsReportedAbnormalAndNeverBlocksOtherCalls() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Path fs1 = filesystems.mountPoint("fs1");
    // statfs of fs1's mount hangs as on a Lustre mount whose servers are gone; everything else answers.
    StatsProbe hangingOnFs1 = new StatsProbe((volume, path) -> {
      if (path.equals(fs1)) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Statvfs.of(path);
    }, Duration.ofMillis(300));
    MountHealth health = new MountHealth(filesystems, hangingOnFs1, Duration.ofMinutes(1));
    NodeService node = node("no-rdma", health);
    try {
      call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
      call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));
      Thread checker = Thread.ofVirtual().start(health::checkOnce);

      // While the checker waits on fs1, other calls go on: another filesystem stages and answers stats.
      long start = System.nanoTime();
      call(node::nodeStageVolume, stage("fs2/pvc-b", "b", Map.of("mgsNids", TCP_NIDS)));
      NodeGetVolumeStatsResponse fs2Stats = call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder()
          .setVolumeId("fs2/pvc-b").setVolumePath(kubelet.resolve("staging-b").toString()).build());
      assertThat(fs2Stats.getVolumeCondition().getAbnormal()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

      checker.join(Duration.ofSeconds(10));
      assertThat(checker.isAlive()).as("a round ends after the deadline even though statfs still hangs").isFalse();
      assertThat(health.problem("fs1")).hasValueSatisfying(p -> assertThat(p).contains("fs1").contains("did not answer within 300 ms"));
      assertThat(health.problem("fs2")).isEmpty();

      long asked = System.nanoTime();
      NodeGetVolumeStatsResponse fs1Stats = call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder()
          .setVolumeId("fs1/pvc-a").setVolumePath(kubelet.resolve("pod-a").toString()).build());
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("answered from the checker, not by a statfs").isLessThan(Duration.ofMillis(250));
      assertThat(fs1Stats.getVolumeCondition().getAbnormal()).isTrue();
      assertThat(fs1Stats.getVolumeCondition().getMessage()).contains("not healthy");
      assertThat(table.at(fs1)).as("in use by a pod: never unmounted").isPresent();

      // Once no volume uses it, the next round detaches the hung mount so a later stage mounts afresh.
      call(node::nodeUnpublishVolume, unpublish("fs1/pvc-a", "a"));
      Mounter plain = new Mounter(runner);
      plain.unmount(kubelet.resolve("staging-a"));
      health.checkOnce();
      assertThat(table.at(fs1)).isEmpty();
      assertThat(health.problem("fs1")).isEmpty();
      assertThat(table.at(filesystems.mountPoint("fs2"))).isPresent();
    } finally {
      release.countDown();
    }
  }

  @Test
  void anRdmaTierVolumeDoesNotRideAFilesystemMountedOverTcp() throws Exception {
    String mountinfo = Files.readString(Path.of(NodeServiceTest.class.getResource("/lustre-outputs/mountinfo_subdir_and_bind.txt").toURI()));
    MountEntry overTcp = MountTable.parse(mountinfo).stream().filter(m -> m.mountPoint().equals(Path.of("/mnt/lfs"))).findFirst().orElseThrow();
    VolumeLocation o2ib = VolumeLocation.resolve("lfs/pvc-a", Map.of("mgsNidsO2ib", "10.99.1.1@o2ib", "lnet", "o2ib"));
    assertStatus(() -> NodeService.requireRdmaMount(overTcp, o2ib), Status.Code.FAILED_PRECONDITION,
        "needs RDMA (lnet: o2ib)", "already mounted on this node from 10.99.0.1@tcp:/lfs");
    VolumeLocation auto = VolumeLocation.resolve("lfs/pvc-a", Map.of("mgsNids", "10.99.0.1@tcp"));
    NodeService.requireRdmaMount(overTcp, auto);
    MountEntry overO2ib = new MountEntry(overTcp.id(), overTcp.parentId(), overTcp.device(), "/", overTcp.mountPoint(), "rw", "lustre", "10.99.1.1@o2ib:/lfs", 0);
    NodeService.requireRdmaMount(overO2ib, o2ib);
  }

  @Test
  void aVolumeDirectoryThatLinksOutOfTheFilesystemIsRefusedAndLeavesNoMount() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("node-etc"));
    Files.createSymbolicLink(server.resolve("pvc-evil"), outside);
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-evil", "e", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.FAILED_PRECONDITION, "leads outside filesystem mount");
    assertThat(table.at(kubelet.resolve("staging-e"))).isEmpty();
    assertThat(table.at(filesystems.mountPoint("fs1"))).as("mounted for this stage only, released after it failed").isEmpty();
  }

  @Test
  void aMissingVolumeDirectoryIsNotFoundAndLeavesNoMount() {
    NodeService node = node("no-rdma");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-gone", "g", Map.of("mgsNids", TCP_NIDS))),
        Status.Code.NOT_FOUND, "has no directory pvc-gone");
    assertThat(table.at(filesystems.mountPoint("fs1"))).isEmpty();
  }

  @Test
  void publishingFromAStagingPathThatHoldsAnotherVolumeIsRefused() {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    call(node::nodeStageVolume, stage("fs2/pvc-b", "b", Map.of("mgsNids", TCP_NIDS)));
    String stagingA = kubelet.resolve("staging-a").toString();
    for (String otherId : List.of("fs1/does-not-exist", "fs1/pvc-b", "fs2/pvc-a")) {
      NodePublishVolumeRequest request = publish(otherId, "x").toBuilder().setStagingTargetPath(stagingA).build();
      assertStatus(() -> call(node::nodePublishVolume, request), Status.Code.FAILED_PRECONDITION, "does not hold volume " + otherId);
    }
    assertThat(table.at(kubelet.resolve("pod-x"))).as("pvc-a's directory is not exposed at the target").isEmpty();
    assertThat(kubelet.resolve("pod-x")).doesNotExist();
    // A static id with its volume context names a directory too, and is held to it.
    NodePublishVolumeRequest asStatic = publish("static:other", "x").toBuilder().setStagingTargetPath(stagingA)
        .putAllVolumeContext(Map.of("fsName", "fs1", "subdir", "pvc-b")).build();
    assertStatus(() -> call(node::nodePublishVolume, asStatic), Status.Code.FAILED_PRECONDITION, "does not hold volume static:other");
    call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));
  }

  @Test
  void unstagingOrUnpublishingAnotherIdLeavesTheVolumeMounted() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    call(node::nodePublishVolume, publish("fs1/pvc-a", "a"));
    Files.writeString(kubelet.resolve("pod-a/data"), "pvc-a's");
    for (String otherId : List.of("fs1/pvc-b", "fs2/pvc-a", "fs1/does-not-exist")) {
      call(node::nodeUnpublishVolume, unpublish(otherId, "a"));
      call(node::nodeUnstageVolume, unstage(otherId, "a"));
    }
    assertThat(table.at(kubelet.resolve("pod-a"))).as("published").isPresent();
    assertThat(table.at(kubelet.resolve("staging-a"))).as("staged").isPresent();
    assertThat(kubelet.resolve("pod-a/data")).hasContent("pvc-a's");
    call(node::nodeUnpublishVolume, unpublish("fs1/pvc-a", "a"));
    call(node::nodeUnstageVolume, unstage("fs1/pvc-a", "a"));
    assertThat(table.at(kubelet.resolve("staging-a"))).isEmpty();
  }

  @Test
  void statsOfOneIdAtAnotherVolumesPathIsNotFound() {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    for (String otherId : List.of("fs2/pvc-a", "fs1/pvc-b")) {
      assertStatus(() -> call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder().setVolumeId(otherId)
          .setVolumePath(kubelet.resolve("staging-a").toString()).build()), Status.Code.NOT_FOUND, "is not mounted at");
    }
    assertThat(call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder().setVolumeId("fs1/pvc-a")
        .setVolumePath(kubelet.resolve("staging-a").toString()).build()).getUsageList()).isNotEmpty();
  }

  @Test
  void aPathInsideOrAboveAnotherVolumeIsRefusedAndNothingInThatVolumeChanges() throws Exception {
    NodeService node = node("no-rdma");
    call(node::nodeStageVolume, stage("fs1/pvc-a", "a", Map.of("mgsNids", TCP_NIDS)));
    Files.writeString(server.resolve("pvc-a/keep"), "pvc-a's file");
    Path insideA = kubelet.resolve("staging-a/sub");
    assertStatus(() -> call(node::nodeStageVolume, stage("fs1/pvc-b", "b", Map.of("mgsNids", TCP_NIDS)).toBuilder()
        .setStagingTargetPath(insideA.toString()).build()), Status.Code.INVALID_ARGUMENT, "staging_target_path", "lies inside the volume");
    assertStatus(() -> call(node::nodePublishVolume, publish("fs1/pvc-a", "a").toBuilder().setTargetPath(insideA.toString()).build()),
        Status.Code.INVALID_ARGUMENT, "target_path");
    assertStatus(() -> call(node::nodePublishVolume, publish("fs1/pvc-a", "a").toBuilder().setTargetPath(kubelet.toString() + "/staging-a").build()),
        Status.Code.INVALID_ARGUMENT, "is or contains the staging_target_path");
    assertStatus(() -> call(node::nodeUnpublishVolume, NodeUnpublishVolumeRequest.newBuilder().setVolumeId("fs1/pvc-b")
        .setTargetPath(kubelet.resolve("staging-a/keep").toString()).build()), Status.Code.INVALID_ARGUMENT, "lies inside the volume");
    assertThat(server.resolve("pvc-a/sub")).doesNotExist();
    assertThat(server.resolve("pvc-a/keep")).hasContent("pvc-a's file");
    // Staging over the directory that holds a volume's staging path would hide it.
    Files.createDirectories(kubelet.resolve("outer"));
    call(node::nodeStageVolume, stage("fs1/pvc-b", "b", Map.of("mgsNids", TCP_NIDS)).toBuilder()
        .setStagingTargetPath(kubelet.resolve("outer/inner").toString()).build());
    assertStatus(() -> call(node::nodeStageVolume, stage("fs2/pvc-b", "c", Map.of("mgsNids", TCP_NIDS)).toBuilder()
        .setStagingTargetPath(kubelet.resolve("outer").toString()).build()), Status.Code.INVALID_ARGUMENT, "holds the volume");
  }

  @ParameterizedTest
  @ValueSource(strings = {"KUBELET/\u0000", "\u0000", "a\u0000b", "KUBELET/staging-a\n"})
  void aNulInAStatsPathIsInvalidArgumentNamingTheField(String template) {
    NodeService node = node("no-rdma");
    String path = template.translateEscapes().replace("KUBELET", kubelet.toString());
    assertStatus(() -> call(node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder().setVolumeId("fs1/pvc-a").setVolumePath(path).build()),
        Status.Code.INVALID_ARGUMENT, "volume_path: ");
  }
}
