package dev.cutover.engine.store;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import dev.cutover.engine.DeployEvent;
import dev.cutover.engine.DeployKind;
import dev.cutover.engine.DeployPhase;
import dev.cutover.engine.Slot;
import dev.cutover.engine.runtime.RunningApp;

/**
 * A stand-in daemon for {@link StoreSurvivesKillTest}: opens the store, writes a deploy that is
 * mid-flight, says so on stdout, then waits to be killed without ever closing anything.
 */
public final class StoreWriterProcess {

    static final String WRITTEN = "written";
    static final Instant AT = Instant.parse("2026-03-01T10:15:30.123456789Z");

    private StoreWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        final Store store = Store.open(Path.of(args[0]));
        final long id = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", AT);
        store.appendEvent(new DeployEvent(id, "web", DeployPhase.SWITCH, AT.plusSeconds(2), Duration.ofSeconds(2),
                "traffic switched to green"));
        store.activate("web", Slot.GREEN, "2.0", id, AT.plusSeconds(2));
        store.saveApp(new RunningApp("web", "2.0", Slot.GREEN, 8082, 4242, AT.plusNanos(1), Path.of("/logs/g.log")));
        System.out.println(WRITTEN + " " + id);
        System.out.flush();
        // Bounded: if the test never kills us, we still go away.
        Thread.sleep(60_000);
    }
}
