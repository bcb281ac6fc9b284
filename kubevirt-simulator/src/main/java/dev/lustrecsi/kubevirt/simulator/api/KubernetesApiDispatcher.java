package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes API server for the sandbox and the tests, behind fabric8's mock web server (which
 * brings the HTTP and WebSocket transport the fabric8 client is known to work with). It answers
 * what the driver and its simulators ask of a real API server: get, list and watch with label
 * and field selectors, create (409 when the name is taken), update and patch (JSON, merge and
 * strategic-merge patches) with optimistic concurrency (409 on a stale resourceVersion), the
 * status subresource, delete with finalizers and preconditions (uid and resourceVersion, 409 when unmet), 404 for what does not exist,
 * and discovery. Its objects live in an {@link ApiStore}.
 *
 * <p>It replaces fabric8's CRUD dispatcher in the sandbox: that one matched every request against
 * every stored object and converted each object between JSON, trees and typed classes several
 * times per request; with the rest of the sandbox it took a third of the sandbox's CPU.
 */
public final class KubernetesApiDispatcher extends Dispatcher {
  private static final String VERSION = "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0\",\"platform\":\"linux/amd64\"}";

  private final ObjectMapper json = new ObjectMapper();
  private final ResourceTypes types = new ResourceTypes();
  private final ApiStore store;

  /**
   * @param customResources the custom resource types, as their CRDs would register them
   * @param webhooks the mutating admission webhooks of the components the cluster runs
   */
  public KubernetesApiDispatcher(List<CustomResourceDefinitionContext> customResources, List<MutatingAdmission> webhooks) {
    for (CustomResourceDefinitionContext context : customResources) {
      types.add(new ResourceTypes.Definition(new ResourceType(context.getGroup(), context.getVersion(), context.getPlural()), context.getKind(),
          context.isNamespaceScoped(), context.isStatusSubresource()));
    }
    store = new ApiStore(json, types.withStatusSubresource(), webhooks);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if (path.equals("/version") || path.startsWith("/version?")) {
      return reply(ApiReply.ok(VERSION));
    }
    Optional<ApiPath> parsed = ApiPath.parse(path);
    if (parsed.isEmpty()) {
      return reply(ApiReply.failure(404, "NotFound", "the server could not find the requested resource"));
    }
    ApiPath target = parsed.get();
    ResourceType type = target.type();
    if (type == null) {
      return reply(discovery(target));
    }
    try {
      return switch (request.getMethod().toUpperCase()) {
        case "GET" -> read(target, type);
        case "POST" -> reply(store.create(type, target.namespace(), object(request)));
        case "PUT" -> reply(target.name() == null ? ApiReply.failure(405, "MethodNotAllowed", "PUT needs an object's name")
            : store.update(type, target.namespace(), target.name(), object(request), isStatus(target)));
        case "PATCH" -> reply(target.name() == null ? ApiReply.failure(405, "MethodNotAllowed", "PATCH needs an object's name")
            : store.patch(type, target.namespace(), target.name(), request.getHeader("Content-Type"), body(request), isStatus(target)));
        case "DELETE" -> reply(target.name() == null
            ? store.deleteCollection(type, types.kind(type), target.namespace(), labels(target), fields(target))
            : store.delete(type, target.namespace(), target.name(), preconditions(request)));
        default -> reply(ApiReply.failure(405, "MethodNotAllowed", request.getMethod() + " is not supported"));
      };
    } catch (IllegalArgumentException e) {
      return reply(ApiReply.badRequest(e.getMessage()));
    }
  }

  private MockResponse read(ApiPath target, ResourceType type) {
    if (target.watch()) {
      return watch(target, type);
    }
    if (target.name() != null) {
      if (target.subresource() != null && !isStatus(target)) {
        return reply(ApiReply.failure(404, "NotFound", "the server could not find the requested resource"));
      }
      return reply(store.get(type, target.namespace(), target.name()));
    }
    return reply(store.list(type, types.kind(type), target.namespace(), labels(target), fields(target)));
  }

