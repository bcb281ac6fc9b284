package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.FreezeBarrierRequest;
import dev.lustrecsi.agent.v1.FreezeBarrierResponse;
import dev.lustrecsi.agent.v1.ListTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.ListTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.agent.v1.ThawBarrierRequest;
import dev.lustrecsi.agent.v1.ThawBarrierResponse;
import dev.lustrecsi.agent.lustre.BarrierStat;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.Striping;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's snapshot calls on the simulated servers: the barrier on the MGS, a ZFS snapshot per
 * target on each server, with the agent's own commands and parsers on both sides.
 */
class SimulatedSnapshotsTest {
  @TempDir Path dir;
  final TestClock clock = new TestClock();
  SimulatedServers servers;
  AgentService mgs;
  AgentService mds;
  AgentService oss;

  @BeforeEach
  void start() {
    servers = SimulatedLustreCommandsTest.threeOsts(dir, clock);
    mgs = new AgentService(new SimulatedLustreCommands(servers, "fs1-mgs"), Optional.empty());
    mds = new AgentService(new SimulatedLustreCommands(servers, "fs1-mds0"), Optional.of(servers.namespace("fs1")));
    oss = new AgentService(new SimulatedLustreCommands(servers, "fs1-oss0"), Optional.empty());
  }

  static <Q, A> A call(BiConsumer<Q, StreamObserver<A>> method, Q request) {
    AtomicReference<A> answer = new AtomicReference<>();
    AtomicReference<Throwable> error = new AtomicReference<>();
    method.accept(request, new StreamObserver<>() {
      @Override
      public void onNext(A value) {
        answer.set(value);
      }

      @Override
      public void onError(Throwable t) {
        error.set(t);
      }

      @Override
      public void onCompleted() {}
    });
    if (error.get() != null) {
      throw (StatusRuntimeException) error.get();
    }
    return answer.get();
  }

  CreateTargetSnapshotsResponse create(AgentService agent, String name) {
    return call(agent::createTargetSnapshots, CreateTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName(name)
        .setSnapshotFsName(SimulatedSnapshotMountsTest.snapshotFsName(name)).build());
  }

  @Test
  void eachServerSnapshotsItsOwnTargetsFoundByTheirSvname() {
    assertThat(create(oss, "s1").getSnapshotsList()).extracting(TargetSnapshot::getTarget)
        .containsExactly("fs1-OST0000", "fs1-OST0001", "fs1-OST0002");
    assertThat(create(mds, "s1").getSnapshotsList()).extracting(TargetSnapshot::getDataset).containsExactly("lcsi-fs1-mdt0000/mdt0000");
    assertThat(create(mgs, "s1").getSnapshotsList()).extracting(TargetSnapshot::getTarget).containsExactly("MGS");
    assertThat(servers.allSnapshots()).hasSize(5).allSatisfy(s -> assertThat(s).endsWith("@s1"));
  }

  @Test
  void creatingAgainKeepsTheSnapshotsTakenAndDestroyingTwiceIsFine() {
    long first = create(oss, "s1").getSnapshots(0).getCreationSeconds();
    clock.advance(Duration.ofSeconds(90));
    assertThat(create(oss, "s1").getSnapshots(0).getCreationSeconds()).isEqualTo(first);
    create(oss, "s2");
    DestroyTargetSnapshotsRequest destroy = DestroyTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build();
    assertThat(call(oss::destroyTargetSnapshots, destroy).getDestroyedCount()).isEqualTo(3);
    DestroyTargetSnapshotsResponse again = call(oss::destroyTargetSnapshots, destroy);
    assertThat(again.getDestroyedCount()).isZero();
    ListTargetSnapshotsResponse left = call(oss::listTargetSnapshots, ListTargetSnapshotsRequest.newBuilder().setFsName("fs1").build());
    assertThat(left.getSnapshotsList()).extracting(TargetSnapshot::getSnapshotName).containsOnly("s2").hasSize(3);
  }

  @Test
  void theBarrierBlocksMetadataChangesUntilThawedAndOnlyTheMgsHoldsIt() throws Exception {
    assertThatThrownBy(() -> call(mds::freezeBarrier, FreezeBarrierRequest.newBuilder().setFsName("fs1").setTimeoutSeconds(10).build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("No such device");
    call(mgs::freezeBarrier, FreezeBarrierRequest.newBuilder().setFsName("fs1").setTimeoutSeconds(10).build());
    SimulatedLustreCommands mdsCommands = new SimulatedLustreCommands(servers, "fs1-mds0");
    Path d = Files.createDirectories(servers.namespace("fs1").resolve("d"));
    var setStripe = LustreCommands.setStripe(d, new Striping(2, 0, "")).withTimeout(Duration.ofMillis(200));
    assertThatThrownBy(() -> mdsCommands.run(setStripe)).as("a metadata change under a frozen barrier")
        .hasMessageContaining("write barrier of fs1 is frozen");
    call(mgs::thawBarrier, ThawBarrierRequest.newBuilder().setFsName("fs1").build());
    assertThat(mdsCommands.run(setStripe).exitCode()).isZero();
  }

  @Test
  void thawSaysWhetherTheBarrierStillHeldAndIsIdempotent() {
    FreezeBarrierRequest freeze = FreezeBarrierRequest.newBuilder().setFsName("fs1").setTimeoutSeconds(10).build();
    ThawBarrierRequest thaw = ThawBarrierRequest.newBuilder().setFsName("fs1").build();
    call(mgs::freezeBarrier, freeze);
    assertThat(call(mgs::thawBarrier, thaw).getStateBefore()).isEqualTo("frozen");
    assertThat(call(mgs::thawBarrier, thaw).getStateBefore()).isEqualTo("thawed");
    call(mgs::freezeBarrier, freeze);
    clock.advance(Duration.ofSeconds(11));
    ThawBarrierResponse late = call(mgs::thawBarrier, thaw);
    assertThat(late.getStateBefore()).as("a barrier that outlived its timeout").isEqualTo("expired");
  }

  @Test
  void barrierStatPrintsTheManualsFormat() throws Exception {
    SimulatedLustreCommands commands = new SimulatedLustreCommands(servers, "fs1-mgs");
    commands.runChecked(LustreCommands.barrierFreeze("fs1", 15));
    clock.advance(Duration.ofSeconds(8));
    String out = commands.runChecked(LustreCommands.barrierStat("fs1")).stdout();
    assertThat(out).isEqualTo("The barrier for fs1 is in 'frozen'\nThe barrier will be expired after 7 seconds\n");
    assertThat(BarrierStat.parse("fs1", out).secondsLeft()).hasValue(7);
  }

  @Test
  void badNamesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> create(oss, "-rf"))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("snapshot_name");
    assertThatThrownBy(() -> call(mgs::freezeBarrier, FreezeBarrierRequest.newBuilder().setFsName("fs1").setTimeoutSeconds(0).build()))
        .hasMessageContaining("timeout_seconds");
  }
}
