package dev.lustrecsi.controller.filesystem;

import dev.lustrecsi.common.volume.Sizes;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.regex.Pattern;

/**
 * The sizes a LustreFilesystem's spec may hold. They go as written into PVCs and VMs, where the
 * API server reads them as Kubernetes quantities: one it refuses (1TB, 8GB) would have every PVC
 * or VM made from it refused, pass after pass. The OST size the driver reads too (the capacity
 * an OST backs), and only whole numbers in binary units mean the same bytes to both: 1T is 10^12
 * bytes to Kubernetes and 2^40 to the driver.
 */
public final class SpecSizes {
  /** apimachinery's resource.Quantity grammar: a decimal, then a binary or decimal suffix or an exponent. */
  private static final Pattern QUANTITY = Pattern.compile(
      "[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?");
  private static final Pattern BINARY = Pattern.compile("(0|[1-9][0-9]*)([KMGTP]i)?");
  private static final String ADVICE = "; write it like 1Ti, 64Gi or 8Gi";

  private SpecSizes() {}

  /** Why {@code value} cannot be a disk's or the memory's size, or null when it can. */
  public static String quantityProblem(String value) {
    if (!QUANTITY.matcher(value).matches()) {
      return "\"" + value + "\" is not a Kubernetes quantity" + ADVICE;
    }
    return Quantity.getAmountInBytes(new Quantity(value)).signum() > 0 ? null : "\"" + value + "\" is not a size above zero" + ADVICE;
  }

  /** Why {@code value} cannot be the OST size, which the driver reads as well as Kubernetes, or null when it can. */
  public static String binaryProblem(String value) {
    if (!BINARY.matcher(value).matches()) {
      return "\"" + value + "\" is not a whole number in binary units (Ki, Mi, Gi, Ti, Pi)" + ADVICE;
    }
    try {
      return Sizes.parse(value) > 0 ? null : "\"" + value + "\" is not a size above zero" + ADVICE;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
