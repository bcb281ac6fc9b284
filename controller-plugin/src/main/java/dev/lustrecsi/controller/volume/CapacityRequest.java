package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;

/**
 * A CSI capacity range, validated. Capacities are whole MiB: quotas are kept in KiB by Lustre
 * and enforced per OST in large grants, so finer sizes would promise a precision Lustre lacks.
 *
 * @param requiredBytes at least this much, 0 when the caller does not care
 * @param limitBytes at most this much, 0 when unbounded
 */
public record CapacityRequest(long requiredBytes, long limitBytes) {
  public static final long UNIT = Sizes.MIB;
  public static final long MINIMUM = Sizes.MIB;
  public static final long DEFAULT = Sizes.GIB;
  /** Larger than any Lustre filesystem can be; keeps every sum of capacities far from overflow. */
  public static final long MAXIMUM = 1L << 60;

  /** Validates the range; {@code field} names it in error messages. */
  public static CapacityRequest of(long required, long limit, String field) {
    if (required < 0) {
      throw CsiException.invalidArgument(field + ".required_bytes", "must not be negative");
    }
    if (limit < 0) {
      throw CsiException.invalidArgument(field + ".limit_bytes", "must not be negative");
    }
    if (limit > 0 && required > limit) {
      throw CsiException.invalidArgument(field, "required_bytes " + required + " exceeds limit_bytes " + limit);
    }
    return new CapacityRequest(required, limit);
  }

  /** The capacity to provision: the required size rounded up to whole MiB, or the default. */
  public long capacityToProvision(String field) {
    if (requiredBytes > MAXIMUM) {
      throw CsiException.outOfRange(field + ".required_bytes", requiredBytes + " bytes is more than any Lustre filesystem holds ("
          + Sizes.format(MAXIMUM) + ")");
    }
    long wanted = requiredBytes > 0 ? Sizes.roundUp(requiredBytes, UNIT) : DEFAULT;
    if (limitBytes > 0 && wanted > limitBytes) {
      wanted = requiredBytes > 0 ? wanted : (limitBytes / UNIT) * UNIT;
    }
    wanted = Math.max(wanted, MINIMUM);
    if (limitBytes > 0 && wanted > limitBytes) {
      throw CsiException.outOfRange(field, "cannot fit a volume in limit_bytes " + limitBytes
          + ": capacities are whole MiB, at least " + Sizes.format(MINIMUM));
    }
    return wanted;
  }

  /**
   * The range of a volume made from content of {@code contentBytes} (a restore or a clone): when
   * the caller leaves the size to the driver (no required_bytes), it is at least the content's,
   * or the copy could never fit the volume's quota. The caller has checked that the limit allows it.
   */
  public CapacityRequest holding(long contentBytes) {
    return requiredBytes == 0 && contentBytes > DEFAULT ? new CapacityRequest(contentBytes, limitBytes) : this;
  }

  /** Whether an existing capacity satisfies this range. */
  public boolean accepts(long capacityBytes) {
    return capacityBytes >= requiredBytes && (limitBytes == 0 || capacityBytes <= limitBytes);
  }
}
