package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.Recovery;
import dev.lustrecsi.agent.lustre.TargetName;

/**
 * A target this server runs, as {@code lctl dl} and {@code recovery_status} show it.
 *
 * @param recovery null for the MGT, which has no recovery
 */
record TargetState(TargetName name, boolean up, Recovery recovery) {}
