package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** An answer of the API: an HTTP code and a JSON body (an object, a list, or a Status for errors). */
record ApiReply(int code, String body) {
  static ApiReply ok(String json) {
    return new ApiReply(200, json);
  }

  static ApiReply created(String json) {
    return new ApiReply(201, json);
  }

  static ApiReply notFound(ResourceType type, String name) {
    return failure(404, "NotFound", type.plural() + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + name + "\" not found");
  }

  static ApiReply alreadyExists(ResourceType type, String name) {
    return failure(409, "AlreadyExists", type.plural() + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + name
        + "\" already exists");
  }

  static ApiReply conflict(ResourceType type, String name, String detail) {
    return failure(409, "Conflict", "Operation cannot be fulfilled on " + type.plural() + (type.group().isEmpty() ? "" : "." + type.group())
        + " \"" + name + "\": " + detail);
  }

  static ApiReply invalid(String message) {
    return failure(422, "Invalid", message);
  }

  static ApiReply badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  static ApiReply gone(String message) {
    return failure(410, "Expired", message);
  }

  static ApiReply failure(int code, String reason, String message) {
    return new ApiReply(code, status(code, reason, message));
  }

  /** A Status object as the API server sends for an error, also inside a watch's ERROR event. */
  static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + JsonNodeFactory.instance.textNode(message) + ",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
  }
}
