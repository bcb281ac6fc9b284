package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.parameters.FilesystemParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Between StorageClass parameters and LustreFilesystem specs: the spec a new filesystem is
 * created with, and the check that a StorageClass naming an existing filesystem agrees with it
 * on everything it says.
 */
public final class FilesystemSpecs {
  private FilesystemSpecs() {}

  /** The spec of a filesystem created for this StorageClass; FailedPrecondition names a setting nobody gave. */
  public static LustreFilesystemSpec create(FilesystemSpec requested, ServerDefaults defaults) {
    FilesystemParameters servers = requested.given();
    String image = or(servers.value(FilesystemParameters.SERVER_IMAGE), defaults.serverImage());
    String network = or(servers.value(FilesystemParameters.STORAGE_NETWORK), defaults.storageNetwork());
    String cidr = or(servers.value(FilesystemParameters.STORAGE_CIDR), defaults.storageCidr());
    require(image, FilesystemParameters.SERVER_IMAGE, "--default-server-image");
    require(network, FilesystemParameters.STORAGE_NETWORK, "--default-storage-network");
    require(cidr, FilesystemParameters.STORAGE_CIDR, "--default-storage-cidr");
    String diskClass = servers.value(FilesystemParameters.DISK_STORAGE_CLASS);
    return new LustreFilesystemSpec(
        requested.fsName(),
        image,
        size(servers, FilesystemParameters.MGT_SIZE),
        size(servers, FilesystemParameters.MDT_SIZE),
        quantity(requested.ostSize()),
        Integer.parseInt(servers.value(FilesystemParameters.OSTS_PER_OSS)),
        1,
        requested.maxOsts(),
        requested.overcommit(),
        diskClass.isEmpty() ? null : diskClass,
        Integer.parseInt(servers.value(FilesystemParameters.SERVER_CPU)),
        size(servers, FilesystemParameters.SERVER_MEMORY),
        servers.lnetNetworks(),
        new LustreFilesystemSpec.StorageNetwork(network, cidr, null),
        servers.value(FilesystemParameters.RETENTION));
  }

  /**
   * Checks a StorageClass against an existing filesystem on what it says; the first disagreement
   * is FailedPrecondition naming the parameter. A growth limit raised on the filesystem since
   * (spec.maxOsts) still serves a StorageClass that asks for less: StorageClass parameters cannot
   * be changed, and raising the limit must not refuse every class that made the filesystem.
   */
  public static void requireCompatible(LustreFilesystemSpec existing, FilesystemSpec requested) {
    List<String> problems = new ArrayList<>();
    long existingOst = Sizes.parse(existing.ostSize());
    if (requested.given().says(FilesystemParameters.OST_SIZE) && existingOst != requested.ostSize()) {
      // As the StorageClass wrote it, like the other sizes: "has 64Gi, asks for 4 GiB" reads as two kinds of unit.
      problems.add(FilesystemParameters.OST_SIZE + ": filesystem has " + existing.ostSize() + ", StorageClass asks for "
          + requested.given().value(FilesystemParameters.OST_SIZE));
    }
    if (requested.given().says(FilesystemParameters.MAX_OSTS) && existing.maxOsts() != null
        && existing.maxOsts() < requested.maxOsts()) {
      problems.add(FilesystemParameters.MAX_OSTS + ": filesystem has " + existing.maxOsts() + ", StorageClass asks for " + requested.maxOsts());
    }
    FilesystemParameters servers = requested.given();
    compare(problems, servers, FilesystemParameters.SERVER_IMAGE, existing.serverImage());
    compare(problems, servers, FilesystemParameters.STORAGE_NETWORK, existing.storageNetwork() == null ? null : existing.storageNetwork().networkAttachmentDefinition());
    compare(problems, servers, FilesystemParameters.STORAGE_CIDR, existing.storageNetwork() == null ? null : existing.storageNetwork().cidr());
    compare(problems, servers, FilesystemParameters.OSTS_PER_OSS, existing.ostsPerOss() == null ? null : existing.ostsPerOss().toString());
    compareSize(problems, servers, FilesystemParameters.MGT_SIZE, existing.mgtSize());
    compareSize(problems, servers, FilesystemParameters.MDT_SIZE, existing.mdtSize());
    compare(problems, servers, FilesystemParameters.DISK_STORAGE_CLASS, existing.diskStorageClass());
    compare(problems, servers, FilesystemParameters.SERVER_CPU, existing.serverCpu() == null ? null : existing.serverCpu().toString());
    compareSize(problems, servers, FilesystemParameters.SERVER_MEMORY, existing.serverMemory());
    compare(problems, servers, FilesystemParameters.LNET_NETWORKS, existing.lnetNetworks() == null ? "tcp" : String.join(",", existing.lnetNetworks()));
    compare(problems, servers, FilesystemParameters.OVERCOMMIT, existing.overcommit() == null ? "1.0" : existing.overcommit().toString());
    compare(problems, servers, FilesystemParameters.RETENTION, existing.retention() == null ? LustreFilesystemSpec.RETAIN : existing.retention());
    if (!problems.isEmpty()) {
      throw CsiException.failedPrecondition("parameters." + problems.getFirst()
          + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more: " + String.join("; ", problems.subList(1, problems.size())) + ")" : "")
          + "; filesystem " + requested.fsName() + " exists: make the StorageClass agree with it or name another fsName");
    }
  }

  private static void compare(List<String> problems, FilesystemParameters servers, String key, String existing) {
    if (servers.says(key) && !Objects.equals(servers.value(key), existing)) {
      problems.add(key + ": filesystem has " + (existing == null ? "(unset)" : existing) + ", StorageClass asks for " + servers.value(key));
    }
  }

  private static void compareSize(List<String> problems, FilesystemParameters servers, String key, String existing) {
    if (servers.says(key) && (existing == null || Sizes.parse(existing) != Sizes.parse(servers.value(key)))) {
      problems.add(key + ": filesystem has " + (existing == null ? "(unset)" : existing) + ", StorageClass asks for " + servers.value(key));
    }
  }

  /**
   * A size parameter as the spec keeps it. The parameters' units are binary however they are
   * written (64G, 64GiB), the spec's are Kubernetes's, where 64G is 64*10^9 bytes and 64GiB no
   * quantity at all: the spec gets the exact binary quantity of what the parameter means.
   */
  private static String size(FilesystemParameters servers, String key) {
    return quantity(Sizes.parse(servers.value(key)));
  }

  /** An exact Kubernetes quantity in the largest binary unit that divides the size: 1536Gi, not 1.5Ti. */
  static String quantity(long bytes) {
    String[] suffixes = {"Pi", "Ti", "Gi", "Mi", "Ki"};
    long[] units = {Sizes.PIB, Sizes.TIB, Sizes.GIB, Sizes.MIB, Sizes.KIB};
    for (int i = 0; i < units.length; i++) {
      if (bytes % units[i] == 0) {
        return bytes / units[i] + suffixes[i];
      }
    }
    return Long.toString(bytes);
  }

  private static String or(String given, String fallback) {
    return given == null || given.isEmpty() ? fallback : given;
  }

  private static void require(String value, String key, String flag) {
    if (value.isEmpty()) {
      throw CsiException.invalidArgument("parameters." + key, "is required: the controller has no default (" + flag + ")");
    }
  }
}
