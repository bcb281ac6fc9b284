package dev.lustrecsi.controller.parameters;

/**
 * Renders the parameter reference for docs/ from {@link StorageClassParameters#DEFINITIONS}, so
 * the documentation is the code's own list. A test keeps docs/storageclass-parameters.md equal to
 * this output; run {@code main} to print it after changing a parameter.
 */
public final class ParameterDocs {
  public static final String BEGIN = "<!-- BEGIN GENERATED PARAMETERS: do not edit, run ParameterDocs -->";
  public static final String END = "<!-- END GENERATED PARAMETERS -->";

  private ParameterDocs() {}

  /** The parameter table in Markdown, between its markers. */
  public static String markdownTable() {
    StringBuilder out = new StringBuilder(BEGIN).append("\n\n");
    out.append("| parameter | applies to | default | value | meaning |\n");
    out.append("| --- | --- | --- | --- | --- |\n");
    for (ParameterDefinition d : StorageClassParameters.DEFINITIONS) {
      String defaultValue = d.required() ? "required" : d.defaultValue().isEmpty() ? "(none)" : "`" + d.defaultValue() + "`";
      String scope = d.scope() == ParameterDefinition.Scope.FILESYSTEM ? "filesystem" : "volume";
      out.append("| `").append(d.key()).append("` | ").append(scope).append(" | ").append(defaultValue).append(" | ")
          .append(d.grammar().rule()).append(" | ").append(d.description()).append(" |\n");
    }
    return out.append("\n").append(END).toString();
  }

  public static void main(String[] args) {
    System.out.println(markdownTable());
  }
}
