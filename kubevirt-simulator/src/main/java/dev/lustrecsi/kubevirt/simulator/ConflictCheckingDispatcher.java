package dev.lustrecsi.kubevirt.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * fabric8's CRUD dispatcher, made to refuse a stale write to a status subresource as an API
 * server does. The dispatcher checks {@code metadata.resourceVersion} when an object is updated,
 * but takes any status update whatever version it names; a real API server answers 409 Conflict
 * to both. The controller relies on that conflict (a project-id claim and a reconcile pass both
 * rewrite a LustreFilesystem's status), so a simulation that let the later writer win silently
 * would hide lost updates instead of showing them.
 */
final class ConflictCheckingDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  ConflictCheckingDispatcher(List<CustomResourceDefinitionContext> resources) {
    super(resources);
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    String path = request.getPath();
    int query = path.indexOf('?');
    String bare = query < 0 ? path : path.substring(0, query);
    if (bare.endsWith("/status")) {
      // Read without consuming: the dispatcher reads the same body afterwards.
      String named = versionOf(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      if (named != null && !named.isEmpty()) {
        MockResponse current = handleGet(bare.substring(0, bare.length() - "/status".length()));
        String stored = current.code() == 200 ? versionOf(current.getBody().readUtf8()) : null;
        if (stored != null && !stored.equals(named)) {
          return conflict(bare, named, stored);
        }
      }
    }
    return super.handleUpdate(request);
  }

  private static String versionOf(String json) {
    try {
      JsonNode version = JSON.readTree(json).path("metadata").path("resourceVersion");
      return version.isTextual() ? version.asText() : null;
    } catch (IOException e) {
      return null;  // the dispatcher itself answers a body it cannot read
    }
  }

  private static MockResponse conflict(String path, String named, String stored) {
    String message = "Operation cannot be fulfilled on " + path + ": the object has been modified (resourceVersion " + named
        + " is not the stored " + stored + "); please apply your changes to the latest version and try again";
    return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":" + JSON.valueToTree(message) + ",\"reason\":\"Conflict\",\"code\":409}");
  }
}
