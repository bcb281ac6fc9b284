package dev.lustrecsi.controller.volume.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustrecsi.common.json.Json;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.volume.FilesystemRecord;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Pure conversions between filesystem records and their ConfigMaps. A ConfigMap rather than the
 * LustreFilesystem's status: the record also exists for filesystems admins made by hand, and its
 * project-id mark must be updated with optimistic locking of its own, apart from status writes.
 */
public final class FilesystemConfigMaps {
  static final String DATA_KEY = "record.json";
  static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  static final String COMPONENT = "filesystem-record";
  private static final ObjectMapper JSON = Json.mapper();

  private FilesystemConfigMaps() {}

  public static String name(String fsName) {
    return "lustre-csi-fs-" + ResourceNames.of(fsName).base();
  }

  /** The ConfigMap holding {@code record}; {@code resourceVersion} null for a new one. */
  public static ConfigMap toConfigMap(FilesystemRecord record, String namespace, String resourceVersion) {
    try {
      return new ConfigMapBuilder()
          .withNewMetadata()
          .withName(name(record.fsName()))
          .withNamespace(namespace)
          .withResourceVersion(resourceVersion)
          .addToLabels("app.kubernetes.io/managed-by", "lustre-csi")
          .addToLabels(COMPONENT_LABEL, COMPONENT)
          .endMetadata()
          .addToData(DATA_KEY, JSON.writeValueAsString(record))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static FilesystemRecord toRecord(ConfigMap configMap) {
    String json = configMap.getData() == null ? null : configMap.getData().get(DATA_KEY);
    if (json == null) {
      throw new IllegalStateException("ConfigMap " + configMap.getMetadata().getName() + " has no " + DATA_KEY);
    }
    try {
      return JSON.readValue(json, FilesystemRecord.class);
    } catch (IOException e) {
      throw new UncheckedIOException("ConfigMap " + configMap.getMetadata().getName() + " holds no filesystem record", e);
    }
  }
}
