package dev.lustrecsi.controller.filesystem;

import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * IPv4 addresses on the storage network, handed out in order from {@code firstHost} and never
 * taken back: Lustre writes server NIDs into every target when it is formatted, so an address
 * once given must stay with its server for the life of the filesystem.
 *
 * @param network the network address as an int
 * @param prefixLength the CIDR prefix length
 * @param firstHost the offset of the first address to hand out
 */
public record AddressPool(int network, int prefixLength, int firstHost) {
  public static final int DEFAULT_FIRST_HOST = 10;

  /** Parses "10.1.0.0/24"; throws IllegalArgumentException naming what is wrong. */
  public static AddressPool parse(String cidr, Integer firstHost) {
    int slash = cidr == null ? -1 : cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("must be an IPv4 CIDR such as 10.1.0.0/24, got " + cidr);
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("has no valid prefix length: " + cidr);
    }
    if (prefix < 8 || prefix > 29) {
      throw new IllegalArgumentException("prefix length must be between 8 and 29: " + cidr);
    }
    int address = toInt(cidr.substring(0, slash));
    int mask = (int) (0xffffffffL << (32 - prefix));
    if ((address & ~mask) != 0) {
      throw new IllegalArgumentException("has host bits set: " + cidr);
    }
    int first = firstHost == null ? DEFAULT_FIRST_HOST : firstHost;
    if (first < 1 || first >= (1L << (32 - prefix)) - 1) {
      throw new IllegalArgumentException("firstHost " + first + " lies outside " + cidr);
    }
    return new AddressPool(address, prefix, first);
  }

  /** The lowest address at or above firstHost that is not in use, or empty when none is left. */
  public Optional<String> next(Collection<String> inUse) {
    Set<String> taken = new HashSet<>(inUse);
    long hosts = (1L << (32 - prefixLength)) - 1;  // the last one is the broadcast address
    for (long offset = firstHost; offset < hosts; offset++) {
      String candidate = toText(network + (int) offset);
      if (!taken.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether the address is one this pool gives out: in the network, from firstHost, below the broadcast address. */
  public boolean holds(String address) {
    long offset;
    try {
      offset = Integer.toUnsignedLong(toInt(address)) - Integer.toUnsignedLong(network);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return offset >= firstHost && offset < (1L << (32 - prefixLength)) - 1;
  }

  public String withPrefix(String address) {
    return address + "/" + prefixLength;
  }

  static int toInt(String dotted) {
    String[] parts = dotted.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("is not an IPv4 address: " + dotted);
    }
    int value = 0;
    for (String part : parts) {
      int octet;
      try {
        octet = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is not an IPv4 address: " + dotted);
      }
      if (octet < 0 || octet > 255 || part.length() > 3) {
        throw new IllegalArgumentException("is not an IPv4 address: " + dotted);
      }
      value = value << 8 | octet;
    }
    return value;
  }

  static String toText(int address) {
    return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
  }
}
