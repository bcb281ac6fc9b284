package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FilesystemReconcilerTest {
  private final MockCluster cluster = new MockCluster(List.of());
  private final FakeAgents agents = new FakeAgents(cluster.client, cluster.kubevirt);
  private final FilesystemReconciler reconciler = new FilesystemReconciler(cluster.client, MockCluster.NAMESPACE, agents,
      new dev.lustrecsi.controller.agent.AgentCredentials(cluster.client, MockCluster.NAMESPACE, Clock.systemUTC()), 9443,
      fs -> 5L << 40, Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

  @AfterEach
  void stop() {
    cluster.close();
  }

  private LustreFilesystem create(LustreFilesystemSpec spec) {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName(spec.fsName()).withNamespace(MockCluster.NAMESPACE).build());
    filesystem.setSpec(spec);
    return cluster.client.resources(LustreFilesystem.class).resource(filesystem).create();
  }

  private LustreFilesystem reconcileUntilSettled() {
    LustreFilesystem result = null;
    for (int pass = 0; pass < 4; pass++) {
      result = reconciler.reconcile("fs1").orElseThrow();
      cluster.kubevirt.sync();
    }
    return reconciler.reconcile("fs1").orElseThrow();
  }

  private List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).sorted().toList();
  }

  private List<GenericKubernetesResource> vms() {
    return cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).list().getItems();
  }

  @Test
  @SuppressWarnings("unchecked")
  void fieldsKubevirtDefaultsInTheVmsAreLeftAloneAndNoPassRewritesThem() {
    create(Filesystems.spec("fs1", 1, 2, List.of("tcp")));
    reconcileUntilSettled();
    var vms = cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(MockCluster.NAMESPACE);
    // What KubeVirt's admission webhook stores in every VM (the embedded API server runs it): its machine type and architecture.
    for (GenericKubernetesResource vm : vms.list().getItems()) {
      Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) vm.getAdditionalProperties()
          .get("spec")).get("template")).get("spec");
      assertThat(template).containsKey("architecture");
      assertThat((Map<String, Object>) template.get("domain")).containsKey("machine");
    }
    Map<String, String> versions = new java.util.TreeMap<>();
    vms.list().getItems().forEach(vm -> versions.put(vm.getMetadata().getName(), vm.getMetadata().getResourceVersion()));

    reconciler.reconcile("fs1").orElseThrow();

    Map<String, String> after = new java.util.TreeMap<>();
    vms.list().getItems().forEach(vm -> after.put(vm.getMetadata().getName(), vm.getMetadata().getResourceVersion()));
    assertThat(after).as("no VM written").isEqualTo(versions);
    assertThat(cluster.client.v1().events().inNamespace(MockCluster.NAMESPACE).list().getItems())
        .noneMatch(e -> e.getReason().equals("ServerUpdated"));
  }

  /**
   * Two StorageClasses of other fsNames and no range of their own: both filesystems draw from the
   * chart's one storage range. Reconciled at the same moment (two CreateVolume calls), they must
   * still get addresses of their own, as must the OSS one of them adds later.
   */
  @Test
  void filesystemsSharingAStorageRangeNeverShareAnAddress() throws Exception {
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    create(Filesystems.spec("fs2", 1, 1, List.of("tcp")));
    try (var executor = java.util.concurrent.Executors.newFixedThreadPool(2)) {
      var first = executor.submit(() -> reconciler.reconcile("fs1").orElseThrow());
      var second = executor.submit(() -> reconciler.reconcile("fs2").orElseThrow());
      first.get();
      second.get();
    }
    LustreFilesystem fs1 = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
    fs1.setSpec(fs1.getSpec().withOstCount(2));
    cluster.client.resources(LustreFilesystem.class).resource(fs1).update();
    reconciler.reconcile("fs1").orElseThrow();

    List<String> addresses = cluster.client.resources(LustreFilesystem.class).list().getItems().stream()
        .flatMap(fs -> fs.getStatus().servers().stream()).map(LustreFilesystemStatus.ServerStatus::address).toList();
    assertThat(addresses).hasSize(7).doesNotHaveDuplicates();
  }

  /**
   * Two controller replicas each plan a new filesystem: the one the provisioner sidecar calls
   * serves CreateVolume, and runs its pass, while the leader runs its own. A lock in one process
   * cannot keep them apart: here the second replica plans fs2 in full between the first one's
   * reading of the other filesystems' addresses and its writing of fs1's plan. The addresses are
   * claimed cluster-wide before a plan is written, so each server still gets one of its own.
   */
  @Test
  void twoReplicasPlanningFilesystemsAtOnceNeverGiveTwoServersOneAddress() {
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    create(Filesystems.spec("fs2", 1, 1, List.of("tcp")));
    KubernetesClient secondClient = cluster.newClient(b -> { });
    FilesystemReconciler second = new FilesystemReconciler(secondClient, MockCluster.NAMESPACE, agents,
        new dev.lustrecsi.controller.agent.AgentCredentials(secondClient, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L,
        Clock.systemUTC());
    java.util.concurrent.atomic.AtomicBoolean interleaved = new java.util.concurrent.atomic.AtomicBoolean();
    Interceptor secondPlansMeanwhile = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (request.method().equals("PUT") && request.uri().getPath().endsWith("/lustrefilesystems/fs1/status")
            && interleaved.compareAndSet(false, true)) {
          second.reconcile("fs2");
        }
      }
    };
    KubernetesClient firstClient = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("meanwhile",
        secondPlansMeanwhile)));
    FilesystemReconciler first = new FilesystemReconciler(firstClient, MockCluster.NAMESPACE, agents,
        new dev.lustrecsi.controller.agent.AgentCredentials(firstClient, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L,
        Clock.systemUTC());

    first.reconcile("fs1");

    assertThat(interleaved).isTrue();
    List<String> addresses = cluster.client.resources(LustreFilesystem.class).list().getItems().stream()
        .flatMap(fs -> fs.getStatus().servers().stream()).map(LustreFilesystemStatus.ServerStatus::address).toList();
    assertThat(addresses).hasSize(6).doesNotHaveDuplicates();
  }

  /**
   * A controller that dies after claiming its new servers' addresses and before writing the plan
   * that gives them: meanwhile another filesystem is deleted, so lower addresses are free when the
   * pass runs again. The retry takes back the addresses it claimed, so no claim is left behind
   * holding an address no server has (until the filesystem is deleted).
   */
  @Test
  void aPassRetriedAfterDyingBetweenClaimAndPlanTakesBackItsClaimedAddressesAndLeavesNoClaimBehind() {
    create(Filesystems.spec("fs0", 1, 1, List.of("tcp")));
    reconciler.reconcile("fs0").orElseThrow();  // fs0's servers hold 10.1.0.10 to .12
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    Interceptor dieBeforeThePlan = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (request.method().equals("PUT") && request.uri().getPath().endsWith("/lustrefilesystems/fs1/status")) {
          throw new ReconcilerCrashTest.Killed(request.method() + " " + request.uri().getPath());
        }
      }
    };
    KubernetesClient doomedClient = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("die",
        dieBeforeThePlan)));
    FilesystemReconciler doomed = new FilesystemReconciler(doomedClient, MockCluster.NAMESPACE, agents,
        new dev.lustrecsi.controller.agent.AgentCredentials(doomedClient, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L,
        Clock.systemUTC());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> doomed.reconcile("fs1")).isInstanceOf(ReconcilerCrashTest.Killed.class);
    assertThat(claimsOf("fs1")).as("claimed before the crash").containsOnlyKeys("fs1/fs1-mgs", "fs1/fs1-mds0", "fs1/fs1-oss0")
        .containsValues("10.1.0.13", "10.1.0.14", "10.1.0.15");
    assertThat(cluster.client.resources(LustreFilesystem.class).withName("fs1").get().getStatus()).as("no plan written").isNull();
    // fs0 is deleted; the garbage collector takes its claims with it.
    cluster.client.resources(LustreFilesystem.class).withName("fs0").delete();
    cluster.client.leases().inNamespace(MockCluster.NAMESPACE).withLabel(dev.lustrecsi.controller.servers.ObjectMeta.FILESYSTEM_LABEL, "fs0")
        .delete();

    LustreFilesystem retried = reconciler.reconcile("fs1").orElseThrow();

    assertThat(retried.getStatus().servers()).extracting(ServerStatus::address).containsExactly("10.1.0.13", "10.1.0.14", "10.1.0.15");
    assertThat(claimsOf("fs1")).as("one claim per server, on its address").containsExactlyInAnyOrderEntriesOf(Map.of(
        "fs1/fs1-mgs", "10.1.0.13", "fs1/fs1-mds0", "10.1.0.14", "fs1/fs1-oss0", "10.1.0.15"));
  }

  /** Every address claim held for the filesystem: holder to address. */
  private Map<String, String> claimsOf(String filesystem) {
    Map<String, String> claims = new java.util.HashMap<>();
    for (var lease : cluster.client.leases().inNamespace(MockCluster.NAMESPACE).list().getItems()) {
      String holder = lease.getSpec().getHolderIdentity();
      if (lease.getMetadata().getName().startsWith(AddressClaims.PREFIX) && holder.startsWith(filesystem + "/")) {
        String address = lease.getMetadata().getName().substring(AddressClaims.PREFIX.length()).replace('-', '.');
        assertThat(claims.put(holder, address)).as("a second claim held by " + holder).isNull();
      }
    }
    return claims;
  }

  @Test
  void theDisksFollowARetentionChangedAfterTheyWereMade() {
    create(Filesystems.spec("fs1", 1, 2, List.of("tcp")).withRetention(LustreFilesystemSpec.DELETE));
    LustreFilesystem made = reconcileUntilSettled();
    assertThat(cluster.client.persistentVolumeClaims().list().getItems()).allSatisfy(pvc ->
        assertThat(pvc.getMetadata().getOwnerReferences()).as(pvc.getMetadata().getName()).hasSize(1));

    // Switched to Retain before the filesystem is deleted, to keep its data: no disk may go with it any more.
    made.setSpec(made.getSpec().withRetention(LustreFilesystemSpec.RETAIN));
    cluster.client.resources(LustreFilesystem.class).resource(made).update();
    reconciler.reconcile("fs1").orElseThrow();
    assertThat(cluster.client.persistentVolumeClaims().list().getItems()).allSatisfy(pvc ->
        assertThat(pvc.getMetadata().getOwnerReferences()).as(pvc.getMetadata().getName()).isEmpty());

    LustreFilesystem retained = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
    retained.setSpec(retained.getSpec().withRetention(LustreFilesystemSpec.DELETE));
    cluster.client.resources(LustreFilesystem.class).resource(retained).update();
    reconciler.reconcile("fs1").orElseThrow();
    assertThat(cluster.client.persistentVolumeClaims().list().getItems()).allSatisfy(pvc ->
        assertThat(pvc.getMetadata().getOwnerReferences()).extracting(o -> o.getUid()).containsExactly(retained.getMetadata().getUid()));
  }

  @Test
  void firstPassWritesThePlanAndCreatesDisksAndVmsThenTheFilesystemComesUp() {
    create(Filesystems.spec("fs1", 1, 2, List.of("tcp")));

    LustreFilesystem first = reconciler.reconcile("fs1").orElseThrow();

    assertThat(first.getStatus().phase()).isEqualTo("Provisioning");
    assertThat(first.getStatus().servers()).extracting(ServerStatus::state).containsOnly("Starting");
    assertThat(names(cluster.client.persistentVolumeClaims().list().getItems())).containsExactly("fs1-mdt0000", "fs1-mgt", "fs1-ost0000");
    assertThat(names(vms())).containsExactly("fs1-mds0", "fs1-mgs", "fs1-oss0");
    assertThat(names(cluster.client.secrets().list().getItems()))
        .containsExactly("fs1-agent-tls", "fs1-mds0-cloudinit", "fs1-mgs-cloudinit", "fs1-oss0-cloudinit", "lustre-csi-agent-ca");

    cluster.kubevirt.sync();
    LustreFilesystem ready = reconciler.reconcile("fs1").orElseThrow();

    LustreFilesystemStatus status = ready.getStatus();
    assertThat(status.phase()).isEqualTo("Ready");
    assertThat(status.health()).isEqualTo("Healthy");
    assertThat(status.capacity()).isEqualTo("1 TiB");
    assertThat(status.usableBytes()).isEqualTo(1L << 40);
    assertThat(status.committedBytes()).isEqualTo(5L << 40);
    assertThat(status.targets()).extracting(TargetStatus::state).containsOnly("Up");
    assertThat(status.conditions()).extracting(c -> c.type() + "=" + c.status())
        .containsExactly("Ready=True", "ServersReady=True", "TargetsHealthy=True", "Recovering=False");
    assertThat(cluster.client.v1().events().list().getItems()).extracting(Event::getReason)
        .contains("DiskCreated", "ServerCreated", "Provisioning", "Ready");
  }

  @Test
  void growthAddsOstDisksToTheOssWithRoomThenANewOssAndKeepsEveryAddress() {
    create(Filesystems.spec("fs1", 1, 2, List.of("tcp")));
    LustreFilesystem ready = reconcileUntilSettled();
    List<ServerStatus> before = ready.getStatus().servers();

    ready.setSpec(ready.getSpec().withOstCount(3));
    cluster.client.resources(LustreFilesystem.class).resource(ready).update();
    LustreFilesystem grown = reconcileUntilSettled();

    assertThat(grown.getStatus().phase()).isEqualTo("Ready");
    assertThat(grown.getStatus().ostCount()).isEqualTo(3);
    assertThat(grown.getStatus().capacity()).isEqualTo("3 TiB");
    assertThat(grown.getStatus().servers().subList(0, before.size())).extracting(ServerStatus::address)
        .isEqualTo(before.stream().map(ServerStatus::address).toList());
    assertThat(names(vms())).containsExactly("fs1-mds0", "fs1-mgs", "fs1-oss0", "fs1-oss1");
    String oss0 = io.fabric8.kubernetes.client.utils.Serialization.asYaml(
        cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).withName("fs1-oss0").get());
    assertThat(oss0).contains("claimName: \"fs1-ost0000\"", "claimName: \"fs1-ost0001\"").doesNotContain("fs1-ost0002");
    assertThat(names(cluster.client.persistentVolumeClaims().list().getItems()))
        .contains("fs1-ost0000", "fs1-ost0001", "fs1-ost0002");
    assertThat(cluster.client.v1().events().list().getItems()).extracting(Event::getReason).contains("ServerUpdated");
  }

  @Test
  void aServerWhoseNodeDiedDegradesTheFilesystemUntilKubevirtRestartsIt() {
    create(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    reconcileUntilSettled();

    cluster.kubevirt.fail("fs1-oss0");
    LustreFilesystem degraded = reconciler.reconcile("fs1").orElseThrow();

    assertThat(degraded.getStatus().phase()).isEqualTo("Degraded");
    assertThat(degraded.getStatus().health()).isEqualTo("Degraded");
    assertThat(degraded.getStatus().targets()).filteredOn(t -> t.kind().equals("OST")).extracting(TargetStatus::state)
        .containsOnly("Down");
    assertThat(degraded.getStatus().conditions()).filteredOn(c -> c.type().equals("TargetsHealthy")).singleElement()
        .satisfies(c -> assertThat(c.message()).contains("fs1-OST0000 Down", "fs1-OST0001 Down"));
    assertThat(degraded.getStatus().conditions()).filteredOn(c -> c.type().equals("Recovering")).singleElement().satisfies(c -> {
      assertThat(c.status()).isEqualTo("True");
      assertThat(c.reason()).isEqualTo("ServerRestarting");
      assertThat(c.message()).contains("fs1-OST0000 down while fs1-oss0 restarts");
    });
    assertThat(cluster.client.v1().events().list().getItems()).filteredOn(e -> e.getType().equals("Warning"))
        .extracting(Event::getReason).contains("Degraded");

    cluster.kubevirt.sync();  // KubeVirt restarts the VM (runStrategy Always), same disks and address
    agents.recovering("fs1-OST0000", true);
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().targets())
        .filteredOn(t -> t.name().equals("fs1-OST0000")).extracting(TargetStatus::state).containsExactly("Recovering");
    LustreFilesystem recovering = reconciler.reconcile("fs1").orElseThrow();
    assertThat(recovering.getStatus().phase()).isEqualTo("Degraded");
    assertThat(recovering.getStatus().conditions()).filteredOn(c -> c.type().equals("Recovering")).singleElement()
        .satisfies(c -> assertThat(c.reason() + ": " + c.message()).isEqualTo("TargetsRecovering: fs1-OST0000 in recovery"
            + "; client I/O to these targets waits and resumes when they are back"));
    assertThat(recovering.getStatus().servers()).filteredOn(s -> s.name().equals("fs1-oss0")).extracting(ServerStatus::address)
        .containsExactly("10.1.0.12");
    agents.recovering("fs1-OST0000", false);
    LustreFilesystem ready = reconciler.reconcile("fs1").orElseThrow();
    assertThat(ready.getStatus().phase()).isEqualTo("Ready");
    assertThat(ready.getStatus().conditions()).filteredOn(c -> c.type().equals("Recovering")).extracting(c -> c.status())
        .containsExactly("False");
  }

  @Test
  void anEvictedServerComesBackAsAnotherInstanceWithItsAddressAndTheFilesystemIsReadyAgain() {
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    LustreFilesystem before = reconcileUntilSettled();
    String instanceBefore = cluster.kubevirt.running().get("fs1-oss0");
    String vmBefore = io.fabric8.kubernetes.client.utils.Serialization.asJson(
        cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).withName("fs1-oss0").get().getAdditionalProperties().get("spec"));

    cluster.kubevirt.holdShutdown("fs1-oss0");
    cluster.kubevirt.evict("fs1-oss0");  // a node drain: the instance is deleted
    cluster.kubevirt.sync();  // its guest shuts down: the agent stops, the OST unmounts
    LustreFilesystem evicted = reconciler.reconcile("fs1").orElseThrow();
    assertThat(evicted.getStatus().phase()).isEqualTo("Degraded");
    assertThat(evicted.getStatus().conditions()).filteredOn(c -> c.type().equals("Recovering")).singleElement()
        .satisfies(c -> assertThat(c.reason() + ": " + c.message()).startsWith("ServerRestarting: fs1-OST0000 down while fs1-oss0 restarts"));

    cluster.kubevirt.releaseShutdown("fs1-oss0");
    cluster.kubevirt.sync();
    LustreFilesystem back = reconciler.reconcile("fs1").orElseThrow();

    assertThat(back.getStatus().phase()).isEqualTo("Ready");
    assertThat(cluster.kubevirt.running().get("fs1-oss0")).isNotEqualTo(instanceBefore);
    assertThat(back.getStatus().servers()).isEqualTo(before.getStatus().servers());
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(
        cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).withName("fs1-oss0").get().getAdditionalProperties().get("spec")))
        .as("the VM, its disks and address untouched").isEqualTo(vmBefore);
  }

  /**
   * A server whose instance is being deleted (a restart, an eviction) keeps phase Running and
   * Ready in KubeVirt while the guest shuts down, up to terminationGracePeriodSeconds, and its
   * agent still answers: the server is Stopping all the same, not Ready, for it is about to go.
   */
  @Test
  void aServerWhoseInstanceIsShuttingDownIsStoppingNotReadyUntilItsNewInstanceRuns() {
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    reconcileUntilSettled();
    cluster.kubevirt.holdShutdown("fs1-oss0");
    cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(MockCluster.NAMESPACE).withName("fs1-oss0")
        .delete();

    LustreFilesystem stopping = reconciler.reconcile("fs1").orElseThrow();

    assertThat(stopping.getStatus().servers()).filteredOn(s -> s.name().equals("fs1-oss0")).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo(FilesystemStatusCalculator.STOPPING);
      assertThat(s.message()).contains("being deleted", "shutting down");
    });
    assertThat(stopping.getStatus().conditions()).filteredOn(c -> c.type().equals("ServersReady")).singleElement().satisfies(c -> {
      assertThat(c.status()).isEqualTo("False");
      assertThat(c.message()).contains("fs1-oss0 Stopping");
    });

    cluster.kubevirt.releaseShutdown("fs1-oss0");
    cluster.kubevirt.sync();
    LustreFilesystem back = reconciler.reconcile("fs1").orElseThrow();
    assertThat(back.getStatus().servers()).extracting(ServerStatus::state).containsOnly(FilesystemStatusCalculator.READY);
  }

  /**
   * Sizes an admin writes that are no Kubernetes quantity (1TB, 8GB) would have every PVC or VM
   * made from them refused by the API server, pass after pass, with nothing in the status, and
   * one in decimal units (1T) would be a disk of 10^12 bytes that the driver counts as 2^40: the
   * filesystem fails at once instead, naming the field, and nothing is made.
   */
  @Test
  void sizesThatAreNoKubernetesQuantityFailTheSpecNamingTheFieldBeforeAnythingIsMade() {
    create(new LustreFilesystemSpec("fs1", "img", null, null, "1TB", 1, 1, 16, 1.0, null, null, null, List.of("tcp"),
        new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/24", null), null));

    LustreFilesystem failed = reconciler.reconcile("fs1").orElseThrow();

    assertThat(failed.getStatus().phase()).isEqualTo(FilesystemReconciler.FAILED);
    assertThat(failed.getStatus().conditions().getFirst().reason()).isEqualTo(FilesystemReconciler.INVALID_SPEC);
    assertThat(failed.getStatus().conditions().getFirst().message()).startsWith("spec.ostSize: \"1TB\" is not a whole number in binary units");
    assertThat(vms()).isEmpty();
    assertThat(cluster.client.persistentVolumeClaims().list().getItems()).isEmpty();

    for (var bad : List.of(Map.entry("spec.serverMemory", new LustreFilesystemSpec("fs1", "img", null, null, "1Ti", 1, 1, 16, 1.0, null,
            null, "8GB", List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/24", null), null)),
        Map.entry("spec.ostSize", new LustreFilesystemSpec("fs1", "img", null, null, "1T", 1, 1, 16, 1.0, null,
            null, null, List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/24", null), null)),
        Map.entry("spec.mdtSize", new LustreFilesystemSpec("fs1", "img", null, "0", "1Ti", 1, 1, 16, 1.0, null,
            null, null, List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/24", null), null)))) {
      LustreFilesystem fs = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
      fs.setSpec(bad.getValue());
      cluster.client.resources(LustreFilesystem.class).resource(fs).update();
      assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().conditions().getFirst().message()).startsWith(bad.getKey() + ": ");
    }
  }

  /**
   * An edit makes a running filesystem's spec invalid (here the release's own case: an ostSize in
   * decimal units, with more OSTs asked for in the same edit), and meanwhile an admin deletes a
   * server VM. Nothing new is planned from the invalid spec and it stays Failed, InvalidSpec; but
   * the servers the status already records are kept alive: the VM is made again as it was, with
   * its disks, address and image. A VM whose own fields are invalid (serverMemory) cannot be
   * built and waits for the spec to be fixed.
   */
  @Test
  void whileTheSpecIsInvalidADeletedServerOfTheRecordedPlanIsMadeAgainAndNothingNewIsPlanned() {
    create(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    LustreFilesystem settled = reconcileUntilSettled();
    var vms = cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(MockCluster.NAMESPACE);
    Object ossBefore = vms.withName("fs1-oss0").get().getAdditionalProperties().get("spec");
    List<String> disksBefore = names(cluster.client.persistentVolumeClaims().list().getItems());
    LustreFilesystemSpec s = settled.getSpec();
    LustreFilesystemSpec invalid = new LustreFilesystemSpec(s.fsName(), s.serverImage(), s.mgtSize(), s.mdtSize(), "1T", s.ostsPerOss(), 3,
        s.maxOsts(), s.overcommit(), s.diskStorageClass(), s.serverCpu(), s.serverMemory(), s.lnetNetworks(), s.storageNetwork(), s.retention());
    settled.setSpec(invalid);
    cluster.client.resources(LustreFilesystem.class).resource(settled).update();
    vms.withName("fs1-oss0").delete();
    cluster.kubevirt.sync();

    LustreFilesystem failed = reconciler.reconcile("fs1").orElseThrow();

    assertThat(failed.getStatus().phase()).isEqualTo(FilesystemReconciler.FAILED);
    assertThat(failed.getStatus().conditions().getFirst().reason()).isEqualTo(FilesystemReconciler.INVALID_SPEC);
    assertThat(failed.getStatus().conditions().getFirst().message()).startsWith("spec.ostSize: ");
    assertThat(failed.getStatus().servers()).as("nothing new planned").isEqualTo(settled.getStatus().servers());
    assertThat(failed.getStatus().targets()).isEqualTo(settled.getStatus().targets());
    assertThat(vms.withName("fs1-oss0").get()).as("the deleted VM, made again").isNotNull()
        .satisfies(vm -> assertThat(vm.getAdditionalProperties().get("spec")).isEqualTo(ossBefore));
    assertThat(names(vms.list().getItems())).containsExactly("fs1-mds0", "fs1-mgs", "fs1-oss0");
    assertThat(names(cluster.client.persistentVolumeClaims().list().getItems())).isEqualTo(disksBefore);
    cluster.kubevirt.sync();
    assertThat(cluster.kubevirt.running()).containsKey("fs1-oss0");
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().phase()).as("still failed").isEqualTo(FilesystemReconciler.FAILED);

    // The VM's own fields invalid: it cannot be built as it was, and is not built otherwise.
    LustreFilesystem again = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
    again.setSpec(new LustreFilesystemSpec(s.fsName(), s.serverImage(), s.mgtSize(), s.mdtSize(), s.ostSize(), s.ostsPerOss(), 1,
        s.maxOsts(), s.overcommit(), s.diskStorageClass(), s.serverCpu(), "8GB", s.lnetNetworks(), s.storageNetwork(), s.retention()));
    cluster.client.resources(LustreFilesystem.class).resource(again).update();
    vms.withName("fs1-oss0").delete();
    LustreFilesystem stillFailed = reconciler.reconcile("fs1").orElseThrow();
    assertThat(stillFailed.getStatus().conditions().getFirst().message()).startsWith("spec.serverMemory: ");
    assertThat(vms.withName("fs1-oss0").get()).isNull();
  }

  @Test
  void aSpecThatCannotBePlannedFailsWithAConditionNamingTheField() {
    create(new LustreFilesystemSpec("fs1", "img", null, null, "1Ti", 1, 1, 16, 1.0, null, null, null, List.of("tcp"),
        new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/33", null), null));

    LustreFilesystem failed = reconciler.reconcile("fs1").orElseThrow();

    assertThat(failed.getStatus().phase()).isEqualTo("Failed");
    assertThat(failed.getStatus().conditions().getFirst().message()).startsWith("spec.storageNetwork.cidr");
    assertThat(vms()).isEmpty();
  }

  @Test
  void reconcilingASettledFilesystemChangesNothing() {
    create(Filesystems.spec("fs1", 2, 1, List.of("tcp")));
    LustreFilesystem settled = reconcileUntilSettled();
    Map<String, String> versions = new java.util.HashMap<>();
    vms().forEach(vm -> versions.put(vm.getMetadata().getName(), vm.getMetadata().getResourceVersion()));

    LustreFilesystem again = reconciler.reconcile("fs1").orElseThrow();

    assertThat(again.getMetadata().getResourceVersion()).isEqualTo(settled.getMetadata().getResourceVersion());
    vms().forEach(vm -> assertThat(vm.getMetadata().getResourceVersion()).isEqualTo(versions.get(vm.getMetadata().getName())));
  }
}
