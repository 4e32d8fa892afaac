package dev.specd.querylog;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one SQLite transaction: committed whole, or rolled back whole with the first failure reported. */
final class Transactions {

    interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    static <T> T run(Connection connection, Work<T> work) throws SQLException {
        connection.setAutoCommit(false);
        T result;
        try {
            result = work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        connection.setAutoCommit(true);
        return result;
    }
}
