package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The users' page (docs/using-volumes.md) is copied from by people who will not read the driver's
 * code: every manifest on it must be one the driver takes, naming classes that exist. Its
 * StorageClasses, if it shows any, are checked with every page's by StorageClassExamplesTest.
 */
class UsingVolumesPageTest {
  static final String PAGE = "docs/using-volumes.md";

  private static ClaimManifests.Classes examples;

  @BeforeAll
  static void renderExamples() throws Exception {
    examples = ClaimManifests.Classes.ofExamples();
  }

  @Test
  void everyManifestOnTheUsersPageIsOneTheDriverTakes() {
    UserDocs.Page page = UserDocs.read().pages().stream().filter(p -> p.name().equals(PAGE)).findFirst()
        .orElseThrow(() -> new AssertionError(PAGE + " is missing"));
    ClaimManifests manifests = ClaimManifests.of(page);

    assertThat(manifests.problems(examples)).isEmpty();
    // What the page teaches is all there to be checked: a claim, a workload using it, a snapshot,
    // a restore and a clone.
    assertThat(manifests.shown().all(PersistentVolumeClaim.class)).extracting(c -> c.getSpec().getDataSource() == null
        ? "new" : c.getSpec().getDataSource().getKind()).contains("new", "VolumeSnapshot", "PersistentVolumeClaim");
    assertThat(manifests.shown().all(Job.class)).isNotEmpty();
    assertThat(manifests.shown().all(GenericKubernetesResource.class)).extracting(GenericKubernetesResource::getKind)
        .contains("VolumeSnapshot");
  }

  @Test
  void mistakesAUserCouldCopyAreCaught() {
    UserDocs.Page page = UserDocs.parse("x.md", """
        ```yaml
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          storageClassName: lustre-scratch
          accessModes: [ReadWriteMany]
          resources: {requests: {storage: 2Ti}}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: typo}
        spec:
          storageClassName: lustre-nvme
          accessModes: [ReadWriteAll]
          resources: {requests: {storage: 1Ti}}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: raw}
        spec:
          storageClassName: lustre-scratch
          accessModes: [ReadWriteOnce]
          volumeMode: Block
          resources: {requests: {storage: 1Ti}}
        ---
        apiVersion: snapshot.storage.k8s.io/v1
        kind: VolumeSnapshot
        metadata: {name: monday}
        spec:
          volumeSnapshotClassName: lustre-snaps
          source: {persistentVolumeClaimName: data}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: restored}
        spec:
          storageClassName: lustre-rdma
          accessModes: [ReadWriteMany]
          resources: {requests: {storage: 1Ti}}
          dataSource: {kind: VolumeSnapshot, name: monday}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: copied}
        spec:
          storageClassName: lustre-scratch
          accessModes: [ReadWriteMany]
          resources: {requests: {storage: 2Ti}}
          dataSource: {apiGroup: apps, kind: Deployment, name: data}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: busybox}]
          volumes: [{name: d, persistentVolumeClaim: {claimName: dta}}]
        ```
        """);

    assertThat(ClaimManifests.of(page).problems(examples)).containsExactlyInAnyOrder(
        "claim typo: storageClassName lustre-nvme is no StorageClass of the driver shown in the page or the chart's examples",
        "claim typo: access mode ReadWriteAll is not one the external-provisioner passes to this driver",
        "claim raw: access mode ReadWriteOnce with volumeMode Block: the controller refuses it: block access is not supported:"
            + " Lustre volumes are mounted filesystems",
        "snapshot monday: volumeSnapshotClassName lustre-snaps is no VolumeSnapshotClass of the driver shown in the page or deploy/examples",
        "claim restored: dataSource of kind VolumeSnapshot needs apiGroup snapshot.storage.k8s.io, not \"\"",
        "claim restored: its StorageClass's filesystem fast is not its source's, scratch: the controller refuses a source on another filesystem",
        "claim restored: asks for 1Ti, less than its source's 2Ti: the controller refuses a capacity below the source's size",
        "claim copied: dataSource kind Deployment is neither VolumeSnapshot nor PersistentVolumeClaim, the content sources the driver takes",
        "Pod p: volume d names claim dta, which the page does not make");
  }

  @Test
  void aKindKubernetesDoesNotHaveIsCaught() {
    UserDocs.Page page = UserDocs.parse("x.md", """
        ```yaml
        apiVersion: snapshot.storage.k8s.io/v1
        kind: VolumeSnapshott
        metadata: {name: monday}
        ```
        """);
    assertThatThrownBy(() -> ClaimManifests.of(page)).hasMessageContaining("is not a kind fabric8 knows");
  }
}
