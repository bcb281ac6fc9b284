package dev.lustrecsi.node.mount;

import java.nio.file.Path;
import java.util.List;

/**
 * A Lustre client for tests of readiness, which ask only whether the client is there: present
 * until a test says why it is not. Those tests mount nothing, so a mount is a mistake in the test.
 */
public final class ReadinessOnlyClient implements LustreClient {
  private volatile String unavailableReason;

  /** From now on the client is missing, for this reason (mount.lustre not installed, say); null makes it present again. */
  public void unavailable(String reason) {
    unavailableReason = reason;
  }

  @Override
  public void mount(LustreSource source, Path mountPoint, List<String> options) {
    throw new UnsupportedOperationException("a readiness test mounts nothing");
  }

  @Override
  public String unavailableReason() {
    return unavailableReason;
  }
}
