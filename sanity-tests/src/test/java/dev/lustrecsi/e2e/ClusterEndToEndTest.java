package dev.lustrecsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * NEEDS A REAL CLUSTER: Kubernetes with KubeVirt, Multus, a block StorageClass, the Lustre client
 * on the nodes and the driver installed with Helm (docs/install.md). Skipped unless
 * {@code -De2e.kubeconfig=PATH} is given; docs/conformance.md says how to run it and what each
 * test proves.
 *
 * <p>Each test is a scenario a user of the driver relies on, driven only through the Kubernetes
 * API as a user would: PVCs, pods, VolumeSnapshots, and the driver's LustreFilesystem status.
 * Tests share nothing and may run in any order: each has a namespace of its own, deleted at its
 * end together with the volumes made in it (a leaked volume fails the test that made it). Pods
 * report what they measured as {@code key=value} lines ({@link Markers}); a wait that times out
 * names what it waited for, the last state seen and the Events ({@link Wait}).
 *
 * <p>Disruptive: the recovery test deletes a server VM instance of the StorageClass's filesystem;
 * run the suite on a cluster whose users can take an OSS restart.
 */
@EnabledIfSystemProperty(named = "e2e.kubeconfig", matches = ".+",
    disabledReason = "needs a real cluster with KubeVirt and the driver installed: pass -De2e.kubeconfig=PATH")
class ClusterEndToEndTest {
  private static final long GIB_IN_KIB = 1024 * 1024;
  private static final String MOUNT = Workload.MOUNT;
  /** Prints the payload's checksum, the marker and the size df gives the mount. */
  private static final String READ = """
      echo checksum=$(md5sum %1$s/payload | cut -d' ' -f1)
      echo marker=$(cat %1$s/marker)
      echo size-kib=$(df -Pk %1$s | awk 'NR==2{print $2}')
      """.formatted(MOUNT);

  private static KubernetesClient client;
  private static E2eSettings settings;
  private static String runId;

