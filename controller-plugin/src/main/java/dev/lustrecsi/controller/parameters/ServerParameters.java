package dev.lustrecsi.controller.parameters;

import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.FILESYSTEM;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The StorageClass parameters that describe a filesystem's servers: what its LustreFilesystem
 * resource is created with. Each field is null when the StorageClass does not say, so that a
 * StorageClass pointing at an existing filesystem (perhaps one an admin created) is compared
 * only on what it says. An empty value means "the default".
 *
 * @param given the validated values the StorageClass gave, by parameter key
 */
public record ServerParameters(Map<String, String> given) {
  /** A request that says nothing about servers: expanding a volume of an existing filesystem. */
  public static final ServerParameters NONE = new ServerParameters(Map.of());

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
      new ParameterDefinition(SERVER_IMAGE, FILESYSTEM, "",
          "containerDisk image of the Lustre server VMs. Default: the controller's `--default-server-image` (the Helm value `servers.image`)."),
      new ParameterDefinition(STORAGE_NETWORK, FILESYSTEM, "",
          "NetworkAttachmentDefinition (`name` or `namespace/name`) the server VMs use for LNet. Default: the controller's `--default-storage-network`."),
      new ParameterDefinition(STORAGE_CIDR, FILESYSTEM, "",
          "IPv4 range server addresses are given from, e.g. `10.1.0.0/24`; an address once given never changes. Default: the controller's `--default-storage-cidr`."),
      new ParameterDefinition(OSTS_PER_OSS, FILESYSTEM, "4",
          "OSTs one OSS VM serves before the filesystem gets another OSS VM (1 to 16)."),
      new ParameterDefinition(MGT_SIZE, FILESYSTEM, "1Gi", "Size of the management target's disk."),
      new ParameterDefinition(MDT_SIZE, FILESYSTEM, "64Gi", "Size of the metadata target's disk: it bounds how many files the filesystem holds."),
      new ParameterDefinition(DISK_STORAGE_CLASS, FILESYSTEM, "",
          "StorageClass of the block-mode PVCs that hold the targets. Default: the cluster's default StorageClass."),
      new ParameterDefinition(SERVER_CPU, FILESYSTEM, "2", "Virtual CPUs of each server VM (1 to 64)."),
      new ParameterDefinition(SERVER_MEMORY, FILESYSTEM, "4Gi", "Memory of each server VM, at least 2Gi."),
      new ParameterDefinition(LNET_NETWORKS, FILESYSTEM, "tcp",
          "LNet networks the servers offer, comma-separated: `tcp`, `o2ib` (RDMA; the storage network must then be SR-IOV)."),
      new ParameterDefinition(OVERCOMMIT, FILESYSTEM, "1.0",
          "Bytes of volume capacity one byte of OST may back before the filesystem grows (1.0: no overcommit; at most 100)."),
      new ParameterDefinition(RETENTION, FILESYSTEM, "Retain",
          "What deleting the LustreFilesystem does to its target disks: `Retain` keeps the PVCs (and the data), `Delete` removes them."));

  private static final Pattern NAD = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  /** Validates the server parameters present in a StorageClass; InvalidArgument names the bad one. */
  public static ServerParameters parse(Map<String, String> parameters) {
    Map<String, String> given = new LinkedHashMap<>();
    for (ParameterDefinition definition : DEFINITIONS) {
      String raw = parameters.get(definition.key());
      if (raw == null || raw.isBlank()) {
        continue;
      }
      String value = raw.strip();
      given.put(definition.key(), validate(definition.key(), value));
    }
    return new ServerParameters(Map.copyOf(given));
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

  public double overcommit() {
    return Double.parseDouble(value(OVERCOMMIT));
  }

  private static String validate(String key, String value) {
    String field = "parameters." + key;
    switch (key) {
      case SERVER_IMAGE -> {
        if (value.chars().anyMatch(Character::isWhitespace)) {
          throw CsiException.invalidArgument(field, "\"" + value + "\" is not an image reference");
        }
      }
      case STORAGE_NETWORK -> {
        if (!NAD.matcher(value).matches()) {
          throw CsiException.invalidArgument(field, "\"" + value + "\" must be name or namespace/name of a NetworkAttachmentDefinition");
        }
      }
      case STORAGE_CIDR -> {
        try {
          dev.lustrecsi.controller.filesystem.AddressPool.parse(value, null);
        } catch (IllegalArgumentException e) {
          throw CsiException.invalidArgument(field, e.getMessage());
        }
      }
      case OSTS_PER_OSS -> integer(field, value, 1, 16);
      case SERVER_CPU -> integer(field, value, 1, 64);
      case MGT_SIZE, MDT_SIZE -> size(field, value, Sizes.GIB);
      case SERVER_MEMORY -> size(field, value, 2 * Sizes.GIB);
      case DISK_STORAGE_CLASS -> {
        if (!DNS_NAME.matcher(value).matches() || value.length() > 253) {
          throw CsiException.invalidArgument(field, "\"" + value + "\" is not a StorageClass name");
        }
      }
      case LNET_NETWORKS -> {
        List<String> networks = new ArrayList<>();
        for (String network : value.split(",")) {
          String name = network.strip();
          if (!name.equals("tcp") && !name.equals("o2ib")) {
            throw CsiException.invalidArgument(field, "\"" + name + "\" is not tcp or o2ib");
          }
          if (!networks.contains(name)) {
            networks.add(name);
          }
        }
        return String.join(",", networks);
      }
      case OVERCOMMIT -> {
        double factor;
        try {
          factor = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw CsiException.invalidArgument(field, "\"" + value + "\" is not a number");
        }
        if (!(factor >= 1.0 && factor <= 100.0)) {
          throw CsiException.invalidArgument(field, value + " is outside 1.0..100");
        }
        return Double.toString(factor);
      }
      case RETENTION -> {
        if (!value.equals("Retain") && !value.equals("Delete")) {
          throw CsiException.invalidArgument(field, "\"" + value + "\" must be Retain or Delete");
        }
      }
      default -> throw new IllegalStateException("no validation for " + key);
    }
    return value;
  }

  private static void integer(String field, String value, int min, int max) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        throw CsiException.invalidArgument(field, value + " is outside " + min + ".." + max);
      }
    } catch (NumberFormatException e) {
      throw CsiException.invalidArgument(field, "\"" + value + "\" is not a whole number");
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
