package dev.lustrecsi.controller.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The filesystem name a Lustre snapshot is mounted under: what every server's agent is sent, the same on every retry. */
class SnapshotFsNameTest {
  @Test
  void eightLowercaseHexCharactersOfTheNamesSha256() {
    // SHA-256("abc") begins ba7816bf.
    assertThat(GrpcServerAgents.snapshotFsName("abc")).isEqualTo("ba7816bf");
    assertThat(GrpcServerAgents.snapshotFsName("lcsi-20261207-010000-abcdef")).matches("[0-9a-f]{8}")
        .isEqualTo(GrpcServerAgents.snapshotFsName("lcsi-20261207-010000-abcdef"))
        .isNotEqualTo(GrpcServerAgents.snapshotFsName("lcsi-20261207-010000-abcdee"));
  }
}
