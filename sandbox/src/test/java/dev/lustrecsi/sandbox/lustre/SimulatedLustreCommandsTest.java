package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.DeviceListParser;
import dev.lustrecsi.agent.lustre.LfsDfParser;
import dev.lustrecsi.agent.lustre.CheckServersParser;
import dev.lustrecsi.agent.lustre.ImportStateParser;
import dev.lustrecsi.agent.lustre.LfsQuotaParser;
import dev.lustrecsi.agent.lustre.ProjectOfDirectory;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.ProjectQuota;
import dev.lustrecsi.agent.lustre.Recovery;
import dev.lustrecsi.agent.lustre.RecoveryStatusParser;
import dev.lustrecsi.agent.lustre.SmallOutputs;
import dev.lustrecsi.agent.lustre.Striping;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetSpace;
import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulation answers the agent's own command lines, and the agent's own parsers read the answers. */
class SimulatedLustreCommandsTest {
  static final long OST_KIB = 7558144;

  @TempDir Path dir;
  final TestClock clock = new TestClock();
  SimulatedServers servers;
  SimulatedLustreCommands mgs;
  SimulatedLustreCommands mds;
  SimulatedLustreCommands oss;
  Path mount;

  /** One MGS, one MDS, one OSS with three OSTs, all mounted: the layout of the reference captures. */
  static SimulatedServers threeOsts(Path dir, java.time.Clock clock) {
    SimulatedServers servers = new SimulatedServers(dir, clock, Duration.ofSeconds(60));
    servers.addServer("fs1-mgs", "10.1.0.10@tcp");
    servers.addServer("fs1-mds0", "10.1.0.11@tcp");
    servers.addServer("fs1-oss0", "10.1.0.21@tcp");
    servers.format("fs1-mgs", "fs1", TargetKind.MGT, 0, 1L << 30);
    servers.format("fs1-mds0", "fs1", TargetKind.MDT, 0, 3771264L * 1024);
    for (int i = 0; i < 3; i++) {
      servers.format("fs1-oss0", "fs1", TargetKind.OST, i, OST_KIB * 1024);
    }
    servers.mount("fs1", TargetKind.MGT, 0);
    servers.mount("fs1", TargetKind.MDT, 0);
    for (int i = 0; i < 3; i++) {
      servers.mount("fs1", TargetKind.OST, i);
    }
    return servers;
  }

  @BeforeEach
  void start() {
    servers = threeOsts(dir, clock);
    mgs = new SimulatedLustreCommands(servers, "fs1-mgs");
    mds = new SimulatedLustreCommands(servers, "fs1-mds0");
    oss = new SimulatedLustreCommands(servers, "fs1-oss0");
    mount = servers.namespace("fs1");
  }

  static String ok(SimulatedLustreCommands runner, Command command) throws CommandFailedException {
    return runner.runChecked(command).stdout();
  }

  @Test
  void lfsDfListsTheMdtAndEveryOst() throws Exception {
    List<TargetSpace> rows = LfsDfParser.parse(ok(mds, LustreCommands.df(mount)));
    assertThat(rows).extracting(r -> r.target().toString()).containsExactly("fs1-MDT0000", "fs1-OST0000", "fs1-OST0001", "fs1-OST0002");
    assertThat(rows.subList(1, 4)).allSatisfy(r -> assertThat(r.totalKib()).isEqualTo(OST_KIB));
    // Asked about a directory, lfs df still names the mount point (lfs_df_d.txt).
    Path d = Files.createDirectories(mount.resolve("d"));
    assertThat(ok(mds, LustreCommands.df(d))).contains(mount + "[OST:2]").doesNotContain(d + "[");
  }

  @Test
  void lfsDfHasTheColumnsOfTheCapture() throws Exception {
    List<String> simulated = ok(mds, LustreCommands.df(mount)).lines().toList();
    List<String> real = Samples.read("lfs_df_after_ost2.txt").lines().toList();
    assertThat(simulated).hasSameSizeAs(real);
    assertThat(simulated.getFirst()).isEqualTo(real.getFirst());
    for (int i = 1; i < real.size(); i++) {
      // Right-aligned number columns end where the capture's do; only the mount path differs.
      assertThat(columnEnds(simulated.get(i))).isEqualTo(columnEnds(real.get(i)));
    }
  }

  private static List<Integer> columnEnds(String line) {
    List<Integer> ends = new java.util.ArrayList<>();
    var m = java.util.regex.Pattern.compile("\\S+").matcher(line);
    while (m.find() && ends.size() < 5) {
      ends.add(m.end());
    }
    return ends;
  }

  @Test
  void dataIsPlacedByTheDirectoryLayout() throws Exception {
    Path wide = Files.createDirectories(mount.resolve("wide"));
    ok(mds, LustreCommands.setStripe(wide, new Striping(-1, 1L << 20, "")));
    Files.write(wide.resolve("f"), new byte[3 << 20]);
    List<TargetSpace> rows = LfsDfParser.parse(ok(mds, LustreCommands.df(mount)));
    // 3 MiB in 1 MiB stripes over all three OSTs: 1 MiB each.
    assertThat(rows.subList(1, 4)).allSatisfy(r -> assertThat(r.usedKib()).isEqualTo(1024));
  }

