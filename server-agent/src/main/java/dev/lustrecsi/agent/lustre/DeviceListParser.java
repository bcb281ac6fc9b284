package dev.lustrecsi.agent.lustre;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code lctl dl} (and {@code lctl dl -t}, which adds a NID column) and picks out the server targets. */
public final class DeviceListParser {
  private static final Pattern LINE = Pattern.compile("\\s*(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)(?:\\s+\\S+)?\\s*");

  private DeviceListParser() {}

  public static List<Device> parse(String output) {
    List<Device> devices = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new UnexpectedOutputException("lctl dl", "unexpected line \"" + line + "\"");
      }
      devices.add(new Device(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5), Integer.parseInt(m.group(6))));
    }
    return List.copyOf(devices);
  }

  /**
   * The target a device serves, if it is a server target: the {@code mgs} device is the MGT, an
   * {@code mdt} device an MDT, an {@code obdfilter} device an OST. Client (osc, mdc) and internal
   * devices (osd, osp, lwp, lod) are not targets.
   */
  public static Optional<TargetName> target(Device device) {
    return switch (device.type()) {
      case "mgs" -> Optional.of(TargetName.MGS);
      case "mdt", "obdfilter" -> TargetName.parse(device.name()).filter(t -> !t.fsName().isEmpty());
      default -> Optional.empty();
    };
  }
}
