package dev.lustrecsi.agent.lustre;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lfs check servers}: one line per client connection, {@code DEVICE active.} or {@code
 * DEVICE inactive.} (lfs_check_servers.txt); a connection lfs could not check at all is an
 * {@code error: check 'DEVICE': ...} line, which counts as inactive. On a server node the list
 * also holds the MDT's own connections to OSTs ({@code fs1-OST0000-osc-MDT0000}); those are the
 * server's, not a client's, and are left out.
 */
public final class CheckServersParser {
  /** One client connection: the device, the target it reaches (the MGS for an MGC), and whether it is active. */
  public record Connection(String device, TargetName target, boolean active) {}

  private static final Pattern LINE = Pattern.compile("(\\S+) (active|inactive)\\.");
  private static final Pattern ERROR = Pattern.compile("error: check '(\\S+)':.*");
  private static final Pattern CLIENT_DEVICE = Pattern.compile("([A-Za-z0-9_-]{1,8}-(?:OST|MDT)[0-9a-fA-F]{4})-(?:osc|mdc)-([0-9a-f]+)");

  private CheckServersParser() {}

  /** The connections of filesystem {@code fsName} (and the MGS connection, which every filesystem's client has). */
  public static List<Connection> parse(String output, String fsName) {
    List<Connection> connections = new ArrayList<>();
    for (String raw : output.lines().toList()) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      Matcher error = ERROR.matcher(line);
      String device;
      boolean active;
      if (m.matches()) {
        device = m.group(1);
        active = m.group(2).equals("active");
      } else if (error.matches()) {
        device = error.group(1);
        active = false;
      } else {
        throw new UnexpectedOutputException("lfs check servers", "unexpected line \"" + line + "\"");
      }
      target(device).filter(t -> t.kind() == TargetKind.MGT || t.fsName().equals(fsName))
          .ifPresent(t -> connections.add(new Connection(device, t, active)));
    }
    return List.copyOf(connections);
  }

  private static Optional<TargetName> target(String device) {
    if (device.startsWith("MGC")) {
      return Optional.of(TargetName.MGS);
    }
    Matcher m = CLIENT_DEVICE.matcher(device);
    return m.matches() ? TargetName.parse(m.group(1)) : Optional.empty();
  }
}
