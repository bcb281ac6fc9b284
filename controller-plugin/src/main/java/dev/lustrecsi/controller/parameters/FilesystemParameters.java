package dev.lustrecsi.controller.parameters;

import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.FILESYSTEM;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StorageClass parameters that describe a filesystem (its size, its growth and its server
 * VMs): what its LustreFilesystem resource is created with. Only what the StorageClass gave is
 * held, defaults are applied on reading, so that a StorageClass pointing at an existing
 * filesystem (perhaps one an admin created) is compared only on what it says.
 *
 * @param given the validated values the StorageClass gave, by parameter key
 */
public record FilesystemParameters(Map<String, String> given) {
  /** A request that says nothing about the filesystem: expanding a volume of an existing one. */
  public static final FilesystemParameters NONE = new FilesystemParameters(Map.of());

  public static final String OST_SIZE = "ostSize";
  public static final String MAX_OSTS = "maxOsts";
  public static final String SERVER_IMAGE = "serverImage";
  public static final String STORAGE_NETWORK = "storageNetwork";
  public static final String STORAGE_CIDR = "storageCidr";
  public static final String OSTS_PER_OSS = "ostsPerOss";
  public static final String MGT_SIZE = "mgtSize";
  public static final String MDT_SIZE = "mdtSize";
  public static final String DISK_STORAGE_CLASS = "diskStorageClass";
  public static final String SERVER_CPU = "serverCpu";
  public static final String SERVER_MEMORY = "serverMemory";
  public static final String LNET_NETWORKS = "lnetNetworks";
  public static final String OVERCOMMIT = "overcommit";
  public static final String RETENTION = "retention";

  public static final List<ParameterDefinition> DEFINITIONS = List.of(
      new ParameterDefinition(OST_SIZE, FILESYSTEM, "1Ti", ValueGrammar.QUANTITY,
          "Size of each OST, at least `1Gi`; the filesystem grows by whole OSTs of this size."),
      new ParameterDefinition(MAX_OSTS, FILESYSTEM, "64", ValueGrammar.COUNT,
          "Growth limit: the most OSTs the filesystem may have (1 to 1024)."),
      new ParameterDefinition(SERVER_IMAGE, FILESYSTEM, "", ValueGrammar.IMAGE_REFERENCE,
          "containerDisk image of the Lustre server VMs. Default: the controller's `--default-server-image` (the Helm value `servers.image`)."),
      new ParameterDefinition(STORAGE_NETWORK, FILESYSTEM, "", ValueGrammar.NAMESPACED_NAME,
          "NetworkAttachmentDefinition the server VMs use for LNet. Default: the controller's `--default-storage-network`."),
      new ParameterDefinition(STORAGE_CIDR, FILESYSTEM, "", ValueGrammar.IPV4_CIDR,
          "IPv4 range server addresses are given from (prefix length 8 to 29); an address once given never changes."
              + " Default: the controller's `--default-storage-cidr`."),
      new ParameterDefinition(OSTS_PER_OSS, FILESYSTEM, "4", ValueGrammar.COUNT,
          "OSTs one OSS VM serves before the filesystem gets another OSS VM (1 to 16)."),
      new ParameterDefinition(MGT_SIZE, FILESYSTEM, "1Gi", ValueGrammar.QUANTITY, "Size of the management target's disk, at least `1Gi`."),
      new ParameterDefinition(MDT_SIZE, FILESYSTEM, "64Gi", ValueGrammar.QUANTITY,
          "Size of the metadata target's disk, at least `1Gi`: it bounds how many files the filesystem holds."),
      new ParameterDefinition(DISK_STORAGE_CLASS, FILESYSTEM, "", ValueGrammar.KUBERNETES_NAME,
          "StorageClass of the block-mode PVCs that hold the targets. Default: the cluster's default StorageClass."),
      new ParameterDefinition(SERVER_CPU, FILESYSTEM, "2", ValueGrammar.COUNT, "Virtual CPUs of each server VM (1 to 64)."),
      new ParameterDefinition(SERVER_MEMORY, FILESYSTEM, "4Gi", ValueGrammar.QUANTITY, "Memory of each server VM, at least `2Gi`."),
      new ParameterDefinition(LNET_NETWORKS, FILESYSTEM, "tcp", ValueGrammar.NETWORK_LIST,
          "LNet networks the servers offer: `o2ib` is RDMA, and the storage network must then be SR-IOV."),
      new ParameterDefinition(OVERCOMMIT, FILESYSTEM, "1.0", ValueGrammar.DECIMAL,
          "Bytes of volume capacity one byte of OST may back before the filesystem grows (1.0: no overcommit; at most 100)."),
      new ParameterDefinition(RETENTION, FILESYSTEM, "Retain", ValueGrammar.oneOf("Retain", "Delete"),
          "What deleting the LustreFilesystem does to its target disks: `Retain` keeps the PVCs (and the data), `Delete` removes them."));

