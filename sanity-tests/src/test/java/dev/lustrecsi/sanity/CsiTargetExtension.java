package dev.lustrecsi.sanity;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests the one {@link CsiTarget} of the whole run. It lives in the root store, which
 * closes it (stopping the sandbox) when the run ends. The build's second run, on a site
 * filesystem, is skipped when the suite is pointed at an external driver.
 */
public final class CsiTargetExtension implements ParameterResolver, ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return CsiTarget.siteRunOfAnExternalDriver() ? ConditionEvaluationResult.disabled(CsiTarget.whyNotTwice())
        : ConditionEvaluationResult.enabled("the suite's target");
  }

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CsiTargetExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CsiTarget.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .computeIfAbsent(CsiTarget.class, key -> CsiTarget.fromSystemProperties(), CsiTarget.class);
  }
}
