package dev.lustrecsi.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One Kubernetes API call a program makes: its verb on a resource of an API group (the core group
 * is ""). The checked-in list is deploy/api-calls.txt.
 */
record ApiCall(String component, String verb, String apiGroup, String resource) {
  @Override
  public String toString() {
    return component + " " + verb + " " + (apiGroup.isEmpty() ? "\"\"" : apiGroup) + " " + resource;
  }

  /** Reads `component verb apiGroup resource` lines; `#` starts a comment. */
  static Set<ApiCall> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<ApiCall> calls = new LinkedHashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).replaceFirst("#.*", "").strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length != 4) {
        throw new IllegalArgumentException(file.getFileName() + " line " + (i + 1)
            + ": expected `component verb apiGroup resource`, got: " + line);
      }
      String group = fields[2].equals("\"\"") ? "" : fields[2];
      if (!calls.add(new ApiCall(fields[0], fields[1], group, fields[3]))) {
        throw new IllegalArgumentException(file.getFileName() + " line " + (i + 1) + ": listed twice: " + line);
      }
    }
    return calls;
  }
}
