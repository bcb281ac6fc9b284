package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The API server's objects, as etcd and the API server keep them between them: one global
 * resourceVersion counter that every write advances, objects indexed by type and then by
 * namespace and name (so a request costs the same however many objects are stored), optimistic
 * concurrency (a write naming another resourceVersion is a 409 Conflict), the status subresource
 * of the types that have one, generation, finalizers, and a history of recent changes from which a
 * watch that names a resourceVersion is resumed (410 Gone when it is older than the history).
 *
 * <p>Each object is kept as a tree and as its JSON text, so reads and watch events are written
 * without serialising it again. One lock orders every write and every watch's start, so each watch
 * sees the changes in resourceVersion order with none missed or repeated.
 */
final class ApiStore {
  /**
   * How many changes a watch can resume from; an informer that fell further behind gets 410 and
   * lists again, as with a real API server's watch cache (100 changes per type by default). Kept
   * small: every change held pins its object trees, and a history of thousands tripled the
   * sandbox's garbage-collection pauses.
   */
  static final int HISTORY = 1_000;

  private record Stored(ObjectNode object, String json) {}

  private record Change(long version, ResourceType type, String namespace, String eventType, JsonNode before, JsonNode after,
      String afterJson) {}

  private final ObjectMapper json;
  private final Set<ResourceType> withStatus;
  private final List<MutatingAdmission> webhooks;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<ResourceType, TreeMap<String, Stored>> objects = new HashMap<>();
  private final Deque<Change> history = new ArrayDeque<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private long version;

  /**
   * @param withStatus the types whose status is written only through their status subresource
   * @param webhooks change each object a create, update or patch stores, in this order
   */
  ApiStore(ObjectMapper json, Set<ResourceType> withStatus, List<MutatingAdmission> webhooks) {
    this.json = json;
    this.withStatus = Set.copyOf(withStatus);
    this.webhooks = List.copyOf(webhooks);
  }

  private void admit(ResourceType type, ObjectNode object) {
    for (MutatingAdmission webhook : webhooks) {
      webhook.admit(type.group(), type.plural(), object);
    }
  }

  private static String key(String namespace, String name) {
    return (namespace == null ? "" : namespace) + "/" + name;
  }

  ApiReply get(ResourceType type, String namespace, String name) {
    lock.lock();
    try {
      Stored stored = objectsOf(type).get(key(namespace, name));
      return stored == null ? ApiReply.notFound(type, name) : ApiReply.ok(stored.json());
    } finally {
      lock.unlock();
    }
  }

  /** The objects of a type in a namespace (all namespaces when null) that the selectors select, with the list's resourceVersion. */
  ApiReply list(ResourceType type, String kind, String namespace, Selector labels, Selector fields) {
    StringBuilder items = new StringBuilder();
    long at;
    lock.lock();
    try {
      at = version;
      for (Stored stored : inNamespace(type, namespace)) {
        if (labels.matchesLabels(stored.object()) && fields.matchesFields(stored.object())) {
          items.append(items.isEmpty() ? "" : ",").append(stored.json());
        }
      }
    } finally {
      lock.unlock();
    }
    return ApiReply.ok("{\"apiVersion\":\"" + type.apiVersion() + "\",\"kind\":\"" + kind + "List\",\"metadata\":{\"resourceVersion\":\""
        + at + "\"},\"items\":[" + items + "]}");
  }

  ApiReply create(ResourceType type, String namespace, ObjectNode object) {
    ObjectNode metadata = metadataOf(object);
    if (namespace != null) {
      String named = metadata.path("namespace").asText("");
      if (!named.isEmpty() && !named.equals(namespace)) {
        return ApiReply.badRequest("the namespace of the provided object (" + named + ") does not match the namespace sent on the request ("
            + namespace + ")");
      }
      metadata.put("namespace", namespace);
    }
    lock.lock();
    try {
      String name = metadata.path("name").asText("");
      if (name.isEmpty()) {
        String prefix = metadata.path("generateName").asText("");
        if (prefix.isEmpty()) {
          return ApiReply.invalid("metadata.name: Required value: name or generateName is required");
        }
        do {
          name = prefix + randomSuffix();
        } while (objectsOf(type).containsKey(key(namespace, name)));
        metadata.put("name", name);
      }
      Optional<String> invalid = MetadataRules.violation(metadata);
      if (invalid.isPresent()) {
        return ApiReply.invalid(invalid.get());
      }
      if (objectsOf(type).containsKey(key(namespace, name))) {
        return ApiReply.alreadyExists(type, name);
      }
      if (withStatus.contains(type)) {
        object.remove("status");  // set only through the status subresource
      }
      admit(type, object);
      metadata.put("uid", UUID.randomUUID().toString());
      metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      metadata.put("generation", 1);
      metadata.remove("deletionTimestamp");
      Stored made = write(type, namespace, name, object, null, "ADDED");
      return ApiReply.created(made.json());
    } finally {
      lock.unlock();
    }
  }

