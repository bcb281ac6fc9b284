package dev.lustrecsi.node.topology;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.common.volume.FsName;
import dev.lustrecsi.node.lnet.Nid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The volume context of a stage request, validated: which filesystem, its MGS NIDs per network,
 * which network the volume wants, and (static volumes) which subdirectory.
 *
 * @param fsName the filesystem
 * @param tcpNodes tcp NIDs per MGS failover node ("nid1,nid2" each)
 * @param o2ibNodes o2ib NIDs per MGS failover node
 * @param lnet the network choice
 * @param subdir the directory to mount, relative to the filesystem root; empty for the root
 */
public record StageContext(String fsName, List<String> tcpNodes, List<String> o2ibNodes, LnetChoice lnet, String subdir) {
  private static final Pattern PATH_COMPONENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}");

  public StageContext {
    tcpNodes = List.copyOf(tcpNodes);
    o2ibNodes = List.copyOf(o2ibNodes);
  }

  /**
   * Parses and checks the context.
   *
   * @param context the request's volume context
   * @param fsNameFromId the filesystem the volume id names, or null when the id does not (static volumes)
   */
  public static StageContext parse(Map<String, String> context, String fsNameFromId) {
    for (String key : List.of(VolumeContext.FS_NAME, VolumeContext.MGS_NIDS, VolumeContext.MGS_NIDS_O2IB, VolumeContext.LNET, VolumeContext.SUBDIR)) {
      String value = context.get(key);
      // Refused, not stripped: a NID or a directory with a newline in it is a caller's mistake, never what was meant.
      if (value != null && !CallerText.isPrintable(value)) {
        throw CsiException.invalidArgument(field(key), CallerText.quote(value) + " contains a control character");
      }
    }
    String fsName = context.get(VolumeContext.FS_NAME);
    if (fsNameFromId != null) {
      if (fsName != null && !fsName.equals(fsNameFromId)) {
        throw CsiException.invalidArgument(field(VolumeContext.FS_NAME), CallerText.quote(fsName) + " differs from the volume id's filesystem " + fsNameFromId);
      }
      fsName = fsNameFromId;
    } else {
      String problem = FsName.problem(fsName);
      if (problem != null) {
        throw CsiException.invalidArgument(field(VolumeContext.FS_NAME), problem);
      }
    }
    List<String> tcp = nodes(context.get(VolumeContext.MGS_NIDS), "tcp", VolumeContext.MGS_NIDS);
    List<String> o2ib = nodes(context.get(VolumeContext.MGS_NIDS_O2IB), "o2ib", VolumeContext.MGS_NIDS_O2IB);
    String lnetText = context.getOrDefault(VolumeContext.LNET, LnetChoice.AUTO.value());
    LnetChoice lnet = LnetChoice.parse(lnetText).orElseThrow(() -> CsiException.invalidArgument(field(VolumeContext.LNET),
        CallerText.quote(lnetText) + " is not one of " + LnetChoice.allowedValues()));
    return new StageContext(fsName, tcp, o2ib, lnet, subdir(context.getOrDefault(VolumeContext.SUBDIR, "")));
  }

  /** Failover nodes are separated by ':', one node's NIDs by ','; every NID must be an IPv4 NID of the given network type. */
  private static List<String> nodes(String text, String type, String key) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    List<String> nodes = new ArrayList<>();
    for (String node : text.strip().split(":", -1)) {
      if (node.isBlank()) {
        throw CsiException.invalidArgument(field(key), CallerText.quote(text) + " has an empty MGS node between ':' separators");
      }
      List<String> nids = new ArrayList<>();
      for (String raw : node.split(",", -1)) {
        String nidText = raw.strip();
        Nid nid = Nid.parse(nidText).filter(Nid::hasIpv4Address)
            .orElseThrow(() -> CsiException.invalidArgument(field(key), CallerText.quote(nidText) + " is not a NID like 10.0.0.1@" + type));
        if (!nid.type().equals(type)) {
          throw CsiException.invalidArgument(field(key), CallerText.quote(nidText) + " is not a " + type + " NID");
        }
        nids.add(nid.toString());
      }
      nodes.add(String.join(",", nids));
    }
    return nodes;
  }

  private static String subdir(String text) {
    String trimmed = text.strip();
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      return "";
    }
    for (String component : trimmed.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches() || component.equals("..")) {
        throw CsiException.invalidArgument(field(VolumeContext.SUBDIR), CallerText.quote(text)
            + " must be a relative path of names made of letters, digits, '_', '-' and '.' (no empty, '.' or '..' parts)");
      }
    }
    return trimmed;
  }

  private static String field(String key) {
    return "volume_context." + key;
  }
}
