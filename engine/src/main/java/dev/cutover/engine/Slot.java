package dev.cutover.engine;

import java.util.Locale;

/** The two places a service's releases take turns in, each with its own port. */
public enum Slot {
    BLUE, GREEN;

    public Slot other() {
        return this == BLUE ? GREEN : BLUE;
    }

    /** As written in cutover.yml, placeholders and logs: {@code blue}, {@code green}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Slot parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return label();
    }
}
