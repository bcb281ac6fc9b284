package dev.lustrecsi.controller.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What spec.drain does to the plan: marks, never unplans, and replaces unless ostCount was lowered. */
class FilesystemPlannerDrainTest {
  private static final LustreFilesystemSpec SPEC = Filesystems.spec("fs1", 2, 1, List.of("tcp"));

  private static List<TargetStatus> osts(LustreFilesystemStatus status) {
    return status.targets().stream().filter(t -> t.kind().equals("OST")).toList();
  }

  @Test
  void aDrainedOstIsMarkedAndReplacedWhenTheCountStays() {
    LustreFilesystemStatus two = FilesystemPlanner.plan(SPEC, LustreFilesystemStatus.empty(), List.of());
    LustreFilesystemStatus planned = FilesystemPlanner.plan(SPEC.withDrain(List.of(1)), two, List.of());

    assertThat(osts(planned)).extracting(TargetStatus::index, TargetStatus::server, t -> t.drain() == null ? null : t.drain().step())
        .containsExactly(tuple(0, "fs1-oss0", null), tuple(1, "fs1-oss1", DrainStatus.WAITING), tuple(2, "fs1-oss2", null));
    assertThat(osts(planned).get(1).drain().message()).isEqualTo(DrainStatus.NOT_STARTED);
    assertThat(FilesystemPlanner.plan(SPEC.withDrain(List.of(1)), planned, List.of())).as("planning again changes nothing").isEqualTo(planned);
  }

  @Test
  void aLoweredCountShrinksWithoutAReplacement() {
    LustreFilesystemStatus two = FilesystemPlanner.plan(SPEC, LustreFilesystemStatus.empty(), List.of());
    LustreFilesystemStatus planned = FilesystemPlanner.plan(SPEC.withDrain(List.of(1)).withOstCount(1), two, List.of());
    assertThat(osts(planned)).extracting(TargetStatus::index).containsExactly(0, 1);
    assertThat(planned.ostCount()).as("OSTs planned that are not draining").isEqualTo(1);
  }

  @Test
  void aDrainStartedIsKeptWhenItsIndexLeavesTheList() {
    LustreFilesystemStatus two = FilesystemPlanner.plan(SPEC, LustreFilesystemStatus.empty(), List.of());
    LustreFilesystemStatus draining = FilesystemPlanner.plan(SPEC.withDrain(List.of(1)).withOstCount(1), two, List.of());
    LustreFilesystemStatus after = FilesystemPlanner.plan(SPEC.withOstCount(1), draining, List.of());
    assertThat(osts(after).get(1).drain()).isEqualTo(osts(draining).get(1).drain());
  }

  @Test
  void anIndexTheFilesystemDoesNotHaveIsRefusedNamingIt() {
    LustreFilesystemStatus two = FilesystemPlanner.plan(SPEC, LustreFilesystemStatus.empty(), List.of());
    assertThatThrownBy(() -> FilesystemPlanner.plan(SPEC.withDrain(List.of(7)), two, List.of()))
        .hasMessage("spec.drain names OST index 7, which this filesystem does not have");
  }

  @Test
  void aRemovedOssAndARemovedIndexAreNeverUsedAgain() {
    LustreFilesystemStatus two = FilesystemPlanner.plan(SPEC, LustreFilesystemStatus.empty(), List.of());
    LustreFilesystemStatus draining = FilesystemPlanner.plan(SPEC.withDrain(List.of(1)).withOstCount(1), two, List.of());
    // The drain ran to its end: OST0001 removed, its OSS deleted.
    List<TargetStatus> targets = new ArrayList<>(draining.targets());
    targets.replaceAll(t -> t.index() == 1 && t.kind().equals("OST") ? t.withDrain(t.drain().at(DrainStatus.REMOVED, "now")) : t);
    List<ServerStatus> servers = new ArrayList<>(draining.servers());
    servers.replaceAll(s -> s.name().equals("fs1-oss1") ? s.withState(ServerStatus.REMOVED, "drained") : s);
    LustreFilesystemStatus removed = draining.withLayout(servers, targets);

    LustreFilesystemStatus grown = FilesystemPlanner.plan(SPEC.withDrain(List.of(1)).withOstCount(2), removed, List.of());
    assertThat(osts(grown)).extracting(TargetStatus::index, TargetStatus::server)
        .containsExactly(tuple(0, "fs1-oss0"), tuple(1, "fs1-oss1"), tuple(2, "fs1-oss2"));
    assertThat(grown.servers()).extracting(ServerStatus::name, ServerStatus::address)
        .contains(tuple("fs1-oss1", "10.1.0.13"), tuple("fs1-oss2", "10.1.0.14"));
  }
}
