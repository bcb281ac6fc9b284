package dev.lustrecsi.node.lnet;

/** Whether the node plugin configures LNet or leaves it to the admin (flag --lnet). */
public enum LnetMode {
  /** Configure LNet and add the o2ib and tcp networks this node can use, when they are missing. */
  MANAGE,
  /** Touch nothing: read what the admin configured and check it answers. */
  EXTERNAL
}