  @Test
  void projectQuotaCountsTheFilesOfTheProject() throws Exception {
    Path volume = Files.createDirectories(mount.resolve("volumes/pvc-1"));
    Files.write(volume.resolve("old"), new byte[4096]);
    ok(mds, LustreCommands.setProject(volume, 1000));
    ok(mds, LustreCommands.setProjectBlockLimit(mount, 1000, 20));
    Files.createDirectories(volume.resolve("sub"));
    Files.write(volume.resolve("sub/new"), new byte[20 * 1024]);
    Files.write(mount.resolve("volumes/outside"), new byte[100_000]);
    assertThat(LfsQuotaParser.parse(ok(mds, LustreCommands.projectQuota(mount, 1000)))).isEqualTo(new ProjectQuota(24, 20, 4, true));
    assertThat(LfsQuotaParser.parse(ok(mds, LustreCommands.projectQuota(mount, 4242)))).isEqualTo(new ProjectQuota(0, 0, 0, false));
  }

  @Test
  void aDirectoryShowsItsOwnProjectOrTheInheritedOneAndARemadeOneNone() throws Exception {
    Path root = Files.createDirectories(mount.resolve("site"));
    ok(mds, LustreCommands.setProject(root, 42));
    Path inside = Files.createDirectories(root.resolve("made-later"));
    assertThat(ProjectOfDirectory.parse(ok(mds, LustreCommands.projectOf(inside)))).isEqualTo(new ProjectOfDirectory(42, true));
    Path volume = Files.createDirectories(mount.resolve("pvc-1"));
    ok(mds, LustreCommands.setProject(volume, 1000));
    assertThat(ok(mds, LustreCommands.projectOf(volume))).isEqualTo(" 1000 P " + volume + "\n");
    Files.delete(volume);
    ok(mds, LustreCommands.setProjectBlockLimit(mount, 1000, 0));  // any setquota: the removed directory's tag is gone
    Files.createDirectories(volume);
    assertThat(ProjectOfDirectory.parse(ok(mds, LustreCommands.projectOf(volume)))).isEqualTo(new ProjectOfDirectory(0, false));
  }

  @Test
  void checkServersListsEachConnectionAndFailsWhileOneIsDown() throws Exception {
    List<CheckServersParser.Connection> all = CheckServersParser.parse(ok(mds, LustreCommands.checkServers()), "fs1");
    assertThat(all).allMatch(CheckServersParser.Connection::active).extracting(c -> c.target().toString())
        .contains("MGS", "fs1-MDT0000", "fs1-OST0000");
    servers.unmount("fs1", TargetKind.OST, 1);
    CommandResult down = mds.run(LustreCommands.checkServers());
    assertThat(down.exitCode()).isEqualTo(11);
    assertThat(ImportStateParser.parse(mds.run(LustreCommands.importStates("fs1")).stdout()))
        .hasSize(4).containsValues("FULL", "DISCONN").allSatisfy((device, state) -> assertThat(state)
            .isEqualTo(device.startsWith("fs1-OST0001-osc-") ? "DISCONN" : "FULL"));
    assertThat(CheckServersParser.parse(down.stdout(), "fs1")).filteredOn(c -> !c.active()).extracting(CheckServersParser.Connection::device)
        .singleElement().asString().startsWith("fs1-OST0001-osc-");
  }

  @Test
  void deletingAQuotaTwiceFailsTheSecondTime() throws Exception {
    ok(mds, LustreCommands.setProjectBlockLimit(mount, 7, 1024));
    ok(mds, LustreCommands.deleteProjectQuota(mount, 7));
    CommandResult again = mds.run(LustreCommands.deleteProjectQuota(mount, 7));
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(LfsQuotaParser.parse(ok(mds, LustreCommands.projectQuota(mount, 7))).hardLimitKib()).isZero();
  }

  @Test
  void eachServerListsOnlyItsOwnTargets() throws Exception {
    assertThat(targets(mgs)).containsExactly("MGS");
    assertThat(targets(mds)).containsExactly("fs1-MDT0000");
    assertThat(targets(oss)).containsExactly("fs1-OST0000", "fs1-OST0001", "fs1-OST0002");
    assertThat(SmallOutputs.nids(ok(oss, LustreCommands.listNids()))).containsExactly("10.1.0.21@tcp");
    assertThat(SmallOutputs.healthCheck(ok(oss, LustreCommands.healthCheck()))).isEqualTo("healthy");
    assertThat(SmallOutputs.version(ok(oss, LustreCommands.version()))).isEqualTo("2.16.1");
    assertThat(SmallOutputs.fsNameOfInstance(ok(mds, LustreCommands.getName(mount)))).isEqualTo("fs1");
  }

  private static List<String> targets(SimulatedLustreCommands server) throws Exception {
    return DeviceListParser.parse(ok(server, LustreCommands.deviceList())).stream()
        .flatMap(d -> DeviceListParser.target(d).stream()).map(TargetName::toString).toList();
  }

