package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.lustre.ConfigLogParser;
import dev.lustrecsi.agent.lustre.LfsDfParser;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.MgsLiveParser;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.agent.lustre.ZfsCommands;
import dev.lustrecsi.agent.lustre.ZfsList;
import dev.lustrecsi.common.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's commands on the simulated servers, as the agent builds them (LustreCommands): each
 * answers where the real one would run and refuses where it would not, and their effects are the
 * ones the manual describes.
 */
class SimulatedOstRemovalTest {
  @TempDir Path dir;
  SimulatedServers servers;
  SimulatedLustreCommands mgs;
  SimulatedLustreCommands mds;
  SimulatedLustreCommands oss;
  Path mount;
  final TargetName ost1 = new TargetName("fs1", TargetKind.OST, 1);

  @BeforeEach
  void start() throws Exception {
    servers = SimulatedLustreCommandsTest.threeOsts(dir, java.time.Clock.systemUTC());
    mgs = new SimulatedLustreCommands(servers, "fs1-mgs");
    mds = new SimulatedLustreCommands(servers, "fs1-mds0");
    oss = new SimulatedLustreCommands(servers, "fs1-oss0");
    mount = servers.namespace("fs1");
    Files.createDirectories(mount.resolve("v"));
    for (int i = 0; i < 12; i++) {
      Files.write(mount.resolve("v/f" + i), new byte[4096 * (i + 1)]);
    }
  }

