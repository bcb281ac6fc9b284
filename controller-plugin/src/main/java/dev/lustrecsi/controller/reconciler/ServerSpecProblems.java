package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.AddressPool;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.SpecSizes;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is wrong with the fields of a spec that the driver's servers are built from, each as
 * "spec.FIELD: why", or null. Sizes go into PVCs and VMs as written: one the API server would
 * refuse, or read otherwise than the driver, fails the spec before anything is made of it. The
 * checks are also split by what they build (a server's VM, a target's disk), so that while a spec
 * is invalid the objects its valid fields still describe can be made again (see
 * {@link FilesystemReconciler}).
 */
final class ServerSpecProblems {
  private ServerSpecProblems() {}

  /** The first problem of the spec's server fields, or null. */
  static String first(LustreFilesystemSpec spec) {
    String missing = spec.serverImage() == null || spec.serverImage().isEmpty() ? "serverImage"
        : spec.ostSize() == null || spec.ostSize().isEmpty() ? "ostSize"
        : spec.storageNetwork() == null ? "storageNetwork" : null;
    if (missing != null) {
      return "spec." + missing + ": is required for a filesystem whose servers the driver runs (or set spec.external for one the site runs)";
    }
    Map<String, String> problems = new LinkedHashMap<>();
    problems.put("ostSize", SpecSizes.binaryProblem(spec.ostSize()));
    problems.put("mgtSize", spec.mgtSize() == null ? null : SpecSizes.quantityProblem(spec.mgtSize()));
    problems.put("mdtSize", spec.mdtSize() == null ? null : SpecSizes.quantityProblem(spec.mdtSize()));
    problems.put("serverMemory", spec.serverMemory() == null ? null : SpecSizes.quantityProblem(spec.serverMemory()));
    for (Map.Entry<String, String> problem : problems.entrySet()) {
      if (problem.getValue() != null) {
        return "spec." + problem.getKey() + ": " + problem.getValue();
      }
    }
    return null;
  }

  /** Whether a server's VM and cloud-init Secret can be built from the spec: its image, memory and storage network. */
  static boolean serversBuildable(LustreFilesystemSpec spec) {
    if (spec.serverImage() == null || spec.serverImage().isEmpty() || spec.storageNetwork() == null
        || (spec.serverMemory() != null && SpecSizes.quantityProblem(spec.serverMemory()) != null)) {
      return false;
    }
    try {
      AddressPool.parse(spec.storageNetwork().cidr(), spec.storageNetwork().firstHost());  // the guest's prefix length comes from it
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether a disk for a target of this kind can be built from the spec: its size. */
  static boolean diskBuildable(LustreFilesystemSpec spec, String kind) {
    String size = switch (kind) {
      case TargetKinds.MGT -> spec.mgtSize();
      case TargetKinds.MDT -> spec.mdtSize();
      default -> spec.ostSize();
    };
    if (TargetKinds.MGT.equals(kind) || TargetKinds.MDT.equals(kind)) {
      return size == null || SpecSizes.quantityProblem(size) == null;  // unset: the default size
    }
    return size != null && !size.isEmpty() && SpecSizes.binaryProblem(size) == null;
  }
}
