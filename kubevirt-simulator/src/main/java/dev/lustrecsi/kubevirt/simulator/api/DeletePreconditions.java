package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a DELETE's options require of the object before it may go, as Kubernetes' DeleteOptions
 * {@code preconditions} say: its uid (the very object the caller saw, not one made since under
 * the same name) and its resourceVersion (unchanged since). Either may be absent.
 */
record DeletePreconditions(String uid, String resourceVersion) {
  static final DeletePreconditions NONE = new DeletePreconditions(null, null);

  /** The preconditions of a DeleteOptions body; none when it names none. */
  static DeletePreconditions of(JsonNode options) {
    JsonNode preconditions = options.path("preconditions");
    JsonNode uid = preconditions.path("uid");
    JsonNode version = preconditions.path("resourceVersion");
    return new DeletePreconditions(uid.isTextual() ? uid.asText() : null, version.isTextual() ? version.asText() : null);
  }

  /** Why the stored object fails them, in the API server's words; null when it meets them. */
  String unmet(JsonNode stored) {
    JsonNode metadata = stored.path("metadata");
    if (uid != null && !uid.equals(metadata.path("uid").asText())) {
      return "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + metadata.path("uid").asText();
    }
    if (resourceVersion != null && !resourceVersion.equals(metadata.path("resourceVersion").asText())) {
      return "Precondition failed: ResourceVersion in precondition: " + resourceVersion + ", ResourceVersion in object meta: "
          + metadata.path("resourceVersion").asText();
    }
    return null;
  }
}
