package dev.cutover.proxy;

/**
 * Where a service's traffic goes: immutable, so a request reads it once at dispatch and a switch
 * is one reference swap. A null target means the service has nothing to serve yet (503).
 */
public record Route(Target target) {

    static final Route NONE = new Route(null);
}
