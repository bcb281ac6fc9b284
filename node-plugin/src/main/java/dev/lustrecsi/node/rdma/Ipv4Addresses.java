package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The IPv4 address of each interface, read from procfs rather than java.net.NetworkInterface so
 * that tests can point it at fixture files. /proc/net/fib_trie lists the node's own addresses
 * ("/32 host LOCAL" leaves) but not their interfaces; /proc/net/route lists the on-link subnet
 * route of each interface. An address belongs to the interface whose link route (no gateway)
 * has the longest mask containing it. Addresses without such a route (a lone /32) are not found:
 * LNet could not reach peers through them anyway; nor are link-local ones (169.254/16). When several interfaces have that route (one
 * subnet on several interfaces), the addresses in it are dealt out to them in order, one each:
 * procfs does not tell which is whose, only that each of them has one.
 */
public final class Ipv4Addresses {
  private final Map<String, String> byInterface;

  private Ipv4Addresses(Map<String, String> byInterface) {
    this.byInterface = byInterface;
  }

  /** Reads {@code procRoot/net/fib_trie} and {@code procRoot/net/route}; missing files mean no addresses. */
  public static Ipv4Addresses read(Path procRoot) throws IOException {
    return parse(readOrEmpty(procRoot.resolve("net/fib_trie")), readOrEmpty(procRoot.resolve("net/route")));
  }

  public static Ipv4Addresses parse(String fibTrie, String routes) {
    List<Route> links = linkRoutes(routes);
    Map<String, String> byInterface = new LinkedHashMap<>();
    for (String address : localAddresses(fibTrie)) {
      int value = toInt(address);
      int bestMask = -1;
      for (Route route : links) {
        if ((value & route.mask) == route.destination) {
          bestMask = Math.max(bestMask, Integer.bitCount(route.mask));
        }
      }
      // Several interfaces on one subnet (the rails of a Multi-Rail node: ib0 and ib1 in one
      // /24) each have that subnet's link route; procfs does not say which address is whose, so
      // each address goes to the first of them that has none yet, and each gets one.
      for (Route route : links) {
        if ((value & route.mask) == route.destination && Integer.bitCount(route.mask) == bestMask && !byInterface.containsKey(route.iface)) {
          byInterface.put(route.iface, address);
          break;
        }
      }
    }
    return new Ipv4Addresses(byInterface);
  }

  /** The interface's first IPv4 address. */
  public Optional<String> of(String iface) {
    return Optional.ofNullable(byInterface.get(iface));
  }

  /**
   * Addresses that are the node's own: leaves of the trie followed by a "/32 host LOCAL" line,
   * loopback and link-local (169.254/16) excluded. A link-local address is what an interface
   * without a configured one picks for itself (a server's BMC USB NIC, a NIC left to zeroconf):
   * no peer off that link reaches it, so it is never an LNet address.
   */
  static Set<String> localAddresses(String fibTrie) {
    Set<String> addresses = new LinkedHashSet<>();
    String leaf = null;
    for (String raw : fibTrie.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("|-- ")) {
        leaf = line.substring(4).strip();
      } else if (line.startsWith("+-- ")) {
        leaf = null;
      } else if (leaf != null && line.startsWith("/32 host LOCAL") && !leaf.startsWith("127.") && !leaf.startsWith("169.254.")) {
        addresses.add(leaf);
      }
    }
    return addresses;
  }

  private record Route(String iface, int destination, int mask) {}

  /** Routes with no gateway and a non-zero mask: each interface's own subnets. */
  private static List<Route> linkRoutes(String routes) {
    List<Route> links = new ArrayList<>();
    for (String line : routes.split("\n")) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length < 8 || fields[0].equals("Iface")) {
        continue;
      }
      try {
        int destination = fromProcHex(fields[1]);
        int gateway = fromProcHex(fields[2]);
        int mask = fromProcHex(fields[7]);
        if (gateway == 0 && mask != 0) {
          links.add(new Route(fields[0], destination & mask, mask));
        }
      } catch (NumberFormatException e) {
        // not a route line
      }
    }
    return links;
  }

  /** /proc/net/route prints addresses as the hex of the in-memory (network order) word on a little-endian host. */
  private static int fromProcHex(String hex) {
    return Integer.reverseBytes(Integer.parseUnsignedInt(hex, 16));
  }

  private static int toInt(String address) {
    String[] parts = address.split("\\.");
    int value = 0;
    for (String part : parts) {
      value = value << 8 | Integer.parseInt(part);
    }
    return value;
  }

  private static String readOrEmpty(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
