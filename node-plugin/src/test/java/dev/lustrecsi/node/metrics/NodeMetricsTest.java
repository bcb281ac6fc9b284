package dev.lustrecsi.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.common.metrics.Scrape;
import dev.lustrecsi.node.health.MountHealth;
import dev.lustrecsi.node.health.Readiness;
import dev.lustrecsi.node.lnet.LnetManager;
import dev.lustrecsi.node.lnet.LnetMode;
import dev.lustrecsi.node.lnet.WrittenOutputs;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.mount.LustreSource;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.rdma.NodeNetworks;
import dev.lustrecsi.node.rdma.SysfsNetworkScanner;
import dev.lustrecsi.node.stats.StatsProbe;
import dev.lustrecsi.node.stats.VolumeStats;
import dev.lustrecsi.node.topology.NodeNetworking;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's metrics over HTTP, from real bind mounts (the tests run as root): a directory stands
 * in for each Lustre filesystem, and LNet answers with the reference machine's lnetctl outputs.
 */
class NodeMetricsTest {
  @TempDir Path dir;
  final ProcessCommandRunner runner = new ProcessCommandRunner();
  final Mounter mounter = new Mounter(runner);
  final MountTable table = MountTable.ofThisProcess();

  final LustreClient client = new LustreClient() {
    @Override
    public void mount(LustreSource source, Path mountPoint, List<String> options) throws dev.lustrecsi.common.exec.CommandFailedException {
      mounter.bind(dir.resolve("servers").resolve(source.fsName()), mountPoint, List.of());
    }

    @Override
    public String unavailableReason() {
      return null;
    }
  };

  final CommandRunner lnetctl = command -> switch (String.join(" ", command.argv())) {
    case "lnetctl net show" -> new CommandResult(command, 0, fixture("lnetctl_net_show.txt"), "");
    case "lnetctl ping 10.99.0.1@tcp" -> new CommandResult(command, 0, fixture("lnetctl_ping.txt"), "");
    default -> new CommandResult(command, 127, "", "unexpected " + command);
  };

