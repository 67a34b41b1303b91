/**
 * The daemon's memory: one SQLite file in the state dir holding releases, deployments with their
 * timelines, each service's active slot and the processes the daemon owns. Everything the daemon
 * decides after a restart, a rollback or a {@code kill -9} comes from here.
 */
package dev.cutover.engine.store;