  @BeforeAll
  static void connect() throws Exception {
    settings = E2eSettings.fromSystemProperties();
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(settings.kubeconfig()))).build();
    runId = UUID.randomUUID().toString().substring(0, 6);
    StorageClass storageClass = client.storage().v1().storageClasses().withName(settings.storageClass()).get();
    // Fail once, up front, rather than ten times after each test's timeout.
    assertThat(storageClass).as("StorageClass %s (-De2e.storageClass)", settings.storageClass()).isNotNull();
    assertThat(storageClass.getProvisioner()).as("provisioner of StorageClass %s", settings.storageClass()).isEqualTo(E2eSettings.DRIVER);
    System.err.println("lustre e2e run " + runId + ": namespaces are labelled " + TestNamespace.RUN_LABEL + "=" + runId);
  }

  @AfterAll
  static void disconnect() {
    if (client != null) {
      client.close();
    }
  }

  private static TestNamespace namespace(String scenario) {
    return TestNamespace.create(client, settings, runId, scenario);
  }

  private static Filesystems filesystems() {
    return new Filesystems(client, settings);
  }

  /** Writes 16 MiB of random bytes and the marker, and prints the payload's checksum. */
  private static String write(String marker) {
    return """
        set -e
        dd if=/dev/urandom of=%1$s/payload bs=1M count=16 2>/dev/null
        echo %2$s > %1$s/marker
        sync
        """.formatted(MOUNT, marker) + READ;
  }

  /** Tries to create and to append to a file, and prints how each attempt ended. */
  private static String tryWrites() {
    return """
        touch %1$s/new-file 2>/tmp/touch.err; echo touch-exit=$?; echo touch-error=$(cat /tmp/touch.err)
        echo appended >> %1$s/marker 2>/tmp/append.err; echo append-exit=$?
        echo mount-options=$(awk '$2=="%1$s"{print $4}' /proc/mounts)
        """.formatted(MOUNT);
  }

  @Test
  void aClaimIsBoundAndMountedAndAnotherPodReadsBackWhatOneWrote() {
    try (TestNamespace ns = namespace("basic")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));

      Markers written = ns.pods().run(Workload.on("data", "writer", write("first"))).assertSucceeded().markers();
      Markers read = ns.pods().run(Workload.on("data", "reader", READ)).assertSucceeded().markers();

      assertThat(read.text("checksum")).as("what a second pod reads (its own publish of the volume)").isEqualTo(written.text("checksum"));
      assertThat(read.text("marker")).isEqualTo("first");
      assertThat(read.number("size-kib")).as("df shows the 1Gi project quota as the volume's size").isEqualTo(GIB_IN_KIB);
      PersistentVolume volume = ns.claims().volumeOf("data");
      assertThat(volume.getSpec().getCsi().getDriver()).isEqualTo(E2eSettings.DRIVER);
      assertThat(filesystems().volumeRecord(volume.getMetadata().getName()))
          .as("the driver's LustreVolume record of %s", volume.getMetadata().getName()).isNotNull();
      String fsName = Filesystems.fsNameOf(volume);
      assertThat(filesystems().stateOf(fsName)).as("LustreFilesystem of %s", fsName)
          .satisfies(state -> assertThat(state.ready()).as(state.describe()).isTrue());
    }
  }

  @Test
  void aWritePastTheClaimSizeFailsInThePodWithQuotaExceeded() {
    try (TestNamespace ns = namespace("quota")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));

      // conv=fsync: Lustre clients write back later; the refusal must surface to the writer, not be lost in the page cache.
      Markers result = ns.pods().run(Workload.on("data", "filler", """
          dd if=/dev/zero of=%1$s/fill bs=1M count=1536 conv=fsync 2>/tmp/dd.err; echo dd-exit=$?
          echo dd-error=$(grep -v -e records -e copied /tmp/dd.err | head -1)
          echo written-kib=$(du -k %1$s/fill | cut -f1)
          rm -f %1$s/fill && echo freed > %1$s/after-free && echo after-free=$(cat %1$s/after-free)
          """.formatted(MOUNT))).assertSucceeded().markers();

      assertThat(result.number("dd-exit")).as("dd of 1.5 GiB into a 1Gi claim must fail; log:\n%s", result.log()).isNotZero();
      assertThat(result.text("dd-error")).as("the error the pod sees").containsIgnoringCase("quota exceeded");
      assertThat(result.number("written-kib")).as("the write stopped at the quota, and most of the quota was usable")
          .isLessThan(1536 * 1024).isGreaterThan(GIB_IN_KIB * 9 / 10);
      assertThat(result.text("after-free")).as("deleting the file gives the space back").isEqualTo("freed");
    }
  }

  @Test
  void expandingAMountedClaimGrowsWhatDfShowsInTheRunningPod() {
    try (TestNamespace ns = namespace("expand")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));
      ns.pods().start(Workload.on("data", "watcher", """
          while [ ! -e %1$s/stop ]; do echo size-kib=$(df -Pk %1$s | awk 'NR==2{print $2}'); sleep 5; done
          """.formatted(MOUNT)));
      ns.pods().awaitLog("watcher", "size-kib=" + GIB_IN_KIB, log -> lastSizeKib(log) == GIB_IN_KIB);
      String watcherUid = ns.pods().get("watcher").getMetadata().getUid();

      ns.claims().resize("data", "2Gi");
      ns.claims().awaitCapacity("data", "2Gi");
      ns.pods().awaitLog("watcher", "size-kib=" + 2 * GIB_IN_KIB + " once the claim is expanded",
          log -> lastSizeKib(log) == 2 * GIB_IN_KIB);
      // More than the old quota, so the new size is enforced where it counts and not only shown.
      Markers beyond = ns.pods().run(Workload.on("data", "beyond-old-size", """
          dd if=/dev/zero of=%1$s/fill bs=1M count=1536 conv=fsync 2>/tmp/dd.err; echo dd-exit=$?; cat /tmp/dd.err
          touch %1$s/stop
          """.formatted(MOUNT))).assertSucceeded().markers();

      assertThat(beyond.number("dd-exit")).as("1.5 GiB fits the expanded 2Gi claim; log:\n%s", beyond.log()).isZero();
      PodResult watcher = ns.pods().awaitEnd("watcher");
      watcher.assertSucceeded();
      assertThat(ns.pods().get("watcher").getMetadata().getUid()).as("the same pod saw both sizes: no restart, no remount")
          .isEqualTo(watcherUid);
    }
  }

  private static long lastSizeKib(String log) {
    Markers markers = Markers.parse(log);
    return markers.has("size-kib") && markers.text("size-kib").matches("\\d+") ? markers.number("size-kib") : -1;
  }

  @Test
  void aClaimRestoredFromAVolumeSnapshotHoldsTheDataOfThatMoment() {
    try (TestNamespace ns = namespace("snapshot")) {
      ns.claims().create(ClaimRequest.shared("source", settings.storageClass(), "1Gi"));
      Markers before = ns.pods().run(Workload.on("source", "write-before", write("before"))).assertSucceeded().markers();
      ns.snapshots().create("at-before", "source");
      ns.snapshots().awaitReady("at-before");
      Markers after = ns.pods().run(Workload.on("source", "write-after", write("after"))).assertSucceeded().markers();

      ns.claims().create(ClaimRequest.shared("restored", settings.storageClass(), "1Gi").from(ClaimRequest.DataSource.snapshot("at-before")));
      Markers restored = ns.pods().run(Workload.on("restored", "read-restored", READ)).assertSucceeded().markers();
      Markers source = ns.pods().run(Workload.on("source", "read-source", READ)).assertSucceeded().markers();

      assertThat(restored.text("checksum")).as("the restored payload is the one snapshotted").isEqualTo(before.text("checksum"))
          .isNotEqualTo(after.text("checksum"));
      assertThat(restored.text("marker")).isEqualTo("before");
      assertThat(restored.number("size-kib")).as("the restored volume has the claim's size").isEqualTo(GIB_IN_KIB);
      assertThat(source.text("checksum")).as("the source keeps what was written after the snapshot").isEqualTo(after.text("checksum"));
    }
  }

  @Test
  void aCloneHoldsItsSourcesDataAndOutlivesItIndependently() {
    try (TestNamespace ns = namespace("clone")) {
      ns.claims().create(ClaimRequest.shared("source", settings.storageClass(), "1Gi"));
      Markers original = ns.pods().run(Workload.on("source", "write-source", write("original"))).assertSucceeded().markers();

      ns.claims().create(ClaimRequest.shared("clone", settings.storageClass(), "1Gi").from(ClaimRequest.DataSource.claim("source")));
      Markers cloned = ns.pods().run(Workload.on("clone", "read-clone", READ)).assertSucceeded().markers();
      Markers changed = ns.pods().run(Workload.on("clone", "write-clone", write("clone-only"))).assertSucceeded().markers();
      Markers source = ns.pods().run(Workload.on("source", "read-source", READ)).assertSucceeded().markers();

      assertThat(cloned.text("checksum")).as("the clone starts with the source's data").isEqualTo(original.text("checksum"));
      assertThat(source.text("checksum")).as("writing the clone leaves the source alone").isEqualTo(original.text("checksum"));
      assertThat(source.text("marker")).isEqualTo("original");

      String sourceVolume = ns.claims().volumeOf("source").getMetadata().getName();
      ns.claims().delete("source");
      Wait.forThat("the source's PV " + sourceVolume + " to be deleted with its claim", settings.cleanUp())
          .withDiagnostics(ns::events)
          .until(() -> client.persistentVolumes().withName(sourceVolume).get() == null ? Boolean.TRUE : Boolean.FALSE,
              Boolean::booleanValue, gone -> "still there");
      Markers afterSourceGone = ns.pods().run(Workload.on("clone", "read-clone-again", READ)).assertSucceeded().markers();
      assertThat(afterSourceGone.text("checksum")).as("the clone does not depend on its deleted source").isEqualTo(changed.text("checksum"));
    }
  }

  @Test
  void aPodMountingTheClaimReadOnlyReadsButCannotWrite() {
    try (TestNamespace ns = namespace("ro-mount")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));
      Markers written = ns.pods().run(Workload.on("data", "writer", write("kept"))).assertSucceeded().markers();

      Markers reader = ns.pods().run(Workload.on("data", "reader", READ + tryWrites()).readOnly()).assertSucceeded().markers();
      Markers after = ns.pods().run(Workload.on("data", "check", READ + "[ -e " + MOUNT + "/new-file ] && echo new-file=yes || echo new-file=no\n"))
          .assertSucceeded().markers();

      assertThat(reader.text("checksum")).as("a read-only mount reads the data").isEqualTo(written.text("checksum"));
      assertThatWritesWereRefused(reader);
      assertThat(after.text("marker")).as("nothing was appended through the read-only mount").isEqualTo("kept");
      assertThat(after.text("new-file")).isEqualTo("no");
    }
  }

  @Test
  void aReadOnlyManyClaimClonedFromDataReadsButCannotWrite() {
    try (TestNamespace ns = namespace("rox")) {
      ns.claims().create(ClaimRequest.shared("source", settings.storageClass(), "1Gi"));
      Markers written = ns.pods().run(Workload.on("source", "writer", write("published"))).assertSucceeded().markers();

      // A reader-only access mode is enough: the pod does not say readOnly, the driver must mount it so.
      ns.claims().create(ClaimRequest.shared("readers", settings.storageClass(), "1Gi").accessMode("ReadOnlyMany")
          .from(ClaimRequest.DataSource.claim("source")));
      Markers reader = ns.pods().run(Workload.on("readers", "reader", READ + tryWrites())).assertSucceeded().markers();

      assertThat(reader.text("checksum")).isEqualTo(written.text("checksum"));
      assertThatWritesWereRefused(reader);
    }
  }

  private static void assertThatWritesWereRefused(Markers reader) {
    assertThat(reader.number("touch-exit")).as("creating a file; log:\n%s", reader.log()).isNotZero();
    assertThat(reader.text("touch-error")).containsIgnoringCase("read-only file system");
    assertThat(reader.number("append-exit")).as("appending to a file; log:\n%s", reader.log()).isNotZero();
    assertThat(reader.text("mount-options")).as("the pod's mount of %s", MOUNT).matches("ro(,.*)?");
  }

  @Test
  void theFilesystemGrowsByAnOstWhenAClaimNeedsMoreThanItsOstsHold() {
    // A filesystem of its own with 1Gi OSTs, so that growth is cheap and nobody else's volumes make it grow or not.
    String fsName = "g" + runId;
    try (ThrowawayFilesystem fs = ThrowawayFilesystem.create(client, settings, runId, fsName, Map.of("ostSize", "1Gi", "maxOsts", "8"));
        TestNamespace ns = namespace("grow")) {
      ns.claims().create(ClaimRequest.shared("first", fs.storageClass(), "1Gi"));
      ns.pods().run(Workload.on("first", "write-first", write("first"))).assertSucceeded();
      FilesystemState before = filesystems().await(fsName, "holding the first volume", state -> state.ostCount() >= 1);

      // One GiB per OST it has: with the first volume's GiB already committed, only another OST can back it.
      String needsGrowth = before.ostCount() + "Gi";
      ns.claims().create(ClaimRequest.shared("second", fs.storageClass(), needsGrowth));
      Markers second = ns.pods().run(Workload.on("second", "write-second", write("second"))).assertSucceeded().markers();
      FilesystemState after = filesystems().await(fsName, "grown past " + before.ostCount() + " OSTs",
          state -> state.ostCount() > before.ostCount()
              && state.targets().stream().filter(t -> "OST".equals(t.kind())).allMatch(t -> "Up".equals(t.state())));

      assertThat(second.number("size-kib")).as("the volume that needed the growth has its size").isEqualTo(before.ostCount() * GIB_IN_KIB);
      FilesystemState.Target added = after.targets().stream().filter(t -> "OST".equals(t.kind()))
          .max(Comparator.comparingLong(FilesystemState.Target::index)).orElseThrow();
      assertThat(filesystems().eventTexts(fsName)).as("Events of the filesystem").anyMatch(text -> text.startsWith("DiskCreated")
          && text.contains(added.name()));
      Markers first = ns.pods().run(Workload.on("first", "read-first", READ)).assertSucceeded().markers();
      assertThat(first.text("marker")).as("the first volume is untouched by the growth").isEqualTo("first");
    }
  }

  @Test
  void aServerVmKilledUnderAMountedVolumeComesBackReadyWithTheData() {
    try (TestNamespace ns = namespace("recovery")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));
      // Many files, so that Lustre's allocator spreads them over the OSTs, the killed server's among them.
      ns.pods().run(Workload.on("data", "writer", """
          set -e
          for i in $(seq 1 16); do dd if=/dev/urandom of=%1$s/file-$i bs=1M count=4 2>/dev/null; done
          cd %1$s && md5sum file-* > sums && sync && echo files=16
          """.formatted(MOUNT))).assertSucceeded();
      String verify = "cd " + MOUNT + " && md5sum -c sums >/tmp/check 2>&1 && echo verified=yes || { echo verified=no; cat /tmp/check; }\n";
      // Mounted through the whole restart: Lustre clients block on a lost server and resume, they do not fail.
      ns.pods().start(Workload.on("data", "holder", "echo holding=yes\nwhile [ ! -e " + MOUNT + "/release ]; do sleep 2; done\n" + verify));
      ns.pods().awaitLog("holder", "holding=yes", log -> log.contains("holding=yes"));

      String fsName = Filesystems.fsNameOf(ns.claims().volumeOf("data"));
      FilesystemState healthy = filesystems().await(fsName, "healthy before a server is killed", state -> true);
      ServerVms vms = new ServerVms(client, settings);
      ServerVms.Instance victim = vms.of(healthy.name()).stream().filter(vm -> "oss".equals(vm.role()))
          .min(Comparator.comparing(ServerVms.Instance::name))
          .orElseThrow(() -> new AssertionError("no OSS VirtualMachineInstance of " + healthy.name() + " in " + settings.driverNamespace()));
      Instant killed = Instant.now();
      vms.kill(victim);

      Wait.forThat("the controller to report " + fsName + " not Ready after " + victim.name() + " was killed", settings.provisioning())
          .withDiagnostics(() -> filesystems().events(fsName))
          .until(() -> !filesystems().stateOf(fsName).ready() || filesystems().degradedSince(fsName, killed) ? Boolean.TRUE : Boolean.FALSE,
              Boolean::booleanValue, seen -> filesystems().stateOf(fsName).describe());
      vms.awaitRestarted(victim);
      filesystems().await(fsName, "out of recovery after " + victim.name() + " came back",
          state -> state.condition("Recovering").map(c -> !"True".equals(c.status())).orElse(true));

      Markers fresh = ns.pods().run(Workload.on("data", "release", "touch " + MOUNT + "/release\n" + verify)).assertSucceeded().markers();
      Markers held = ns.pods().awaitEnd("holder").assertSucceeded().markers();
      assertThat(fresh.text("verified")).as("a pod mounting after recovery reads every file intact; log:\n%s", fresh.log()).isEqualTo("yes");
      assertThat(held.text("verified")).as("the pod that kept its mount through the restart reads every file intact; log:\n%s", held.log())
          .isEqualTo("yes");
    }
  }

  @Test
  void deletingAClaimDeletesItsVolumeAndTheDriversRecordOfIt() {
    try (TestNamespace ns = namespace("delete")) {
      ns.claims().create(ClaimRequest.shared("data", settings.storageClass(), "1Gi"));
      ns.pods().run(Workload.on("data", "writer", write("doomed"))).assertSucceeded();
      String volume = ns.claims().volumeOf("data").getMetadata().getName();
      assertThat(filesystems().volumeRecord(volume)).as("LustreVolume of %s while its claim exists", volume).isNotNull();

      ns.claims().delete("data");
      Wait.forThat("PV " + volume + " and its LustreVolume record to be deleted with the claim", settings.cleanUp())
          .withDiagnostics(ns::events)
          .until(() -> client.persistentVolumes().withName(volume).get() == null && filesystems().volumeRecord(volume) == null
              ? Boolean.TRUE : Boolean.FALSE, Boolean::booleanValue, gone -> "PV or record still there");
    }
  }
}
