package dev.lustrecsi.agent.service;

import java.util.List;

/**
 * What GetHealth reports: the node's health_check text, NIDs, targets and Lustre version, and
 * whether the Lustre modules are loaded at all (a server booting has not loaded them yet).
 */
record ServerHealth(String healthCheck, List<String> nids, List<TargetState> targets, String version, boolean modulesLoaded) {}
