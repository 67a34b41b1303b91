package dev.cutover.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.DeployEvent;
import dev.cutover.engine.DeployKind;
import dev.cutover.engine.DeployOutcome;
import dev.cutover.engine.DeployPhase;
import dev.cutover.engine.Slot;
import dev.cutover.engine.runtime.RunningApp;

class StoreTest {

    /** Nanosecond precision on purpose: the store must give back exactly what it was given. */
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456789Z");

    @TempDir
    Path tmp;

    private Path dbFile;
    private Store store;

    @BeforeEach
    void open() {
        dbFile = tmp.resolve("state").resolve("nested").resolve("state.db");
        store = Store.open(dbFile);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Store reopen() {
        store.close();
        store = Store.open(dbFile);
        return store;
    }

    // ---- opening ---------------------------------------------------------------------------

    @Test
    void openCreatesTheStateDirAndADurableWalDatabase() throws Exception {
        assertThat(dbFile).isRegularFile();
        assertThat(dbFile.resolveSibling("daemon.lock")).isRegularFile();
        assertThat(store.file()).isEqualTo(dbFile.toAbsolutePath());
        assertThat(store.pragma("journal_mode")).isEqualTo("wal");
        assertThat(store.pragma("synchronous")).isEqualTo("2"); // FULL
        assertThat(store.pragma("busy_timeout")).isEqualTo("5000");
        assertThat(store.pragma("foreign_keys")).isEqualTo("1");
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT version FROM schema_version")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(Schema.CURRENT);
            assertThat(rows.next()).as("exactly one schema_version row").isFalse();
        }
    }

    @Test
    void aSecondOpenOnTheSameStateDirIsRefusedNamingTheLockFile() {
        final Path dir = dbFile.getParent().toAbsolutePath();
        assertThatThrownBy(() -> Store.open(dbFile))
                .isInstanceOf(StoreException.class)
                .hasMessage("another cutover daemon already uses the state dir " + dir + " (lock file "
                        + dir.resolve("daemon.lock") + "); stop it first or choose another state_dir");
        // The refused open must not have disturbed the first store.
        store.saveRelease(new ReleaseRecord("web", "1.0", null, null, T0));
        assertThat(store.release("web", "1.0")).isPresent();
    }

