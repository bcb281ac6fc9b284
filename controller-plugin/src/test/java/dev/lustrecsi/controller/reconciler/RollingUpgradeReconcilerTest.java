package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.MovingClock;
import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.UpgradeStatus;
import dev.lustrecsi.controller.servers.KubeVirt;
import dev.lustrecsi.controller.servers.ServerVirtualMachines;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling upgrades through the reconciler on the mock API server with the KubeVirt simulator:
 * a new spec.serverImage replaces the server VMs one at a time, in order, each after the one
 * before is back; a server that does not come back stops the rollout and leaves the rest.
 */
class RollingUpgradeReconcilerTest implements AutoCloseable {
  private static final String OLD = "example.org/lustre-server:2.16.1";
  private static final String NEW = "example.org/lustre-server:2.16.2";


  private final MockCluster cluster = new MockCluster(List.of());
  private final FakeAgents agents = new FakeAgents(cluster.client, cluster.kubevirt);
  private final MovingClock clock = new MovingClock();
  private final FilesystemReconciler reconciler = new FilesystemReconciler(cluster.client, MockCluster.NAMESPACE, agents,
      new dev.lustrecsi.controller.agent.AgentCredentials(cluster.client, MockCluster.NAMESPACE, Clock.systemUTC()), 9443,
      fs -> 0L, clock, Duration.ofMinutes(10));

  @AfterEach
  void stop() {
    close();
  }

