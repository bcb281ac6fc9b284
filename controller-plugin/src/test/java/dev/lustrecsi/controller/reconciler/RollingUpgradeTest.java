package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.UpgradeStatus;
import dev.lustrecsi.controller.reconciler.RollingUpgrade.ServerImages;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollout's decisions as a pure function: order, waiting, rollback, and which image each VM template gets. */
class RollingUpgradeTest {
  private static final String OLD = "img:1";
  private static final String NEW = "img:2";
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private static ServerStatus server(String name, String role, String state) {
    return new ServerStatus(name, role, "10.1.0.1", List.of("10.1.0.1@tcp"), state, null);
  }

  private static LustreFilesystemStatus status(String phase, List<ServerStatus> servers, List<TargetStatus> targets, UpgradeStatus upgrade) {
    return new LustreFilesystemStatus(phase, 1L, List.of(), servers, targets, 1, null, null, null, null, null, null, null, null, upgrade);
  }

  private static final List<TargetStatus> TARGETS = List.of(
      new TargetStatus("MGS", "MGT", 0, "fs-mgs", "fs-mgt", "Up", null, null),
      new TargetStatus("fs-MDT0000", "MDT", 0, "fs-mds0", "fs-mdt0000", "Up", null, null),
      new TargetStatus("fs-OST0000", "OST", 0, "fs-oss0", "fs-ost0000", "Up", null, null),
      new TargetStatus("fs-OST0001", "OST", 1, "fs-oss1", "fs-ost0001", "Up", null, null));

  private static Map<String, ServerImages> images(String mgs, String mds, String oss0, String oss1) {
    Map<String, ServerImages> images = new LinkedHashMap<>();
    images.put("fs-mgs", new ServerImages(mgs, mgs));
    images.put("fs-mds0", new ServerImages(mds, mds));
    images.put("fs-oss0", new ServerImages(oss0, oss0));
    images.put("fs-oss1", new ServerImages(oss1, oss1));
    return images;
  }

  private static List<ServerStatus> servers(String oss1State) {
    return List.of(server("fs-mgs", "mgs", "Ready"), server("fs-mds0", "mds", "Ready"), server("fs-oss0", "oss", "Ready"),
        server("fs-oss1", "oss", oss1State));
  }

  @Test
  void ossesGoFirstThenTheMdsThenTheMgs() {
    assertThat(RollingUpgrade.order(servers("Ready"))).extracting(ServerStatus::name)
        .containsExactly("fs-oss0", "fs-oss1", "fs-mds0", "fs-mgs");
  }

  @Test
  void aServerNotReachedKeepsItsImageAndANewOrPickedOneGetsTheSpecs() {
    UpgradeStatus picked = new UpgradeStatus(NEW, RollingUpgrade.UPGRADING, "fs-oss0", NOW.toString(), 0, 4, "0/4 fs-oss0", "");
    assertThat(RollingUpgrade.imageFor("fs-oss1", NEW, OLD, OLD, picked)).isEqualTo(OLD);
    assertThat(RollingUpgrade.imageFor("fs-oss0", NEW, OLD, OLD, picked)).isEqualTo(NEW);
    assertThat(RollingUpgrade.imageFor("fs-oss2", NEW, "", "", picked)).as("no VM yet").isEqualTo(NEW);
    assertThat(RollingUpgrade.imageFor("fs-oss0", "img:3", OLD, OLD, picked)).as("picked for another image").isEqualTo(OLD);
    assertThat(RollingUpgrade.imageFor("fs-oss1", NEW, "img:9", NEW, picked)).as("its instance runs the spec's image").isEqualTo(NEW);
  }

  @Test
  void aDegradedFilesystemIsNotUpgradedUntilItIsReadyUnlessTheServerIsDownAnyway() {
    var observed = status("Degraded", servers("Ready"), TARGETS, null);
    var step = RollingUpgrade.next(NEW, status("Ready", servers("Ready"), TARGETS, null), observed, images(OLD, OLD, OLD, OLD), NOW,
        Duration.ofMinutes(20));
    assertThat(step.replace()).isEmpty();
    assertThat(step.status().progress()).isEqualTo("0/4 waiting");

    var oss1Down = status("Degraded", servers("Starting"), TARGETS, null);
    var down = RollingUpgrade.next(NEW, oss1Down, oss1Down, images(OLD, OLD, OLD, OLD), NOW, Duration.ofMinutes(20));
    assertThat(down.replace()).as("a server down anyway goes first").contains("fs-oss1");
  }

