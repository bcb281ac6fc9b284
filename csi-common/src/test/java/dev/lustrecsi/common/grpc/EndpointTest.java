package dev.lustrecsi.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {
  @Test
  void parsesUnixUris() {
    assertThat(Endpoint.parse("unix:///csi/csi.sock").socketPath()).isEqualTo(Path.of("/csi/csi.sock"));
    assertThat(Endpoint.parse("unix:/csi/csi.sock").socketPath()).isEqualTo(Path.of("/csi/csi.sock"));
    assertThat(Endpoint.parse("unix:///csi/csi.sock")).hasToString("unix:///csi/csi.sock");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tcp://127.0.0.1:10000", "/csi/csi.sock", "unix://relative/csi.sock"})
  void refusesAnythingButAnAbsoluteUnixSocket(String uri) {
    assertThatThrownBy(() -> Endpoint.parse(uri)).isInstanceOf(IllegalArgumentException.class);
  }
}