  @Test
  void freshTargetsAreInactiveAndTheMgsHasNoRecovery() throws Exception {
    CommandResult onOss = oss.run(LustreCommands.recoveryStatus(java.util.EnumSet.allOf(TargetKind.class)).orElseThrow());
    assertThat(onOss.exitCode()).isEqualTo(2); // no MDT here: lctl still prints the OSTs
    assertThat(RecoveryStatusParser.parse(onOss.stdout())).containsOnlyKeys("fs1-OST0000", "fs1-OST0001", "fs1-OST0002")
        .allSatisfy((k, v) -> assertThat(v).isEqualTo(new Recovery("INACTIVE", 0)));
    assertThat(RecoveryStatusParser.parse(mgs.run(LustreCommands.recoveryStatus(java.util.EnumSet.allOf(TargetKind.class)).orElseThrow()).stdout())).isEmpty();
  }

  @Test
  void aCrashedServerRecoversAfterItsTargetsAreMountedAgain() throws Exception {
    servers.serverDown("fs1-oss0");
    CommandResult health = oss.run(LustreCommands.healthCheck());
    assertThat(health.exitCode()).isEqualTo(2);
    assertThat(health.stderr()).isEqualTo("error: get_param: param_path 'health_check': No such file or directory\n");
    assertThat(LfsDfParser.parse(ok(mds, LustreCommands.df(mount))).subList(1, 4)).allSatisfy(r -> assertThat(r.inactive()).isTrue());

    servers.serverUp("fs1-oss0");
    servers.mount("fs1", TargetKind.OST, 0);
    clock.advance(Duration.ofSeconds(15));
    Map<String, Recovery> recovering = RecoveryStatusParser.parse(oss.run(LustreCommands.recoveryStatus(java.util.EnumSet.allOf(TargetKind.class)).orElseThrow()).stdout());
    assertThat(recovering).containsExactly(Map.entry("fs1-OST0000", new Recovery("RECOVERING", 45)));
    assertThat(targets(oss)).containsExactly("fs1-OST0000");

    clock.advance(Duration.ofSeconds(60));
    assertThat(RecoveryStatusParser.parse(oss.run(LustreCommands.recoveryStatus(java.util.EnumSet.allOf(TargetKind.class)).orElseThrow()).stdout()))
        .containsExactly(Map.entry("fs1-OST0000", new Recovery("COMPLETE", 0)));
  }

  @Test
  void clientCallsHangWhileTheMdtIsDown() {
    servers.serverDown("fs1-mds0");
    assertThatThrownBy(() -> oss.run(LustreCommands.df(mount))).isInstanceOf(CommandFailedException.class).hasMessageContaining("timed out");
  }

  @Test
  void aTargetIsFormattedOnceAndAServerKeepsItsNid() {
    assertThatThrownBy(() -> servers.format("fs1-oss0", "fs1", TargetKind.OST, 1, 1L << 30))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already holds a Lustre filesystem");
    assertThatThrownBy(() -> servers.addServer("fs1-oss0", "10.9.9.9@tcp")).hasMessageContaining("never changes");
    servers.serverDown("fs1-oss0");
    servers.serverUp("fs1-oss0");
    assertThat(servers.isFormatted("fs1", TargetKind.OST, 2)).as("a reboot keeps what was formatted").isTrue();
    assertThatThrownBy(() -> servers.format("fs1-oss0", "fs1", TargetKind.OST, 2, 1L << 30)).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lfs migrate -c 2 x", "lfs setstripe -E 64M /tmp", "lfs quota -u root MOUNT", "lfs setquota -p 1 -b 5 MOUNT",
      "lctl set_param x=1", "lctl get_param -P x", "lctl get_param osd-*.*.quota_slave.info", "lfs df -h MOUNT", "lfs"})
  void unknownCommandsAndOptionsFailWithUsage(String line) throws Exception {
    List<String> argv = List.of(line.replace("MOUNT", mount.toString()).split(" "));
    CommandResult result = mds.run(new Command(argv, Duration.ofSeconds(5)));
    assertThat(result.exitCode()).isEqualTo(22);
    assertThat(result.stderr()).contains("usage");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void otherProgramsAreNotFound() throws Exception {
    assertThat(mds.run(Command.of("mkfs.lustre", "--ost", "/dev/vdb")).exitCode()).isEqualTo(127);
  }

  @Test
  void badValuesAreRefused() throws Exception {
    Path d = Files.createDirectories(mount.resolve("d"));
    assertThat(mds.run(Command.of("lfs", "setstripe", "-S", "100K", d.toString())).exitCode()).isEqualTo(22);
    assertThat(mds.run(Command.of("lfs", "setstripe", "-c", "x", d.toString())).exitCode()).isEqualTo(22);
    assertThat(mds.run(Command.of("lfs", "project", "-p", "1", "-s", mount.resolve("absent").toString())).exitCode()).isEqualTo(2);
    assertThat(mds.run(Command.of("lfs", "df", "/tmp")).exitCode()).isEqualTo(2);
  }
}
