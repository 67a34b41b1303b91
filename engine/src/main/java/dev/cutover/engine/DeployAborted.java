package dev.cutover.engine;

/** A deploy that cannot go on before its switch; the message is the reason told to the operator. */
final class DeployAborted extends Exception {

    DeployAborted(String reason) {
        super(reason, null, false, false);
    }
}
