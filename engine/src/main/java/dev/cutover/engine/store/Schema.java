package dev.cutover.engine.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables, and how a state database of any older version becomes the current one. A change
 * to the schema is a new entry at the end of {@link #MIGRATIONS}, never an edit of an old one:
 * daemons in the field have run the old ones already.
 *
 * <p>Times are stored as epoch nanoseconds ({@code *_ns} columns): exact round trips (a process's
 * start time identifies it) and ordering by plain integer comparison.
 */
final class Schema {

    /** {@code MIGRATIONS.get(n)} takes a database from version n to n + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE releases (
                        service       TEXT    NOT NULL,
                        version       TEXT    NOT NULL,
                        artifact      TEXT,
                        image         TEXT,
                        created_at_ns INTEGER NOT NULL,
                        PRIMARY KEY (service, version)
                    )""", """
                    CREATE TABLE deployments (
                        id            INTEGER PRIMARY KEY AUTOINCREMENT,
                        service       TEXT    NOT NULL,
                        version       TEXT    NOT NULL,
                        kind          TEXT    NOT NULL,
                        slot          TEXT    NOT NULL,
                        from_version  TEXT,
                        started_at_ns INTEGER NOT NULL,
                        ended_at_ns   INTEGER,
                        outcome       TEXT,
                        reason        TEXT
                    )""",
                    "CREATE INDEX deployments_by_service ON deployments (service, id)",
                    "CREATE INDEX deployments_unfinished ON deployments (id) WHERE outcome IS NULL", """
                    CREATE TABLE events (
                        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
                        deployment_id  INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
                        service        TEXT    NOT NULL,
                        phase          TEXT    NOT NULL,
                        at_ns          INTEGER NOT NULL,
                        elapsed_ns     INTEGER NOT NULL,
                        message        TEXT    NOT NULL
                    )""",
                    "CREATE INDEX events_by_deployment ON events (deployment_id, seq)", """
                    CREATE TABLE service_state (
                        service        TEXT    PRIMARY KEY,
                        active_slot    TEXT    NOT NULL,
                        active_version TEXT    NOT NULL,
                        deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
                        since_ns       INTEGER NOT NULL
                    )""", """
                    CREATE TABLE apps (
                        service          TEXT    NOT NULL,
                        slot             TEXT    NOT NULL,
                        version          TEXT    NOT NULL,
                        port             INTEGER NOT NULL,
                        pid              INTEGER NOT NULL,
                        process_start_ns INTEGER NOT NULL,
                        log_file         TEXT    NOT NULL,
                        PRIMARY KEY (service, slot)
                    )"""),
            // 1 -> 2: a release run by the docker runtime is a container; its id is what names it
            // (pid and start time are still recorded: the container's main process, for status).
            List.of("ALTER TABLE apps ADD COLUMN container_id TEXT"));

    /** The version this code reads and writes. */
    static final int CURRENT = MIGRATIONS.size();

    private Schema() {
    }

    /** Brings the database to {@link #CURRENT}, in one transaction; refuses a newer one. */
    static void migrate(Connection connection, Path dbFile) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int version;
            try (ResultSet rows = statement.executeQuery("SELECT version FROM schema_version")) {
                version = rows.next() ? rows.getInt(1) : -1;
            }
            if (version < 0) {
                statement.execute("INSERT INTO schema_version (version) VALUES (0)");
                version = 0;
            }
            if (version > CURRENT) {
                throw new StoreException("the state database " + dbFile + " was written by a newer cutover (schema "
                        + "version " + version + ", this one knows up to " + CURRENT + "); run the newer cutover, "
                        + "or point state_dir elsewhere");
            }
            for (int v = version; v < CURRENT; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    statement.execute(sql);
                }
            }
            statement.execute("UPDATE schema_version SET version = " + CURRENT);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
