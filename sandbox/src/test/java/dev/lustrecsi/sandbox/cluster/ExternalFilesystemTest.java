package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Volume;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes on a Lustre filesystem the site runs, on the one path: the production controller
 * observes it and makes volumes through the real agent on the site's management host, over
 * mutual TLS, on the simulated Lustre commands. No VM, disk or server Secret is ever made for it:
 * every API call the controller makes is recorded and checked. Each test has a site of its own.
 */
class ExternalFilesystemTest {
  @TempDir static Path dir;
  static ControllerOnCluster controller;
  static final List<String> calls = new CopyOnWriteArrayList<>();

  /** Records every request the controller's API client sends: method and path. */
  static final class Recorder implements Interceptor {
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      calls.add(request.method() + " " + request.uri().getPath());
    }
  }

  @BeforeAll
  static void start() throws Exception {
    controller = new ControllerOnCluster(dir);
    controller.restart(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("record", new Recorder())));
  }

  @AfterAll
  static void stop() {
    controller.close();
  }

  /** A site with three 10 GiB OSTs, and its LustreFilesystem as an admin writes it. */
  static ExternalSite site(String fsName, String root, Double overcommit, Integer first, Integer last) throws Exception {
    ExternalSite site = controller.cluster.startExternalSite(fsName, 3, 10 * Sizes.GIB);
    write(fsName, site.spec(root, overcommit, first, last));
    return site;
  }

  static void write(String fsName, LustreFilesystemSpec spec) {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName(ResourceNames.of(fsName).filesystem()).withNamespace(SimulatedCluster.NAMESPACE).build());
    filesystem.setSpec(spec);
    controller.cluster.client().resources(LustreFilesystem.class).resource(filesystem).create();
  }

  static LustreFilesystemStatus await(String fsName, Predicate<LustreFilesystemStatus> condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (true) {
      LustreFilesystem fs = controller.filesystem(fsName);
      if (fs.getStatus() != null && condition.test(fs.getStatus())) {
        return fs.getStatus();
      }
      assertThat(Instant.now()).as("status of %s: %s", fsName, fs.getStatus()).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  static Map<String, String> params(String fsName) {
    return Map.of("fsName", fsName);
  }

  static Volume create(String name, long bytes, String fsName) {
    return controller.create(fsName + "-" + name, bytes, params(fsName));
  }

  static StatusRuntimeException refused(String name, long bytes, Map<String, String> params) {
    try {
      controller.create(params.get("fsName") + "-" + name, bytes, params);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("CreateVolume of " + name + " succeeded");
  }

  static SimulatedServers.Filesystem servers(String fsName) {
    return controller.cluster.servers().filesystem(fsName).orElseThrow();
  }

  static FilesystemCondition condition(LustreFilesystemStatus status, String type) {
    return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void observesTheSiteThroughItsAgentAndMakesNoServerObjects() throws Exception {
    site("observe", null, null, null, null);
    LustreFilesystemStatus status = await("observe", s -> "Ready".equals(s.phase()));
    assertThat(status.health()).isEqualTo("Healthy");
    assertThat(status.ostCount()).isEqualTo(3);
    assertThat(status.usableBytes()).isEqualTo(30 * Sizes.GIB);
    assertThat(status.targets()).extracting(LustreFilesystemStatus.TargetStatus::name)
        .containsExactly("MGS", "observe-MDT0000", "observe-OST0000", "observe-OST0001", "observe-OST0002");
    assertThat(status.servers()).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("Ready"));
    assertThat(condition(status, "AgentReachable").status()).isEqualTo("True");

    Volume volume = create("pvc-1", 2 * Sizes.GIB, "observe");
    assertThat(volume.getVolumeContextMap()).containsEntry(VolumeContext.MGS_NIDS, "10.200.0.1@tcp");

    // What the controller asked of the API server, from its start on: nothing of KubeVirt, no
    // disks, and no Secret written (the CA is read, never made here: the test's site made it).
    assertThat(calls).isNotEmpty();
    assertThat(calls).noneMatch(c -> c.contains("virtualmachine") || c.contains("persistentvolumeclaims") || c.contains("kubevirt"));
    assertThat(calls).filteredOn(c -> c.contains("/secrets")).allMatch(c -> c.startsWith("GET "));
    assertThat(controller.cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems()).isEmpty();
    assertThat(controller.cluster.client().persistentVolumeClaims().list().getItems()).isEmpty();
  }

  @Test
  void aSnapshotOfTheSitesFilesystemIsRefusedBeforeAnythingIsRecorded() throws Exception {
    site("nosnap", null, null, null, null);
    await("nosnap", s -> "Ready".equals(s.phase()));
    Volume a = create("pvc-a", Sizes.GIB, "nosnap");
    Volume b = create("pvc-b", Sizes.GIB, "nosnap");
    StatusRuntimeException single = assertThrows(StatusRuntimeException.class, () -> controller.csi().createSnapshot(
        csi.v1.CreateSnapshotRequest.newBuilder().setName("nosnap-snap").setSourceVolumeId(a.getVolumeId()).build()));
    assertThat(single.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(single.getStatus().getDescription()).contains("spec.external");
    StatusRuntimeException group = assertThrows(StatusRuntimeException.class, () -> csi.v1.GroupControllerGrpc
        .newBlockingStub(controller.channel()).createVolumeGroupSnapshot(csi.v1.CreateVolumeGroupSnapshotRequest.newBuilder()
            .setName("nosnap-group").addSourceVolumeIds(a.getVolumeId()).addSourceVolumeIds(b.getVolumeId()).build()));
    assertThat(group.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    // A record would stay CREATING, and once withdrawn as abandoned DELETING for ever: its Lustre
    // snapshot cannot be destroyed on servers the driver does not run, any more than taken.
    var records = controller.cluster.client().resources(dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot.class);
    assertThat(records.list().getItems()).noneMatch(r -> r.getSpec().fsName().equals("nosnap"));

    // One an earlier version recorded there is let go: nothing of it can be on the site's servers.
    var left = new dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot();
    left.setMetadata(new ObjectMetaBuilder().withName("nosnap-left").withNamespace(SimulatedCluster.NAMESPACE).build());
    String directory = VolumeId.parse(a.getVolumeId()).orElseThrow().directory();
    left.setSpec(new dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshotSpec("nosnap-left", "nosnap", directory,
        "lcsi-20260101-000000-abcdef", Sizes.GIB, "1 GiB", 0, "CREATING", null, Instant.now().toString()));
    controller.cluster.client().resource(left).create();
    controller.csi().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId("nosnap@nosnap-left").build());
    assertThat(records.list().getItems()).noneMatch(r -> r.getSpec().fsName().equals("nosnap"));
  }

  @Test
  void makesVolumesUnderTheVolumeRootWithProjectIdsOfTheRangeOnly() throws Exception {
    ExternalSite site = site("ranged", "k8s/volumes", null, 5000, 5002);
    await("ranged", s -> "Ready".equals(s.phase()));
    Volume a = create("pvc-a", Sizes.GIB, "ranged");
    Volume b = create("pvc-b", 2 * Sizes.GIB, "ranged");
    Volume c = create("pvc-c", 3 * Sizes.GIB, "ranged");
    VolumeId id = VolumeId.parse(a.getVolumeId()).orElseThrow();
    assertThat(id.directory()).isEqualTo("k8s/volumes/ranged-pvc-a");
    assertThat(site.mount().resolve("k8s/volumes/ranged-pvc-a")).isDirectory();
    SimulatedServers.Filesystem fs = servers("ranged");
    for (Volume v : List.of(a, b, c)) {
      String directory = VolumeId.parse(v.getVolumeId()).orElseThrow().directory();
      long project = fs.projects().get(directory).id();
      assertThat(project).as(directory).isBetween(5000L, 5002L);
      assertThat(fs.blockLimitsKib().get(project) * Sizes.KIB).isEqualTo(v.getCapacityBytes());
    }
    assertThat(fs.blockLimitsKib().keySet()).allMatch(p -> p >= 5000 && p <= 5002);

    StatusRuntimeException exhausted = refused("pvc-d", Sizes.GIB, params("ranged"));
    assertThat(exhausted.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(exhausted.getStatus().getDescription()).contains("5000..5002");
    assertThat(servers("ranged").blockLimitsKib().keySet()).allMatch(p -> p >= 5000 && p <= 5002);
    assertThat(controller.records()).noneMatch(r -> r.getSpec().name().equals("ranged-pvc-d"));
  }

  @Test
  void createVolumePastTheAllowedCommitmentIsOutOfRangeNamingTheLimit() throws Exception {
    site("share", null, 0.5, null, null);
    await("share", s -> "Ready".equals(s.phase()));
    StatusRuntimeException tooBig = refused("pvc-big", 16 * Sizes.GIB, params("share"));
    assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(tooBig.getStatus().getDescription()).contains("capacity_range").contains("15 GiB").contains("overcommit 0.5");

    create("pvc-1", 10 * Sizes.GIB, "share");
    StatusRuntimeException past = refused("pvc-2", 6 * Sizes.GIB, params("share"));
    assertThat(past.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(past.getStatus().getDescription()).contains("15 GiB").contains("5 GiB is left");
    assertThat(create("pvc-3", 5 * Sizes.GIB, "share").getCapacityBytes()).isEqualTo(5 * Sizes.GIB);
  }

  @Test
  void aDirectoryTheSiteTaggedWithItsOwnProjectIsRefusedAndLeftAsItWas() throws Exception {
    ExternalSite site = site("tagged", "vols", null, 6000, 6100);
    await("tagged", s -> "Ready".equals(s.phase()));
    // The site's own directory where the volume would go, under a quota of its own.
    Path theirs = Files.createDirectories(site.mount().resolve("vols/tagged-pvc-x"));
    Files.writeString(theirs.resolve("results.csv"), "the site's data\n");
    SimulatedLustreCommands host = new SimulatedLustreCommands(controller.cluster.servers(), ExternalSite.MANAGEMENT_HOST);
    assertThat(host.run(LustreCommands.setProject(theirs, 777)).exitCode()).isZero();
    assertThat(host.run(LustreCommands.setProjectBlockLimit(site.mount(), 777, 1024 * 1024)).exitCode()).isZero();

    StatusRuntimeException refused = refused("pvc-x", Sizes.GIB, params("tagged"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).contains("directory").contains("project id 777");
    assertThat(theirs.resolve("results.csv")).hasContent("the site's data");
    CommandResult project = host.run(LustreCommands.projectOf(theirs));
    assertThat(project.stdout()).startsWith("  777 P ");
    SimulatedServers.Filesystem fs = servers("tagged");
    assertThat(fs.blockLimitsKib()).containsEntry(777L, 1024L * 1024).hasSize(1);
    assertThat(controller.records()).noneMatch(r -> r.getSpec().name().equals("tagged-pvc-x"));
  }

  @Test
  void aVolumeRootTheSiteTaggedForInheritanceTakesNoVolume() throws Exception {
    ExternalSite site = site("rootag", "projects/k8s", null, 6000, 6100);
    await("rootag", s -> "Ready".equals(s.phase()));
    Path root = Files.createDirectories(site.mount().resolve("projects"));
    SimulatedLustreCommands host = new SimulatedLustreCommands(controller.cluster.servers(), ExternalSite.MANAGEMENT_HOST);
    assertThat(host.run(LustreCommands.setProject(root, 999)).exitCode()).isZero();

    StatusRuntimeException refused = refused("pvc-1", Sizes.GIB, params("rootag"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).contains("would inherit project id 999 from projects");
    try (var inside = Files.list(root)) {
      assertThat(inside).as("nothing made in the site's directory").isEmpty();
    }
    assertThat(servers("rootag").blockLimitsKib()).isEmpty();
    assertThat(controller.records()).noneMatch(r -> r.getSpec().name().equals("rootag-pvc-1"));
  }

  @Test
  void aStorageClassMayNotSizeTheSitesFilesystem() throws Exception {
    site("sized", null, null, null, null);
    await("sized", s -> "Ready".equals(s.phase()));
    StatusRuntimeException refused = refused("pvc-1", Sizes.GIB, Map.of("fsName", "sized", "ostSize", "10Gi"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).startsWith("parameters.ostSize: ");
  }

  @Test
  void anInactiveOstMakesTheFilesystemDegradedAndNewVolumesWait() throws Exception {
    ExternalSite site = site("lossy", null, null, null, null);
    await("lossy", s -> "Ready".equals(s.phase()));
    site.loseOst(1);
    LustreFilesystemStatus degraded = await("lossy", s -> "Degraded".equals(s.phase()));
    assertThat(condition(degraded, "TargetsHealthy").status()).isEqualTo("False");
    assertThat(condition(degraded, "TargetsHealthy").message()).contains("lossy-OST0001 Down");
    assertThat(degraded.targets()).filteredOn(t -> t.name().equals("lossy-OST0001"))
        .singleElement().satisfies(t -> assertThat(t.capacityBytes()).as("capacity as last seen").isEqualTo(10 * Sizes.GIB));
    assertThat(controller.cluster.client().v1().events().list().getItems())
        .anyMatch(e -> e.getReason().equals("Degraded") && e.getInvolvedObject().getName().equals("lossy"));
    assertThatThrownBy(() -> controller.csi().createVolume(ControllerOnCluster.request("lossy-pvc-1", Sizes.GIB, params("lossy"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void anOstWhoseServerRestartedIsRecoveringAsTheClientsImportSays() throws Exception {
    ExternalSite site = site("replay", null, null, null, null);
    await("replay", s -> "Ready".equals(s.phase()));
    site.crashAndRestartOss(2);
    LustreFilesystemStatus recovering = await("replay", s -> "Degraded".equals(s.phase()));
    assertThat(recovering.targets()).filteredOn(t -> t.name().equals("replay-OST0002")).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo("Recovering"));
    assertThat(condition(recovering, "TargetsHealthy").message()).isEqualTo("replay-OST0002 Recovering");
  }

  @Test
  void aSpecThatCannotBeUsedFailsNamingTheField() throws Exception {
    write("badroot", LustreFilesystemSpec.external("badroot", new LustreFilesystemSpec.External("10.200.0.1@tcp", null, "127.0.0.1:9", "../up",
        null, null)));
    LustreFilesystemStatus failed = await("badroot", s -> "Failed".equals(s.phase()));
    assertThat(condition(failed, "Ready").reason()).isEqualTo("InvalidSpec");
    assertThat(condition(failed, "Ready").message()).startsWith("spec.external.volumeRoot: ");
    StatusRuntimeException refused = refused("pvc-1", Sizes.GIB, params("badroot"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).contains("spec.external.volumeRoot");
  }
}
