/**
 * Retained artifacts: a private copy of every deployed file under the state dir, so a rollback
 * starts the exact bytes that once served, even after the CI workspace that built them is gone.
 */
package dev.cutover.engine.artifact;
