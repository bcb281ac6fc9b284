package dev.lustrecsi.node.lnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LnetOutputTest {
  @Test
  void readsTheLocalNisOfARealNetShow() {
    List<LocalNi> nis = LnetOutput.netShow(Fixtures.read("lnetctl_net_show.txt"));
    assertThat(nis).containsExactly(
        new LocalNi(new Nid("0", "lo", 0), "up", List.of()),
        new LocalNi(new Nid("10.99.0.1", "tcp", 0), "up", List.of("dummy0")));
  }

  @Test
  void verboseOutputGivesTheSameNis() {
    assertThat(LnetOutput.netShow(Fixtures.read("lnetctl_net_show_v.txt")))
        .isEqualTo(LnetOutput.netShow(Fixtures.read("lnetctl_net_show.txt")));
  }

  @Test
  void readsTheManPageLayoutWithoutNetType() {
    String manPage = """
        net:
            - nid: 192.168.205.130@tcp1
              status: up
              interfaces:
                  0: eth3
        """;
    assertThat(LnetOutput.netShow(manPage)).containsExactly(new LocalNi(new Nid("192.168.205.130", "tcp", 1), "up", List.of("eth3")));
    assertThat(LnetOutput.netShow(manPage).getFirst().nid().net()).isEqualTo("tcp1");
  }

  @Test
  void readsEachRailOfAMultiRailNetWithItsOwnStatus() {
    assertThat(LnetOutput.netShow(WrittenOutputs.NET_SHOW_SECOND_RAIL_DOWN)).containsExactly(
        new LocalNi(new Nid("0", "lo", 0), "up", List.of()),
        new LocalNi(new Nid("10.2.0.5", "o2ib", 0), "up", List.of("ib0")),
        new LocalNi(new Nid("10.2.0.6", "o2ib", 0), "down", List.of("ib1")));
  }

  @Test
  void readsARealPingAnswer() {
    assertThat(LnetOutput.ping(Fixtures.read("lnetctl_ping.txt"))).containsExactly(new Nid("10.99.0.1", "tcp", 0));
    assertThat(LnetOutput.ping("manage:\n    - ping:\n          errno: -1\n")).isEmpty();
  }

  @Test
  void nidsParseAndPrintAsLustreDoes() {
    assertThat(Nid.parse("10.2.0.5@o2ib")).contains(new Nid("10.2.0.5", "o2ib", 0));
    assertThat(Nid.parse("10.2.0.5@o2ib").orElseThrow().net()).isEqualTo("o2ib0");
    assertThat(Nid.parse("10.3.0.5@tcp2").orElseThrow()).hasToString("10.3.0.5@tcp2");
    assertThat(Nid.parse("0@lo").orElseThrow().isLoopback()).isTrue();
    assertThat(Nid.parse("10.0.0.1")).isEmpty();
    assertThat(Nid.parse("10.0.0.1@tcp,10.0.0.2@tcp")).isEmpty();
    assertThat(Nid.parse("10.0.0.256@tcp").orElseThrow().hasIpv4Address()).isFalse();
  }
}
