package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Removing step of a drain deactivates the OST for good. Between the find that saw it empty
 * and the deactivation, the MDS may mount its MDT again and forget max_create_count=0; files made
 * then have objects on the OST, and deactivating it would cut them off.
 */
class OstDrainRemovalTest {
  /** The drain's agent calls as a Lustre filesystem would answer them, with files on OSTs that tests put there. */
  static final class DrainAgents extends FakeAgents {
    final List<String> calls = new ArrayList<>();
    int filesOnOst1;
    boolean mgsAnswers = true;
    boolean removed;

    DrainAgents(MockCluster cluster) {
      super(cluster.client, cluster.kubevirt);
    }

    @Override
    public void stopOstCreation(String filesystem, String mdsAddress, String fsName, int ostIndex) {
      calls.add("stopOstCreation " + ostIndex);
    }

    @Override
    public MigrateOstFilesResponse migrateOstFiles(String filesystem, String mdsAddress, MigrateOstFilesRequest request) {
      calls.add("migrateOstFiles " + request.getOstIndex());
      long found = request.getOstIndex() == 1 ? filesOnOst1 : 0;
      long moved = Math.min(found, request.getMaxFiles());
      if (request.getOstIndex() == 1) {
        filesOnOst1 -= (int) moved;
      }
      return MigrateOstFilesResponse.newBuilder().setFilesFound(found).setFilesMigrated(moved).build();
    }

    @Override
    public boolean ostRemoved(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
      if (!mgsAnswers) {
        throw new AgentUnavailableException("deadline exceeded", null);
      }
      return removed;
    }

    @Override
    public boolean removeOst(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
      if (!mgsAnswers) {
        throw new AgentUnavailableException("deadline exceeded", null);
      }
      calls.add("removeOst " + ostIndex + " with " + filesOnOst1 + " files on it");
      boolean already = removed;
      removed = true;
      return already;
    }

    @Override
    public void releaseOst(String filesystem, String ossAddress, String fsName, int ostIndex) {
      calls.add("releaseOst " + ostIndex);
    }
  }

  private final MockCluster cluster = new MockCluster(List.of());
  private final DrainAgents agents = new DrainAgents(cluster);
  private final FilesystemReconciler reconciler = new FilesystemReconciler(cluster.client, MockCluster.NAMESPACE, agents,
      new dev.lustrecsi.controller.agent.AgentCredentials(cluster.client, MockCluster.NAMESPACE, Clock.systemUTC()), 9443,
      fs -> 0L, Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

  @AfterEach
  void stop() {
    cluster.close();
  }

  private LustreFilesystem pass() {
    LustreFilesystem result = reconciler.reconcile("fs1").orElseThrow();
    cluster.kubevirt.sync();
    return result;
  }

  private static TargetStatus ost(LustreFilesystem filesystem, int index) {
    return filesystem.getStatus().targets().stream().filter(t -> TargetKinds.OST.equals(t.kind()) && t.index() == index)
        .findFirst().orElseThrow();
  }

  @Test
  void aRemovalLeftForALaterPassLooksForNewFilesBeforeItDeactivatesTheOst() {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(MockCluster.NAMESPACE).build());
    filesystem.setSpec(Filesystems.spec("fs1", 2, 1, List.of("tcp")));
    cluster.client.resources(LustreFilesystem.class).resource(filesystem).create();
    for (int i = 0; i < 5; i++) {
      pass();
    }
    assertThat(pass().getStatus().phase()).isEqualTo("Ready");

    // OST0001 drained, its replacement made first; the MGS does not answer when the find comes up empty.
    LustreFilesystem current = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
    current.setSpec(current.getSpec().withDrain(List.of(1)));
    cluster.client.resources(LustreFilesystem.class).resource(current).update();
    agents.mgsAnswers = false;
    LustreFilesystem drained = null;
    for (int i = 0; i < 6; i++) {
      drained = pass();
    }
    assertThat(ost(drained, 1).drain().step()).isEqualTo(DrainStatus.REMOVING);
    assertThat(agents.calls).noneMatch(c -> c.startsWith("removeOst"));

    // Meanwhile the MDS restarted (max_create_count back to its default) and a file got an object on OST0001.
    agents.filesOnOst1 = 1;
    agents.mgsAnswers = true;
    agents.calls.clear();
    LustreFilesystem after = pass();

    assertThat(agents.calls).as("creation stopped again and the OST looked at again, before anything is deactivated")
        .startsWith("stopOstCreation 1", "migrateOstFiles 1")
        .noneMatch(c -> c.startsWith("removeOst 1 with 1"));
    assertThat(ost(after, 1).drain().step()).isEqualTo(DrainStatus.MIGRATING);

    // The new file moved, the next passes find the OST empty and remove it.
    for (int i = 0; i < 3; i++) {
      after = pass();
    }
    assertThat(agents.calls).contains("removeOst 1 with 0 files on it").noneMatch(c -> c.startsWith("removeOst 1 with 1"));
    assertThat(ost(after, 1).drain().step()).isEqualTo(DrainStatus.REMOVED);
  }
}
