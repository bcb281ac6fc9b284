package dev.lustrecsi.node.lnet;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LNet network identifier, {@code ADDRESS@TYPE[NUMBER]} (10.99.0.1@tcp, 10.2.0.5@o2ib1, 0@lo).
 *
 * @param address the address part
 * @param type the network type (tcp, o2ib, lo)
 * @param number the network number; "tcp" is tcp0
 */
public record Nid(String address, String type, int number) {
  private static final Pattern SYNTAX = Pattern.compile("([^@\\s,:]+)@([a-z][a-z0-9]*?)([0-9]{0,3})");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

  public static Optional<Nid> parse(String text) {
    Matcher m = SYNTAX.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Nid(m.group(1), m.group(2), m.group(3).isEmpty() ? 0 : Integer.parseInt(m.group(3))));
  }

  /** The network this NID is on, with its number: tcp0, o2ib0. */
  public String net() {
    return type + number;
  }

  public boolean isLoopback() {
    return type.equals("lo");
  }

  /** Whether the address is a dotted IPv4 address, as tcp and o2ib NIDs must be. */
  public boolean hasIpv4Address() {
    return IPV4.matcher(address).matches();
  }

  /** Written the way Lustre prints it: the number is left out for network 0. */
  @Override
  public String toString() {
    return address + "@" + type + (number == 0 ? "" : Integer.toString(number));
  }
}
