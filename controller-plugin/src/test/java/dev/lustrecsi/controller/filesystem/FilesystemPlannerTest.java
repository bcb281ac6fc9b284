package dev.lustrecsi.controller.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilesystemPlannerTest {
  @Test
  void firstPlanHasASeparateMgsAnMdsAndOneOss() {
    LustreFilesystemStatus status = FilesystemPlanner.plan(Filesystems.spec("fs1", 1, 2, List.of("tcp")), LustreFilesystemStatus.empty(), List.of());

    assertThat(status.servers()).extracting(ServerStatus::name, ServerStatus::role, ServerStatus::address)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("fs1-mgs", "mgs", "10.1.0.10"),
            org.assertj.core.groups.Tuple.tuple("fs1-mds0", "mds", "10.1.0.11"),
            org.assertj.core.groups.Tuple.tuple("fs1-oss0", "oss", "10.1.0.12"));
    assertThat(status.targets()).extracting(TargetStatus::name, TargetStatus::server, TargetStatus::disk)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("MGS", "fs1-mgs", "fs1-mgt"),
            org.assertj.core.groups.Tuple.tuple("fs1-MDT0000", "fs1-mds0", "fs1-mdt0000"),
            org.assertj.core.groups.Tuple.tuple("fs1-OST0000", "fs1-oss0", "fs1-ost0000"));
    assertThat(status.servers().getFirst().nids()).containsExactly("10.1.0.10@tcp");
    assertThat(status.ostCount()).isEqualTo(1);
  }

  /** Addresses claimed by a pass that died before its plan: each goes back to its server and to no other; one the range no longer holds is not used. */
  @Test
  void aServerTakesBackTheAddressClaimedForItAndNoOtherServerTakesIt() {
    LustreFilesystemStatus status = FilesystemPlanner.plan(Filesystems.spec("fs1", 1, 2, List.of("tcp")), LustreFilesystemStatus.empty(),
        List.of("10.1.0.11"), java.util.Map.of("fs1-oss0", "10.1.0.10", "fs1-mds0", "10.9.0.10"));

    assertThat(status.servers()).extracting(ServerStatus::name, ServerStatus::address).containsExactly(
        org.assertj.core.groups.Tuple.tuple("fs1-mgs", "10.1.0.12"),
        org.assertj.core.groups.Tuple.tuple("fs1-mds0", "10.1.0.13"),
        org.assertj.core.groups.Tuple.tuple("fs1-oss0", "10.1.0.10"));
  }

  @Test
  void growthFillsAnOssBeforeStartingAnotherAndNeverMovesAnything() {
    LustreFilesystemSpec spec = Filesystems.spec("fs1", 1, 2, List.of("tcp", "o2ib"));
    LustreFilesystemStatus first = FilesystemPlanner.plan(spec, LustreFilesystemStatus.empty(), List.of());
    LustreFilesystemStatus grown = FilesystemPlanner.plan(spec.withOstCount(5), first, List.of());

    assertThat(grown.targets().subList(0, first.targets().size())).isEqualTo(first.targets());
    assertThat(grown.servers().subList(0, first.servers().size())).isEqualTo(first.servers());
    assertThat(grown.targets()).filteredOn(t -> t.kind().equals("OST"))
        .extracting(TargetStatus::index, TargetStatus::server)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "fs1-oss0"), org.assertj.core.groups.Tuple.tuple(1, "fs1-oss0"),
            org.assertj.core.groups.Tuple.tuple(2, "fs1-oss1"), org.assertj.core.groups.Tuple.tuple(3, "fs1-oss1"),
            org.assertj.core.groups.Tuple.tuple(4, "fs1-oss2"));
    assertThat(grown.servers()).filteredOn(s -> s.name().equals("fs1-oss2")).singleElement()
        .satisfies(s -> assertThat(s.nids()).containsExactly("10.1.0.14@tcp", "10.1.0.14@o2ib"));
    assertThat(FilesystemPlanner.plan(spec.withOstCount(5), grown, List.of())).isEqualTo(grown);
  }

  @Test
  void nextOstIndexComesFromTheStatusEvenWithGaps() {
    LustreFilesystemSpec spec = Filesystems.spec("fs1", 1, 4, List.of("tcp"));
    LustreFilesystemStatus first = FilesystemPlanner.plan(spec, LustreFilesystemStatus.empty(), List.of());
    // An admin-imported filesystem whose only OST is index 7.
    List<TargetStatus> targets = first.targets().stream()
        .map(t -> t.kind().equals("OST") ? new TargetStatus("fs1-OST0007", "OST", 7, t.server(), "fs1-ost0007", "Up", null, null) : t)
        .toList();
    LustreFilesystemStatus imported = new LustreFilesystemStatus(null, null, List.of(), first.servers(), targets, 1, null, null, null, null, null, null, null, null, null);

    LustreFilesystemStatus grown = FilesystemPlanner.plan(spec.withOstCount(2), imported, List.of());

    assertThat(grown.targets()).filteredOn(t -> t.kind().equals("OST")).extracting(TargetStatus::name)
        .containsExactly("fs1-OST0007", "fs1-OST0008");
  }

  @Test
  void addressesAreNeverReusedAndRunningOutIsAClearError() {
    LustreFilesystemSpec small = new LustreFilesystemSpec("fs1", "img", null, null, "1Ti", 1, 3, 16, 1.0, null, null, null,
        List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lnet", "192.168.7.0/29", 2), null);

    assertThatThrownBy(() -> FilesystemPlanner.plan(small.withOstCount(5), LustreFilesystemStatus.empty(), List.of()))
        .isInstanceOf(FilesystemPlanner.PlanException.class)
        .hasMessageContaining("spec.storageNetwork.cidr has no free address");
    LustreFilesystemStatus planned = FilesystemPlanner.plan(small.withOstCount(3), LustreFilesystemStatus.empty(), List.of());
    assertThat(planned.servers()).extracting(ServerStatus::address)
        .containsExactly("192.168.7.2", "192.168.7.3", "192.168.7.4", "192.168.7.5", "192.168.7.6");
  }

  @Test
  void badCidrNamesTheField() {
    LustreFilesystemSpec spec = new LustreFilesystemSpec("fs1", "img", null, null, "1Ti", 1, 1, 16, 1.0, null, null, null,
        List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.1/24", null), null);
    assertThatThrownBy(() -> FilesystemPlanner.plan(spec, LustreFilesystemStatus.empty(), List.of()))
        .hasMessage("spec.storageNetwork.cidr has host bits set: 10.1.0.1/24");
  }

  @Test
  void kubernetesNamesStayDistinctForFsnamesThatLowerToTheSameName() {
    assertThat(ResourceNames.of("fs1").base()).isEqualTo("fs1");
    assertThat(ResourceNames.of("Fs_1").base()).startsWith("fs-1-").isNotEqualTo(ResourceNames.of("fs-1").base());
    assertThat(ResourceNames.of("fs-1").base()).isEqualTo("fs-1");
    assertThat(ResourceNames.of("-x-").base()).matches("x-[0-9a-f]{6}");
  }
}
