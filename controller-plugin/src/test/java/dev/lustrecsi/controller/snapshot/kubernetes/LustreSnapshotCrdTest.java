package dev.lustrecsi.controller.snapshot.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.GeneratedCrdFiles;
import dev.lustrecsi.controller.snapshot.SnapshotId;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import org.junit.jupiter.api.Test;

/**
 * deploy/crds holds the LustreSnapshot CRD as the model defines it. When the model changes, rerun
 * with {@code -Dcrds.update=true} and commit.
 */
class LustreSnapshotCrdTest {
  @Test
  void crdFileMatchesTheModel() throws Exception {
    GeneratedCrdFiles.assertCommitted(LustreSnapshotCrd.definition());
  }

  @Test
  void crdMatchesTheAnnotatedClass() {
    CustomResourceDefinition crd = LustreSnapshotCrd.definition();
    LustreSnapshot model = new LustreSnapshot();
    assertThat(crd.getSpec().getGroup() + "/" + crd.getSpec().getVersions().getFirst().getName()).isEqualTo(model.getApiVersion());
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(model.getKind());
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(model.getPlural());
    var spec = crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getProperties()).containsOnlyKeys("name", "fsName", "sourceDirectory", "lustreSnapshot", "sizeBytes", "size",
        "creationSeconds", "state", "groupSnapshot", "lastRequested");
  }

  @Test
  void recordsSurviveTheRoundTripThroughTheObject() {
    SnapshotRecord record = new SnapshotRecord("snapshot-1234", new SnapshotId("fs1", "snapshot-1234"), new VolumeId("fs1", "pvc-1"),
        "lcsi-20261206-215700-0a1b2c", 5L << 30, 1_765_000_000L, SnapshotRecord.State.READY, "",
        java.time.Instant.parse("2026-12-06T21:57:00Z"));
    LustreSnapshot object = SnapshotObjects.toObject(record, "ns");
    assertThat(object.getMetadata().getName()).isEqualTo("snapshot-1234");
    assertThat(object.getSpec().size()).isEqualTo("5 GiB");
    assertThat(SnapshotObjects.toRecord(object)).isEqualTo(record);
    SnapshotRecord member = new SnapshotRecord("g1/fs1/pvc-1", new SnapshotId("fs1", "snap-1"), new VolumeId("fs1", "pvc-1"),
        "lcsi-20261206-215700-0a1b2c", 1L << 30, 1_765_000_000L, SnapshotRecord.State.CREATING, "g1",
        java.time.Instant.parse("2026-12-06T21:57:00Z"));
    assertThat(SnapshotObjects.toRecord(SnapshotObjects.toObject(member, "ns"))).isEqualTo(member);
    assertThat(member.groupId()).isEqualTo("fs1@g1");
    assertThat(record.groupId()).isEmpty();
  }

  @Test
  void objectNamesAreTheCsiNameWhenItIsADnsLabelElseAHash() {
    assertThat(SnapshotObjects.objectName("snapshot-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab")).isEqualTo("snapshot-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab");
    assertThat(SnapshotObjects.objectName("Snap_1")).matches("snap-[0-9a-f]{40}");
    assertThat(SnapshotObjects.objectName("a".repeat(64))).matches("snap-[0-9a-f]{40}");
    assertThat(SnapshotObjects.objectName("Snap_1")).isNotEqualTo(SnapshotObjects.objectName("Snap_2"));
    assertThat(SnapshotId.parse("fs1@" + SnapshotObjects.objectName("Snap_1"))).isPresent();
  }

  @Test
  void snapshotIdsNeverReadAsVolumeIdsAndForeignTextNamesNoSnapshot() {
    assertThat(SnapshotId.parse("fs1@snapshot-1")).hasValue(new SnapshotId("fs1", "snapshot-1"));
    assertThat(VolumeId.parse("fs1@snapshot-1")).isEmpty();
    assertThat(SnapshotId.parse("fs1/pvc-1")).isEmpty();
    assertThat(SnapshotId.parse("@x")).isEmpty();
    assertThat(SnapshotId.parse("fs1@UPPER")).isEmpty();
    assertThat(SnapshotId.parse("toolongfsname@x")).isEmpty();
  }
}
