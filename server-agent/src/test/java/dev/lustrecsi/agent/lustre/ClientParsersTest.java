package dev.lustrecsi.agent.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.CheckServersParser.Connection;
import org.junit.jupiter.api.Test;

/** The parsers a site's management host needs: its client connections, and a directory's project. */
class ClientParsersTest {
  @Test
  void checkServersKeepsTheClientsConnectionsOfTheFilesystemOnly() {
    assertThat(CheckServersParser.parse(Fixtures.read("lfs_check_servers.txt"), "lfs"))
        .containsExactly(
            new Connection("lfs-OST0000-osc-ff1c9f74671fe800", new TargetName("lfs", TargetKind.OST, 0), true),
            new Connection("lfs-OST0001-osc-ff1c9f74671fe800", new TargetName("lfs", TargetKind.OST, 1), true),
            new Connection("lfs-MDT0000-mdc-ff1c9f74671fe800", new TargetName("lfs", TargetKind.MDT, 0), true),
            new Connection("MGC10.99.0.1@tcp", TargetName.MGS, true));
    assertThat(CheckServersParser.parse(Fixtures.read("lfs_check_servers.txt"), "other"))
        .extracting(Connection::device).containsExactly("MGC10.99.0.1@tcp");
  }

  @Test
  void anInactiveOrUncheckableConnectionIsDown() {
    assertThat(CheckServersParser.parse(Fixtures.read("lfs_check_servers_client_inactive.txt"), "lfs"))
        .filteredOn(c -> !c.active()).extracting(Connection::device).containsExactly("lfs-OST0001-osc-ff1c9f74671fe800");
    assertThat(CheckServersParser.parse("error: check 'lfs-OST0002-osc-ff1c9f74671fe800': Resource temporarily unavailable (11)\n", "lfs"))
        .containsExactly(new Connection("lfs-OST0002-osc-ff1c9f74671fe800", new TargetName("lfs", TargetKind.OST, 2), false));
    assertThatThrownBy(() -> CheckServersParser.parse("lfs-OST0000-osc-ff1c9f74671fe800 maybe\n", "lfs"))
        .isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void importStatesAreTheCurrentStateOfEachDevice() {
    assertThat(ImportStateParser.parse(Fixtures.read("lctl_get_param_import_state.txt"))).containsExactly(
        java.util.Map.entry("lfs-OST0000-osc-ff1c9f74671fe800", "FULL"),
        java.util.Map.entry("lfs-OST0001-osc-ff1c9f74671fe800", "DISCONN"),
        java.util.Map.entry("lfs-MDT0000-mdc-ff1c9f74671fe800", "FULL"));
    assertThat(ImportStateParser.parse("")).isEmpty();
    assertThatThrownBy(() -> ImportStateParser.parse("current_state: FULL\n")).isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void projectOfADirectory() {
    assertThat(ProjectOfDirectory.parse(Fixtures.read("lfs_project_d.txt"))).isEqualTo(new ProjectOfDirectory(1000, true));
    assertThat(ProjectOfDirectory.parse("    0 - /mnt/lfs/new\n")).isEqualTo(new ProjectOfDirectory(0, false));
    assertThatThrownBy(() -> ProjectOfDirectory.parse("")).isInstanceOf(UnexpectedOutputException.class);
  }
}
