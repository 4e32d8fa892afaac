package dev.specd.trainer.online;

import java.io.IOException;

/** A registered draft whose files do not match its manifest, or whose manifest cannot be read: never loaded. */
public final class CorruptDraftException extends IOException {

    public CorruptDraftException(String message) {
        super(message);
    }

    public CorruptDraftException(String message, Throwable cause) {
        super(message, cause);
    }
}
