package dev.lustrecsi.kubevirt.simulator.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The types this API server announces in discovery: their kind, scope and whether status is a
 * subresource. Custom resources are registered as a CRD would register them; the built-in types
 * the driver uses are known from the start. An object of a type registered nowhere can still be
 * stored (its path names it); its lists take the kind of its objects.
 */
final class ResourceTypes {
  record Definition(ResourceType type, String kind, boolean namespaced, boolean statusSubresource) {}

  private final Map<ResourceType, Definition> definitions = new LinkedHashMap<>();

  ResourceTypes() {
    for (String[] core : new String[][] {
        {"secrets", "Secret", "true"}, {"configmaps", "ConfigMap", "true"}, {"pods", "Pod", "true"}, {"events", "Event", "true"},
        {"services", "Service", "true"}, {"serviceaccounts", "ServiceAccount", "true"},
        {"persistentvolumeclaims", "PersistentVolumeClaim", "true"}, {"nodes", "Node", "false"},
        {"persistentvolumes", "PersistentVolume", "false"}, {"namespaces", "Namespace", "false"}}) {
      add(new Definition(new ResourceType("", "v1", core[0]), core[1], Boolean.parseBoolean(core[2]), false));
    }
    add(new Definition(new ResourceType("coordination.k8s.io", "v1", "leases"), "Lease", true, false));
    add(new Definition(new ResourceType("events.k8s.io", "v1", "events"), "Event", true, false));
    add(new Definition(new ResourceType("storage.k8s.io", "v1", "storageclasses"), "StorageClass", false, false));
  }

  void add(Definition definition) {
    definitions.put(definition.type(), definition);
  }

  /** The kind of a type's objects: registered, or else as its plural suggests (a list still parses by its items). */
  String kind(ResourceType type) {
    Definition definition = definitions.get(type);
    if (definition != null) {
      return definition.kind();
    }
    String plural = type.plural();
    String singular = plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
    return Character.toUpperCase(singular.charAt(0)) + singular.substring(1);
  }

  Set<ResourceType> withStatusSubresource() {
    return definitions.values().stream().filter(Definition::statusSubresource).map(Definition::type).collect(Collectors.toSet());
  }

  /** The groups with their versions, for /apis. */
  Map<String, List<String>> groups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (ResourceType type : definitions.keySet()) {
      if (!type.group().isEmpty()) {
        List<String> versions = groups.computeIfAbsent(type.group(), g -> new ArrayList<>());
        if (!versions.contains(type.version())) {
          versions.add(type.version());
        }
      }
    }
    return groups;
  }

  /** The types of one group version, for /api/v1 and /apis/GROUP/VERSION. */
  List<Definition> of(String group, String version) {
    return definitions.values().stream().filter(d -> d.type().group().equals(group) && d.type().version().equals(version)).toList();
  }
}
