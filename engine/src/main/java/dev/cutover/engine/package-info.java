/**
 * The control plane: a deploy is a state machine over {@link dev.cutover.engine.DeployPhase}. It
 * starts a release through an {@link dev.cutover.engine.runtime.AppRuntime}, gates it on a health
 * check, moves traffic through a {@link dev.cutover.engine.traffic.TrafficSwitch}, and records every
 * step in the {@link dev.cutover.engine.store.Store}.
 */
package dev.cutover.engine;
