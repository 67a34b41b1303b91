package dev.cutover.engine;

/** Why a deployment was started. */
public enum DeployKind {
    DEPLOY, ROLLBACK
}
