package dev.lustrecsi.agent.lustre;

/** The three kinds of Lustre server target. */
public enum TargetKind {
  MGT,
  MDT,
  OST
}
