package dev.cutover.proxy;

import java.util.function.Consumer;

/**
 * The exchanges running on one event loop, so a drain's timeout can find and end the ones on
 * its target. An intrusive list: adding and removing cost two pointer writes and no allocation,
 * because every request pays them. Used from its event loop only.
 */
final class InFlightRegistry {

    private Exchange head;
    private int size;

    void add(Exchange exchange) {
        exchange.registryNext = head;
        exchange.registryPrev = null;
        if (head != null) {
            head.registryPrev = exchange;
        }
        head = exchange;
        size++;
    }

    void remove(Exchange exchange) {
        if (exchange.registryPrev != null) {
            exchange.registryPrev.registryNext = exchange.registryNext;
        } else if (head == exchange) {
            head = exchange.registryNext;
        } else {
            return; // not registered
        }
        if (exchange.registryNext != null) {
            exchange.registryNext.registryPrev = exchange.registryPrev;
        }
        exchange.registryNext = null;
        exchange.registryPrev = null;
        size--;
    }

    int size() {
        return size;
    }

    /** Visits every exchange; the action may remove the one it is given. */
    void forEach(Consumer<Exchange> action) {
        Exchange current = head;
        while (current != null) {
            Exchange next = current.registryNext;
            action.accept(current);
            current = next;
        }
    }
}
