package dev.lustrecsi.controller.filesystem;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec.External;
import java.util.regex.Pattern;

/**
 * The external part of a LustreFilesystem spec, checked and with its defaults filled in. A pure
 * function of the spec: the reconciler refuses a spec this refuses (phase Failed, reason
 * InvalidSpec, the message naming the field), and everything else reads the resolved values.
 *
 * @param mgsNids MGS NIDs over tcp as a mount source takes them; empty when the site offers none
 * @param mgsNidsO2ib the same over o2ib; empty when none
 * @param agentHost the management host's agent: host name or address
 * @param agentPort its port
 * @param volumeRoot the directory volumes are made in, relative to the filesystem root; empty: the root
 * @param overcommit the share of the OST capacity volumes may commit
 * @param firstProjectId the lowest project id the driver may give a volume
 * @param lastProjectId the highest
 */
public record ExternalSpec(String mgsNids, String mgsNidsO2ib, String agentHost, int agentPort, String volumeRoot, double overcommit,
    int firstProjectId, int lastProjectId) {
  public static final String DEFAULT_VOLUME_ROOT = "lustre-csi";
  /** Ids below are commonly the site's own (often users' uids); above, a driver's block is easy to spot. */
  public static final int DEFAULT_FIRST_PROJECT_ID = 2_000_000_000;
  public static final int DEFAULT_LAST_PROJECT_ID = 2_099_999_999;

  /** One NID: an address, '@', an LNet network of a type and an optional number. */
  private static final Pattern NID = Pattern.compile("[A-Za-z0-9.:-]+@(tcp|o2ib)[0-9]{0,3}");
  private static final Pattern NID_SEPARATOR = Pattern.compile("(?<=@(?:tcp|o2ib)[0-9]{0,3})[:,]");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]+\\]");

  /** Thrown for a spec that cannot be used, with a message naming the field. */
  public static final class InvalidExternalSpec extends Exception {
    InvalidExternalSpec(String field, String problem) {
      super("spec.external." + field + ": " + problem);
    }
  }

  /** The spec's external part resolved, or why it cannot be used. */
  public static ExternalSpec of(External external) throws InvalidExternalSpec {
    String tcp = external.mgsNids() == null ? "" : external.mgsNids().strip();
    String o2ib = external.mgsNidsO2ib() == null ? "" : external.mgsNidsO2ib().strip();
    if (tcp.isEmpty() && o2ib.isEmpty()) {
      throw new InvalidExternalSpec("mgsNids", "is required (or mgsNidsO2ib): clients mount the filesystem from its MGS");
    }
    requireNids("mgsNids", tcp, "tcp");
    requireNids("mgsNidsO2ib", o2ib, "o2ib");
    String address = external.agentAddress() == null ? "" : external.agentAddress().strip();
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || !HOST.matcher(address.substring(0, colon)).matches()) {
      throw new InvalidExternalSpec("agentAddress", "\"" + address + "\" is not HOST:PORT (the agent on the site's management host)");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = 0;
    }
    if (port < 1 || port > 65535) {
      throw new InvalidExternalSpec("agentAddress", "\"" + address + "\" has no port in 1..65535");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String root = external.volumeRoot() == null ? DEFAULT_VOLUME_ROOT : external.volumeRoot();
    if (!VolumeId.isRoot(root)) {
      throw new InvalidExternalSpec("volumeRoot", "\"" + root + "\" must be empty or up to " + VolumeId.MAX_ROOT_COMPONENTS
          + " relative path components of letters, digits, '.', '_' and '-' (no '..', no leading '/'), at most "
          + VolumeId.MAX_ROOT_LENGTH + " characters in all (a volume id must fit the CSI spec's 128 bytes)");
    }
    double overcommit = external.overcommit() == null ? 1.0 : external.overcommit();
    if (!(overcommit > 0) || Double.isInfinite(overcommit)) {
      throw new InvalidExternalSpec("overcommit", overcommit + " must be a positive share of the filesystem's capacity");
    }
    int first = DEFAULT_FIRST_PROJECT_ID;
    int last = DEFAULT_LAST_PROJECT_ID;
    if (external.projectIds() != null) {
      first = external.projectIds().first() == null ? first : external.projectIds().first();
      last = external.projectIds().last() == null ? last : external.projectIds().last();
    }
    if (first < 1) {
      throw new InvalidExternalSpec("projectIds.first", first + " must be at least 1: project 0 is every file's default");
    }
    if (last < first) {
      throw new InvalidExternalSpec("projectIds.last", last + " is below projectIds.first " + first);
    }
    return new ExternalSpec(tcp, o2ib, host, port, root, overcommit, first, last);
  }

  private static void requireNids(String field, String nids, String network) throws InvalidExternalSpec {
    if (nids.isEmpty()) {
      return;
    }
    // Separators follow a NID's network, so an IPv6 address's own colons are not taken for one.
    for (String nid : NID_SEPARATOR.split(nids, -1)) {
      var matcher = NID.matcher(nid);
      if (!matcher.matches() || !matcher.group(1).equals(network)) {
        throw new InvalidExternalSpec(field, "\"" + nid + "\" is not a " + network + " NID such as 10.0.0.1@" + network
            + " (',' between NIDs of one server, ':' between failover servers)");
      }
    }
  }

  /** The agent's address as a client dials it. */
  public String agentAddress() {
    return (agentHost.contains(":") ? "[" + agentHost + "]" : agentHost) + ":" + agentPort;
  }

  /** The ids the driver may use: how many. */
  public long projectIdCount() {
    return (long) lastProjectId - firstProjectId + 1;
  }
}
