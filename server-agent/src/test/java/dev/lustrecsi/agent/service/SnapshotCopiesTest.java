package dev.lustrecsi.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.Striping;
import dev.lustrecsi.agent.service.SnapshotCopies.Key;
import dev.lustrecsi.agent.service.SnapshotCopies.Progress;
import dev.lustrecsi.agent.service.SnapshotCopies.State;
import dev.lustrecsi.common.error.CsiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One background copy per target directory: started once, reported after, a failure reported once then started again. */
class SnapshotCopiesTest {
  @TempDir Path dir;
  final SnapshotCopies copies = new SnapshotCopies(Clock.systemUTC());
  final CountDownLatch release = new CountDownLatch(1);

  final DirectoryCopy.Layouts layouts = new DirectoryCopy.Layouts() {
    @Override
    public Optional<Striping> defaultOf(Path directory) throws Exception {
      release.await();
      return Optional.empty();
    }

    @Override
    public void apply(Path directory, Striping striping) {}
  };

  Progress settled(Key key, Path target) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Progress> progress = copies.report(key, target);
      if (progress.isEmpty() || progress.get().state() != State.RUNNING) {
        return progress.orElse(null);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the copy into " + target + " never finished");
  }

  @Test
  void aFinishedCopyIsReportedAgainAndAnotherSourceWaitsForARunningOne() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source/sub"));
    Files.writeString(source.resolve("f"), "12345");
    Path target = Files.createDirectories(dir.resolve("target"));
    Key key = new Key("s1", Path.of("volumes/pvc-1"));
    assertThat(copies.start(key, dir.resolve("source"), target, layouts).state()).isEqualTo(State.RUNNING);
    assertThat(copies.start(key, dir.resolve("source"), target, layouts).state()).as("the same copy, not a second").isEqualTo(State.RUNNING);
    assertThatThrownBy(() -> copies.report(new Key("s2", Path.of("volumes/pvc-1")), target)).isInstanceOf(CsiException.class)
        .hasMessageContaining("still running");
    assertThatThrownBy(() -> copies.refuseWhileCopying("s1")).as("unmounting or destroying the snapshot it reads")
        .isInstanceOf(CsiException.class).hasMessageContaining("snapshot_name");
    copies.refuseWhileCopying("s2");
    release.countDown();
    Progress done = settled(key, target);
    copies.refuseWhileCopying("s1");
    assertThat(done).isEqualTo(new Progress(State.DONE, 2, 5, ""));
    assertThat(copies.report(key, target)).hasValue(done);
    assertThat(copies.report(new Key("s2", Path.of("volumes/pvc-1")), target)).as("a finished copy of another source is forgotten").isEmpty();
  }

  @Test
  void aFailedCopyIsReportedOnceThenStartsAgain() throws Exception {
    release.countDown();
    Path target = Files.createDirectories(dir.resolve("target"));
    Key key = new Key("s1", Path.of("volumes/pvc-1"));
    copies.start(key, dir.resolve("missing"), target, layouts);
    Progress failed = settled(key, target);
    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(failed.message()).contains("missing");
    assertThat(copies.report(key, target)).as("forgotten once reported").isEmpty();
    Files.createDirectories(dir.resolve("missing"));
    copies.start(key, dir.resolve("missing"), target, layouts);
    assertThat(settled(key, target).state()).isEqualTo(State.DONE);
  }

  @Test
  void aCopyIsForgottenWhenItsTargetIsDeletedButNotWhileItRuns() throws Exception {
    Files.createDirectories(dir.resolve("source"));
    Path target = Files.createDirectories(dir.resolve("target"));
    Key key = new Key("s1", Path.of("volumes/pvc-1"));
    Files.createDirectories(dir.resolve("source/sub"));
    copies.start(key, dir.resolve("source"), target, layouts);
    assertThatThrownBy(() -> copies.forget(target)).as("the directory is not deleted under a running copy")
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.ABORTED));
    release.countDown();
    assertThat(settled(key, target).state()).isEqualTo(State.DONE);
    copies.forget(target);
    assertThat(copies.report(key, target)).as("a directory made again under the name is copied into again").isEmpty();
  }
}