  private MockResponse watch(ApiPath target, ResourceType type) {
    Selector labels = labels(target);
    Selector fields = target.name() != null ? Selector.parse("metadata.name=" + target.name()) : fields(target);
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      private volatile Watch watch;

      @Override
      public void onOpen(WebSocket socket, Response response) {
        watch = new Watch(type, target.namespace(), labels, fields, socket::send);
        store.watch(watch, type, target.namespace(), target.query().get("resourceVersion"));
      }

      @Override
      public void onClosing(WebSocket socket, int code, String reason) {
        stop();
      }

      @Override
      public void onClosed(WebSocket socket, int code, String reason) {
        stop();
      }

      @Override
      public void onFailure(WebSocket socket, Throwable failure, Response response) {
        stop();
      }

      private void stop() {
        Watch started = watch;
        if (started != null) {
          store.unwatch(started);
        }
      }
    });
  }

  private ApiReply discovery(ApiPath target) {
    if (target.group() == null) {
      StringBuilder groups = new StringBuilder();
      types.groups().forEach((group, versions) -> {
        StringBuilder listed = new StringBuilder();
        for (String version : versions) {
          listed.append(listed.isEmpty() ? "" : ",").append(groupVersion(group, version));
        }
        groups.append(groups.isEmpty() ? "" : ",").append("{\"name\":\"").append(group).append("\",\"versions\":[").append(listed)
            .append("],\"preferredVersion\":").append(groupVersion(group, versions.getFirst())).append('}');
      });
      return ApiReply.ok("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + groups + "]}");
    }
    if (target.version() == null) {
      return ApiReply.ok(target.group().isEmpty() ? "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}" : "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\","
          + "\"name\":\"" + target.group() + "\",\"versions\":[]}");
    }
    StringBuilder resources = new StringBuilder();
    for (ResourceTypes.Definition definition : types.of(target.group(), target.version())) {
      String verbs = "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]";
      resources.append(resources.isEmpty() ? "" : ",").append("{\"name\":\"").append(definition.type().plural()).append("\",\"singularName\":\"\"")
          .append(",\"namespaced\":").append(definition.namespaced()).append(",\"kind\":\"").append(definition.kind()).append("\",\"verbs\":")
          .append(verbs).append('}');
      if (definition.statusSubresource()) {
        resources.append(",{\"name\":\"").append(definition.type().plural()).append("/status\",\"singularName\":\"\",\"namespaced\":")
            .append(definition.namespaced()).append(",\"kind\":\"").append(definition.kind()).append("\",\"verbs\":[\"get\",\"patch\",\"update\"]}");
      }
    }
    return ApiReply.ok("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + target.apiVersion() + "\",\"resources\":["
        + resources + "]}");
  }

  private static String groupVersion(String group, String version) {
    return "{\"groupVersion\":\"" + group + "/" + version + "\",\"version\":\"" + version + "\"}";
  }

  private static boolean isStatus(ApiPath target) {
    return "status".equals(target.subresource());
  }

  private static Selector labels(ApiPath target) {
    return Selector.parse(target.query().get("labelSelector"));
  }

  private static Selector fields(ApiPath target) {
    return Selector.parse(target.query().get("fieldSelector"));
  }

  private JsonNode body(RecordedRequest request) {
    try {
      return json.readTree(request.getBody().getBytes());
    } catch (IOException e) {
      throw new IllegalArgumentException("the request body is not JSON: " + e.getMessage(), e);
    }
  }

  private ObjectNode object(RecordedRequest request) {
    JsonNode body = body(request);
    if (!(body instanceof ObjectNode object)) {
      throw new IllegalArgumentException("the request body is not an object");
    }
    return object;
  }

  /** What a DELETE's options require of the object (its uid, its resourceVersion), if they name anything. */
  private DeletePreconditions preconditions(RecordedRequest request) {
    byte[] bytes = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
    return bytes.length == 0 ? DeletePreconditions.NONE : DeletePreconditions.of(body(request));
  }

  private static MockResponse reply(ApiReply reply) {
    return new MockResponse().setResponseCode(reply.code()).setHeader("Content-Type", "application/json").setBody(reply.body());
  }

  /** Nothing to release: the objects live in memory only. */
  @Override
  public void shutdown() {
  }
}
