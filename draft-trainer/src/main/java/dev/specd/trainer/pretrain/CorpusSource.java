package dev.specd.trainer.pretrain;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** One domain of pretraining text, read from something already on the machine or installed on demand. */
public interface CorpusSource {

    String domain();

    Provenance provenance();

    /**
     * Finds the text. Throws {@link CorpusUnavailableException}, saying what to install, when it
     * is not there; callers may then skip the domain.
     */
    Documents open() throws IOException;

    /** The documents of an opened source, read one at a time so a small budget reads little. */
    interface Documents extends Closeable {

        /**
         * Names that do not depend on where the source sits on this machine (paths relative to the
         * source's root), since the train / held-out split is derived from them.
         */
        List<String> names();

        /** The document's text, or empty when it is not text worth training on. */
        Optional<String> read(String name) throws IOException;

        @Override
        default void close() throws IOException {}

        /** Strict UTF-8: a file that is not valid UTF-8 is skipped rather than trained on as mojibake. */
        static Optional<String> utf8(byte[] bytes) {
            try {
                return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }
    }
}