  @AfterEach
  void unmountEverything() {
    table.entries().stream().filter(m -> m.mountPoint().startsWith(dir)).sorted(Comparator.comparingInt(MountEntry::id).reversed())
        .forEach(m -> {
          try {
            runner.run(Command.of("umount", "-l", m.mountPoint().toString()));
          } catch (dev.lustrecsi.common.exec.CommandFailedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void aScrapeShowsEachMountTheVolumesBoundFromItItsHealthAndLnet() throws Exception {
    FilesystemMounts filesystems = new FilesystemMounts(dir.resolve("mounts"), table, client, mounter);
    // fs1 has a staged and a published volume; fs2's statfs fails (a dead filesystem) while a volume still uses it.
    stage(filesystems, "fs1", "pvc-a", dir.resolve("kubelet/stage-a"));
    mounter.bind(dir.resolve("kubelet/stage-a"), Files.createDirectories(dir.resolve("kubelet/pod-a")), List.of());
    stage(filesystems, "fs2", "pvc-b", dir.resolve("kubelet/stage-b"));
    StatsProbe probe = new StatsProbe((volume, path) -> {
      if (path.getFileName().toString().equals("fs2")) {
        throw new IOException("Cannot send after transport endpoint shutdown");
      }
      return new VolumeStats(1, 1, 0, 1, 1, 0);
    }, Duration.ofSeconds(2));
    MountHealth health = new MountHealth(filesystems, probe, Duration.ofMinutes(1));
    health.checkOnce();
    NodeNetworking networking = new NodeNetworking(() -> new NodeNetworks(List.of(), List.of()),
        Optional.of(new LnetManager(lnetctl, LnetMode.EXTERNAL)), Duration.ofMinutes(1));
    networking.checkNow();
    Readiness readiness = new Readiness(client, networking);

    NodeMetrics metrics = new NodeMetrics().watch(filesystems, health, networking, readiness);
    try (MetricsServer server = MetricsServer.start(MetricsAddress.parse("127.0.0.1:0").orElseThrow(), metrics.registry())) {
      Scrape scrape = Scrape.of(server.uri());

      assertThat(scrape.value(NodeMetrics.FILESYSTEM_MOUNTS, Map.of())).contains(2.0);
      assertThat(scrape.value(NodeMetrics.VOLUME_MOUNTS, Map.of("filesystem", "fs1"))).contains(2.0);
      assertThat(scrape.value(NodeMetrics.VOLUME_MOUNTS, Map.of("filesystem", "fs2"))).contains(1.0);
      assertThat(scrape.value(NodeMetrics.FILESYSTEM_HEALTHY, Map.of("filesystem", "fs1"))).contains(1.0);
      assertThat(scrape.value(NodeMetrics.FILESYSTEM_HEALTHY, Map.of("filesystem", "fs2"))).contains(0.0);
      assertThat(scrape.value(NodeMetrics.LNET_READY, Map.of())).contains(1.0);
      assertThat(scrape.value(NodeMetrics.LNET_NIDS, Map.of("net", "tcp0"))).contains(1.0);
      assertThat(scrape.value(NodeMetrics.LNET_NIDS_DOWN, Map.of("net", "tcp0"))).contains(0.0);
      assertThat(scrape.value(NodeMetrics.READY, Map.of())).contains(1.0);
      assertThat(scrape.value(NodeMetrics.RDMA, Map.of())).contains(0.0);

      // Unstaging the last volume of fs2 unmounts it: its series go with it.
      runner.runChecked(Command.of("umount", dir.resolve("kubelet/stage-b").toString()));
      filesystems.releaseIfUnused("fs2");
      Scrape after = Scrape.of(server.uri());
      assertThat(after.value(NodeMetrics.FILESYSTEM_MOUNTS, Map.of())).contains(1.0);
      assertThat(after.find(NodeMetrics.VOLUME_MOUNTS, Map.of("filesystem", "fs2"))).isEmpty();
    }
  }

  @Test
  void aPortThatBecomesUsableAfterRegistrationShowsAgainstTheTopologyKubeletWasTold() throws Exception {
    AtomicReference<NodeNetworks> sysfs = new AtomicReference<>(sysfs("port-down"));
    NodeNetworking networking = new NodeNetworking(sysfs::get, Optional.of(new LnetManager(lnetctl, LnetMode.EXTERNAL)), Duration.ofMinutes(1));
    networking.checkNow();
    try (MetricsServer server = MetricsServer.start(MetricsAddress.parse("127.0.0.1:0").orElseThrow(), noMountsWatched(networking).registry())) {
      assertThat(Scrape.of(server.uri()).find(NodeMetrics.RDMA_REPORTED, Map.of())).as("nothing reported before registration").isEmpty();
      assertThat(networking.rdmaForTopology()).as("what NodeGetInfo tells kubelet at registration").isFalse();

      // The subnet manager activates the port: the next scan finds it usable, the label stays as registered.
      sysfs.set(sysfs("ib-active"));
      networking.checkNow();
      Scrape after = Scrape.of(server.uri());
      assertThat(after.value(NodeMetrics.RDMA, Map.of())).contains(1.0);
      assertThat(after.value(NodeMetrics.RDMA_REPORTED, Map.of())).contains(0.0);
    }
  }

  @Test
  void aDeadRailOfAMultiRailNetShowsWhileTheNodeStaysReady() throws Exception {
    CommandRunner multiRail = command -> switch (String.join(" ", command.argv())) {
      case "lnetctl net show" -> new CommandResult(command, 0, WrittenOutputs.NET_SHOW_SECOND_RAIL_DOWN, "");
      case "lnetctl ping 10.2.0.5@o2ib" -> new CommandResult(command, 0, fixture("lnetctl_ping.txt"), "");
      default -> new CommandResult(command, 127, "", "unexpected " + command);
    };
    NodeNetworks twoRails = sysfs("ib-multirail");
    NodeNetworking networking = new NodeNetworking(() -> twoRails, Optional.of(new LnetManager(multiRail, LnetMode.EXTERNAL)),
        Duration.ofMinutes(1));
    networking.checkNow();
    try (MetricsServer server = MetricsServer.start(MetricsAddress.parse("127.0.0.1:0").orElseThrow(), noMountsWatched(networking).registry())) {
      Scrape scrape = Scrape.of(server.uri());
      assertThat(scrape.value(NodeMetrics.READY, Map.of())).contains(1.0);
      assertThat(scrape.value(NodeMetrics.LNET_NIDS, Map.of("net", "o2ib0"))).contains(1.0);
      assertThat(scrape.value(NodeMetrics.LNET_NIDS_DOWN, Map.of("net", "o2ib0"))).contains(1.0);
    }
  }

  static NodeNetworks sysfs(String name) throws java.net.URISyntaxException {
    Path tree = Path.of(NodeMetricsTest.class.getResource("/sysfs/" + name).toURI());
    return new SysfsNetworkScanner(tree.resolve("sys"), tree.resolve("proc")).scan();
  }

  private void stage(FilesystemMounts filesystems, String fsName, String volume, Path staging) throws IOException {
    Files.createDirectories(dir.resolve("servers").resolve(fsName).resolve(volume));
    Files.createDirectories(staging);
    filesystems.withMounted(new LustreSource(fsName, List.of("10.1.0.10@tcp")), List.of(), fsMount -> {
      try {
        mounter.bind(fsMount.mountPoint().resolve(volume), staging, List.of());
      } catch (dev.lustrecsi.common.exec.CommandFailedException e) {
        throw new IllegalStateException(e);
      }
      return null;
    });
  }

  /** The node's metrics with no volume mounted: what they say of its networking alone. */
  private NodeMetrics noMountsWatched(NodeNetworking networking) {
    FilesystemMounts filesystems = new FilesystemMounts(dir.resolve("mounts"), table, client, mounter);
    MountHealth health = new MountHealth(filesystems, new StatsProbe((volume, path) -> new VolumeStats(1, 1, 0, 1, 1, 0), Duration.ofSeconds(2)),
        Duration.ofMinutes(1));
    return new NodeMetrics().watch(filesystems, health, networking, new Readiness(client, networking));
  }

  static String fixture(String name) {
    try (InputStream in = NodeMetricsTest.class.getResourceAsStream("/lustre-outputs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
