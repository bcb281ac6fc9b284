package dev.lustrecsi.deploy;

import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.ControllerGetCapabilitiesResponse;
import csi.v1.ControllerServiceCapability;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.identity.PluginInfo;
import dev.lustrecsi.controller.csi.ControllerService;
import dev.lustrecsi.controller.csi.VolumeCapabilities;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a user's manifests ask of the driver, checked against what it does: the claims, snapshots
 * and workloads of a docs page, each held to the controller's own rules (its capability check,
 * the content sources it advertises) and to the classes the page or the examples really make.
 * Every check answers with the problems it found, so a test can show that a mistake is caught.
 */
final class ClaimManifests {
  static final String SNAPSHOT_GROUP = "snapshot.storage.k8s.io";
  private static final String SNAPSHOT_CLASS = SNAPSHOT_GROUP + "/v1/VolumeSnapshotClass";

  /** The classes a manifest may name: the StorageClasses of this driver, and its VolumeSnapshotClasses. */
  record Classes(Map<String, StorageClass> storageClasses, Set<String> snapshotClasses) {
    /** Those the chart's examples render and deploy/examples defines. */
    static Classes ofExamples() throws IOException {
      Map<String, StorageClass> storage = new HashMap<>();
      for (Path values : ValuesFiles.examples()) {
        ours(ChartRenderer.render(values, Map.of()).all(StorageClass.class)).forEach(sc -> storage.put(sc.getMetadata().getName(), sc));
      }
      Set<String> snapshot = new HashSet<>();
      try (var files = Files.list(RepoLayout.manifestExamples())) {
        for (var file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
          snapshot.addAll(snapshotClassNames(Rendered.parse(Files.readString(file), ManifestExamplesTest.CUSTOM_KINDS)));
        }
      }
      return new Classes(storage, snapshot);
    }

    Classes plus(Rendered shown) {
      Map<String, StorageClass> storage = new HashMap<>(storageClasses);
      ours(shown.all(StorageClass.class)).forEach(sc -> storage.put(sc.getMetadata().getName(), sc));
      Set<String> snapshot = new HashSet<>(snapshotClasses);
      snapshot.addAll(snapshotClassNames(shown));
      return new Classes(storage, snapshot);
    }
  }

  private final Rendered shown;

  private ClaimManifests(Rendered shown) {
    this.shown = shown;
  }

  /** Every YAML block of the page, each parsed into fabric8's model (a kind it does not know fails). */
  static ClaimManifests of(UserDocs.Page page) {
    List<HasMetadata> objects = new ArrayList<>();
    for (UserDocs.Block block : page.blocks()) {
      if (block.language().equals("yaml")) {
        objects.addAll(Rendered.parse(block.text(), ManifestExamplesTest.CUSTOM_KINDS).objects());
      }
    }
    return new ClaimManifests(new Rendered(objects));
  }

  Rendered shown() {
    return shown;
  }

  /** What the driver or Kubernetes would refuse or not find, one line each; empty when all is well. */
  List<String> problems(Classes examples) {
    Classes classes = examples.plus(shown);
    Set<ControllerServiceCapability.RPC.Type> capabilities = controllerCapabilities();
    List<String> problems = new ArrayList<>();
    for (PersistentVolumeClaim claim : shown.all(PersistentVolumeClaim.class)) {
      claimProblems(claim, classes, capabilities).forEach(p -> problems.add("claim " + claim.getMetadata().getName() + ": " + p));
    }
    for (GenericKubernetesResource snapshot : snapshots()) {
      Map<?, ?> spec = spec(snapshot);
      Object className = spec.get("volumeSnapshotClassName");
      if (!classes.snapshotClasses().contains(className)) {
        problems.add("snapshot " + snapshot.getMetadata().getName() + ": volumeSnapshotClassName " + className
            + " is no VolumeSnapshotClass of the driver shown in the page or deploy/examples");
      }
      Object source = member(spec, "source").get("persistentVolumeClaimName");
      if (claim(String.valueOf(source)).isEmpty()) {
        problems.add("snapshot " + snapshot.getMetadata().getName() + ": source.persistentVolumeClaimName " + source + " is no claim of the page");
      }
    }
    for (GenericKubernetesResource snapshotClass : shown.all(GenericKubernetesResource.class)) {
      if (type(snapshotClass).equals(SNAPSHOT_CLASS)) {
        problems.addAll(snapshotClassProblems(snapshotClass));
      }
    }
    for (HasMetadata workload : shown.objects()) {
      for (Volume volume : podSpec(workload).map(PodSpec::getVolumes).orElse(List.of())) {
        if (volume.getPersistentVolumeClaim() != null && claim(volume.getPersistentVolumeClaim().getClaimName()).isEmpty()) {
          problems.add(workload.getKind() + " " + workload.getMetadata().getName() + ": volume " + volume.getName() + " names claim "
              + volume.getPersistentVolumeClaim().getClaimName() + ", which the page does not make");
        }
      }
    }
    return problems;
  }

