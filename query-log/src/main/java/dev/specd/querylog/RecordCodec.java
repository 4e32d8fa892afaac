package dev.specd.querylog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** Maps a {@link QueryRecord} to a row of {@link Schema#TABLE} and back. */
final class RecordCodec {

    static final String INSERT = "INSERT INTO " + Schema.TABLE + " (created_at, request_id, endpoint, domain,"
            + " draft_version, drafter, end_user, prompt_length, output_length, temperature, top_k, top_p, seed,"
            + " max_tokens, metadata, prompt_tokens, output_tokens, drafted_per_step, accepted_per_step,"
            + " target_top_logprobs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String COLUMNS = "id, created_at, request_id, endpoint, domain, draft_version, drafter, end_user,"
            + " prompt_length, output_length, temperature, top_k, top_p, seed, max_tokens, metadata, prompt_tokens,"
            + " output_tokens, drafted_per_step, accepted_per_step, target_top_logprobs";

    private RecordCodec() {
    }

    /**
     * Binds one record to {@link #INSERT}.
     *
     * @return the payload bytes bound: blobs plus UTF-8 text
     */
    static long bind(PreparedStatement insert, QueryRecord record) throws SQLException {
        String metadata = MetadataJson.encode(record.metadata());
        byte[] prompt = LittleEndianInts.encode(record.promptTokens());
        byte[] output = LittleEndianInts.encode(record.outputTokens());
        byte[] drafted = LittleEndianInts.encode(record.draftedPerStep());
        byte[] accepted = LittleEndianInts.encode(record.acceptedPerStep());
        byte[] distributions = TopLogprobsCodec.encode(record.targetTopLogprobs());
        insert.setLong(1, record.createdAtMillis());
        insert.setString(2, record.requestId());
        insert.setString(3, record.endpoint());
        insert.setString(4, record.domain());
        insert.setString(5, record.draftVersion());
        insert.setString(6, record.drafter());
        insert.setString(7, record.user());
        insert.setInt(8, record.promptTokens().length);
        insert.setInt(9, record.outputTokens().length);
        insert.setDouble(10, record.temperature());
        insert.setInt(11, record.topK());
        insert.setDouble(12, record.topP());
        if (record.seed() == null) {
            insert.setNull(13, Types.INTEGER);
        } else {
            insert.setLong(13, record.seed());
        }
        insert.setInt(14, record.maxTokens());
        insert.setString(15, metadata);
        insert.setBytes(16, prompt);
        insert.setBytes(17, output);
        insert.setBytes(18, drafted);
        insert.setBytes(19, accepted);
        insert.setBytes(20, distributions);
        return prompt.length + output.length + drafted.length + accepted.length + distributions.length
                + utf8Length(record.requestId()) + utf8Length(record.endpoint()) + utf8Length(record.domain())
                + utf8Length(record.draftVersion()) + utf8Length(record.drafter()) + utf8Length(record.user())
                + utf8Length(metadata);
    }

    /** Decodes the current row of a query selecting {@link #COLUMNS}. */
    static StoredQuery decode(ResultSet row) throws SQLException, IOException {
        long id = row.getLong("id");
        try {
            int[] prompt = LittleEndianInts.decode(blob(row, "prompt_tokens"), "prompt_tokens");
            int[] output = LittleEndianInts.decode(blob(row, "output_tokens"), "output_tokens");
            expectLength("prompt_tokens", prompt.length, row.getInt("prompt_length"));
            expectLength("output_tokens", output.length, row.getInt("output_length"));
            Long seed = nullableLong(row, "seed");
            QueryRecord record = new QueryRecord(
                    row.getString("request_id"),
                    row.getLong("created_at"),
                    row.getString("endpoint"),
                    prompt,
                    output,
                    row.getDouble("temperature"),
                    row.getInt("top_k"),
                    row.getDouble("top_p"),
                    seed,
                    row.getInt("max_tokens"),
                    row.getString("end_user"),
                    MetadataJson.decode(row.getString("metadata")),
                    row.getString("domain"),
                    row.getString("draft_version"),
                    row.getString("drafter"),
                    LittleEndianInts.decode(blob(row, "drafted_per_step"), "drafted_per_step"),
                    LittleEndianInts.decode(blob(row, "accepted_per_step"), "accepted_per_step"),
                    TopLogprobsCodec.decode(blob(row, "target_top_logprobs")));
            return new StoredQuery(id, record);
        } catch (IOException | RuntimeException e) {
            throw new IOException("query log record " + id + " cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** The driver hands back a zero-length blob as null; the columns are NOT NULL, so null means empty. */
    private static byte[] blob(ResultSet row, String column) throws SQLException {
        byte[] bytes = row.getBytes(column);
        return bytes == null ? new byte[0] : bytes;
    }

    private static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    private static void expectLength(String column, int decoded, int stored) throws IOException {
        if (decoded != stored) {
            throw new IOException(column + " holds " + decoded + " tokens but its length column says " + stored);
        }
    }

    private static int utf8Length(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
