package dev.specd.querylog;

import java.sql.Connection;
import java.sql.SQLException;

/** Points where tests step into the writer thread: to pause it, or to make its database fail. */
interface WriterHooks {

    WriterHooks NONE = new WriterHooks() {
    };

    /** The writer has opened a connection and is about to write with it. */
    default void connectionOpened(Connection connection) throws SQLException {
    }

    /** The writer has taken a batch off the queue and is about to write it. */
    default void batchTaken(int records) {
    }
}