  private List<String> claimProblems(PersistentVolumeClaim claim, Classes classes, Set<ControllerServiceCapability.RPC.Type> capabilities) {
    List<String> problems = new ArrayList<>();
    String className = claim.getSpec().getStorageClassName();
    StorageClass storageClass = classes.storageClasses().get(className);
    if (storageClass == null) {
      problems.add("storageClassName " + className + " is no StorageClass of the driver shown in the page or the chart's examples");
    }
    List<String> modes = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
    if (modes.isEmpty()) {
      problems.add("accessModes is empty");
    }
    boolean block = "Block".equals(claim.getSpec().getVolumeMode());
    for (String mode : modes) {
      Optional<VolumeCapability.AccessMode.Mode> csiMode = csiMode(mode, capabilities);
      if (csiMode.isEmpty()) {
        problems.add("access mode " + mode + " is not one the external-provisioner passes to this driver");
        continue;
      }
      VolumeCapability.Builder capability = VolumeCapability.newBuilder()
          .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(csiMode.get()));
      if (block) {
        capability.setBlock(VolumeCapability.BlockVolume.getDefaultInstance());
      } else {
        capability.setMount(VolumeCapability.MountVolume.getDefaultInstance());
      }
      String refused = VolumeCapabilities.problem(capability.build(), "volume_capabilities[0]");
      if (refused != null) {
        problems.add("access mode " + mode + (block ? " with volumeMode Block" : "") + ": the controller refuses it: " + refused);
      }
    }
    var source = claim.getSpec().getDataSource();
    if (source != null) {
      problems.addAll(sourceProblems(claim, classes, source.getApiGroup(), source.getKind(), source.getName(), capabilities));
    }
    var sourceRef = claim.getSpec().getDataSourceRef();
    if (sourceRef != null) {
      problems.addAll(sourceProblems(claim, classes, sourceRef.getApiGroup(), sourceRef.getKind(), sourceRef.getName(), capabilities));
    }
    return problems;
  }

  /** A restore from a VolumeSnapshot or a clone of a claim: the two content sources the driver takes. */
  private List<String> sourceProblems(PersistentVolumeClaim claim, Classes classes, String apiGroup, String kind, String name,
      Set<ControllerServiceCapability.RPC.Type> capabilities) {
    List<String> problems = new ArrayList<>();
    String fsName = fsNameOf(claim, classes);
    String group = apiGroup == null ? "" : apiGroup;
    Optional<PersistentVolumeClaim> origin;
    if (kind.equals("VolumeSnapshot")) {
      if (!capabilities.contains(ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT)) {
        problems.add("restores from a VolumeSnapshot, and the controller does not advertise snapshots");
      }
      if (!group.equals(SNAPSHOT_GROUP)) {
        problems.add("dataSource of kind VolumeSnapshot needs apiGroup " + SNAPSHOT_GROUP + ", not " + quoted(group));
      }
      Optional<GenericKubernetesResource> snapshot = snapshots().stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst();
      if (snapshot.isEmpty()) {
        problems.add("dataSource names VolumeSnapshot " + name + ", which the page does not make");
      }
      origin = snapshot.map(s -> member(spec(s), "source").get("persistentVolumeClaimName")).flatMap(n -> claim(String.valueOf(n)));
    } else if (kind.equals("PersistentVolumeClaim")) {
      if (!capabilities.contains(ControllerServiceCapability.RPC.Type.CLONE_VOLUME)) {
        problems.add("clones a claim, and the controller does not advertise CLONE_VOLUME");
      }
      if (!group.isEmpty()) {
        problems.add("dataSource of kind PersistentVolumeClaim takes no apiGroup (the core group), not " + quoted(group));
      }
      origin = claim(name);
      if (origin.isEmpty()) {
        problems.add("dataSource names claim " + name + ", which the page does not make");
      }
      origin.filter(o -> !Objects.equals(o.getSpec().getStorageClassName(), claim.getSpec().getStorageClassName()))
          .ifPresent(o -> problems.add("clones " + name + " of StorageClass " + o.getSpec().getStorageClassName()
              + ": Kubernetes clones within one StorageClass only"));
    } else {
      problems.add("dataSource kind " + kind + " is neither VolumeSnapshot nor PersistentVolumeClaim, the content sources the driver takes");
      return problems;
    }
    origin.ifPresent(o -> {
      if (!fsName.equals(fsNameOf(o, classes))) {
        problems.add("its StorageClass's filesystem " + fsName + " is not its source's, " + fsNameOf(o, classes)
            + ": the controller refuses a source on another filesystem");
      }
      if (size(claim).compareTo(size(o)) < 0) {
        problems.add("asks for " + claim.getSpec().getResources().getRequests().get("storage") + ", less than its source's "
            + o.getSpec().getResources().getRequests().get("storage") + ": the controller refuses a capacity below the source's size");
      }
    });
    return problems;
  }

  private static String fsNameOf(PersistentVolumeClaim claim, Classes classes) {
    return Optional.ofNullable(classes.storageClasses().get(claim.getSpec().getStorageClassName())).map(ClaimManifests::fsName).orElse("?");
  }

  private static String fsName(StorageClass storageClass) {
    return storageClass.getParameters() == null ? "?" : storageClass.getParameters().getOrDefault("fsName", "?");
  }

  private static BigDecimal size(PersistentVolumeClaim claim) {
    var requests = claim.getSpec().getResources() == null ? null : claim.getSpec().getResources().getRequests();
    Quantity storage = requests == null ? null : requests.get("storage");
    return storage == null ? BigDecimal.ZERO : storage.getNumericalAmount();
  }

  private static List<String> snapshotClassProblems(GenericKubernetesResource snapshotClass) {
    List<String> problems = new ArrayList<>();
    String name = snapshotClass.getMetadata().getName();
    Object driver = snapshotClass.getAdditionalProperties().get("driver");
    if (!PluginInfo.DRIVER_NAME.equals(driver)) {
      problems.add("VolumeSnapshotClass " + name + ": driver " + driver + " is not " + PluginInfo.DRIVER_NAME);
    }
    Object parameters = snapshotClass.getAdditionalProperties().get("parameters");
    if (parameters instanceof Map<?, ?> map) {
      map.keySet().stream().map(String::valueOf).filter(k -> !k.startsWith("csi.storage.k8s.io/"))
          .forEach(k -> problems.add("VolumeSnapshotClass " + name + ": parameter " + k + " is refused: a snapshot takes none"));
    }
    return problems;
  }

  private List<GenericKubernetesResource> snapshots() {
    return shown.all(GenericKubernetesResource.class).stream()
        .filter(r -> type(r).equals(SNAPSHOT_GROUP + "/v1/VolumeSnapshot")).toList();
  }

  private Optional<PersistentVolumeClaim> claim(String name) {
    return shown.all(PersistentVolumeClaim.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst();
  }

  private static String type(HasMetadata object) {
    return object.getApiVersion() + "/" + object.getKind();
  }

  private static List<StorageClass> ours(List<StorageClass> classes) {
    return classes.stream().filter(sc -> PluginInfo.DRIVER_NAME.equals(sc.getProvisioner())).toList();
  }

  private static Set<String> snapshotClassNames(Rendered rendered) {
    return rendered.all(GenericKubernetesResource.class).stream()
        .filter(r -> type(r).equals(SNAPSHOT_CLASS) && PluginInfo.DRIVER_NAME.equals(r.getAdditionalProperties().get("driver")))
        .map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
  }

  private static Optional<PodSpec> podSpec(HasMetadata workload) {
    return switch (workload) {
      case Pod pod -> Optional.ofNullable(pod.getSpec());
      case Job job -> Optional.ofNullable(job.getSpec().getTemplate().getSpec());
      case CronJob cron -> Optional.ofNullable(cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec());
      case Deployment deployment -> Optional.ofNullable(deployment.getSpec().getTemplate().getSpec());
      case StatefulSet set -> Optional.ofNullable(set.getSpec().getTemplate().getSpec());
      default -> Optional.empty();
    };
  }

  /**
   * The CSI access mode the external-provisioner sends for a Kubernetes one. A driver that
   * advertises SINGLE_NODE_MULTI_WRITER gets the finer single-node modes; without it,
   * ReadWriteOncePod has no mode at all.
   */
  static Optional<VolumeCapability.AccessMode.Mode> csiMode(String kubernetesMode, Set<ControllerServiceCapability.RPC.Type> capabilities) {
    boolean fine = capabilities.contains(ControllerServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER);
    return Optional.ofNullable(switch (kubernetesMode) {
      case "ReadWriteOnce" -> fine ? VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER : VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER;
      case "ReadWriteOncePod" -> fine ? VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER : null;
      case "ReadOnlyMany" -> VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY;
      case "ReadWriteMany" -> VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER;
      default -> null;
    });
  }

  /** What the controller answers to ControllerGetCapabilities: the call reads nothing but its own list. */
  static Set<ControllerServiceCapability.RPC.Type> controllerCapabilities() {
    List<ControllerGetCapabilitiesResponse> answers = new ArrayList<>();
    new ControllerService(null, null, null).controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance(),
        new StreamObserver<>() {
          @Override
          public void onNext(ControllerGetCapabilitiesResponse value) {
            answers.add(value);
          }

          @Override
          public void onError(Throwable t) {
            throw new AssertionError(t);
          }

          @Override
          public void onCompleted() {}
        });
    return answers.getFirst().getCapabilitiesList().stream().map(c -> c.getRpc().getType()).collect(Collectors.toSet());
  }

  private static Map<?, ?> spec(GenericKubernetesResource resource) {
    return member(resource.getAdditionalProperties(), "spec");
  }

  /** A mapping inside a generic resource; an absent one reads as empty. */
  private static Map<?, ?> member(Map<?, ?> map, String key) {
    return map.get(key) instanceof Map<?, ?> inner ? inner : Map.of();
  }

  private static String quoted(String text) {
    return "\"" + text + "\"";
  }
}
