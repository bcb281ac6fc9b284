package dev.lustrecsi.node.lnet;

/**
 * A local NI that cannot carry traffic now: one rail of a Multi-Rail net, or a net's only NI.
 *
 * @param nid its NID
 * @param why what makes it dead, naming the NID, for the log and the readiness reason
 */
public record DeadNi(Nid nid, String why) {}
