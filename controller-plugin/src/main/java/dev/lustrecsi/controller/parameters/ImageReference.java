package dev.lustrecsi.controller.parameters;

import java.util.regex.Pattern;

/**
 * Whether text is a container image reference a VM's containerDisk can name:
 * {@code [registry[:port]/]repository[:tag][@digest]}. The value ends up in a VirtualMachine
 * the controller creates, so it is held to the registry's own syntax instead of being passed on
 * for the cluster to puzzle over.
 */
final class ImageReference {
  static final int MAX_LENGTH = 512;
  /** The registry and repository together (the distribution spec's limit on a name). */
  private static final int MAX_NAME = 255;

  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?");
  private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

  private ImageReference() {}

  static boolean isValid(String text) {
    if (text.isEmpty() || text.length() > MAX_LENGTH) {
      return false;
    }
    String rest = text;
    int at = rest.indexOf('@');
    if (at >= 0) {
      if (!DIGEST.matcher(rest.substring(at + 1)).matches()) {
        return false;
      }
      rest = rest.substring(0, at);
    }
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      if (!TAG.matcher(rest.substring(colon + 1)).matches()) {
        return false;
      }
      rest = rest.substring(0, colon);
    }
    return rest.length() <= MAX_NAME && isName(rest);
  }

  private static boolean isName(String name) {
    String[] parts = name.split("/", -1);
    int first = 0;
    // As the registries read it: a first part with a '.' or a ':', or localhost, names the registry.
    if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
      if (!REGISTRY.matcher(parts[0]).matches()) {
        return false;
      }
      first = 1;
    }
    for (int i = first; i < parts.length; i++) {
      if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
        return false;
      }
    }
    return true;
  }
}
