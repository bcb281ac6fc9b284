package dev.lustrecsi.controller.parameters;

import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.FILESYSTEM;
import static dev.lustrecsi.controller.parameters.ParameterDefinition.Scope.VOLUME;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.StripingRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The validated parameters of a StorageClass (CreateVolume's {@code parameters}).
 *
 * @param fsName the Lustre filesystem the volume lives on
 * @param striping the volume directory's default layout
 * @param lnet the LNet network the volumes are mounted over; o2ib makes them an RDMA tier
 * @param filesystem what the filesystem is made with (its OSTs, growth limit and server VMs), as
 *     far as the StorageClass says
 * @param directoryAccess the owner and mode a new empty volume's directory is given when it is made
 */
public record StorageClassParameters(String fsName, Striping striping, LnetChoice lnet, FilesystemParameters filesystem,
    DirectoryAccess directoryAccess) {
  public static final String FS_NAME = "fsName";
  public static final String STRIPE_COUNT = "stripeCount";
  public static final String STRIPE_SIZE = "stripeSize";
  public static final String POOL = "pool";
  public static final String LNET = "lnet";
  public static final String DIRECTORY_MODE = "directoryMode";
  public static final String DIRECTORY_UID = "directoryUid";
  public static final String DIRECTORY_GID = "directoryGid";

  /** Every parameter the driver accepts, in the order the docs list them. */
  public static final List<ParameterDefinition> DEFINITIONS = Stream.concat(Stream.of(
      new ParameterDefinition(FS_NAME, FILESYSTEM, null, ValueGrammar.FS_NAME,
          "Name of the Lustre filesystem that holds the volumes. StorageClasses that name the same fsName share one filesystem."),
      new ParameterDefinition(STRIPE_COUNT, VOLUME, "1", ValueGrammar.COUNT,
          "How many OSTs each file of the volume is striped over (`lfs setstripe -c`): " + StripingRules.COUNT_RULE + "."),
      new ParameterDefinition(STRIPE_SIZE, VOLUME, "4M", ValueGrammar.QUANTITY,
          "Bytes written to one OST before moving to the next (`lfs setstripe -S`): " + StripingRules.SIZE_RULE + "."),
      new ParameterDefinition(POOL, VOLUME, "", ValueGrammar.POOL_NAME,
          "OST pool new files are placed in (`lfs setstripe -p`)."),
      new ParameterDefinition(LNET, VOLUME, "auto", ValueGrammar.oneOf("tcp", "o2ib", "auto"),
          "LNet network the volumes are mounted over. `o2ib` is the RDMA tier: its volumes may only be"
              + " used on nodes whose node plugin reports the topology segment `lustre.csi.lustrecsi.dev/rdma=true`, so the scheduler"
              + " places their pods there. `auto` mounts over o2ib where the node and the filesystem both have it, tcp elsewhere."),
      // The default opens a new volume to every pod, whatever user it runs as: with the chart's
      // fsGroupPolicy None nothing else would let a non-root pod write into a root-owned 0755 directory.
      new ParameterDefinition(DIRECTORY_MODE, VOLUME, "0777", ValueGrammar.OCTAL_MODE,
          "Mode of a new volume's directory (`chmod`), set once when the volume is made and never again: afterwards the directory"
              + " is its users' to change. The default lets a pod running as any user write into its volume (the chart's CSIDriver"
              + " has fsGroupPolicy None, so fsGroup does not open it); `\"2770\"` with `directoryGid` keeps a group's volume to the group."
              + " A volume restored or cloned keeps its source's owner and mode instead."),
      new ParameterDefinition(DIRECTORY_UID, VOLUME, "0", ValueGrammar.NUMERIC_ID,
          "Owner of a new volume's directory (`chown`), set once when the volume is made: the `runAsUser` of the pods that use it."),
      new ParameterDefinition(DIRECTORY_GID, VOLUME, "0", ValueGrammar.NUMERIC_ID,
          "Group of a new volume's directory, set once when the volume is made: the `runAsGroup` or a supplemental group of its pods.")),
      FilesystemParameters.DEFINITIONS.stream()).toList();

  /**
   * Keys the external-provisioner adds with {@code --extra-create-metadata}; accepted when their
   * values are Kubernetes names, and otherwise ignored. (It strips its secret keys before calling us.)
   */
  public static final Set<String> PROVISIONER_METADATA =
      Set.of("csi.storage.k8s.io/pvc/name", "csi.storage.k8s.io/pvc/namespace", "csi.storage.k8s.io/pv/name");

  /**
   * Validates CreateVolume parameters strictly: an unknown key or a bad value is InvalidArgument
   * naming the parameter.
   */
  public static StorageClassParameters parse(Map<String, String> parameters) {
    Set<String> unknown = new TreeSet<>();
    for (String key : parameters.keySet()) {
      if (!PROVISIONER_METADATA.contains(key) && definition(key).isEmpty()) {
        unknown.add(CallerText.quote(key));
      }
    }
    if (!unknown.isEmpty()) {
      throw CsiException.invalidArgument("parameters", "unknown parameter" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + "; accepted: " + String.join(", ", DEFINITIONS.stream().map(ParameterDefinition::key).toList()));
    }
    for (String key : PROVISIONER_METADATA) {
      if (parameters.containsKey(key)) {
        new ParameterDefinition(key, VOLUME, "", ValueGrammar.KUBERNETES_NAME, "").valueIn(parameters);
      }
    }
    String fsName = value(parameters, FS_NAME);
    int stripeCount = integer(parameters, STRIPE_COUNT, StripingRules::countProblem);
    long stripeSize = size(parameters, STRIPE_SIZE);
    String sizeProblem = StripingRules.sizeProblem(stripeSize);
    if (sizeProblem != null) {
      throw CsiException.invalidArgument("parameters." + STRIPE_SIZE, sizeProblem);
    }
    String pool = value(parameters, POOL);
    LnetChoice lnet = LnetChoice.parse(value(parameters, LNET)).orElseThrow();
    return new StorageClassParameters(fsName, new Striping(stripeCount, stripeSize, pool), lnet, FilesystemParameters.parse(parameters),
        directoryAccess(parameters));
  }

  /**
   * The owner and mode for a new volume's directory; InvalidArgument names the bad parameter. Read
   * again from a volume's recorded parameters while it is being made, so a retry asks for the same.
   */
  public static DirectoryAccess directoryAccess(Map<String, String> parameters) {
    int mode = Integer.parseInt(value(parameters, DIRECTORY_MODE), 8);
    String modeProblem = DirectoryAccess.modeProblem(mode);
    if (modeProblem != null) {
      throw CsiException.invalidArgument("parameters." + DIRECTORY_MODE, modeProblem);
    }
    return new DirectoryAccess(mode, id(parameters, DIRECTORY_UID), id(parameters, DIRECTORY_GID));
  }

  private static long id(Map<String, String> parameters, String key) {
    long id = Long.parseLong(value(parameters, key));
    String problem = DirectoryAccess.idProblem(id);
    if (problem != null) {
      throw CsiException.invalidArgument("parameters." + key, problem);
    }
    return id;
  }

  /** The capacity the filesystem may grow to. */
  public long maxCapacity() {
    double bytes = (double) filesystem.ostSize() * filesystem.maxOsts() * filesystem.overcommit();
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }

  static Optional<ParameterDefinition> definition(String key) {
    return DEFINITIONS.stream().filter(d -> d.key().equals(key)).findFirst();
  }

  private static String value(Map<String, String> parameters, String key) {
    return definition(key).orElseThrow().valueIn(parameters);
  }

  /** A count parameter; {@code problem} says why a value in the grammar is still out of range, or null. */
  private static int integer(Map<String, String> parameters, String key, IntFunction<String> problem) {
    int parsed = Integer.parseInt(value(parameters, key));
    String why = problem.apply(parsed);
    if (why != null) {
      throw CsiException.invalidArgument("parameters." + key, why);
    }
    return parsed;
  }

  private static long size(Map<String, String> parameters, String key) {
    try {
      return Sizes.parse(value(parameters, key));
    } catch (IllegalArgumentException e) {
      throw CsiException.invalidArgument("parameters." + key, e.getMessage());
    }
  }
}
