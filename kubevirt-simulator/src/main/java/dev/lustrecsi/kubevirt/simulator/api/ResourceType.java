package dev.lustrecsi.kubevirt.simulator.api;

/** A kind of object as the API's paths name it: its group ("" for the core group), version and plural. */
record ResourceType(String group, String version, String plural) {
  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