  /**
   * A stale server that looks down (its agent not answering, its VMI not running) is replaced at
   * once, other servers down too or not, but not while another server's target is in Lustre
   * recovery: a restart then can keep that recovery waiting to its hard limit.
   */
  @Test
  void aServerDownAnywayWaitsOnlyWhileAnotherServersTargetIsInRecovery() {
    Map<String, ServerImages> images = images(OLD, OLD, NEW, OLD);
    List<TargetStatus> oss0Recovering = List.of(TARGETS.get(0), TARGETS.get(1),
        new TargetStatus("fs-OST0000", "OST", 0, "fs-oss0", "fs-ost0000", "Recovering", null, null),
        new TargetStatus("fs-OST0001", "OST", 1, "fs-oss1", "fs-ost0001", "Down", null, null));
    var recovering = status("Degraded", servers("Starting"), oss0Recovering, null);

    var step = RollingUpgrade.next(NEW, recovering, recovering, images, NOW, Duration.ofMinutes(20));

    assertThat(step.replace()).as("fs-OST0000 of fs-oss0 is in recovery").isEmpty();
    assertThat(step.status().progress()).isEqualTo("0/4 waiting");

    List<ServerStatus> twoDown = List.of(server("fs-mgs", "mgs", "Ready"), server("fs-mds0", "mds", "Starting"),
        server("fs-oss0", "oss", "Ready"), server("fs-oss1", "oss", "Starting"));
    List<TargetStatus> mdtAndOst1Down = List.of(TARGETS.get(0),
        new TargetStatus("fs-MDT0000", "MDT", 0, "fs-mds0", "fs-mdt0000", "Down", null, null), TARGETS.get(2),
        new TargetStatus("fs-OST0001", "OST", 1, "fs-oss1", "fs-ost0001", "Down", null, null));
    var both = status("Degraded", twoDown, mdtAndOst1Down, null);
    assertThat(RollingUpgrade.next(NEW, both, both, images, NOW, Duration.ofMinutes(20)).replace())
        .as("servers an old image fails on are each replaced, though another is down too").get().isIn("fs-mds0", "fs-oss1");

    List<TargetStatus> onlyOst1Down = List.of(TARGETS.get(0), TARGETS.get(1), TARGETS.get(2), oss0Recovering.get(3));
    var alone = status("Degraded", servers("Starting"), onlyOst1Down, null);
    assertThat(RollingUpgrade.next(NEW, alone, alone, images, NOW, Duration.ofMinutes(20)).replace())
        .as("fs-oss1 is all that is wrong").contains("fs-oss1");
  }

  @Test
  void rollingBackAfterAStallReplacesTheStalledServerFirst() {
    UpgradeStatus stalled = new UpgradeStatus(NEW, RollingUpgrade.STALLED, "fs-oss1", NOW.minusSeconds(3600).toString(), 1, 4,
        "stalled at fs-oss1 (1/4)", "");
    Map<String, ServerImages> images = images(OLD, OLD, NEW, NEW);
    images.put("fs-oss1", new ServerImages(NEW, ""));
    var observed = status("Degraded", servers("Starting"), TARGETS, stalled);

    var back = RollingUpgrade.next(OLD, observed, observed, images, NOW, Duration.ofMinutes(20));

    assertThat(back.replace()).contains("fs-oss1");
    assertThat(back.status().image()).isEqualTo(OLD);
    assertThat(back.notes()).extracting(RollingUpgrade.Note::reason).containsExactly("UpgradeStarted", "ServerUpgrading");
  }

  @Test
  void aServerInFlightThatLeftTheFilesystemIsWaitedForNoMore() {
    UpgradeStatus inFlight = new UpgradeStatus(NEW, RollingUpgrade.UPGRADING, "fs-oss2", NOW.toString(), 4, 4, "", "");
    var observed = status("Ready", servers("Ready"), TARGETS, inFlight);
    var step = RollingUpgrade.next(NEW, observed, observed, images(NEW, NEW, NEW, NEW), NOW, Duration.ofMinutes(20));
    assertThat(step.status().state()).isEqualTo(RollingUpgrade.COMPLETE);
  }

  @Test
  void anOssThatLostOneOfItsOstsToADrainIsBackOnceTheOstsItStillServesAreUp() {
    // ostsPerOss 2: fs-OST0000 was drained away (Removed, still listed under fs-oss0), fs-OST0001 serves on.
    DrainStatus removed = new DrainStatus(DrainStatus.REMOVED, 0L, 10L, 0L, 0L, null, NOW.toString());
    List<TargetStatus> targets = List.of(TARGETS.get(0), TARGETS.get(1),
        new TargetStatus("fs-OST0000", "OST", 0, "fs-oss0", "fs-ost0000", "Removed", null, null, removed),
        new TargetStatus("fs-OST0001", "OST", 1, "fs-oss0", "fs-ost0001", "Up", null, null));
    List<ServerStatus> servers = List.of(server("fs-mgs", "mgs", "Ready"), server("fs-mds0", "mds", "Ready"), server("fs-oss0", "oss", "Ready"));
    UpgradeStatus inFlight = new UpgradeStatus(NEW, RollingUpgrade.UPGRADING, "fs-oss0", NOW.minusSeconds(60).toString(), 0, 3, "", "");
    var observed = status("Ready", servers, targets, inFlight);
    Map<String, ServerImages> images = new LinkedHashMap<>();
    images.put("fs-mgs", new ServerImages(OLD, OLD));
    images.put("fs-mds0", new ServerImages(OLD, OLD));
    images.put("fs-oss0", new ServerImages(NEW, NEW));

    var step = RollingUpgrade.next(NEW, observed, observed, images, NOW, Duration.ofMinutes(20));

    assertThat(step.notes()).extracting(RollingUpgrade.Note::reason).contains("ServerUpgraded");
    assertThat(step.replace()).as("the rollout moves on to the MDS").contains("fs-mds0");
    var later = RollingUpgrade.next(NEW, observed, observed, images, NOW.plus(Duration.ofMinutes(30)), Duration.ofMinutes(20));
    assertThat(later.status().state()).isNotEqualTo(RollingUpgrade.STALLED);
  }

  @Test
  void nothingHappensWhileEveryServerRunsTheSpecsImage() {
    var observed = status("Ready", servers("Ready"), TARGETS, null);
    var step = RollingUpgrade.next(OLD, observed, observed, images(OLD, OLD, OLD, OLD), NOW, Duration.ofMinutes(20));
    assertThat(step.status()).isNull();
    assertThat(step.replace()).isEmpty();
    assertThat(step.notes()).isEmpty();
  }
}