  /**
   * A PUT: the object replaced by {@code object}, or only its status when {@code status} (the
   * status subresource). A resourceVersion named must be the stored one.
   */
  ApiReply update(ResourceType type, String namespace, String name, ObjectNode object, boolean status) {
    lock.lock();
    try {
      Stored stored = objectsOf(type).get(key(namespace, name));
      if (stored == null) {
        return ApiReply.notFound(type, name);
      }
      if (stale(stored, object)) {
        return modified(type, name);
      }
      return replace(type, namespace, name, stored, object, status);
    } finally {
      lock.unlock();
    }
  }

  /** A PATCH of the object, or of its status only when {@code status}. */
  ApiReply patch(ResourceType type, String namespace, String name, String contentType, JsonNode patch, boolean status) {
    lock.lock();
    try {
      Stored stored = objectsOf(type).get(key(namespace, name));
      if (stored == null) {
        return ApiReply.notFound(type, name);
      }
      ObjectNode patched;
      try {
        patched = Patches.apply(contentType, stored.object(), patch);
      } catch (Patches.PatchException e) {
        return e.testFailed ? ApiReply.conflict(type, name, e.getMessage()) : ApiReply.invalid(e.getMessage());
      }
      if (stale(stored, patched)) {
        return modified(type, name);
      }
      return replace(type, namespace, name, stored, patched, status);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the write names a resourceVersion other than the stored one (naming none is an unconditional write). */
  private static boolean stale(Stored stored, ObjectNode written) {
    String named = metadataOf(written).path("resourceVersion").asText("");
    return !named.isEmpty() && !named.equals(stored.object().path("metadata").path("resourceVersion").asText());
  }

  private static ApiReply modified(ResourceType type, String name) {
    return ApiReply.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
  }

  private ApiReply replace(ResourceType type, String namespace, String name, Stored stored, ObjectNode object, boolean status) {
    ObjectNode previous = stored.object();
    ObjectNode next;
    if (status) {
      // The status subresource changes the status and nothing else.
      next = previous.deepCopy();
      if (object.has("status")) {
        next.set("status", object.get("status"));
      } else {
        next.remove("status");
      }
    } else {
      next = object;
      admit(type, next);
      if (withStatus.contains(type)) {
        // The main resource of a type with a status subresource leaves the status as it was.
        if (previous.has("status")) {
          next.set("status", previous.get("status"));
        } else {
          next.remove("status");
        }
      }
      ObjectNode metadata = metadataOf(next);
      ObjectNode before = (ObjectNode) previous.get("metadata");
      metadata.put("name", name);
      if (namespace != null) {
        metadata.put("namespace", namespace);
      }
      for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")) {
        if (before.has(kept)) {
          metadata.set(kept, before.get(kept));
        } else {
          metadata.remove(kept);
        }
      }
      if (!sameApartFromMetadataAndStatus(previous, next)) {
        metadata.put("generation", before.path("generation").asLong(0) + 1);
      }
      Optional<String> invalid = MetadataRules.violation(metadata);
      if (invalid.isPresent()) {
        return ApiReply.invalid(invalid.get());
      }
    }
    metadataOf(next).put("resourceVersion", previous.path("metadata").path("resourceVersion").asText());
    if (next.equals(previous)) {
      return ApiReply.ok(stored.json());  // nothing changed: no new resourceVersion, no event
    }
    boolean deleting = next.path("metadata").has("deletionTimestamp");
    if (deleting && next.path("metadata").path("finalizers").isEmpty()) {
      return ApiReply.ok(remove(type, namespace, name, stored, next).json());  // the last finalizer removed
    }
    return ApiReply.ok(write(type, namespace, name, next, previous, "MODIFIED").json());
  }

  /**
   * A DELETE: the object goes, or, while it has finalizers, is marked with a deletionTimestamp.
   * An object that does not meet the {@code preconditions} stays, with a 409.
   */
  ApiReply delete(ResourceType type, String namespace, String name, DeletePreconditions preconditions) {
    lock.lock();
    try {
      Stored stored = objectsOf(type).get(key(namespace, name));
      if (stored == null) {
        return ApiReply.notFound(type, name);
      }
      String unmet = preconditions.unmet(stored.object());
      if (unmet != null) {
        return ApiReply.conflict(type, name, unmet);
      }
      if (!stored.object().path("metadata").path("finalizers").isEmpty()) {
        if (stored.object().path("metadata").has("deletionTimestamp")) {
          return ApiReply.ok(stored.json());
        }
        ObjectNode marked = stored.object().deepCopy();
        metadataOf(marked).put("deletionTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        metadataOf(marked).put("deletionGracePeriodSeconds", 0);
        return ApiReply.ok(write(type, namespace, name, marked, stored.object(), "MODIFIED").json());
      }
      return ApiReply.ok(remove(type, namespace, name, stored, stored.object().deepCopy()).json());
    } finally {
      lock.unlock();
    }
  }

  /** A collection DELETE: each object the selectors select is deleted as by {@link #delete}; the answer lists them. */
  ApiReply deleteCollection(ResourceType type, String kind, String namespace, Selector labels, Selector fields) {
    lock.lock();
    try {
      StringBuilder items = new StringBuilder();
      for (Stored stored : inNamespace(type, namespace)) {
        if (labels.matchesLabels(stored.object()) && fields.matchesFields(stored.object())) {
          JsonNode metadata = stored.object().path("metadata");
          ApiReply deleted = delete(type, metadata.has("namespace") ? metadata.get("namespace").asText() : null, metadata.path("name").asText(),
              DeletePreconditions.NONE);
          items.append(items.isEmpty() ? "" : ",").append(deleted.body());
        }
      }
      return ApiReply.ok("{\"apiVersion\":\"" + type.apiVersion() + "\",\"kind\":\"" + kind + "List\",\"metadata\":{\"resourceVersion\":\""
          + version + "\"},\"items\":[" + items + "]}");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a watch. Without a resourceVersion (or "0") it first sees every matching object as
   * ADDED; with one, every change after it, or a 410 ERROR event when the history no longer
   * reaches back that far.
   */
  void watch(Watch watch, ResourceType type, String namespace, String fromVersion) {
    lock.lock();
    try {
      if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
        for (Stored stored : inNamespace(type, namespace)) {
          if (watch.selects(stored.object())) {
            watch.send("ADDED", stored.json());
          }
        }
      } else {
        long from;
        try {
          from = Long.parseLong(fromVersion);
        } catch (NumberFormatException e) {
          watch.error(ApiReply.status(400, "BadRequest", "invalid resourceVersion " + fromVersion));
          return;
        }
        Change oldest = history.peekFirst();
        if (from < version && (oldest == null || oldest.version() > from + 1)) {
          watch.error(ApiReply.status(410, "Expired", "too old resource version: " + from + " (" + version + ")"));
          return;
        }
        for (Change change : history) {
          if (change.version() > from && watch.covers(change.type(), change.namespace())) {
            watch.offer(change.eventType(), change.before(), change.after(), change.afterJson());
          }
        }
      }
      watches.add(watch);
    } finally {
      lock.unlock();
    }
  }

  void unwatch(Watch watch) {
    watches.remove(watch);
  }

  private Stored write(ResourceType type, String namespace, String name, ObjectNode object, ObjectNode before, String eventType) {
    long at = ++version;
    metadataOf(object).put("resourceVersion", Long.toString(at));
    Stored stored = new Stored(object, toJson(object));
    objectsOf(type).put(key(namespace, name), stored);
    publish(new Change(at, type, namespace, eventType, before, object, stored.json()));
    return stored;
  }

  private Stored remove(ResourceType type, String namespace, String name, Stored stored, ObjectNode last) {
    long at = ++version;
    metadataOf(last).put("resourceVersion", Long.toString(at));
    objectsOf(type).remove(key(namespace, name));
    Stored gone = new Stored(last, toJson(last));
    publish(new Change(at, type, namespace, "DELETED", stored.object(), last, gone.json()));
    return gone;
  }

  private void publish(Change change) {
    history.addLast(change);
    if (history.size() > HISTORY) {
      history.removeFirst();
    }
    for (Watch watch : watches) {
      if (watch.covers(change.type(), change.namespace())) {
        if (change.eventType().equals("MODIFIED")) {
          watch.offer("MODIFIED", change.before(), change.after(), change.afterJson());
        } else {
          watch.offer(change.eventType(), null, change.after(), change.afterJson());
        }
      }
    }
  }

  private List<Stored> inNamespace(ResourceType type, String namespace) {
    TreeMap<String, Stored> all = objectsOf(type);
    if (namespace == null) {
      return List.copyOf(all.values());
    }
    // Keys are "namespace/name", sorted: a namespace's objects are one range.
    return List.copyOf(all.subMap(namespace + "/", namespace + "0").values());
  }

  private TreeMap<String, Stored> objectsOf(ResourceType type) {
    return objects.computeIfAbsent(type, t -> new TreeMap<>());
  }

  private static ObjectNode metadataOf(ObjectNode object) {
    JsonNode metadata = object.get("metadata");
    if (metadata instanceof ObjectNode node) {
      return node;
    }
    return object.putObject("metadata");
  }

  /** Whether two objects differ only in metadata and status: what decides if generation moves. Compared in place, no copies. */
  private static boolean sameApartFromMetadataAndStatus(ObjectNode a, ObjectNode b) {
    java.util.Set<String> names = new java.util.HashSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      if (!name.equals("metadata") && !name.equals("status") && !java.util.Objects.equals(a.get(name), b.get(name))) {
        return false;
      }
    }
    return true;
  }

  private String toJson(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an object as JSON", e);
    }
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return suffix.toString();
  }
}
