package dev.lustrecsi.controller.parameters;

import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.FILESYSTEM;
import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.VOLUME;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.volume.FsName;
import dev.lustrecsi.common.volume.Sizes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The validated parameters of a StorageClass (CreateVolume's {@code parameters}).
 *
 * @param fsName the Lustre filesystem the volume lives on
 * @param striping the volume directory's default layout
 * @param ostSize the size of each OST the filesystem grows by
 * @param maxOsts the most OSTs the filesystem may grow to
 * @param lnet the LNet network the volumes are mounted over; o2ib makes them an RDMA tier
 * @param servers what the filesystem's server VMs are made with
 */
public record StorageClassParameters(String fsName, Striping striping, long ostSize, int maxOsts, LnetChoice lnet,
    ServerParameters servers) {
  public static final String FS_NAME = "fsName";
  public static final String STRIPE_COUNT = "stripeCount";
  public static final String STRIPE_SIZE = "stripeSize";
  public static final String POOL = "pool";
  public static final String OST_SIZE = "ostSize";
  public static final String MAX_OSTS = "maxOsts";
  public static final String LNET = "lnet";

  /** Every parameter the driver accepts, in the order the docs list them. */
  public static final List<ParameterDefinition> DEFINITIONS = java.util.stream.Stream.concat(java.util.stream.Stream.of(
      new ParameterDefinition(FS_NAME, FILESYSTEM, null,
          "Name of the Lustre filesystem that holds the volumes: 1 to 8 characters of letters, digits, `_` and `-`."
              + " StorageClasses that name the same fsName share one filesystem."),
      new ParameterDefinition(STRIPE_COUNT, VOLUME, "1",
          "How many OSTs each file of the volume is striped over (`lfs setstripe -c`); `-1` means all OSTs."),
      new ParameterDefinition(STRIPE_SIZE, VOLUME, "4M",
          "Bytes written to one OST before moving to the next (`lfs setstripe -S`): a multiple of 64K, from 64K to 4G."),
      new ParameterDefinition(POOL, VOLUME, "",
          "OST pool new files are placed in (`lfs setstripe -p`): 1 to 15 characters of letters, digits, `_`, `-` and `.`."),
      new ParameterDefinition(OST_SIZE, FILESYSTEM, "1Ti",
          "Size of each OST; the filesystem grows by whole OSTs of this size. Binary units: `512Gi`, `1Ti`."),
      new ParameterDefinition(MAX_OSTS, FILESYSTEM, "64",
          "Growth limit: the most OSTs the filesystem may have (1 to 1024)."),
      new ParameterDefinition(LNET, VOLUME, "auto",
          "LNet network the volumes are mounted over: `tcp`, `o2ib` or `auto`. `o2ib` is the RDMA tier: its volumes may only be"
              + " used on nodes whose node plugin reports the topology segment `lustre.csi.lustrecsi.dev/rdma=true`, so the scheduler"
              + " places their pods there. `auto` mounts over o2ib where the node and the filesystem both have it, tcp elsewhere.")),
      ServerParameters.DEFINITIONS.stream()).toList();

  /**
   * Keys the external-provisioner adds with {@code --extra-create-metadata}; accepted and ignored.
   * (It strips its secret keys before calling us.)
   */
  public static final Set<String> PROVISIONER_METADATA =
      Set.of("csi.storage.k8s.io/pvc/name", "csi.storage.k8s.io/pvc/namespace", "csi.storage.k8s.io/pv/name");

  private static final long STRIPE_UNIT = 64 * Sizes.KIB;
  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

  /**
   * Validates CreateVolume parameters strictly: an unknown key or a bad value is InvalidArgument
   * naming the parameter.
   */
  public static StorageClassParameters parse(Map<String, String> parameters) {
    Set<String> unknown = new TreeSet<>();
    for (String key : parameters.keySet()) {
      if (!PROVISIONER_METADATA.contains(key) && DEFINITIONS.stream().noneMatch(d -> d.key().equals(key))) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw CsiException.invalidArgument("parameters", "unknown parameter" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + "; accepted: " + String.join(", ", DEFINITIONS.stream().map(ParameterDefinition::key).toList()));
    }
    String fsName = parameters.get(FS_NAME);
    String fsProblem = FsName.problem(fsName);
    if (fsProblem != null) {
      throw CsiException.invalidArgument("parameters." + FS_NAME, fsProblem);
    }
    int stripeCount = integer(parameters, STRIPE_COUNT, -1, 2000);
    if (stripeCount == 0) {
      throw CsiException.invalidArgument("parameters." + STRIPE_COUNT, "must be -1 (all OSTs) or at least 1");
    }
    long stripeSize = size(parameters, STRIPE_SIZE);
    if (stripeSize % STRIPE_UNIT != 0 || stripeSize < STRIPE_UNIT || stripeSize > 4 * Sizes.GIB) {
      throw CsiException.invalidArgument("parameters." + STRIPE_SIZE,
          parameters.get(STRIPE_SIZE) + " must be a multiple of 64K between 64K and 4G");
    }
    String pool = value(parameters, POOL);
    if (!pool.isEmpty() && !POOL_NAME.matcher(pool).matches()) {
      throw CsiException.invalidArgument("parameters." + POOL, "\"" + pool + "\" must be 1 to 15 characters of letters, digits, '_', '-' and '.'");
    }
    long ostSize = size(parameters, OST_SIZE);
    if (ostSize < Sizes.GIB) {
      throw CsiException.invalidArgument("parameters." + OST_SIZE, parameters.get(OST_SIZE) + " is below the 1Gi minimum");
    }
    int maxOsts = integer(parameters, MAX_OSTS, 1, 1024);
    String lnetText = value(parameters, LNET);
    LnetChoice lnet = LnetChoice.parse(lnetText)
        .orElseThrow(() -> CsiException.invalidArgument("parameters." + LNET, "\"" + lnetText + "\" is not one of " + LnetChoice.allowedValues()));
    return new StorageClassParameters(fsName, new Striping(stripeCount, stripeSize, pool), ostSize, maxOsts, lnet,
        ServerParameters.parse(parameters));
  }

  /** The capacity the filesystem may grow to. */
  public long maxCapacity() {
    double bytes = (double) ostSize * maxOsts * servers.overcommit();
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }

  private static String value(Map<String, String> parameters, String key) {
    String given = parameters.get(key);
    if (given != null) {
      return given.strip();
    }
    return DEFINITIONS.stream().filter(d -> d.key().equals(key)).findFirst().orElseThrow().defaultValue();
  }

  private static int integer(Map<String, String> parameters, String key, int min, int max) {
    String text = value(parameters, key);
    try {
      int parsed = Integer.parseInt(text);
      if (parsed < min || parsed > max) {
        throw CsiException.invalidArgument("parameters." + key, text + " is outside " + min + ".." + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw CsiException.invalidArgument("parameters." + key, "\"" + text + "\" is not a whole number");
    }
  }

  private static long size(Map<String, String> parameters, String key) {
    try {
      return Sizes.parse(value(parameters, key));
    } catch (IllegalArgumentException e) {
      throw CsiException.invalidArgument("parameters." + key, e.getMessage());
    }
  }
}