  private List<String> onOst1() throws Exception {
    return Arrays.stream(mds.runChecked(LustreCommands.findOnOst(mount, 1)).stdout().split("\n")).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void findListsTheFilesOnTheOstAndMigrateMovesThemOffOnceItTakesNoNewObjects() throws Exception {
    List<String> before = onOst1();
    assertThat(before).isNotEmpty().allMatch(path -> path.startsWith(mount + "/v/f"));
    assertThat(oss.run(LustreCommands.stopOstCreation(ost1)).exitCode()).as("an OSS has no osp devices").isEqualTo(2);
    mds.runChecked(LustreCommands.stopOstCreation(ost1));
    for (String file : before) {
      mds.runChecked(LustreCommands.migrate(Path.of(file)));
    }
    assertThat(onOst1()).isEmpty();
    Files.write(mount.resolve("v/new"), new byte[8192]);
    assertThat(onOst1()).as("new files go elsewhere").isEmpty();
    var df = LfsDfParser.parse(mds.runChecked(LustreCommands.df(mount)).stdout());
    assertThat(df).filteredOn(t -> t.target().kind() == TargetKind.OST && t.target().index() == 1).singleElement()
        .satisfies(t -> assertThat(t.usedKib()).isZero());
  }

  @Test
  void aMountedMdtForgetsMaxCreateCount() throws Exception {
    assertThat(mds.runChecked(LustreCommands.ostCreationLimits(ost1)).stdout()).isEqualTo("20000\n");
    mds.runChecked(LustreCommands.stopOstCreation(ost1));
    assertThat(mds.runChecked(LustreCommands.ostCreationLimits(ost1)).stdout()).isEqualTo("0\n");
    assertThat(oss.run(LustreCommands.ostCreationLimits(ost1)).exitCode()).as("an OSS has no osp devices").isEqualTo(2);
    servers.serverDown("fs1-mds0");
    servers.serverUp("fs1-mds0");
    servers.mount("fs1", TargetKind.MDT, 0);
    assertThat(servers.filesystem("fs1").orElseThrow().noCreate()).isEmpty();
    assertThat(mds.runChecked(LustreCommands.ostCreationLimits(ost1)).stdout()).isEqualTo("20000\n");
  }

  @Test
  void deactivateAndDelOstRunOnTheMgsAndTakeTheOstOutOfTheLogAndOfLfsDf() throws Exception {
    String log = mgs.runChecked(LustreCommands.configLog("fs1-client")).stdout();
    assertThat(ConfigLogParser.mentions(log, ost1)).isTrue();
    assertThat(mds.run(LustreCommands.deleteOst(ost1)).stderr()).contains("must be run on the MGS");
    mgs.runChecked(LustreCommands.deactivateOst(ost1));
    mgs.runChecked(LustreCommands.deleteOst(ost1));
    String after = mgs.runChecked(LustreCommands.configLog("fs1-client")).stdout();
    assertThat(ConfigLogParser.mentions(after, ost1)).isFalse();
    assertThat(ConfigLogParser.mentions(after, new TargetName("fs1", TargetKind.OST, 2))).isTrue();
    CommandResult rerun = mgs.run(LustreCommands.deleteOst(ost1));
    assertThat(rerun.exitCode()).as("nothing left to cancel is no error (jt_del_ost)").isZero();
    assertThat(rerun.stdout()).contains("config_log: fs1-client\ndel_ost: no catalog entry deleted\n")
        .contains("config_log: fs1-MDT0000\ndel_ost: no catalog entry deleted\n");
    assertThat(LfsDfParser.parse(mds.runChecked(LustreCommands.df(mount)).stdout()))
        .extracting(t -> t.target().kind() + "" + t.target().index()).containsExactly("MDT0", "OST0", "OST2");
  }

  @Test
  void delOstCancelsTheOstInTheClientsLogAndEveryMdtsLogThatTheMgsLists() throws Exception {
    List<TargetName> mdts = MgsLiveParser.mdts(mgs.runChecked(LustreCommands.mgsLive("fs1")).stdout(), "fs1");
    assertThat(mdts).containsExactly(new TargetName("fs1", TargetKind.MDT, 0));
    assertThat(mds.run(LustreCommands.mgsLive("fs1")).exitCode()).as("only the MGS has it").isEqualTo(2);
    assertThat(ConfigLogParser.mentions(mgs.runChecked(LustreCommands.configLog("fs1-MDT0000")).stdout(), ost1)).isTrue();

    // A del_ost killed after the clients' log: the MDT's still names the OST, and a second run finishes it.
    servers.cancelRecords("fs1", "fs1-client", 1);
    assertThat(ConfigLogParser.mentions(mgs.runChecked(LustreCommands.configLog("fs1-client")).stdout(), ost1)).isFalse();
    assertThat(ConfigLogParser.mentions(mgs.runChecked(LustreCommands.configLog("fs1-MDT0000")).stdout(), ost1)).isTrue();
    assertThat(servers.filesystem("fs1").orElseThrow().deleted()).as("not out of every log").isEmpty();
    mgs.runChecked(LustreCommands.deactivateOst(ost1));
    mds.runChecked(LustreCommands.stopOstCreation(ost1));  // the MDT's osp device stays while its log names the OST
    mgs.runChecked(LustreCommands.deleteOst(ost1));
    assertThat(ConfigLogParser.mentions(mgs.runChecked(LustreCommands.configLog("fs1-MDT0000")).stdout(), ost1)).isFalse();
    assertThat(servers.filesystem("fs1").orElseThrow().deleted()).containsExactly(1);
    assertThat(mds.run(LustreCommands.stopOstCreation(ost1)).exitCode()).as("no osp device any more").isEqualTo(2);
    assertThat(mgs.run(LustreCommands.configLog("fs1-MDT0001")).exitCode()).as("no such MDT").isEqualTo(2);
  }

  /**
   * An admin's pool: its records sit in the clients' log and the MDT's, a pool_add naming the OST,
   * so they name it too. del_ost cancels every record holding " fs1-OST0001" (llog_del_ost_cb), the
   * pool's with the osc's, and leaves the pool itself and its other OSTs.
   */
  @Test
  void delOstCancelsThePoolRecordsThatNameTheOstWithItsOthers() throws Exception {
    servers.addPool("fs1", "flash", List.of(1, 2));
    String client = mgs.runChecked(LustreCommands.configLog("fs1-client")).stdout();
    assertThat(client).contains("event: new_pool, device: fs1-clilov, fsname: fs1, pool: flash }")
        .contains("event: add_pool, device: fs1-clilov, fsname: fs1, pool: flash, ost: fs1-OST0001_UUID }");
    assertThat(mgs.runChecked(LustreCommands.configLog("fs1-MDT0000")).stdout())
        .contains("event: add_pool, device: fs1-MDT0000-mdtlov, fsname: fs1, pool: flash, ost: fs1-OST0001_UUID }");

    String deleted = mgs.runChecked(LustreCommands.deleteOst(ost1)).stdout();
    assertThat(deleted).contains("config_log: fs1-client\n").contains("del_ost: cancelled 4 catalog entries");
    for (String log : List.of("fs1-client", "fs1-MDT0000")) {
      String after = mgs.runChecked(LustreCommands.configLog(log)).stdout();
      assertThat(after).as(log).doesNotContain("fs1-OST0001").contains("pool: flash }").contains("pool: flash, ost: fs1-OST0002_UUID }");
      assertThat(ConfigLogParser.mentions(after, ost1)).as(log).isFalse();
    }
  }

  @Test
  void umountAndZpoolExportLetGoOfTheOstOnItsOssOnce() throws Exception {
    assertThat(mds.run(LustreCommands.unmount(TargetPaths.ostMountPoint(1))).exitCode()).as("not the MDS's target").isEqualTo(32);
    assertThat(oss.run(LustreCommands.exportPool(TargetPaths.ostPool("fs1", 1))).stderr()).as("mounted").contains("pool is busy");
    oss.runChecked(LustreCommands.unmount(TargetPaths.ostMountPoint(1)));
    CommandResult again = oss.run(LustreCommands.unmount(TargetPaths.ostMountPoint(1)));
    assertThat(again.exitCode()).isEqualTo(32);
    assertThat(again.stderr()).contains("not mounted");
    oss.runChecked(LustreCommands.exportPool(TargetPaths.ostPool("fs1", 1)));
    assertThat(oss.run(LustreCommands.exportPool(TargetPaths.ostPool("fs1", 1))).stderr()).contains("no such pool");
  }

  @Test
  void zfsSeesNoDatasetNorSnapshotOfAnExportedPoolUntilItIsImportedAgain() throws Exception {
    String dataset = TargetPaths.ostDataset("fs1", 1);
    oss.runChecked(ZfsCommands.snapshot(dataset, "before"));
    assertThat(ZfsList.targetDatasets(oss.runChecked(ZfsCommands.targetDatasets()).stdout())).extracting(ZfsList.TargetDataset::target)
        .containsExactly(new TargetName("fs1", TargetKind.OST, 0), ost1, new TargetName("fs1", TargetKind.OST, 2));

    oss.runChecked(LustreCommands.unmount(TargetPaths.ostMountPoint(1)));
    oss.runChecked(LustreCommands.exportPool(TargetPaths.ostPool("fs1", 1)));
    assertThat(ZfsList.targetDatasets(oss.runChecked(ZfsCommands.targetDatasets()).stdout())).as("datasets listed once exported")
        .extracting(ZfsList.TargetDataset::target).containsExactly(new TargetName("fs1", TargetKind.OST, 0), new TargetName("fs1", TargetKind.OST, 2));
    assertThat(oss.runChecked(ZfsCommands.targetDatasets()).stdout()).as("nor its pool").doesNotContain(TargetPaths.ostPool("fs1", 1));
    assertThat(ZfsList.snapshots(oss.runChecked(ZfsCommands.snapshots()).stdout())).as("snapshots listed once exported").isEmpty();
    assertThat(oss.run(ZfsCommands.snapshot(dataset, "after")).stderr()).contains("dataset does not exist");
    assertThat(oss.run(ZfsCommands.get(dataset + "@before", List.of("lustre:svname"))).stderr()).contains("dataset does not exist");
    assertThat(oss.run(ZfsCommands.destroy(dataset, "before")).exitCode()).isEqualTo(1);

    servers.mount("fs1", TargetKind.OST, 1);  // imports the pool again: its snapshot was on its disk all along
    assertThat(ZfsList.snapshots(oss.runChecked(ZfsCommands.snapshots()).stdout()))
        .containsExactly(new ZfsList.Snapshot(dataset, "before", servers.snapshotsOf(dataset).getFirst().getValue().creationSeconds()));
  }

  @Test
  void theReleaseTagIsSetOnAnImportedPoolOnlyAndRemembered() throws Exception {
    assertThat(mds.run(LustreCommands.markReleased(TargetPaths.ostDataset("fs1", 1))).stderr()).as("not the MDS's pool")
        .contains("dataset does not exist");
    oss.runChecked(LustreCommands.markReleased(TargetPaths.ostDataset("fs1", 1)));
    assertThat(servers.isReleased("fs1", 1)).isTrue();
    assertThat(servers.isReleased("fs1", 2)).isFalse();
    oss.runChecked(LustreCommands.unmount(TargetPaths.ostMountPoint(1)));
    oss.runChecked(LustreCommands.exportPool(TargetPaths.ostPool("fs1", 1)));
    assertThat(oss.run(LustreCommands.markReleased(TargetPaths.ostDataset("fs1", 1))).stderr()).as("exported")
        .contains("dataset does not exist");
  }
}
