package dev.lustrecsi.node.lnet;

/**
 * Outputs written by hand in the layout of the real ones ({@link Fixtures}), for states no real
 * capture shows. Kept apart from the verbatim captures so neither is taken for the other.
 */
public final class WrittenOutputs {
  /** {@code lnetctl net show} of a Multi-Rail o2ib0 on ib0 and ib1, the second rail down (lnetctl_net_show.txt's layout). */
  public static final String NET_SHOW_SECOND_RAIL_DOWN = """
      net:
      -     net type: lo
            local NI(s):
            -     nid: 0@lo
                  status: up
      -     net type: o2ib
            local NI(s):
            -     nid: 10.2.0.5@o2ib
                  status: up
                  interfaces:
                        0: ib0
            -     nid: 10.2.0.6@o2ib
                  status: down
                  interfaces:
                        0: ib1
      """;

  private WrittenOutputs() {}
}
