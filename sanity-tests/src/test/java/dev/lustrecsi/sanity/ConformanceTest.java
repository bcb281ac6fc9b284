package dev.lustrecsi.sanity;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the suite's test classes: the driver under test, and a {@link Workspace} per test that
 * undoes whatever the test made.
 */
@ExtendWith(CsiTargetExtension.class)
abstract class ConformanceTest {
  protected CsiTarget target;
  protected Workspace ws;

  @BeforeEach
  void openWorkspace(CsiTarget target, TestInfo test) {
    this.target = target;
    String name = test.getTestMethod().map(m -> m.getName()).orElse("test");
    this.ws = new Workspace(target, name);
  }

  @AfterEach
  void closeWorkspace() {
    if (ws != null) {
      ws.close();
    }
  }
}