    @Test
    void aSecondDatabaseFileInTheSameStateDirIsRefusedToo() {
        assertThatThrownBy(() -> Store.open(dbFile.resolveSibling("other.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("another cutover daemon already uses the state dir");
    }

    @Test
    void theStateDirIsFreeAgainAfterClose() {
        store.saveRelease(new ReleaseRecord("web", "1.0", null, null, T0));
        store.close();
        store.close(); // idempotent
        store = Store.open(dbFile);
        assertThat(store.release("web", "1.0")).isPresent();
    }

    @Test
    void aClosedStoreSaysSoInsteadOfFailingObscurely() {
        store.close();
        assertThatThrownBy(() -> store.releases("web"))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot list the releases of web: the state database " + dbFile.toAbsolutePath()
                        + " is closed");
    }

    @Test
    void aFileThatIsNotADatabaseIsRefusedWithWhatToDo() throws Exception {
        final Path junk = tmp.resolve("junk").resolve("state.db");
        Files.createDirectories(junk.getParent());
        Files.writeString(junk, "this is not a database, it is a grocery list: eggs, milk, bread, ".repeat(100));
        assertThatThrownBy(() -> Store.open(junk))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open the state database " + junk.toAbsolutePath())
                .hasMessageContaining("move it aside");
        // The failed open released the state dir: a fixed file opens.
        Files.delete(junk);
        try (Store fresh = Store.open(junk)) {
            assertThat(fresh.releases("web")).isEmpty();
        }
    }

    @Test
    void aDatabaseFromANewerCutoverIsRefused() throws Exception {
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE schema_version SET version = 99");
        }
        assertThatThrownBy(() -> Store.open(dbFile))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("was written by a newer cutover (schema version 99, this one knows up to "
                        + Schema.CURRENT + ")");
        store = Store.open(dbFile.resolveSibling("unused").resolve("x.db")); // so close() has something to close
    }

    // ---- releases --------------------------------------------------------------------------

    @Test
    void aReleaseRoundTripsAndSavingItAgainReplacesIt() {
        final ReleaseRecord jar = new ReleaseRecord("web", "1.0", Path.of("/state/artifacts/web/1.0/app.jar"), null, T0);
        store.saveRelease(jar);
        assertThat(store.release("web", "1.0")).contains(jar);
        assertThat(store.release("web", "2.0")).isEmpty();
        assertThat(store.release("api", "1.0")).isEmpty();

        final ReleaseRecord image = new ReleaseRecord("web", "1.0", null, "registry/web:1.0", T0.plusSeconds(5));
        store.saveRelease(image);
        assertThat(store.release("web", "1.0")).contains(image);
        assertThat(store.releases("web")).containsExactly(image);
    }

    @Test
    void releasesAreNewestFirstPerServiceAndDeleteForgetsOne() {
        final ReleaseRecord v1 = new ReleaseRecord("web", "1.0", null, null, T0);
        final ReleaseRecord v3 = new ReleaseRecord("web", "3.0", null, null, T0.plusSeconds(20));
        final ReleaseRecord v2 = new ReleaseRecord("web", "2.0", null, null, T0.plusSeconds(10));
        final ReleaseRecord other = new ReleaseRecord("api", "9.0", null, null, T0.plusSeconds(30));
        store.saveRelease(v1);
        store.saveRelease(v3);
        store.saveRelease(v2);
        store.saveRelease(other);
        assertThat(store.releases("web")).containsExactly(v3, v2, v1);
        assertThat(store.releases("api")).containsExactly(other);

        store.deleteRelease("web", "2.0");
        store.deleteRelease("web", "never-existed");
        assertThat(store.releases("web")).containsExactly(v3, v1);
    }

    // ---- deployments -----------------------------------------------------------------------

    @Test
    void aDeploymentRoundTripsFromBeginToFinish() {
        final long id = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        final DeploymentRecord running = store.deployment(id).orElseThrow();
        assertThat(running).isEqualTo(new DeploymentRecord(id, "web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0",
                T0, null, null, null));
        assertThat(running.finished()).isFalse();

        store.finishDeployment(id, DeployOutcome.ABORTED, "never healthy: connection refused", T0.plusMillis(1500));
        final DeploymentRecord done = store.deployment(id).orElseThrow();
        assertThat(done).isEqualTo(new DeploymentRecord(id, "web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0",
                T0, T0.plusMillis(1500), DeployOutcome.ABORTED, "never healthy: connection refused"));
        assertThat(done.finished()).isTrue();
        assertThat(store.deployment(id + 1)).isEmpty();
    }

    @Test
    void aFirstDeployHasNoFromVersionAndARollbackKeepsItsKind() {
        final long first = store.beginDeployment("web", "1.0", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        final long back = store.beginDeployment("web", "0.9", DeployKind.ROLLBACK, Slot.GREEN, "1.0", T0);
        assertThat(store.deployment(first).orElseThrow().fromVersion()).isNull();
        assertThat(store.deployment(back).orElseThrow().kind()).isEqualTo(DeployKind.ROLLBACK);
        assertThat(back).isGreaterThan(first);
    }

    @Test
    void eventsComeBackInAppendOrderWithExactTimes() {
        final long id = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        final long other = store.beginDeployment("api", "5.0", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        final List<DeployEvent> appended = new ArrayList<>();
        final DeployPhase[] phases = DeployPhase.values();
        for (int i = 0; i < phases.length; i++) {
            // Same timestamp for two events on purpose: order comes from appending, not from time.
            final Instant at = T0.plusNanos(i / 2 * 1_000_001L);
            final DeployEvent e = new DeployEvent(id, "web", phases[i], at, Duration.ofNanos(i * 123_456_789L),
                    "step " + i + ": " + phases[i].name().toLowerCase());
            store.appendEvent(e);
            appended.add(e);
            store.appendEvent(new DeployEvent(other, "api", phases[i], at, Duration.ZERO, "noise"));
        }
        assertThat(store.events(id)).containsExactlyElementsOf(appended);
        assertThat(store.events(other)).hasSize(phases.length).allMatch(e -> e.service().equals("api"));
        assertThat(store.events(424242)).isEmpty();
    }

    @Test
    void anEventOfAnUnknownDeploymentIsRefusedNamingIt() {
        assertThatThrownBy(() -> store.appendEvent(new DeployEvent(77, "web", DeployPhase.START, T0, Duration.ZERO,
                "starting")))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot record a START event of deployment 77: there is no deployment 77 in the state "
                        + "database " + dbFile.toAbsolutePath());
        assertThat(store.events(77)).isEmpty();
    }

    @Test
    void anOutcomeIsWrittenOnceAndTheFirstOneStays() {
        final long id = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        store.finishDeployment(id, DeployOutcome.SUCCEEDED, null, T0.plusSeconds(3));
        assertThatThrownBy(() -> store.finishDeployment(id, DeployOutcome.INTERRUPTED, "restart", T0.plusSeconds(9)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot record that deployment " + id + " of web ended INTERRUPTED: it already "
                        + "ended SUCCEEDED");
        assertThat(store.deployment(id).orElseThrow().outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
        assertThat(store.deployment(id).orElseThrow().endedAt()).isEqualTo(T0.plusSeconds(3));

        assertThatThrownBy(() -> store.finishDeployment(999, DeployOutcome.ABORTED, null, T0))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("there is no deployment 999");
    }

    @Test
    void historyIsNewestFirstPerServiceAndLimited() {
        final List<Long> web = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            web.add(store.beginDeployment("web", i + ".0", DeployKind.DEPLOY, i % 2 == 0 ? Slot.GREEN : Slot.BLUE,
                    i == 1 ? null : (i - 1) + ".0", T0.plusSeconds(i)));
            store.beginDeployment("api", "a" + i, DeployKind.DEPLOY, Slot.BLUE, null, T0.plusSeconds(i));
        }
        assertThat(store.history("web", 10)).extracting(DeploymentRecord::id)
                .containsExactly(web.get(4), web.get(3), web.get(2), web.get(1), web.get(0));
        assertThat(store.history("web", 2)).extracting(DeploymentRecord::version).containsExactly("5.0", "4.0");
        assertThat(store.history("web", 0)).isEmpty();
        assertThat(store.history("api", 10)).allMatch(d -> d.service().equals("api")).hasSize(5);
        assertThat(store.history("nobody", 10)).isEmpty();
        assertThatThrownBy(() -> store.history("web", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unfinishedListsDeploymentsBegunButNeverFinishedAlsoAfterReopen() {
        final long done = store.beginDeployment("web", "1.0", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        store.finishDeployment(done, DeployOutcome.SUCCEEDED, null, T0.plusSeconds(1));
        final long webDied = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0.plusSeconds(2));
        store.appendEvent(new DeployEvent(webDied, "web", DeployPhase.HEALTH_CHECK, T0.plusSeconds(3),
                Duration.ofSeconds(1), "health check 1/120: connection refused"));
        final long apiDied = store.beginDeployment("api", "7", DeployKind.ROLLBACK, Slot.BLUE, "8", T0.plusSeconds(4));

        assertThat(store.unfinished()).extracting(DeploymentRecord::id).containsExactly(webDied, apiDied);

        reopen();
        assertThat(store.unfinished()).extracting(DeploymentRecord::id).containsExactly(webDied, apiDied);
        assertThat(store.unfinished()).noneMatch(DeploymentRecord::finished);
        assertThat(store.events(webDied)).extracting(DeployEvent::phase).containsExactly(DeployPhase.HEALTH_CHECK);

        store.finishDeployment(webDied, DeployOutcome.INTERRUPTED, "the daemon stopped mid-deploy", T0.plusSeconds(60));
        assertThat(store.unfinished()).extracting(DeploymentRecord::id).containsExactly(apiDied);
    }

    @Test
    void lastSucceededSkipsTheExceptedVersionAndEveryOtherOutcome() {
        final long v1 = finished("web", "1.0", DeployOutcome.SUCCEEDED);
        final long v2 = finished("web", "2.0", DeployOutcome.SUCCEEDED);
        finished("web", "3.0", DeployOutcome.ABORTED);
        finished("web", "4.0", DeployOutcome.ROLLED_BACK);
        finished("web", "5.0", DeployOutcome.INTERRUPTED);
        store.beginDeployment("web", "6.0", DeployKind.DEPLOY, Slot.GREEN, "2.0", T0); // still running
        finished("api", "9.0", DeployOutcome.SUCCEEDED);

        assertThat(store.lastSucceeded("web", null)).map(DeploymentRecord::id).contains(v2);
        assertThat(store.lastSucceeded("web", "2.0")).map(DeploymentRecord::id).contains(v1);
        assertThat(store.lastSucceeded("web", "1.0")).map(DeploymentRecord::id).contains(v2);
        assertThat(store.lastSucceeded("api", "9.0")).isEmpty();
        assertThat(store.lastSucceeded("nobody", null)).isEmpty();

        // 2.0 deployed again later: the newest success of 2.0 is still excepted, 1.0 remains the target.
        final long v2again = finished("web", "2.0", DeployOutcome.SUCCEEDED);
        assertThat(store.lastSucceeded("web", "2.0")).map(DeploymentRecord::id).contains(v1);
        assertThat(store.lastSucceeded("web", null)).map(DeploymentRecord::id).contains(v2again);
    }

    private long finished(String service, String version, DeployOutcome outcome) {
        final long id = store.beginDeployment(service, version, DeployKind.DEPLOY, Slot.BLUE, null, T0);
        store.finishDeployment(id, outcome, outcome.name().toLowerCase(), T0.plusSeconds(1));
        return id;
    }

    // ---- active slots ----------------------------------------------------------------------

    @Test
    void activateUpsertsTheServicesActiveSlotAndStatesListsEveryService() {
        assertThat(store.state("web")).isEmpty();
        final long d1 = store.beginDeployment("web", "1.0", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        store.activate("web", Slot.BLUE, "1.0", d1, T0.plusSeconds(1));
        assertThat(store.state("web")).contains(new ServiceState("web", Slot.BLUE, "1.0", d1, T0.plusSeconds(1)));

        final long d2 = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        store.activate("web", Slot.GREEN, "2.0", d2, T0.plusSeconds(2));
        final long a1 = store.beginDeployment("api", "7", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        store.activate("api", Slot.BLUE, "7", a1, T0.plusSeconds(3));

        assertThat(store.states()).containsExactly(
                new ServiceState("api", Slot.BLUE, "7", a1, T0.plusSeconds(3)),
                new ServiceState("web", Slot.GREEN, "2.0", d2, T0.plusSeconds(2)));
    }

    @Test
    void activateRefusesAnUnknownDeploymentOrOneOfAnotherService() {
        final long api = store.beginDeployment("api", "7", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        assertThatThrownBy(() -> store.activate("web", Slot.BLUE, "1.0", api, T0))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("that deployment belongs to service api");
        assertThatThrownBy(() -> store.activate("web", Slot.BLUE, "1.0", 12345, T0))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("there is no deployment 12345");
        assertThat(store.state("web")).isEmpty();
    }

    @Test
    void readersNeverSeeAHalfWrittenActiveStateAndTheLastOneSurvivesReopen() throws Exception {
        final long blue = store.beginDeployment("web", "1.0", DeployKind.DEPLOY, Slot.BLUE, null, T0);
        final long green = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        store.activate("web", Slot.BLUE, "1.0", blue, T0);

        final int switches = 100;
        final AtomicBoolean writing = new AtomicBoolean(true);
        final CountDownLatch readerStarted = new CountDownLatch(2);
        final ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            final List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    readerStarted.countDown();
                    int reads = 0;
                    while (writing.get() && reads < 1_000_000) {
                        final ServiceState s = store.state("web").orElseThrow();
                        // Each field must belong to the same activation.
                        final boolean isBlue = s.activeSlot() == Slot.BLUE && s.activeVersion().equals("1.0")
                                && s.deploymentId() == blue;
                        final boolean isGreen = s.activeSlot() == Slot.GREEN && s.activeVersion().equals("2.0")
                                && s.deploymentId() == green;
                        if (!isBlue && !isGreen) {
                            throw new AssertionError("half-written state seen: " + s);
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            final Future<?> writer = pool.submit(() -> {
                readerStarted.await();
                for (int i = 1; i <= switches; i++) {
                    if (i % 2 == 1) {
                        store.activate("web", Slot.GREEN, "2.0", green, T0.plusSeconds(i));
                    } else {
                        store.activate("web", Slot.BLUE, "1.0", blue, T0.plusSeconds(i));
                    }
                }
                return null;
            });
            writer.get(60, TimeUnit.SECONDS);
            writing.set(false);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // 100 switches: an even number, so the last one went back to blue.
        final ServiceState last = new ServiceState("web", Slot.BLUE, "1.0", blue, T0.plusSeconds(switches));
        assertThat(store.state("web")).contains(last);
        reopen();
        assertThat(store.state("web")).contains(last);
    }

    // ---- processes we own ------------------------------------------------------------------

    @Test
    void appsRoundTripExactlyAndAreReplacedPerServiceAndSlot() {
        final Instant started = Instant.parse("2026-03-01T10:15:30.987654321Z");
        final RunningApp blue = new RunningApp("web", "1.0", Slot.BLUE, 8081, 4711, started,
                tmp.resolve("logs/web-blue.log"));
        final RunningApp green = new RunningApp("web", "2.0", Slot.GREEN, 8082, 4712, started.plusNanos(1),
                Path.of("relative/web-green.log"));
        final RunningApp api = new RunningApp("api", "7", Slot.GREEN, 9092, 5000, started, Path.of("/var/log/api.log"));
        store.saveApp(green);
        store.saveApp(blue);
        store.saveApp(api);
        assertThat(store.apps("web")).containsExactly(blue, green);
        assertThat(store.apps()).containsExactly(api, blue, green);

        final RunningApp blueAgain = new RunningApp("web", "3.0", Slot.BLUE, 8081, 9999, started.plusSeconds(60),
                tmp.resolve("logs/web-blue-3.log"));
        store.saveApp(blueAgain);
        assertThat(store.apps("web")).containsExactly(blueAgain, green);

        store.removeApp("web", Slot.GREEN);
        store.removeApp("web", Slot.GREEN); // nothing left to remove: still fine
        assertThat(store.apps("web")).containsExactly(blueAgain);
        assertThat(store.apps("nobody")).isEmpty();
    }

    // ---- durability ------------------------------------------------------------------------

    @Test
    void everythingSurvivesCloseAndReopen() {
        final ReleaseRecord release = new ReleaseRecord("web", "2.0", tmp.resolve("artifacts/web/2.0/app.jar"), null, T0);
        store.saveRelease(release);
        final long id = store.beginDeployment("web", "2.0", DeployKind.DEPLOY, Slot.GREEN, "1.0", T0);
        final DeployEvent event = new DeployEvent(id, "web", DeployPhase.SWITCH, T0.plusMillis(2500),
                Duration.ofMillis(2500), "traffic switched to green");
        store.appendEvent(event);
        store.activate("web", Slot.GREEN, "2.0", id, T0.plusMillis(2500));
        store.finishDeployment(id, DeployOutcome.SUCCEEDED, null, T0.plusSeconds(4));
        final RunningApp app = new RunningApp("web", "2.0", Slot.GREEN, 8082, 4242, T0.plusNanos(7), tmp.resolve("g.log"));
        store.saveApp(app);
        final DeploymentRecord record = store.deployment(id).orElseThrow();

        reopen();
        assertThat(store.release("web", "2.0")).contains(release);
        assertThat(store.deployment(id)).contains(record);
        assertThat(store.history("web", 5)).containsExactly(record);
        assertThat(store.events(id)).containsExactly(event);
        assertThat(store.state("web")).contains(new ServiceState("web", Slot.GREEN, "2.0", id, T0.plusMillis(2500)));
        assertThat(store.apps()).containsExactly(app);
        assertThat(store.lastSucceeded("web", "1.0")).contains(record);
        assertThat(store.unfinished()).isEmpty();
    }
}
