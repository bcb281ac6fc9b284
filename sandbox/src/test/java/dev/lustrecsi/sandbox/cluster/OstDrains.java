package dev.lustrecsi.sandbox.cluster;

import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** What the drain tests share: writing files as pods would, changing the spec as an admin would, waiting. */
final class OstDrains {
  private OstDrains() {}

  /**
   * A filesystem of three OSTs (one per OSS, at most four) holding one volume with eight files
   * spread over them: two volumes made, the second deleted again, so the drain tests have room to
   * move the files of one OST onto the others. Returns the volume that holds the files.
   */
  static Volume threeOstsWithFiles(ControllerOnCluster controller, String fsName) {
    Map<String, String> params = Map.of("fsName", fsName, "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1");
    Volume results = controller.create(fsName + "-results", 12 * Sizes.GIB, params);
    Volume scratch = controller.create(fsName + "-scratch", 12 * Sizes.GIB, params);
    writeFiles(controller, results, 8, 32 * 1024);
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(scratch.getVolumeId()).build()));
    await(Duration.ofSeconds(30), "three OSTs up and counted", () -> controller.filesystem(fsName).getStatus().targets().stream()
        .filter(t -> t.kind().equals("OST") && "Up".equals(t.state()) && t.usedBytes() != null).count() == 3);
    return results;
  }

  /** Writes {@code count} files of {@code bytes} each into the volume's directory, as a pod writing through the node would. */
  static void writeFiles(ControllerOnCluster controller, Volume volume, int count, int bytes) {
    VolumeId id = VolumeId.parse(volume.getVolumeId()).orElseThrow();
    Path directory = controller.cluster.servers().namespace(id.fsName()).resolve(id.directory());
    byte[] data = new byte[bytes];
    try {
      for (int i = 0; i < count; i++) {
        java.util.Arrays.fill(data, (byte) i);
        Files.write(directory.resolve("file-" + i), data);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file of the namespace and a digest of its content. */
  static Map<String, String> contents(ControllerOnCluster controller, String fsName) {
    Path root = controller.cluster.servers().namespace(fsName);
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        digests.put(root.relativize(file).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return digests;
  }

  /** The files with an object on the OST, as lfs find --ost sees them. */
  static List<String> filesOn(ControllerOnCluster controller, String fsName, int ostIndex) {
    return controller.cluster.servers().filesystem(fsName).orElseThrow().objects().entrySet().stream()
        .filter(e -> e.getValue().contains(ostIndex)).map(Map.Entry::getKey).sorted().toList();
  }

  /** An admin's edit of the spec (kubectl edit), retried when the controller wrote in between. */
  static void editSpec(KubernetesClient client, String fsName, UnaryOperator<LustreFilesystemSpec> change) {
    for (int attempt = 1; ; attempt++) {
      LustreFilesystem filesystem = client.resources(LustreFilesystem.class).withName(ResourceNames.of(fsName).filesystem()).get();
      filesystem.setSpec(change.apply(filesystem.getSpec()));
      try {
        client.resources(LustreFilesystem.class).resource(filesystem).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  static TargetStatus ost(LustreFilesystem filesystem, int index) {
    return filesystem.getStatus().targets().stream().filter(t -> t.kind().equals("OST") && t.index() == index).findFirst().orElseThrow();
  }

  static void await(Duration limit, String what, BooleanSupplier done) {
    Instant end = Instant.now().plus(limit);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("waited " + limit.toSeconds() + " s for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
