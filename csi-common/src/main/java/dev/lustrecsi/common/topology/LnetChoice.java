package dev.lustrecsi.common.topology;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Which LNet network a volume is mounted over: the StorageClass parameter and volume context value {@code lnet}. */
public enum LnetChoice {
  /** Always tcp, even where both ends have RDMA. */
  TCP,
  /** Always o2ib: the volume's pods must run on RDMA nodes. */
  O2IB,
  /** o2ib where the node and the filesystem both have it, tcp otherwise. */
  AUTO;

  /** The value as written in a StorageClass. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a written value; empty when it is none of tcp, o2ib, auto. */
  public static Optional<LnetChoice> parse(String text) {
    return Arrays.stream(values()).filter(c -> c.value().equals(text)).findFirst();
  }

  public static String allowedValues() {
    return String.join(", ", Arrays.stream(values()).map(LnetChoice::value).toList());
  }
}