  private void createAndSettle() {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(MockCluster.NAMESPACE).build());
    filesystem.setSpec(Filesystems.spec("fs1", 2, 1, List.of("tcp")));
    cluster.client.resources(LustreFilesystem.class).resource(filesystem).create();
    for (int pass = 0; pass < 3; pass++) {
      reconciler.reconcile("fs1");
      cluster.kubevirt.sync();
    }
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().phase()).isEqualTo("Ready");
  }

  private void setImage(String image) {
    LustreFilesystem fs = cluster.client.resources(LustreFilesystem.class).withName("fs1").get();
    LustreFilesystemSpec s = fs.getSpec();
    fs.setSpec(new LustreFilesystemSpec(s.fsName(), image, s.mgtSize(), s.mdtSize(), s.ostSize(), s.ostsPerOss(), s.ostCount(),
        s.maxOsts(), s.overcommit(), s.diskStorageClass(), s.serverCpu(), s.serverMemory(), s.lnetNetworks(), s.storageNetwork(),
        s.retention()));
    cluster.client.resources(LustreFilesystem.class).resource(fs).update();
  }

  /** What each server's running instance booted from, by server. */
  private Map<String, String> running() {
    Map<String, String> images = new LinkedHashMap<>();
    for (String server : List.of("fs1-mgs", "fs1-mds0", "fs1-oss0", "fs1-oss1")) {
      images.put(server, VmiView.of(cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).withName(server).get())
          .image());
    }
    return images;
  }

  private String templateImage(String server) {
    return ServerVirtualMachines.templateImage(cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).withName(server).get())
        .orElseThrow();
  }

  /**
   * The events' reasons in the order they were recorded. An API server lists objects by name, and
   * an event's name ends in a random suffix, so they are ordered by resourceVersion: every API
   * server (etcd's revision) and the embedded one issue increasing integers.
   */
  private List<String> eventReasons() {
    return cluster.client.v1().events().list().getItems().stream()
        .sorted(java.util.Comparator.comparingLong(e -> Long.parseLong(e.getMetadata().getResourceVersion())))
        .map(Event::getReason).toList();
  }

  @Test
  void aNewImageReplacesOneServerAtATimeOssesThenMdsThenMgsEachAfterTheOneBeforeIsBack() {
    createAndSettle();
    setImage(NEW);

    List<String> order = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    for (int pass = 0; pass < 20 && order.size() < 4; pass++) {
      LustreFilesystem fs = reconciler.reconcile("fs1").orElseThrow();
      UpgradeStatus upgrade = fs.getStatus().upgrade();
      progress.add(upgrade.progress());
      // Never more than one server off its old instance and not yet back.
      long replacing = running().entrySet().stream().filter(e -> !OLD.equals(e.getValue()) && !NEW.equals(e.getValue())).count();
      assertThat(replacing).as("servers without a running instance at pass " + pass).isLessThanOrEqualTo(1);
      if (upgrade.server() != null && !order.contains(upgrade.server())) {
        order.add(upgrade.server());
        // The servers the rollout has not reached keep their image, in their VM as in their instance.
        for (String later : List.of("fs1-oss0", "fs1-oss1", "fs1-mds0", "fs1-mgs")) {
          if (!order.contains(later)) {
            assertThat(templateImage(later)).as(later + " while " + upgrade.server() + " is replaced").isEqualTo(OLD);
            assertThat(running().get(later)).isEqualTo(OLD);
          }
        }
      }
      cluster.kubevirt.sync();
    }
    LustreFilesystem done = reconciler.reconcile("fs1").orElseThrow();

    assertThat(order).containsExactly("fs1-oss0", "fs1-oss1", "fs1-mds0", "fs1-mgs");
    assertThat(running()).containsOnlyKeys("fs1-mgs", "fs1-mds0", "fs1-oss0", "fs1-oss1").allSatisfy((server, image) ->
        assertThat(image).isEqualTo(NEW));
    assertThat(done.getStatus().upgrade().state()).isEqualTo(RollingUpgrade.COMPLETE);
    assertThat(done.getStatus().upgrade().progress()).isEqualTo("4/4");
    assertThat(progress).contains("0/4 fs1-oss0", "1/4 fs1-oss1", "2/4 fs1-mds0", "3/4 fs1-mgs");
    assertThat(done.getStatus().phase()).isEqualTo("Ready");
    assertThat(done.getStatus().servers()).extracting(s -> s.address()).containsExactly("10.1.0.10", "10.1.0.11", "10.1.0.12", "10.1.0.13");
    assertThat(done.getStatus().conditions()).filteredOn(c -> c.type().equals(RollingUpgrade.CONDITION)).singleElement()
        .extracting(FilesystemCondition::status).isEqualTo("True");
    assertThat(eventReasons()).containsSubsequence("UpgradeStarted", "ServerUpgrading", "ServerUpgraded", "UpgradeComplete");
    assertThat(eventReasons().stream().filter("ServerUpgraded"::equals)).hasSize(4);
  }

  @Test
  void theNextServerWaitsUntilTheOneBeforeHasFinishedRecovery() {
    createAndSettle();
    setImage(NEW);
    reconciler.reconcile("fs1");  // picks fs1-oss0 and deletes its instance
    agents.recovering("fs1-OST0000", true);
    cluster.kubevirt.sync();      // a new instance on the new image; its OST is in recovery

    for (int pass = 0; pass < 3; pass++) {
      LustreFilesystem fs = reconciler.reconcile("fs1").orElseThrow();
      assertThat(fs.getStatus().upgrade().server()).isEqualTo("fs1-oss0");
      assertThat(fs.getStatus().upgrade().message()).contains("fs1-OST0000 Recovering");
      cluster.kubevirt.sync();
    }
    assertThat(running().get("fs1-oss1")).isEqualTo(OLD);

    agents.recovering("fs1-OST0000", false);
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().upgrade().server()).isEqualTo("fs1-oss1");
  }

  @Test
  void aServerThatDoesNotComeBackWithinTheLimitStopsTheRolloutWithAConditionAndAnEventAndLeavesTheRest() {
    createAndSettle();
    setImage(NEW);
    reconciler.reconcile("fs1");
    cluster.kubevirt.sync();
    reconciler.reconcile("fs1");  // fs1-oss0 back: fs1-oss1 is picked
    cluster.kubevirt.unschedulable("fs1-oss1", "image example.org/lustre-server:2.16.2 cannot be pulled");
    cluster.kubevirt.sync();

    clock.advance(Duration.ofMinutes(9));
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().upgrade().state()).isEqualTo(RollingUpgrade.UPGRADING);
    clock.advance(Duration.ofMinutes(2));
    LustreFilesystem stalled = reconciler.reconcile("fs1").orElseThrow();
    cluster.kubevirt.sync();
    reconciler.reconcile("fs1");

    UpgradeStatus upgrade = stalled.getStatus().upgrade();
    assertThat(upgrade.state()).isEqualTo(RollingUpgrade.STALLED);
    assertThat(upgrade.progress()).isEqualTo("stalled at fs1-oss1 (1/4)");
    assertThat(stalled.getStatus().conditions()).filteredOn(c -> c.type().equals(RollingUpgrade.CONDITION)).singleElement()
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo("False");
          assertThat(c.reason()).isEqualTo("UpgradeStalled");
          assertThat(c.message()).contains("fs1-oss1 did not come back", "10 min", "Scheduling");
        });
    assertThat(eventReasons().stream().filter("UpgradeStalled"::equals)).as("one Event, not one per pass").hasSize(1);
    assertThat(templateImage("fs1-mds0")).isEqualTo(OLD);
    assertThat(templateImage("fs1-mgs")).isEqualTo(OLD);
    assertThat(running()).containsEntry("fs1-mds0", OLD).containsEntry("fs1-mgs", OLD);

    // The node frees up: the server comes back, and the rollout goes on by itself.
    cluster.kubevirt.unschedulable("fs1-oss1", null);
    for (int pass = 0; pass < 10; pass++) {
      cluster.kubevirt.sync();
      reconciler.reconcile("fs1");
    }
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().upgrade().state()).isEqualTo(RollingUpgrade.COMPLETE);
  }

  /** The uid of a server's instance now: which instance runs, as KubeVirt starts each under the VM's name. */
  private String instanceUid(String server) {
    return cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(MockCluster.NAMESPACE).withName(server)
        .get().getMetadata().getUid();
  }

  /**
   * Every replica runs reconcile passes. One replica picks fs1-oss0 and, while its delete of the
   * instance it saw is on its way, another replica replaces fs1-oss0 and KubeVirt starts its new
   * instance on the new image. The late delete must miss that new instance (the API server
   * refuses it: another uid), or fs1-oss0 restarts twice and its OST goes through recovery twice.
   */
  @Test
  void aReplicaActingOnAStaleViewDoesNotRestartTheInstanceAnotherReplicaJustStarted() {
    createAndSettle();
    setImage(NEW);
    String old = instanceUid("fs1-oss0");
    List<String> startedMeanwhile = new ArrayList<>();
    Interceptor otherReplicaFirst = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (startedMeanwhile.isEmpty() && request.method().equals("DELETE")
            && request.uri().getPath().endsWith("/virtualmachineinstances/fs1-oss0")) {
          reconciler.reconcile("fs1");  // the other replica replaces fs1-oss0
          cluster.kubevirt.sync();
          startedMeanwhile.add(instanceUid("fs1-oss0"));
        }
      }
    };
    var late = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("other-replica", otherReplicaFirst)))
        .adapt(io.fabric8.kubernetes.client.NamespacedKubernetesClient.class).inNamespace(MockCluster.NAMESPACE);
    FilesystemReconciler lateReplica = new FilesystemReconciler(late, MockCluster.NAMESPACE, agents,
        new dev.lustrecsi.controller.agent.AgentCredentials(late, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L, clock,
        Duration.ofMinutes(10));

    lateReplica.reconcile("fs1");
    cluster.kubevirt.sync();

    assertThat(startedMeanwhile).as("the other replica replaced fs1-oss0 first").singleElement().isNotEqualTo(old);
    assertThat(instanceUid("fs1-oss0")).as("the instance the other replica's replacement started, still running")
        .isEqualTo(startedMeanwhile.getFirst());
    assertThat(running().get("fs1-oss0")).isEqualTo(NEW);
    assertThat(reconciler.reconcile("fs1").orElseThrow().getStatus().upgrade().server()).as("fs1-oss0 back: the rollout goes on")
        .isEqualTo("fs1-oss1");
  }

  /**
   * A server whose instance is being deleted (an eviction: KubeVirt keeps it Running and Ready
   * while the guest shuts down, for up to its grace period) is no healthy server: the rollout
   * must not replace another beside it. Being on its way down anyway, it is the one replaced
   * first (its template takes the new image, so its restart boots it), and it counts as back only
   * once its new instance runs the new image and is healthy.
   */
  @Test
  void aServerShuttingDownIsNotTakenForHealthyAndItsRestartIsTheOneThatUpgradesIt() {
    createAndSettle();
    String oss0 = instanceUid("fs1-oss0");
    cluster.kubevirt.holdShutdown("fs1-mds0");
    cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(MockCluster.NAMESPACE).withName("fs1-mds0")
        .delete();  // evicted; its guest takes its time to stop
    setImage(NEW);

    for (int pass = 0; pass < 3; pass++) {
      LustreFilesystem fs = reconciler.reconcile("fs1").orElseThrow();
      assertThat(fs.getStatus().upgrade().progress()).as("pass " + pass).isEqualTo("0/4 fs1-mds0");
      assertThat(fs.getStatus().servers()).filteredOn(s -> s.name().equals("fs1-mds0")).singleElement()
          .extracting(s -> s.state()).isEqualTo(FilesystemStatusCalculator.STOPPING);
      cluster.kubevirt.sync();
    }
    assertThat(instanceUid("fs1-oss0")).as("no other server replaced while fs1-mds0 shuts down").isEqualTo(oss0);
    assertThat(templateImage("fs1-mds0")).isEqualTo(NEW);
    assertThat(templateImage("fs1-oss0")).isEqualTo(OLD);

    cluster.kubevirt.releaseShutdown("fs1-mds0");
    cluster.kubevirt.sync();  // KubeVirt starts its new instance, from the template: the new image
    LustreFilesystem next = reconciler.reconcile("fs1").orElseThrow();

    assertThat(running().get("fs1-mds0")).isEqualTo(NEW);
    assertThat(next.getStatus().upgrade().progress()).isEqualTo("1/4 fs1-oss0");
  }

  /**
   * A VM whose template image someone edited while its instance still runs the spec's image gets
   * its template back, and nothing restarts: the instance already runs what the spec asks for.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aTemplateImageEditedBehindTheControllersBackIsPutBackWithoutRestartingTheServer() {
    createAndSettle();
    var vms = cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(MockCluster.NAMESPACE);
    var vm = vms.withName("fs1-oss1").get();
    var volumes = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) vm
        .getAdditionalProperties().get("spec")).get("template")).get("spec")).get("volumes");
    ((Map<String, Object>) volumes.getFirst().get("containerDisk")).put("image", "example.org/someone-else:9");
    vms.resource(vm).update();
    String instance = cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).withName("fs1-oss1").get()
        .getMetadata().getUid();

    LustreFilesystem fs = reconciler.reconcile("fs1").orElseThrow();
    cluster.kubevirt.sync();

    assertThat(templateImage("fs1-oss1")).isEqualTo(OLD);
    assertThat(cluster.client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).withName("fs1-oss1").get()
        .getMetadata().getUid()).as("the same instance, not restarted").isEqualTo(instance);
    assertThat(fs.getStatus().upgrade()).isNull();
    assertThat(eventReasons()).doesNotContain("UpgradeStarted", "ServerUpgrading");
  }

  @Test
  void aFilesystemWhoseImageNeverChangedHasNoUpgradeInItsStatus() {
    createAndSettle();
    LustreFilesystem fs = reconciler.reconcile("fs1").orElseThrow();
    assertThat(fs.getStatus().upgrade()).isNull();
    assertThat(fs.getStatus().conditions()).extracting(FilesystemCondition::type).doesNotContain(RollingUpgrade.CONDITION);
  }

  /**
   * The controller killed before each write it makes during a rollout, then restarted: the
   * restarted one finishes the rollout, never with two servers replaced at once, and every
   * server ends on the new image. The server picked is in the status before its VM is touched,
   * so a restart waits for that server (and restarts its instance if the kill came first).
   */
  @Test
  void aControllerKilledBeforeAnyWriteOfARolloutAndRestartedFinishesItOneServerAtATime() {
    int writes = upgradeWrites(Integer.MAX_VALUE);
    assertThat(writes).as("writes of a whole rollout: one kill point each").isGreaterThan(10);
    for (int killAt = 1; killAt <= writes; killAt++) {
      assertThat(upgradeWrites(killAt)).as("kill before write " + killAt).isEqualTo(-1);
    }
  }

  /** Runs a rollout on a fresh cluster with a controller killed before write {@code killAt}; returns the writes of an unkilled run, or -1. */
  private static int upgradeWrites(int killAt) {
    try (RollingUpgradeReconcilerTest t = new RollingUpgradeReconcilerTest()) {
      return t.rollOutKilledAt(killAt);
    }
  }

  private int rollOutKilledAt(int killAt) {
    createAndSettle();
    setImage(NEW);
    ReconcilerCrashTest.KillBeforeWrite killer = new ReconcilerCrashTest.KillBeforeWrite(killAt);
    var doomed = cluster.newClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("kill", killer)))
        .adapt(io.fabric8.kubernetes.client.NamespacedKubernetesClient.class).inNamespace(MockCluster.NAMESPACE);
    FilesystemReconciler first = new FilesystemReconciler(doomed, MockCluster.NAMESPACE, agents,
        new dev.lustrecsi.controller.agent.AgentCredentials(doomed, MockCluster.NAMESPACE, Clock.systemUTC()), 9443, fs -> 0L, clock,
        Duration.ofMinutes(10));
    boolean killed = false;
    try {
      rollOut(first);
    } catch (ReconcilerCrashTest.Killed | io.fabric8.kubernetes.client.KubernetesClientException e) {
      killed = true;
    }
    if (!killed) {
      return killer.writes();
    }
    rollOut(reconciler);  // the restarted controller: nothing carried over in memory
    assertThat(running().values()).as("killed before write " + killAt).containsOnly(NEW);
    assertThat(cluster.client.resources(LustreFilesystem.class).withName("fs1").get().getStatus().upgrade().state())
        .isEqualTo(RollingUpgrade.COMPLETE);
    return -1;
  }

  /** Passes until the rollout is complete, checking after each that at most one server is off both images. */
  private void rollOut(FilesystemReconciler controller) {
    for (int pass = 0; pass < 20; pass++) {
      LustreFilesystem fs = controller.reconcile("fs1").orElseThrow();
      assertThat(running().values().stream().filter(image -> !OLD.equals(image) && !NEW.equals(image)).count())
          .as("servers being replaced at once").isLessThanOrEqualTo(1);
      cluster.kubevirt.sync();
      if (fs.getStatus().upgrade() != null && RollingUpgrade.COMPLETE.equals(fs.getStatus().upgrade().state())) {
        return;
      }
    }
  }

  @Override
  public void close() {
    cluster.close();
  }
}
