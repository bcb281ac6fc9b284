package dev.lustrecsi.controller.filesystem;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * OpenAPI v3 schemas generated from the Java records of a custom resource, so the CRD the cluster
 * validates against and the model the controller reads can never disagree. Constraints that the
 * types cannot say (patterns, enums, bounds) come in as refinements keyed by field path.
 */
public final class CrdSchemas {
  private CrdSchemas() {}

  /** The schema of a record type; fails if a refinement names a field the model does not have. */
  public static JSONSchemaProps of(Class<?> type, Map<String, UnaryOperator<JSONSchemaPropsBuilder>> refinements) {
    java.util.Set<String> unused = new java.util.HashSet<>(refinements.keySet());
    JSONSchemaProps schema = build(type, "", new java.util.AbstractMap<>() {
      @Override
      public java.util.Set<Map.Entry<String, UnaryOperator<JSONSchemaPropsBuilder>>> entrySet() {
        return refinements.entrySet();
      }

      @Override
      public UnaryOperator<JSONSchemaPropsBuilder> get(Object key) {
        unused.remove(key);
        return refinements.get(key);
      }
    });
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(type.getSimpleName() + " has no fields " + unused);
    }
    return schema;
  }

  private static JSONSchemaProps build(Type type, String path, Map<String, UnaryOperator<JSONSchemaPropsBuilder>> refinements) {
    JSONSchemaPropsBuilder schema = new JSONSchemaPropsBuilder();
    if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
      schema.withType("array").withItems(new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsOrArray(
          null, build(parameterized.getActualTypeArguments()[0], path + "[]", refinements)));
    } else if (type == String.class) {
      schema.withType("string");
    } else if (type == Integer.class || type == int.class) {
      schema.withType("integer").withFormat("int32");
    } else if (type == Long.class || type == long.class) {
      schema.withType("integer").withFormat("int64");
    } else if (type == Double.class || type == double.class) {
      schema.withType("number");
    } else if (type == Boolean.class || type == boolean.class) {
      schema.withType("boolean");
    } else if (type instanceof Class<?> record && record.isRecord()) {
      Map<String, JSONSchemaProps> properties = new LinkedHashMap<>();
      for (RecordComponent component : record.getRecordComponents()) {
        String childPath = path.isEmpty() ? component.getName() : path + "." + component.getName();
        properties.put(component.getName(), build(component.getGenericType(), childPath, refinements));
      }
      schema.withType("object").withProperties(properties);
    } else {
      throw new IllegalArgumentException("no schema for " + type.getTypeName() + " at " + path);
    }
    UnaryOperator<JSONSchemaPropsBuilder> refinement = refinements.get(path);
    return (refinement == null ? schema : refinement.apply(schema)).build();
  }
}