  /** Validates the filesystem parameters present in a StorageClass; InvalidArgument names the bad one. */
  public static FilesystemParameters parse(Map<String, String> parameters) {
    Map<String, String> given = new LinkedHashMap<>();
    for (ParameterDefinition definition : DEFINITIONS) {
      if (parameters.containsKey(definition.key())) {
        given.put(definition.key(), checked(definition, definition.valueIn(parameters)));
      }
    }
    return new FilesystemParameters(Map.copyOf(given));
  }

  /** The value the StorageClass gave, else the parameter's default ("" where the controller decides). */
  public String value(String key) {
    String value = given.get(key);
    if (value != null) {
      return value;
    }
    return DEFINITIONS.stream().filter(d -> d.key().equals(key)).findFirst().orElseThrow().defaultValue();
  }

  public boolean says(String key) {
    return given.containsKey(key);
  }

  public List<String> lnetNetworks() {
    return List.of(value(LNET_NETWORKS).split(","));
  }

  /** Bytes per OST. */
  public long ostSize() {
    return Sizes.parse(value(OST_SIZE));
  }

  public int maxOsts() {
    return Integer.parseInt(value(MAX_OSTS));
  }

  public double overcommit() {
    return Double.parseDouble(value(OVERCOMMIT));
  }

  /**
   * The value after what the grammar leaves open is checked (ranges, minimums, a network with
   * room for servers), in the form the filesystem resource records it.
   */
  private static String checked(ParameterDefinition definition, String value) {
    String field = definition.field();
    switch (definition.key()) {
      case STORAGE_CIDR -> {
        try {
          dev.lustrecsi.controller.filesystem.AddressPool.parse(value, null);
        } catch (IllegalArgumentException e) {
          throw CsiException.invalidArgument(field, e.getMessage());
        }
      }
      case OSTS_PER_OSS -> integer(field, value, 1, 16);
      case MAX_OSTS -> integer(field, value, 1, 1024);
      case SERVER_CPU -> integer(field, value, 1, 64);
      case OST_SIZE, MGT_SIZE, MDT_SIZE -> size(field, value, Sizes.GIB);
      case SERVER_MEMORY -> size(field, value, 2 * Sizes.GIB);
      case OVERCOMMIT -> {
        double factor = Double.parseDouble(value);
        if (factor < 1.0 || factor > 100.0) {
          throw CsiException.invalidArgument(field, value + " is outside 1.0..100");
        }
        // As the LustreFilesystem records it, so "2" and "2.0" compare equal.
        return Double.toString(factor);
      }
      default -> {
        // the grammar says all there is to say
      }
    }
    return value;
  }

  private static void integer(String field, String value, int min, int max) {
    int parsed = Integer.parseInt(value);
    if (parsed < min || parsed > max) {
      throw CsiException.invalidArgument(field, value + " is outside " + min + ".." + max);
    }
  }

  private static void size(String field, String value, long minimum) {
    long bytes;
    try {
      bytes = Sizes.parse(value);
    } catch (IllegalArgumentException e) {
      throw CsiException.invalidArgument(field, e.getMessage());
    }
    if (bytes < minimum) {
      throw CsiException.invalidArgument(field, value + " is below the " + Sizes.format(minimum) + " minimum");
    }
  }
}
