package dev.lustrecsi.controller.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec.External;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec.ProjectIdRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExternalSpecTest {
  static External external(String tcp, String o2ib, String agent, String root, Double overcommit, ProjectIdRange ids) {
    return new External(tcp, o2ib, agent, root, overcommit, ids);
  }

  @Test
  void fillsInTheDefaults() throws Exception {
    ExternalSpec spec = ExternalSpec.of(external("10.0.0.1@tcp", null, "mgmt.example.org:9443", null, null, null));
    assertThat(spec).isEqualTo(new ExternalSpec("10.0.0.1@tcp", "", "mgmt.example.org", 9443, ExternalSpec.DEFAULT_VOLUME_ROOT, 1.0,
        ExternalSpec.DEFAULT_FIRST_PROJECT_ID, ExternalSpec.DEFAULT_LAST_PROJECT_ID));
    assertThat(spec.agentAddress()).isEqualTo("mgmt.example.org:9443");
  }

  @Test
  void takesFailoverServersAndIpv6Agents() throws Exception {
    ExternalSpec spec = ExternalSpec.of(external("10.0.0.1@tcp,10.1.0.1@tcp1:10.0.0.2@tcp", "10.2.0.1@o2ib", "[fd00::1]:9443", "", 0.5,
        new ProjectIdRange(5000, 5999)));
    assertThat(spec.agentHost()).isEqualTo("fd00::1");
    assertThat(spec.agentAddress()).isEqualTo("[fd00::1]:9443");
    assertThat(spec.volumeRoot()).isEmpty();
    assertThat(spec.projectIdCount()).isEqualTo(1000);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "           |             | mgmt:9443 | vols   |      |      |      | spec.external.mgsNids: is required",
      "10.0.0.1@o2ib |          | mgmt:9443 | vols   |      |      |      | spec.external.mgsNids: \"10.0.0.1@o2ib\" is not a tcp NID",
      "10.0.0.1@tcp | 10.0.0.1@tcp | mgmt:9443 | vols |    |      |      | spec.external.mgsNidsO2ib: \"10.0.0.1@tcp\" is not a o2ib NID",
      "10.0.0.1@tcp |           | mgmt      | vols   |      |      |      | spec.external.agentAddress: \"mgmt\" is not HOST:PORT",
      "10.0.0.1@tcp |           | mgmt:0    | vols   |      |      |      | spec.external.agentAddress: \"mgmt:0\" has no port",
      "10.0.0.1@tcp |           | mgmt:9443 | ../up  |      |      |      | spec.external.volumeRoot: \"../up\" must be",
      "10.0.0.1@tcp |           | mgmt:9443 | /abs   |      |      |      | spec.external.volumeRoot: \"/abs\" must be",
      "10.0.0.1@tcp |           | mgmt:9443 | a/b/c/d |     |      |      | spec.external.volumeRoot: \"a/b/c/d\" must be",
      "10.0.0.1@tcp |           | mgmt:9443 | vols   | 0.0  |      |      | spec.external.overcommit: 0.0 must be a positive share",
      "10.0.0.1@tcp |           | mgmt:9443 | vols   |      | 0    | 10   | spec.external.projectIds.first: 0 must be at least 1",
      "10.0.0.1@tcp |           | mgmt:9443 | vols   |      | 10   | 9    | spec.external.projectIds.last: 9 is below projectIds.first 10"})
  void refusesWhatCannotWorkNamingTheField(String tcp, String o2ib, String agent, String root, Double overcommit, Integer first, Integer last,
      String message) {
    ProjectIdRange ids = first == null && last == null ? null : new ProjectIdRange(first, last);
    assertThatThrownBy(() -> ExternalSpec.of(external(tcp, o2ib, agent, root, overcommit, ids))).hasMessageStartingWith(message);
  }
}
