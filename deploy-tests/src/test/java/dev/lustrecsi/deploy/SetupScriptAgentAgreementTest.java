package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.controller.servers.ServerSetup;
import org.junit.jupiter.api.Test;

/**
 * The server VM's setup script (the controller's) and the agent (the server image's) name the
 * same things on the VM: where targets are mounted, how their pools are named, and the tag that
 * keeps a drained OST down. They are built in different modules; this is where they meet.
 */
class SetupScriptAgentAgreementTest {
  private final String script = ServerSetup.script();

  @Test
  void targetsAreMountedAndPooledWhereTheAgentLooksForThem() {
    assertThat(script).contains("\"${MOUNT_ROOT:=" + TargetPaths.MOUNT_ROOT + "}\"")
        .contains("\"${POOL_PREFIX:=" + TargetPaths.POOL_PREFIX + "$FSNAME}\"");
  }

  @Test
  void theScriptLeavesAloneTheOstsTheAgentTaggedAsReleased() {
    assertThat(script).contains("\"${RELEASED_PROPERTY:=" + TargetPaths.RELEASED_PROPERTY + "}\"");
  }
}
