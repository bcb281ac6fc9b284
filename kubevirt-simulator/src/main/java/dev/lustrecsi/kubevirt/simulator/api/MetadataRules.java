package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks a real API server makes of every object's name and labels before it stores it (422
 * Invalid otherwise). Without them the sandbox would store objects a cluster refuses, and a
 * driver bug that only a cluster shows (a label value made from a Lustre fsname ending in '_',
 * say) would pass every test.
 */
final class MetadataRules {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_SUBDOMAIN = 253;
  /** A label value, and the name part of a label key. */
  private static final Pattern QUALIFIED = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final int MAX_QUALIFIED = 63;

  private MetadataRules() {}

  /** Why the API server would refuse this metadata, in its own words; empty when it is valid. */
  static Optional<String> violation(JsonNode metadata) {
    String name = metadata.path("name").asText("");
    if (!isSubdomain(name)) {
      return Optional.of("metadata.name: Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must consist of lower case"
          + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most 253 characters)");
    }
    for (Iterator<Map.Entry<String, JsonNode>> labels = metadata.path("labels").fields(); labels.hasNext(); ) {
      Map.Entry<String, JsonNode> label = labels.next();
      if (!isLabelKey(label.getKey())) {
        return Optional.of("metadata.labels: Invalid value: \"" + label.getKey() + "\": a qualified name must consist of alphanumeric"
            + " characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain"
            + " prefix and '/'");
      }
      String value = label.getValue().asText("");
      if (!value.isEmpty() && !isQualified(value)) {
        return Optional.of("metadata.labels: Invalid value: \"" + value + "\": a valid label must be an empty string or consist of"
            + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)");
      }
    }
    return Optional.empty();
  }

  private static boolean isSubdomain(String text) {
    return text.length() <= MAX_SUBDOMAIN && DNS_SUBDOMAIN.matcher(text).matches();
  }

  private static boolean isQualified(String text) {
    return text.length() <= MAX_QUALIFIED && QUALIFIED.matcher(text).matches();
  }

  private static boolean isLabelKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return isQualified(key);
    }
    return isSubdomain(key.substring(0, slash)) && isQualified(key.substring(slash + 1));
  }
}
