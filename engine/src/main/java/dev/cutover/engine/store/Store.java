package dev.cutover.engine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import dev.cutover.engine.DeployEvent;
import dev.cutover.engine.DeployKind;
import dev.cutover.engine.DeployOutcome;
import dev.cutover.engine.DeployPhase;
import dev.cutover.engine.Slot;
import dev.cutover.engine.runtime.RunningApp;

/**
 * The state database: releases, deployments and their events, each service's active slot, and
 * the processes the daemon owns. One SQLite file in WAL mode with {@code synchronous=FULL}: a
 * method that returned has its change on disk, through {@code kill -9} and power loss. Every
 * change is one transaction, so a reader (or the next daemon) never sees half of one.
 *
 * <p>Thread-safe: one connection, used by one thread at a time. The engine writes a handful of
 * rows per deploy phase, so a lock costs nothing that matters and keeps SQLite out of
 * {@code SQLITE_BUSY} territory.
 *
 * <p>A second daemon on the same state dir is refused at {@link #open}: {@code daemon.lock} next to
 * the database holds an exclusive OS lock for as long as the store is open.
 */
public final class Store implements AutoCloseable {

    /** How long a statement waits for another process's lock on the file (a {@code sqlite3} shell, a backup). */
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;

    private final Path dbFile;
    private final StateDirLock dirLock;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private Store(Path dbFile, StateDirLock dirLock, Connection connection) {
        this.dbFile = dbFile;
        this.dirLock = dirLock;
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) the state database, its parent directories and its schema, and
     * locks the state dir against a second daemon.
     *
     * @throws StoreException if the dir cannot be created or locked, or the file is not a usable database
     */
    public static Store open(Path dbFile) {
        final Path file = dbFile.toAbsolutePath().normalize();
        final Path dir = file.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the state dir " + dir + ": " + e
                    + "; check that its parent exists and is writable by this user", e);
        }
        final StateDirLock dirLock = StateDirLock.acquire(dir);
        Connection connection = null;
        try {
            final SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            config.enforceForeignKeys(true);
            connection = config.createConnection("jdbc:sqlite:" + file);
            Schema.migrate(connection, file);
            return new Store(file, dirLock, connection);
        } catch (SQLException e) {
            closeQuietly(connection);
            dirLock.close();
            throw new StoreException(openFailure(file, e), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            dirLock.close();
            throw e;
        }
    }

    /** The database file, absolute. */
    public Path file() {
        return dbFile;
    }

    // ---- releases --------------------------------------------------------------------------

    /** Records a release, replacing what was stored for the same service and version. */
    public void saveRelease(ReleaseRecord r) {
        Objects.requireNonNull(r, "release");
        write("save release " + r.version() + " of " + r.service(), c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO releases (service, version, artifact, image, created_at_ns) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (service, version) DO UPDATE SET
                        artifact = excluded.artifact, image = excluded.image, created_at_ns = excluded.created_at_ns""")) {
                s.setString(1, r.service());
                s.setString(2, r.version());
                setNullableString(s, 3, r.artifact() == null ? null : r.artifact().toString());
                setNullableString(s, 4, r.image());
                s.setLong(5, nanos(r.createdAt()));
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<ReleaseRecord> release(String service, String version) {
        return read("read release " + version + " of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM releases WHERE service = ? AND version = ?")) {
                s.setString(1, service);
                s.setString(2, version);
                return first(s, Store::releaseOf);
            }
        });
    }

    /** The service's releases, newest first. */
    public List<ReleaseRecord> releases(String service) {
        return read("list the releases of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM releases WHERE service = ? ORDER BY created_at_ns DESC, rowid DESC")) {
                s.setString(1, service);
                return all(s, Store::releaseOf);
            }
        });
    }

    /** Forgets a release (its retained artifact was pruned); nothing happens if it is unknown. */
    public void deleteRelease(String service, String version) {
        write("delete release " + version + " of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM releases WHERE service = ? AND version = ?")) {
                s.setString(1, service);
                s.setString(2, version);
                s.executeUpdate();
            }
            return null;
        });
    }

    // ---- deployments -----------------------------------------------------------------------

    /**
     * Records that a deployment began and returns its id. Until {@link #finishDeployment} it is
     * {@linkplain #unfinished() unfinished}.
     *
     * @param fromVersion the version serving now, or null
     */
    public long beginDeployment(String service, String version, DeployKind kind, Slot slot, String fromVersion,
                                Instant at) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(slot, "slot");
        final long startedAt = nanos(at);
        return write("record the start of deployment of " + service + " " + version, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO deployments (service, version, kind, slot, from_version, started_at_ns)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")) {
                s.setString(1, service);
                s.setString(2, version);
                s.setString(3, kind.name());
                s.setString(4, slot.name());
                setNullableString(s, 5, fromVersion);
                s.setLong(6, startedAt);
                try (ResultSet rows = s.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Appends one event to its deployment's timeline. */
    public void appendEvent(DeployEvent e) {
        Objects.requireNonNull(e, "event");
        final long at = nanos(e.at());
        final String what = "record a " + e.phase() + " event of deployment " + e.deploymentId();
        write(what, c -> {
            requireDeployment(c, e.deploymentId(), what);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO events (deployment_id, service, phase, at_ns, elapsed_ns, message)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                s.setLong(1, e.deploymentId());
                s.setString(2, e.service());
                s.setString(3, e.phase().name());
                s.setLong(4, at);
                s.setLong(5, e.elapsed().toNanos());
                s.setString(6, e.message());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** A deployment's events, in the order they were appended. */
    public List<DeployEvent> events(long deploymentId) {
        return read("read the events of deployment " + deploymentId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM events WHERE deployment_id = ? ORDER BY seq")) {
                s.setLong(1, deploymentId);
                return all(s, rows -> new DeployEvent(rows.getLong("deployment_id"), rows.getString("service"),
                        DeployPhase.valueOf(rows.getString("phase")), instant(rows.getLong("at_ns")),
                        Duration.ofNanos(rows.getLong("elapsed_ns")), rows.getString("message")));
            }
        });
    }

    /**
     * Writes how a deployment ended. An outcome is written once: finishing an unknown or already
     * finished deployment is a {@link StoreException}.
     */
    public void finishDeployment(long id, DeployOutcome outcome, String reason, Instant at) {
        Objects.requireNonNull(outcome, "outcome");
        final long endedAt = nanos(at);
        final String what = "record the end of deployment " + id;
        write(what, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE deployments SET outcome = ?, reason = ?, ended_at_ns = ?
                    WHERE id = ? AND outcome IS NULL""")) {
                s.setString(1, outcome.name());
                setNullableString(s, 2, reason);
                s.setLong(3, endedAt);
                s.setLong(4, id);
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            final DeploymentRecord existing = requireDeployment(c, id, what);
            throw new StoreException("cannot record that deployment " + id + " of " + existing.service() + " ended "
                    + outcome + ": it already ended " + existing.outcome() + " at " + existing.endedAt()
                    + "; an outcome is written once");
        });
    }

    public Optional<DeploymentRecord> deployment(long id) {
        return read("read deployment " + id, c -> findDeployment(c, id));
    }

    /** The service's latest {@code limit} deployments, newest first. */
    public List<DeploymentRecord> history(String service, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("history limit must be 0 or more, got " + limit);
        }
        return read("read the deployment history of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM deployments WHERE service = ? ORDER BY id DESC LIMIT ?")) {
                s.setString(1, service);
                s.setInt(2, limit);
                return all(s, Store::deploymentOf);
            }
        });
    }

    /** Deployments without an outcome, oldest first: after a restart, the ones the previous daemon died in. */
    public List<DeploymentRecord> unfinished() {
        return read("list unfinished deployments", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM deployments WHERE outcome IS NULL ORDER BY id")) {
                return all(s, Store::deploymentOf);
            }
        });
    }

    /**
     * The newest SUCCEEDED deployment of the service whose version is not {@code exceptVersion}:
     * where a rollback goes by default.
     *
     * @param exceptVersion usually the active version; null to take any
     */
    public Optional<DeploymentRecord> lastSucceeded(String service, String exceptVersion) {
        return read("find the last successful deployment of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT * FROM deployments
                    WHERE service = ? AND outcome = 'SUCCEEDED' AND (? IS NULL OR version <> ?)
                    ORDER BY id DESC LIMIT 1""")) {
                s.setString(1, service);
                setNullableString(s, 2, exceptVersion);
                setNullableString(s, 3, exceptVersion);
                return first(s, Store::deploymentOf);
            }
        });
    }

    // ---- active slots ----------------------------------------------------------------------

    /** Writes which slot and version of the service serve traffic, in one transaction. */
    public void activate(String service, Slot slot, String version, long deploymentId, Instant at) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(version, "version");
        final long since = nanos(at);
        final String what = "record that " + service + " " + version + " serves from slot " + slot;
        write(what, c -> {
            final DeploymentRecord deployment = requireDeployment(c, deploymentId, what);
            if (!deployment.service().equals(service)) {
                throw new StoreException("cannot make " + service + " " + version + " active through deployment "
                        + deploymentId + ": that deployment belongs to service " + deployment.service());
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO service_state (service, active_slot, active_version, deployment_id, since_ns)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (service) DO UPDATE SET active_slot = excluded.active_slot,
                        active_version = excluded.active_version, deployment_id = excluded.deployment_id,
                        since_ns = excluded.since_ns""")) {
                s.setString(1, service);
                s.setString(2, slot.name());
                s.setString(3, version);
                s.setLong(4, deploymentId);
                s.setLong(5, since);
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<ServiceState> state(String service) {
        return read("read the active slot of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM service_state WHERE service = ?")) {
                s.setString(1, service);
                return first(s, Store::stateOf);
            }
        });
    }

    /** Every service that has an active release, by name. */
    public List<ServiceState> states() {
        return read("read the active slots", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM service_state ORDER BY service")) {
                return all(s, Store::stateOf);
            }
        });
    }

    // ---- processes we own ------------------------------------------------------------------

    /** Records a process the daemon started, replacing whatever was recorded for its service and slot. */
    public void saveApp(RunningApp app) {
        Objects.requireNonNull(app, "app");
        final long processStart = nanos(app.processStart());
        write("record process " + app.pid() + " of " + app.service() + " in slot " + app.slot(), c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT OR REPLACE INTO apps (service, slot, version, port, pid, process_start_ns, log_file, container_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, app.service());
                s.setString(2, app.slot().name());
                s.setString(3, app.version());
                s.setInt(4, app.port());
                s.setLong(5, app.pid());
                s.setLong(6, processStart);
                s.setString(7, app.logFile().toString());
                setNullableString(s, 8, app.containerId());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Forgets the process of a service's slot (it was stopped); nothing happens if none is recorded. */
    public void removeApp(String service, Slot slot) {
        write("forget the process of " + service + " in slot " + slot, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM apps WHERE service = ? AND slot = ?")) {
                s.setString(1, service);
                s.setString(2, slot.name());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The service's recorded processes, blue before green. */
    public List<RunningApp> apps(String service) {
        return read("list the processes of " + service, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM apps WHERE service = ? ORDER BY slot")) {
                s.setString(1, service);
                return all(s, Store::appOf);
            }
        });
    }

    /** Every recorded process, by service, blue before green. */
    public List<RunningApp> apps() {
        return read("list the processes", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM apps ORDER BY service, slot")) {
                return all(s, Store::appOf);
            }
        });
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /** Closes the database and releases the state dir for another daemon. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(connection);
            dirLock.close();
        } finally {
            lock.unlock();
        }
    }

    /** A pragma's current value on this store's connection, for tests that check durability settings. */
    String pragma(String name) {
        return read("read pragma " + name, c -> {
            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA " + name)) {
                return rows.next() ? rows.getString(1) : null;
            }
        });
    }

    // ---- plumbing --------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rows) throws SQLException;
    }

    private <T> T read(String what, Work<T> work) {
        lock.lock();
        try {
            requireOpen(what);
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} as one transaction: all of it is on disk when this returns, or none of it. */
    private <T> T write(String what, Work<T> work) {
        lock.lock();
        try {
            requireOpen(what);
            connection.setAutoCommit(false);
            try {
                final T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new StoreException("cannot " + what + ": the state database " + dbFile + " is closed");
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is the one worth reporting; SQLite drops the transaction anyway.
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("cannot " + what + " in the state database " + dbFile + ": " + e.getMessage()
                + hint(e), e);
    }

    private static String openFailure(Path file, SQLException e) {
        final SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        if (code == SQLiteErrorCode.SQLITE_BUSY || code == SQLiteErrorCode.SQLITE_LOCKED) {
            return "cannot open the state database " + file + ": it is locked by another cutover daemon? (or a "
                    + "sqlite3 shell, a backup tool); stop whatever holds it and start again";
        }
        return "cannot open the state database " + file + ": " + e.getMessage() + hint(e);
    }

    private static String hint(SQLException e) {
        final SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        if (code == null) {
            return "";
        }
        return switch (code) {
            case SQLITE_FULL -> "; the disk is full: free space, the daemon keeps the previous state";
            case SQLITE_READONLY, SQLITE_READONLY_DBMOVED, SQLITE_READONLY_DIRECTORY, SQLITE_PERM, SQLITE_CANTOPEN ->
                    "; check that the file and its directory are writable by the daemon's user";
            case SQLITE_NOTADB, SQLITE_CORRUPT ->
                    "; the file is not a cutover state database (or is damaged): move it aside and start again";
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT ->
                    "; another process holds the database (a sqlite3 shell, a backup?): release it and retry";
            default -> "";
        };
    }

    private DeploymentRecord requireDeployment(Connection c, long id, String what) throws SQLException {
        return findDeployment(c, id).orElseThrow(() -> new StoreException("cannot " + what + ": there is no "
                + "deployment " + id + " in the state database " + dbFile));
    }

    private static Optional<DeploymentRecord> findDeployment(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM deployments WHERE id = ?")) {
            s.setLong(1, id);
            return first(s, Store::deploymentOf);
        }
    }

    private static <T> Optional<T> first(PreparedStatement s, RowMapper<T> mapper) throws SQLException {
        try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? Optional.of(mapper.map(rows)) : Optional.empty();
        }
    }

    private static <T> List<T> all(PreparedStatement s, RowMapper<T> mapper) throws SQLException {
        final List<T> result = new ArrayList<>();
        try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                result.add(mapper.map(rows));
            }
        }
        return List.copyOf(result);
    }

    private static ReleaseRecord releaseOf(ResultSet rows) throws SQLException {
        final String artifact = rows.getString("artifact");
        return new ReleaseRecord(rows.getString("service"), rows.getString("version"),
                artifact == null ? null : Path.of(artifact), rows.getString("image"),
                instant(rows.getLong("created_at_ns")));
    }

    private static DeploymentRecord deploymentOf(ResultSet rows) throws SQLException {
        final long endedAt = rows.getLong("ended_at_ns");
        final Instant ended = rows.wasNull() ? null : instant(endedAt);
        final String outcome = rows.getString("outcome");
        return new DeploymentRecord(rows.getLong("id"), rows.getString("service"), rows.getString("version"),
                DeployKind.valueOf(rows.getString("kind")), Slot.valueOf(rows.getString("slot")),
                rows.getString("from_version"), instant(rows.getLong("started_at_ns")), ended,
                outcome == null ? null : DeployOutcome.valueOf(outcome), rows.getString("reason"));
    }

    private static ServiceState stateOf(ResultSet rows) throws SQLException {
        return new ServiceState(rows.getString("service"), Slot.valueOf(rows.getString("active_slot")),
                rows.getString("active_version"), rows.getLong("deployment_id"), instant(rows.getLong("since_ns")));
    }

    private static RunningApp appOf(ResultSet rows) throws SQLException {
        return new RunningApp(rows.getString("service"), rows.getString("version"),
                Slot.valueOf(rows.getString("slot")), rows.getInt("port"), rows.getLong("pid"),
                instant(rows.getLong("process_start_ns")), Path.of(rows.getString("log_file")),
                rows.getString("container_id"));
    }

    private static void setNullableString(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    /** Epoch nanoseconds: exact, and ordered as integers. Covers the years 1678 to 2261. */
    static long nanos(Instant at) {
        Objects.requireNonNull(at, "time");
        try {
            return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("time " + at + " is outside what the state database stores "
                    + "(the years 1678 to 2261)", e);
        }
    }

    static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Every change was committed when its method returned; nothing is lost here.
        }
    }
}
