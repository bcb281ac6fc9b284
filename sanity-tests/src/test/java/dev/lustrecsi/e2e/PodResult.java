package dev.lustrecsi.e2e;

/** How a pod of the suite ended: its phase, its container's exit code and its log. */
record PodResult(String name, String phase, Integer exitCode, String log) {
  Markers markers() {
    return Markers.parse(log);
  }

  PodResult assertSucceeded() {
    if (!"Succeeded".equals(phase)) {
      throw new AssertionError("pod " + name + " ended " + phase + " (exit code " + exitCode + "); its log:\n" + log);
    }
    return this;
  }
}
